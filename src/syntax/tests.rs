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
