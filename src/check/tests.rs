use super::*;
use crate::diagnostics::render::{Style, render_all};
use crate::test_support::{check_files, clean_program};

fn problems(text: &str) -> String {
    let (_, diagnostics, sources) = check_files(&[("test.seg", text)]);
    render_all(&diagnostics, &sources, Style::Plain)
}

fn condition(text: &str) -> ir::Condition {
    let program = clean_program(&[("test.seg", text)]);
    program
        .segments
        .last()
        .expect("one segment")
        .condition
        .clone()
}

#[test]
fn design_card_example_resolves_through_the_orders_relation() {
    insta::assert_debug_snapshot!(condition(
        "set holidays = ['christmas', 'easter']\n\
         segment HighValueNurses where occupation = 'nurse' and ltv > 500 and occasion in holidays"
    ));
}

#[test]
fn literals_take_the_type_of_their_field() {
    insta::assert_debug_snapshot!(condition(
        "segment S where ltv >= 500 and income < 1.5 and visits in [1, 2] and signup_date = 2024-02-29 \
         and orders.ordered_at > 2025-01-01 and newsletter = true and newsletter"
    ));
}

#[test]
fn three_broken_segments_are_all_reported() {
    insta::assert_snapshot!(problems(
        "segment A where ocupation = 'nurse'\n\
         segment B where ltv > 'lots'\n\
         segment C where occupation = 'nruse'\n\
         segment D where city = 'London'\n"
    ));
}

#[test]
fn a_good_segment_survives_beside_broken_ones() {
    let (program, diagnostics, _) = check_files(&[(
        "a.seg",
        "segment Bad where nope = 1\nsegment Good where city = 'Leeds'",
    )]);
    assert_eq!(diagnostics.len(), 1);
    let names: Vec<&str> = program.segments.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Good"]);
}

#[test]
fn operators_must_fit_the_field_type() {
    insta::assert_snapshot!(problems(
        "segment A where city > 'M'\n\
         segment B where newsletter in [true]\n\
         segment C where ltv contains 'x'\n\
         segment D where city contains 5\n\
         segment E where city between 'a' and 'b'\n\
         segment F where occupation\n"
    ));
}

#[test]
fn literal_problems() {
    insta::assert_snapshot!(problems(
        "segment A where signup_date = 2025-02-29\n\
         segment B where ltv > 500.001\n\
         segment C where visits > 2.5\n\
         segment D where visits > 99999999999999999999\n\
         segment E where city in []\n"
    ));
}

#[test]
fn unknown_names_get_suggestions() {
    insta::assert_snapshot!(problems(
        "set holidays = ['christmas']\n\
         segment Nurses where occupation = 'nurse'\n\
         segment A where occasion in holiday\n\
         segment B where Nurse\n\
         segment C where order.amount > 5\n\
         segment D where orders.amout > 5\n"
    ));
}

#[test]
fn cycles_are_spelled_out_and_dependents_left_out() {
    let text = "segment A where B and city = 'x'\n\
                segment B where C\n\
                segment C where A or newsletter\n\
                segment Self where Self\n\
                segment UsesA where A\n\
                segment Fine where newsletter\n";
    insta::assert_snapshot!(problems(text));
    let (program, _, _) = check_files(&[("test.seg", text)]);
    let names: Vec<&str> = program.segments.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Fine"]);
}

#[test]
fn duplicates_and_bad_sets_across_files() {
    let (_, diagnostics, sources) = check_files(&[
        (
            "sets.seg",
            "set holidays = ['christmas', 'xmas']\nset mixed = ['a', 1]\nset empty = []",
        ),
        (
            "use.seg",
            "segment Uses where occasion in holidays\nsegment AlsoUses where occasion in holidays\n\
             segment Mixed where city in mixed\nsegment holidays where newsletter",
        ),
    ]);
    insta::assert_snapshot!(render_all(&diagnostics, &sources, Style::Plain));
}

#[test]
fn segments_come_after_the_segments_they_use() {
    let (program, diagnostics, _) = check_files(&[(
        "test.seg",
        "segment Top where Middle and newsletter\nsegment Middle where Bottom\nsegment Bottom where visits > 1",
    )]);
    assert!(diagnostics.is_empty());
    let names: Vec<&str> = program.segments.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Bottom", "Middle", "Top"]);
}

#[test]
fn misused_aggregates_windows_and_functions() {
    insta::assert_snapshot!(problems(
        "segment A where sum(orders.category) > 5\n\
         segment B where ltv in last 90 days\n\
         segment C where city has any of ['x']\n\
         segment D where count(orders where sum(orders.amount) > 1) > 1\n\
         segment E where count(ordrs) > 1\n\
         segment F where age(city) > 30\n\
         segment G where visits > 3 days ago\n\
         segment H where signup_date in last 0 days\n\
         segment I where avg(orders) > 3\n\
         segment J where count(orders where newsletter) > 1\n"
    ));
}

#[test]
fn occasions_and_metrics_are_checked_where_defined() {
    insta::assert_snapshot!(problems(
        "occasion xmas from Decmber 1 to Dec 26\n\
         occasion odd from Feb 30 to Mar 1\n\
         metric ltv = sum(orders.amount)\n\
         metric bad = sum(orders.category)\n\
         segment A where bad > 1 and orders.ordered_at during xmas\n"
    ));
}

#[test]
fn first_and_last_need_a_time_field() {
    insta::assert_snapshot!(problems("segment A where last(interests.interest) = 'x'\n"));
}

#[test]
fn names_from_files_that_are_not_imported_are_reported() {
    let (_, diagnostics, sources) = check_files(&[
        ("sets.seg", "set holidays = ['christmas']"),
        ("b.seg", "segment B where newsletter"),
    ]);
    assert!(
        diagnostics.is_empty(),
        "b.seg imports sets.seg in test_support: {diagnostics:?}"
    );
    // Without the import edge the set is invisible.
    let mut sources_only = sources.clone();
    let id = sources_only.add(crate::source::SourceFile {
        name: "alone.seg".into(),
        path: None,
        text: "segment C where occasion in holidays".into(),
    });
    let (file, _) = crate::syntax::parse(id, "segment C where occasion in holidays");
    let (sets_file, _) =
        crate::syntax::parse(crate::source::SourceId(1), "set holidays = ['christmas']");
    let schema = crate::project::manifest::parse(
        crate::source::SourceId(0),
        crate::test_support::SHOP_MANIFEST,
    )
    .unwrap()
    .schema;
    let mut imports = Imports::default();
    imports
        .names
        .insert(crate::source::SourceId(1), "sets.seg".into());
    imports.names.insert(id, "alone.seg".into());
    let (_, errors) = check(
        &[(crate::source::SourceId(1), sets_file), (id, file)],
        &imports,
        &schema,
    );
    insta::assert_snapshot!(render_all(&errors, &sources_only, Style::Plain));
}

#[test]
fn a_split_bucket_is_its_base_and_a_range_of_the_hash() {
    let program = clean_program(&[(
        "test.seg",
        "segment Base where city = 'Leeds'\n\
         split Base seed 'spring' into A 12.5%, B 0.01%, C 87.49%",
    )]);
    let ranges: Vec<(&str, ir::Condition)> = program
        .segments
        .iter()
        .skip(1)
        .map(|s| (s.name.as_str(), s.condition.clone()))
        .collect();
    let bucket = |from, to| {
        ir::Condition::And(vec![
            ir::Condition::Segment("Base".into()),
            ir::Condition::Bucket {
                seed: "spring".into(),
                from,
                to,
            },
        ])
    };
    assert_eq!(
        ranges,
        [
            ("A", bucket(0, 1250)),
            ("B", bucket(1250, 1251)),
            ("C", bucket(1251, 10_000)),
        ]
    );
}

#[test]
fn split_problems() {
    insta::assert_snapshot!(problems(
        "segment Base where city = 'Leeds'\n\
         split Base seed 'a' into A 50%, B 40%\n\
         split Base seed 'b' into C 60%, D 50%\n\
         split Base seed '' into E 50.125%, F 0%, G 50%\n\
         split Bsae seed 'c' into H 100%\n\
         split Loop seed 'd' into Loop 100%\n\
         split Base seed 'e' into Base 100%\n\
         segment UsesA where A and city = 'York'\n"
    ));
}

#[test]
fn references_that_expand_past_the_limit_are_refused_and_their_users_left_out() {
    // Each level refers to the level below twice: 2^14 references once written out.
    let mut text = String::from("segment D0 where city = 'London'\n");
    for i in 1..=14 {
        text.push_str(&format!(
            "segment D{i} where D{p} or (D{p} and visits > {i})\n",
            p = i - 1
        ));
    }
    text.push_str("segment Top where D14\n");
    let (program, diagnostics, _) = crate::test_support::check_files(&[("d.seg", &text)]);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["seg::E063"], "{diagnostics:?}");
    assert!(diagnostics[0].message.contains("`D13`"), "{}", diagnostics[0].message);
    assert!(program.segment("D12").is_some());
    assert!(program.segment("D13").is_none() && program.segment("Top").is_none());
}

#[test]
fn a_chain_of_ten_thousand_references_in_reverse_order_is_refused_without_deep_recursion() {
    let mut text = String::new();
    for i in 0..9_999 {
        text.push_str(&format!("segment C{i} where C{} or visits > {i}\n", i + 1));
    }
    text.push_str("segment C9999 where city = 'x'\n");
    let (_, diagnostics, _) = crate::test_support::check_files(&[("c.seg", &text)]);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["seg::E063"], "{diagnostics:?}");
}

#[test]
fn ignoring_reads_the_value_as_the_field_and_applies_to_text_tests_only() {
    insta::assert_debug_snapshot!(condition(
        "segment S where occupation = ' NURSE ' ignoring case and spaces \
         and city ends with '  Don' ignoring spaces"
    ));
    insta::assert_snapshot!(problems(
        "segment A where ltv = 5 ignoring case\n\
         segment B where age(birthday) = 30 ignoring spaces\n\
         segment C where occupation = 'Nurses' ignoring case\n\
         segment D where first(orders.category) = 'TOYS' ignoring case\n\
         segment E where newsletter = true ignoring case\n"
    ));
}

#[test]
fn calculations_keep_money_and_numbers_apart() {
    insta::assert_snapshot!(problems(
        "metric spend = sum(orders.amount)\n\
         metric a = b + 1\n\
         metric b = a * 2\n\
         segment A where spend + count(orders) > 5\n\
         segment B where spend * ltv > 5\n\
         segment C where count(orders) / spend > 5\n\
         segment D where spend / count(orders) > count(orders)\n\
         segment E where signup_date + 1 > 5\n\
         segment F where orders.amount * 2 > 5\n\
         segment G where ltv * 99999999999999999999 > 1\n\
         segment H where visits > 1 + 2025-01-01\n\
         metric me = me + 1\n\
         segment UsesMe where me > 1\n\
         metric m0 = sum(orders.amount)\n\
         metric m1 = m0 + m0\n\
         metric m2 = m1 + m1\n\
         metric m3 = m2 + m2\n\
         metric m4 = m3 + m3\n\
         metric m5 = m4 + m4\n\
         segment Big where m5 > 1\n"
    ));
}

#[test]
fn in_between_needs_a_row_that_comes() {
    insta::assert_snapshot!(problems(
        "segment A where any(orders) then not any(orders) within 3 days \
         and not any(interests) in between\n"
    ));
}
