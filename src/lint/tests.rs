use super::*;
use crate::diagnostics::render::{Style, render_all};
use crate::project::manifest;
use crate::source::{SourceFile, SourceMap};

const MANIFEST: &str = r#"
[customer]
key = "id"
[customer.fields]
age = { type = "integer", sensitive = true }
gender = { type = "text", values = ["female", "male"], sensitive = true }
city = "text"
ltv = "money"
newsletter = "bool"
signup_date = "date"
[related.orders]
customer_key = "customer_id"
[related.orders.fields]
amount = "money"
category = "text"
"#;

/// The lints' output for `text` (one file), rendered as in `seg check`.
fn lints(text: &str) -> String {
    lints_with(MANIFEST, text)
}

/// [`lints`] against another manifest.
fn lints_with(manifest_text: &str, text: &str) -> String {
    let mut sources = SourceMap::default();
    let manifest_id = sources.add(SourceFile {
        name: "seg.toml".into(),
        path: None,
        text: manifest_text.into(),
    });
    let schema = manifest::parse(manifest_id, manifest_text).unwrap().schema;
    let id = sources.add(SourceFile {
        name: "test.seg".into(),
        path: None,
        text: text.into(),
    });
    let (file, errors) = crate::syntax::parse(id, text);
    assert!(errors.is_empty(), "{errors:?}");
    render_all(&lint(&[(id, file)], &schema), &sources, Style::Plain)
}

#[test]
fn sensitive_attributes_need_a_justification() {
    insta::assert_snapshot!(lints(
        "segment Older where age > 60\n\
         /// Gender-specific sizing.\n\
         /// justification: the product is sized for women; gender is self-declared.\n\
         segment Women where gender = 'female'\n\
         segment Fine where city = 'Leeds'\n"
    ));
}

#[test]
fn contradictions_are_found_per_field() {
    insta::assert_snapshot!(lints(
        "segment Ages where age > 50 and age < 30\n\
         segment Cities where city = 'Leeds' and city = 'York'\n\
         segment InAndOut where city in ['Leeds', 'York'] and city not in ['Leeds', 'York']\n\
         segment KnownUnknown where ltv is unknown and ltv > 5\n\
         segment EmptyRange where ltv between 10 and 5\n\
         segment Rows where count(orders where amount > 10 and amount <= 10) > 1\n\
         segment NegativeCount where count(orders) < 0\n\
         segment Possible where age > 30 and age < 50 and city != 'Leeds' and ltv >= 5 and ltv <= 5\n"
    ));
}

#[test]
fn tautologies_and_duplicates() {
    insta::assert_snapshot!(lints(
        "segment A where newsletter or not newsletter\n\
         segment B where city is known or city is unknown\n\
         segment C where count(orders) >= 0\n\
         segment D where city = 'Leeds' and ltv > 5 and city = 'Leeds'\n\
         segment E where city = 'Leeds' or not (city = 'Leeds')\n"
    ));
}

#[test]
fn unused_definitions_and_shadowed_fields() {
    insta::assert_snapshot!(lints(
        "set used = ['Leeds']\n\
         set spare = ['York']\n\
         occasion xmas from Dec 1 to Dec 26\n\
         metric spend = sum(orders.amount)\n\
         metric big = max(orders.amount)\n\
         segment city where city in used and spend > 5\n"
    ));
}

#[test]
fn a_condition_repeated_many_times_is_one_warning() {
    let terms: Vec<String> = (0..30).map(|i| format!("ltv > {}", i % 3)).collect();
    let text = format!("segment Many where {}\n", terms.join(" and "));
    let out = lints(&text);
    assert_eq!(out.matches("seg::W004").count(), 3, "{out}");
    assert!(out.contains("`ltv > 0` appears 10 times"), "{out}");
    assert_eq!(out.matches("and here").count(), 3 * 6, "{out}");
}

#[test]
fn bounds_an_operand_never_crosses_make_a_test_always_or_never_hold() {
    let manifest = r#"
[customer]
key = "id"
[customer.fields]
birthday = "date"
[related.orders]
customer_key = "customer_id"
time = "ordered_at"
[related.orders.fields]
ordered_at = "timestamp"
amount = "money"
[rfm]
entity = "orders"
amount = "amount"
"#;
    let out = lints_with(
        manifest,
        "segment A where count(orders) >= -1\n\
         segment B where recency_score > 6\n\
         segment C where age(birthday) < 0\n\
         segment D where monetary_score between 6 and 9\n\
         segment E where count(orders) != 2.5\n\
         segment Fine1 where recency_score <= 5\n\
         segment Fine2 where count(orders) >= 1\n\
         segment Fine3 where age(birthday) >= 0\n\
         segment Fine4 where frequency_score = 5\n",
    );
    assert_eq!(out.matches("seg::W002").count(), 3, "{out}");
    assert_eq!(out.matches("seg::W003").count(), 2, "{out}");
    for expected in [
        "a count is never negative, so this always holds",
        "`recency_score` lies between 1 and 5, so this never holds",
        "an age is never negative, so this never holds",
        "`monetary_score` lies between 1 and 5, so this never holds",
    ] {
        assert!(out.contains(expected), "{expected}: {out}");
    }
    // Nothing on the Fine ones: an RFM score or an age may be unknown, so `<= 5` is not
    // everyone.
    assert_eq!(out.matches("seg::W").count(), 5, "{out}");
}
