//! The pest parser generated from `grammar/segment.pest`, and pest errors turned into
//! seglang diagnostics.

use pest::error::{ErrorVariant, InputLocation};
use pest_derive::Parser;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceId, Span};

/// The generated parser; its `Rule` enum names every grammar rule.
#[derive(Parser)]
#[grammar = "grammar/segment.pest"]
pub struct SegmentParser;

/// A pest error from parsing the chunk of `text` that starts at `offset`, as an `E001`
/// diagnostic in `source`.
pub fn syntax_error(
    error: pest::error::Error<Rule>,
    text: &str,
    source: SourceId,
    offset: usize,
) -> Diagnostic {
    let position = offset
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((start, _)) => start,
        };
    let found = found_at(text, position);
    let position = text.len() - text[position..].trim_start().len();
    let span = if found.is_empty() {
        // At the end of the file: point at the last character written.
        let end = text.trim_end().len();
        let last = text[..end].chars().next_back().map_or(0, char::len_utf8);
        Span::new(end - last, end)
    } else {
        Span::new(position, position + found.len())
    };
    let message = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            let mut expected: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
            expected.dedup();
            let mut seen = std::collections::HashSet::new();
            expected.retain(|e| seen.insert(*e));
            format!("expected {}, found {}", join_or(&expected), shown(found))
        }
        ErrorVariant::ParsingError { .. } => format!("unexpected {}", shown(found)),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    Diagnostic::error(Code::Syntax, message).with_label(source, span, "here")
}

/// The token-like text at the first non-blank position from `position`: a word, an
/// operator, or one character; empty at the end of the file.
fn found_at(text: &str, position: usize) -> &str {
    let rest = text[position..].trim_start();
    let Some(first) = rest.chars().next() else {
        return "";
    };
    let word_len = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())
    } else if "=!<>".contains(first) {
        rest.find(|c: char| !"=!<>".contains(c))
            .unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    &rest[..word_len]
}

fn shown(found: &str) -> String {
    match found {
        "" => "end of input".to_string(),
        _ => format!("`{found}`"),
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A rule as the user would call it.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of input",
        Rule::segment_def
        | Rule::set_def
        | Rule::kw_segment
        | Rule::kw_set
        | Rule::definition
        | Rule::import_def
        | Rule::occasion_def
        | Rule::metric_def
        | Rule::kw_import
        | Rule::kw_occasion
        | Rule::kw_metric
        | Rule::split_def
        | Rule::kw_split => {
            "a definition (`segment`, `set`, `occasion`, `metric`, `split` or `import`)"
        }
        Rule::kw_seed => "`seed`",
        Rule::kw_into => "`into`",
        Rule::split_bucket | Rule::share => "a bucket and its share (`Holdout 10%`)",
        Rule::kw_from => "`from`",
        Rule::kw_to => "`to`",
        Rule::month_day | Rule::month_name => "a month and day (`Dec 24`)",
        Rule::day_number => "a day of the month",
        Rule::kw_last | Rule::kw_next => "`last` or `next`",
        Rule::kw_during => "`during`",
        Rule::kw_has => "`has`",
        Rule::kw_any | Rule::kw_all | Rule::kw_none => "`any`, `all` or `none`",
        Rule::kw_of => "`of`",
        Rule::aggregate_fn
        | Rule::kw_count
        | Rule::kw_sum
        | Rule::kw_avg
        | Rule::kw_min
        | Rule::kw_max
        | Rule::kw_first => "an aggregate (`count`, `sum`, `avg`, `min`, `max`, `first`, `last`)",
        Rule::distinct | Rule::kw_distinct => "`distinct`",
        Rule::function_call | Rule::kw_age | Rule::kw_anniversary => "`age(…)` or `anniversary(…)`",
        Rule::kw_ago => "`ago`",
        Rule::unit | Rule::kw_days | Rule::kw_weeks | Rule::kw_months | Rule::kw_years => {
            "a unit (`days`, `weeks`, `months`, `years`)"
        }
        Rule::operand | Rule::aggregate => "a field or an aggregate",
        Rule::value | Rule::relative_date | Rule::kw_today => "a value",
        Rule::doc_comment => "a doc comment",
        Rule::kw_where => "`where`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not | Rule::negation => "`not`",
        Rule::kw_in => "`in`",
        Rule::kw_between => "`between`",
        Rule::kw_is => "`is`",
        Rule::kw_unknown | Rule::kw_known => "`known` or `unknown`",
        Rule::kw_contains => "`contains`",
        Rule::kw_starts => "`starts with`",
        Rule::kw_ends => "`ends with`",
        Rule::kw_then => "`then`",
        Rule::expression | Rule::product | Rule::factor => "a value",
        Rule::add_op | Rule::mul_op => "an operator (`+`, `-`, `*`, `/`)",
        Rule::kw_within => "`within`",
        Rule::ignoring | Rule::kw_ignoring => "`ignoring …`",
        Rule::ignored_case | Rule::ignored_spaces | Rule::kw_case | Rule::kw_spaces => {
            "`case` or `spaces`"
        }
        Rule::test_goes_on => "a test",
        Rule::kw_with => "`with`",
        Rule::compare_op => "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::ident | Rule::field | Rule::reference => "a name",
        Rule::condition
        | Rule::primary
        | Rule::predicate
        | Rule::and_expr
        | Rule::not_expr
        | Rule::comparison
        | Rule::in_test
        | Rule::window_test
        | Rule::during_test
        | Rule::has_test
        | Rule::any_test
        | Rule::sequence_test
        | Rule::arithmetic_test
        | Rule::between_test
        | Rule::known_test
        | Rule::contains_test
        | Rule::starts_test
        | Rule::ends_test => "a condition",
        Rule::list => "a list (`[…]`)",
        Rule::close_paren => "`)`",
        Rule::close_bracket => "`]`",
        Rule::comma => "`,`",
        Rule::equals => "`=`",
        Rule::literal
        | Rule::string
        | Rule::string_inner
        | Rule::date
        | Rule::decimal
        | Rule::integer
        | Rule::boolean
        | Rule::kw_true
        | Rule::kw_false => "a value",
        Rule::ident_char => "a name",
        Rule::keyword => "a keyword",
        Rule::condition_input | Rule::file | Rule::doc_text | Rule::WHITESPACE | Rule::COMMENT => {
            "more input"
        }
    }
}
