//! The line editor's helper: tab completion (keywords, fields, related fields, definitions,
//! and allowed values after `=` or `in`), syntax highlighting, history hints, and
//! multi-line input for incomplete statements.

use std::borrow::Cow;
use std::collections::HashMap;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::Repl;
use super::continuation::is_incomplete;

/// Words the language reserves or gives meaning in context.
const KEYWORDS: &[&str] = &[
    "segment",
    "set",
    "where",
    "and",
    "or",
    "not",
    "in",
    "between",
    "is",
    "known",
    "unknown",
    "contains",
    "starts",
    "ends",
    "with",
    "ignoring",
    "case",
    "spaces",
    "then",
    "within",
    "true",
    "false",
    "import",
    "occasion",
    "metric",
    "from",
    "to",
    "last",
    "next",
    "during",
    "has",
    "any",
    "all",
    "none",
    "of",
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "first",
    "distinct",
    "age",
    "anniversary",
    "ago",
    "today",
    "days",
    "weeks",
    "months",
    "years",
];

/// Commands offered after `:`.
const COMMANDS: &[&str] = &[
    ":help",
    ":schema",
    ":segments",
    ":sql",
    ":explain",
    ":funnel",
    ":breakdown",
    ":overlap",
    ":sample",
    ":estimate",
    ":as-of",
    ":save",
    ":load",
    ":quit",
];

/// Completion, highlighting, hints and validation for `seg repl`.
pub struct SegHelper {
    /// Names to complete: fields, `entity.field`, and defined names.
    names: Vec<String>,
    /// Allowed values by field name (and `entity.field`).
    values: HashMap<String, Vec<String>>,
    hinter: HistoryHinter,
}

impl SegHelper {
    /// A helper knowing the REPL's schema and definitions.
    pub fn new(repl: &Repl) -> SegHelper {
        let mut helper = SegHelper {
            names: Vec::new(),
            values: HashMap::new(),
            hinter: HistoryHinter::new(),
        };
        helper.refresh(repl);
        helper
    }

    /// Picks up definitions added since the last input.
    pub fn refresh(&mut self, repl: &Repl) {
        let schema = &repl.session.project.manifest.schema;
        self.names.clear();
        self.values.clear();
        for field in &schema.customer.fields {
            self.names.push(field.name.clone());
            if let Some(values) = &field.values {
                self.values.insert(field.name.clone(), values.clone());
            }
        }
        for entity in &schema.related {
            self.names.push(entity.name.clone());
            for field in &entity.fields {
                let qualified = format!("{}.{}", entity.name, field.name);
                if let Some(values) = &field.values {
                    self.values.insert(qualified.clone(), values.clone());
                    self.values
                        .entry(field.name.clone())
                        .or_insert_with(|| values.clone());
                }
                self.names.push(qualified);
            }
        }
        if schema.rfm.is_some() {
            self.names
                .extend(["recency_score", "frequency_score", "monetary_score"].map(String::from));
        }
        let files = repl.session.files.iter().chain(&repl.accepted);
        self.names.extend(
            files
                .flat_map(|(_, f)| &f.definitions)
                .flat_map(|d| d.names())
                .map(|n| n.text.clone()),
        );
        self.names.sort();
        self.names.dedup();
    }

    /// Allowed values for the field just before `=`, `!=` or `in [` at the end of `before`.
    fn values_for(&self, before: &str) -> Option<&Vec<String>> {
        let mut rest = before.trim_end();
        // Inside a list: skip back over earlier items to the `[`.
        if let Some(open) = rest.rfind('[')
            && !rest[open..].contains(']')
        {
            rest = rest[..open].trim_end();
            rest = rest.strip_suffix_ci("in")?.trim_end();
            rest = rest.strip_suffix_ci("not").map_or(rest, str::trim_end);
        } else {
            rest = rest
                .strip_suffix("!=")
                .or_else(|| rest.strip_suffix('='))?
                .trim_end();
        }
        let start = rest
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        self.values.get(&rest[start..])
    }
}

/// Case-insensitive `strip_suffix` for a word.
trait StripWord {
    fn strip_suffix_ci(&self, word: &str) -> Option<&str>;
}

impl StripWord for str {
    fn strip_suffix_ci(&self, word: &str) -> Option<&str> {
        let split = self.len().checked_sub(word.len())?;
        let (head, tail) = self.split_at_checked(split)?;
        tail.eq_ignore_ascii_case(word).then_some(head)
    }
}

impl Completer for SegHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        if let Some(quote) = open_quote(before) {
            let partial = &before[quote + 1..];
            let values = self
                .values_for(&before[..quote])
                .map(Vec::as_slice)
                .unwrap_or_default();
            let candidates = values
                .iter()
                .filter(|v| v.starts_with(partial))
                .map(|v| Pair {
                    display: v.clone(),
                    replacement: format!("{}'", v.replace('\'', "''")),
                })
                .collect();
            return Ok((quote + 1, candidates));
        }
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == ':'))
            .map_or(0, |i| i + 1);
        let partial = &before[start..];
        if partial.is_empty() {
            // After `=` or `in [`, offer the values, quoted.
            if let Some(values) = self.values_for(before) {
                let candidates = values
                    .iter()
                    .map(|v| Pair {
                        display: v.clone(),
                        replacement: format!("'{v}'"),
                    })
                    .collect();
                return Ok((start, candidates));
            }
            let candidates = next_words(before)
                .iter()
                .map(|w| Pair {
                    display: w.to_string(),
                    replacement: w.to_string(),
                })
                .collect();
            return Ok((start, candidates));
        }
        let lower = partial.to_lowercase();
        let words: Vec<&str> = if partial.starts_with(':') {
            COMMANDS.to_vec()
        } else {
            KEYWORDS
                .iter()
                .copied()
                .chain(self.names.iter().map(String::as_str))
                .collect()
        };
        let mut candidates: Vec<Pair> = words
            .into_iter()
            .filter(|w| w.to_lowercase().starts_with(&lower))
            .map(|w| Pair {
                display: w.to_string(),
                replacement: w.to_string(),
            })
            .collect();
        candidates.dedup_by(|a, b| a.replacement == b.replacement);
        Ok((start, candidates))
    }
}

/// The words that can follow `before` (which ends in white space) where the context says:
/// after a text value, `ignoring`; after `ignoring`, what it ignores.
fn next_words(before: &str) -> &'static [&'static str] {
    let rest = before.trim_end();
    if let Some(head) = rest.strip_suffix_ci("ignoring")
        && head.ends_with(char::is_whitespace)
    {
        return &["case", "spaces"];
    }
    for (said, other) in [("case", "spaces"), ("spaces", "case")] {
        let phrase = format!("ignoring {said} and");
        if rest.to_lowercase().ends_with(&phrase) {
            return if other == "spaces" {
                &["spaces"]
            } else {
                &["case"]
            };
        }
    }
    if rest.ends_with('\'') && open_quote(rest).is_none() {
        return &["ignoring", "and", "or"];
    }
    &[]
}

/// The byte position of an unclosed `'` in `text`, if any.
fn open_quote(text: &str) -> Option<usize> {
    let mut open = None;
    for (i, c) in text.char_indices() {
        if c == '\'' {
            open = if open.is_some() { None } else { Some(i) };
        }
    }
    open
}

impl Hinter for SegHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for SegHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Owned(highlight(line))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

/// Keywords bold blue, text green, numbers and dates yellow, comments dim.
fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let mut chars = line.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c == '\'' {
            let mut end = line.len();
            for (i, d) in chars.by_ref() {
                if d == '\'' {
                    end = i + 1;
                    break;
                }
            }
            out.push_str(&format!("\x1b[32m{}\x1b[0m", &line[start..end]));
        } else if c == '/' && line[start..].starts_with("//") {
            out.push_str(&format!("\x1b[2m{}\x1b[0m", &line[start..]));
            break;
        } else if c.is_alphanumeric() || c == '_' {
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || (c.is_ascii_digit() && (d == '.' || d == '-'))
                {
                    end = i + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &line[start..end];
            if c.is_ascii_digit() {
                out.push_str(&format!("\x1b[33m{word}\x1b[0m"));
            } else if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
                out.push_str(&format!("\x1b[1;34m{word}\x1b[0m"));
            } else {
                out.push_str(word);
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Validator for SegHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if is_incomplete(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl Helper for SegHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> SegHelper {
        let mut values = HashMap::new();
        values.insert(
            "occupation".to_string(),
            vec!["nurse".to_string(), "teacher".to_string()],
        );
        SegHelper {
            names: vec!["occupation".into(), "orders.amount".into()],
            values,
            hinter: HistoryHinter::new(),
        }
    }

    #[test]
    fn allowed_values_follow_equals_and_in() {
        let h = helper();
        assert!(h.values_for("occupation =").is_some());
        assert!(h.values_for("occupation != ").is_some());
        assert!(h.values_for("occupation in [").is_some());
        assert!(h.values_for("occupation not in ['nurse', ").is_some());
        assert!(h.values_for("city =").is_none());
        assert_eq!(open_quote("occupation = 'nu"), Some(13));
        assert_eq!(open_quote("a = 'x' and b = 'y'"), None);
    }

    #[test]
    fn ignoring_and_what_it_ignores_follow_a_text_value() {
        assert_eq!(next_words("city = 'london' "), ["ignoring", "and", "or"]);
        assert_eq!(next_words("city = 'london' ignoring "), ["case", "spaces"]);
        assert_eq!(next_words("city in ['a'] IGNORING case and "), ["spaces"]);
        assert_eq!(next_words("city = 'a' ignoring spaces and "), ["case"]);
        assert!(
            next_words("city = 'it''s ").is_empty(),
            "inside a text value"
        );
        assert!(next_words("ltv > 5 ").is_empty());
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let line = "occupation = 'nurse' and ltv > 500.5 // note";
        let plain: String = strip_ansi(&highlight(line));
        assert_eq!(plain, line);
    }

    fn strip_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
