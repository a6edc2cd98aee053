use super::*;

fn fmt(text: &str) -> String {
    format(SourceId(0), text).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn canonical_layout_keeps_comments() {
    insta::assert_snapshot!(fmt(r#"// File header.

import 'sets.seg'
import   'metrics.seg'
/// Nurses.
SEGMENT  HighValueNurses   WHERE occupation='nurse' AND ltv>500 and (occasion in holidays OR city = 'x' )   // trailing
set   holidays=['christmas' ,'easter',]

// A standalone note.

// About the next one.
segment Long where occupation = 'nurse' and ltv > 500 and occasion in holidays and city != 'London' and newsletter and not (region = 'North')
segment Commented where
  a = 1 // keep me here
    and b = 2
occasion  xmas from december 1 to DEC 26
metric   ltv=sum( orders.amount where category='books' )
segment Times where orders.ordered_at in last 1 days and signup_date < 2 YEARS ago and birthday = TODAY
// The end.
"#));
}

#[test]
fn a_comment_at_the_end_without_a_newline_is_kept() {
    assert_eq!(
        fmt("segment A where x = 1\n// end"),
        "segment A where x = 1\n\n// end\n"
    );
    assert_eq!(fmt("// only a comment"), "// only a comment\n");
    assert_eq!(fmt(""), "");
}

/// Every `.seg` file in the repository: formatting twice changes nothing more than
/// formatting once, and the formatted file means the same (its definitions print the same).
#[test]
fn formatting_is_idempotent_and_keeps_meaning_for_every_segment_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests", "benches"] {
        let problems = crate::project::collect_segment_files(&root.join(dir), &mut files);
        assert!(problems.is_empty(), "{problems:?}");
    }
    assert!(files.len() > 20, "found {} files", files.len());
    let mut checked = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(once) = format(SourceId(0), &text) else {
            continue; // files with syntax errors (the error corpus) are left alone
        };
        let twice = format(SourceId(0), &once).unwrap();
        assert_eq!(
            once,
            twice,
            "{} is not stable under formatting",
            path.display()
        );
        let printed = |t: &str| -> Vec<String> {
            let (file, _) = crate::syntax::parse(SourceId(0), t);
            file.definitions
                .iter()
                .map(crate::syntax::print::definition)
                .collect()
        };
        assert_eq!(
            printed(&text),
            printed(&once),
            "{} changed meaning",
            path.display()
        );
        checked += 1;
    }
    assert!(checked > 20);
}

#[test]
fn splits_print_in_canonical_layout_and_break_when_long() {
    assert_eq!(
        fmt("SPLIT  Base SEED 'x'   INTO A 90% ,B 10%"),
        "split Base seed 'x' into A 90%, B 10%\n"
    );
    let long = "split Subscribers seed 'spring-2026' into SpringCampaignFirstWave 45%, \
                SpringCampaignSecondWave 45%, SpringHoldout 10%";
    let expected = "split Subscribers seed 'spring-2026' into\n  SpringCampaignFirstWave 45%,\n  \
                    SpringCampaignSecondWave 45%,\n  SpringHoldout 10%\n";
    assert_eq!(fmt(long), expected);
    assert_eq!(fmt(expected), expected);
}

#[test]
fn ignoring_is_printed_after_its_test_and_keeps_what_follows_apart() {
    assert_eq!(
        fmt("segment A where city='London'  IGNORING  Case AND spaces and ltv > 5"),
        "segment A where city = 'London' ignoring case and spaces and ltv > 5\n"
    );
    assert_eq!(
        fmt("segment A where job_title ENDS WITH 'nurse' ignoring spaces"),
        "segment A where job_title ends with 'nurse' ignoring spaces\n"
    );
    // A segment named `spaces` after `ignoring case and` keeps its parentheses; a field
    // named `spaces` needs none.
    assert_eq!(
        fmt("segment A where city = 'x' ignoring case and (spaces)"),
        "segment A where city = 'x' ignoring case and (spaces)\n"
    );
    assert_eq!(
        fmt("segment A where city = 'x' ignoring case and spaces = 'y'"),
        "segment A where city = 'x' ignoring case and spaces = 'y'\n"
    );
    // Only the other word goes on the phrase: `case` after `ignoring case and` is a
    // segment (or field) of that name.
    assert_eq!(
        fmt("segment A where city = 'x' ignoring case and case"),
        "segment A where city = 'x' ignoring case and (case)\n"
    );
    assert_eq!(
        fmt("segment A where city = 'x' ignoring spaces and spaces"),
        "segment A where city = 'x' ignoring spaces and (spaces)\n"
    );
}

#[test]
fn calculations_keep_their_parentheses_and_sequences_their_steps() {
    assert_eq!(
        fmt("metric   aov=ltv/COUNT( orders )\nsegment A where (ltv-5)*2>=aov+1"),
        "metric aov = ltv / count(orders)\n\nsegment A where (ltv - 5) * 2 >= aov + 1\n"
    );
    assert_eq!(
        fmt("segment S where ANY(orders where category='toys') THEN NOT any(orders) WITHIN 2 WEEKS"),
        "segment S where any(orders where category = 'toys') then not any(orders) within 2 weeks\n"
    );
}
