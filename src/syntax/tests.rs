use super::*;
use crate::diagnostics::render::{Style, render_all};
use crate::source::{SourceFile, SourceMap};

fn ast(text: &str) -> ast::File {
    let (file, errors) = parse(SourceId(0), text);
    assert!(errors.is_empty(), "unexpected errors: {errors:?}");
    file
}

fn errors(text: &str) -> String {
    let mut sources = SourceMap::default();
    let id = sources.add(SourceFile {
        name: "test.seg".into(),
        path: None,
        text: text.into(),
    });
    let (_, errors) = parse(id, text);
    render_all(&errors, &sources, Style::Plain)
}

#[test]
fn design_card_example() {
    insta::assert_debug_snapshot!(ast(
        "segment HighValueNurses where occupation = 'nurse' and ltv > 500 and occasion in holidays"
    ));
}

#[test]
fn every_predicate_form() {
    insta::assert_debug_snapshot!(ast(r#"
/// Everything at once.
/// Second doc line.
segment All where
  a != 'x''y' or b < 1 or c <= -2.5 or d >= 2025-12-24 or e = true
  or f not in ['p', 'q',] or g in named
  or h between 1 and 10 and i not between 0.5 and 1.5
  or j is unknown or k is known
  or l contains 'abc' or m starts with 'ab'
  or not (Other and orders.category = 'toys')
set named = [1, 2]
"#));
}

#[test]
fn and_binds_tighter_than_or_and_not_tighter_than_and() {
    let file = ast("segment S where not a or b and c");
    let ast::Definition::Segment(s) = &file.definitions[0] else {
        panic!("expected a segment")
    };
    let ast::ConditionKind::Or(parts) = &s.condition.kind else {
        panic!("expected or at the top, got {:?}", s.condition.kind)
    };
    assert!(matches!(parts[0].kind, ast::ConditionKind::Not(_)));
    assert!(matches!(parts[1].kind, ast::ConditionKind::And(_)));
}

#[test]
fn keywords_are_case_insensitive_and_word_bounded() {
    let file = ast("SEGMENT S WHERE android = 'x' AND Notes Is Known OR order_count In [1]");
    let ast::Definition::Segment(s) = &file.definitions[0] else {
        panic!("expected a segment")
    };
    let ast::ConditionKind::Or(parts) = &s.condition.kind else {
        panic!("expected or")
    };
    let ast::ConditionKind::And(left) = &parts[0].kind else {
        panic!("expected and")
    };
    let ast::ConditionKind::Compare {
        operand: ast::Operand::Field(field),
        ..
    } = &left[0].kind
    else {
        panic!("expected comparison")
    };
    assert_eq!(field.name.text, "android");
    let ast::ConditionKind::Known { field, known } = &left[1].kind else {
        panic!("expected is known")
    };
    assert_eq!((field.name.text.as_str(), *known), ("Notes", true));
}

#[test]
fn spans_point_into_the_file_across_chunks() {
    let text = "set a = ['x']\n// note\nsegment S where f = 1\n";
    let file = ast(text);
    let ast::Definition::Segment(s) = &file.definitions[1] else {
        panic!("expected a segment")
    };
    assert_eq!(&text[s.name.span.range()], "S");
    assert_eq!(&text[s.condition.span.range()], "f = 1");
}

#[test]
fn one_broken_definition_does_not_hide_the_others() {
    let text = "segment A wher x = 1\nsegment B where y = 2\nsegment C where z =\nset s = ['a']\n";
    let (file, errors) = parse(SourceId(0), text);
    assert_eq!(errors.len(), 2);
    assert_eq!(file.definitions.len(), 2);
}

#[test]
fn syntax_errors_say_what_was_expected() {
    insta::assert_snapshot!(errors(
        "segment A wher x = 1\nsegment B where y == 2\nsegment C where z = \nsegment D where (a = 1\nset s = [1 2]"
    ));
}

#[test]
fn doc_comments_attach_to_the_next_definition() {
    let file = ast("// header comment\n\n/// Nurses.\n///   Indented.\nsegment N where x = 1");
    let ast::Definition::Segment(s) = &file.definitions[0] else {
        panic!("expected a segment")
    };
    assert_eq!(s.doc.as_deref(), Some("Nurses.\n  Indented."));
}

#[test]
fn definition_lines_are_recognised_by_their_leading_words_only() {
    // Found by fuzzing: a comment line with a multi-byte character before a word.
    let (_, errors) = parse(SourceId(0), "//\u{24e} The top\nsegment A where x = 1");
    assert!(errors.is_empty(), "{errors:?}");
    assert!(super::starts_definition(
        "  metric ltv = sum(orders.amount)"
    ));
    assert!(super::starts_definition(
        "occasion xmas from Dec 1 to Dec 26"
    ));
    assert!(!super::starts_definition("occasion in holidays"));
    assert!(!super::starts_definition("metric = 3"));
    assert!(!super::starts_definition("// segment in a comment"));
    assert!(super::starts_definition("import 'x.seg'"));
}

#[test]
fn a_split_names_its_base_seed_and_buckets() {
    let text = "/// Test.\nSPLIT Subscribers Seed 'spring-2026' INTO Campaign 87.5%, Holdout 12.5%";
    let file = ast(text);
    let ast::Definition::Split(split) = &file.definitions[0] else {
        panic!("expected a split, got {:?}", file.definitions[0])
    };
    assert_eq!(split.doc.as_deref(), Some("Test."));
    assert_eq!(split.base.text, "Subscribers");
    assert_eq!(
        split.seed.kind,
        ast::LiteralKind::Text("spring-2026".into())
    );
    let buckets: Vec<(&str, &str, &str)> = split
        .buckets
        .iter()
        .map(|b| {
            let written = &text[b.share_span.start as usize..b.share_span.end as usize];
            (b.name.text.as_str(), b.share.as_str(), written)
        })
        .collect();
    assert_eq!(
        buckets,
        [("Campaign", "87.5", "87.5%"), ("Holdout", "12.5", "12.5%")]
    );
    let names: Vec<&str> = file.definitions[0]
        .names()
        .iter()
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(names, ["Campaign", "Holdout"]);
}

#[test]
fn split_is_still_a_field_name_and_a_broken_split_does_not_hide_the_next_segment() {
    let file = ast("segment S where split = 'a'");
    assert_eq!(file.definitions.len(), 1);
    let text = "split Base seed 'x' into A 50, B 50%\nsegment T where x = 1";
    let (file, errors) = parse(SourceId(0), text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(matches!(
        &file.definitions[..],
        [ast::Definition::Segment(_)]
    ));
}
