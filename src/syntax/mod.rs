//! Stage 1: text → syntax tree. Knows the grammar and nothing about schemas or SQL.
//!
//! pest stops at the first error, so a file is cut into top-level chunks (each starting at a
//! line that starts a definition, with the `///` lines just above it) and each
//! chunk is parsed on its own: one broken definition does not hide problems in the others.

pub mod ast;
mod build;
mod limits;
mod parser;
pub mod print;

use pest::Parser;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::SourceId;
use parser::{Rule, SegmentParser};

pub use crate::source::MAX_FILE_BYTES;
/// How deeply conditions may nest (parentheses and `not`s), so that hostile input cannot
/// exhaust the stack.
pub const MAX_NESTING: usize = 64;
/// The most definitions one file may hold.
pub const MAX_DEFINITIONS: usize = 10_000;

/// Parses one file. Returns every definition that parsed, and a diagnostic per broken chunk.
pub fn parse(source: SourceId, text: &str) -> (ast::File, Vec<Diagnostic>) {
    let mut file = ast::File::default();
    if let Some(problem) = limits::check(source, text) {
        return (file, vec![problem]);
    }
    let mut errors = Vec::new();
    for range in chunks(text) {
        let chunk = &text[range.clone()];
        match SegmentParser::parse(Rule::file, chunk) {
            Ok(mut pairs) => {
                let pair = pairs.next().expect("grammar: file");
                file.definitions.extend(build::file(pair, range.start));
            }
            Err(error) => errors.push(parser::syntax_error(error, text, source, range.start)),
        }
    }
    if file.definitions.len() > MAX_DEFINITIONS {
        let span = crate::source::Span::new(0, 0);
        errors.push(
            Diagnostic::error(
                Code::TooManyDefinitions,
                format!(
                    "{} definitions in one file; the limit is {MAX_DEFINITIONS}",
                    file.definitions.len()
                ),
            )
            .with_label(source, span, "in this file")
            .with_help("split the definitions over several files"),
        );
        file.definitions.clear();
    }
    (file, errors)
}

/// Parses a condition on its own (the REPL's input), as the body of a segment would be.
pub fn parse_condition(source: SourceId, text: &str) -> Result<ast::Condition, Diagnostic> {
    if let Some(problem) = limits::check(source, text) {
        return Err(problem);
    }
    let mut pairs = SegmentParser::parse(Rule::condition_input, text)
        .map_err(|error| parser::syntax_error(error, text, source, 0))?;
    let input = pairs.next().expect("grammar: condition input");
    let condition = input.into_inner().next().expect("grammar: condition");
    Ok(build::condition(condition))
}

/// The length of `text` without trailing whitespace and trailing comments.
pub(crate) fn code_length(text: &str) -> usize {
    let mut end = text.len();
    loop {
        let trimmed = text[..end].trim_end();
        let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&trimmed[line_start..]) {
            Some(at) => end = line_start + at,
            None => return trimmed.len(),
        }
    }
}

/// Where a `//` comment starts in a line (outside strings; not a `///` doc line).
pub(crate) fn comment_start(line: &str) -> Option<usize> {
    if line.trim_start().starts_with("///") {
        return None;
    }
    let bytes = line.as_bytes();
    let mut in_string = false;
    (0..bytes.len()).find(|&i| {
        if bytes[i] == b'\'' {
            in_string = !in_string;
        }
        !in_string && bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'/')
    })
}

/// Byte ranges of the top-level chunks of `text`, covering all of it.
fn chunks(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut starts = vec![0];
    let mut doc_start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("///") {
            doc_start.get_or_insert(offset);
        } else if starts_definition(trimmed) {
            let start = doc_start.unwrap_or(offset);
            if start > 0 {
                starts.push(start);
            }
            doc_start = None;
        } else {
            doc_start = None;
        }
        offset += line.len();
    }
    starts.dedup();
    let mut ends: Vec<usize> = starts[1..].to_vec();
    ends.push(text.len());
    starts.into_iter().zip(ends).map(|(s, e)| s..e).collect()
}

/// Whether a line starts a definition: `segment …`, `set …`, `import '…`, or
/// `occasion NAME from` / `metric NAME =` / `split NAME seed` (those words are also common
/// field names, so the shape of the line decides).
pub(crate) fn starts_definition(line: &str) -> bool {
    let (first, rest) = leading_word(line.trim_start());
    let is = |w: &str| first.eq_ignore_ascii_case(w);
    if is("segment") || is("set") {
        return !first.is_empty();
    }
    let (second, after_second) = leading_word(rest.trim_start());
    let (third, _) = leading_word(after_second.trim_start());
    (is("import") && rest.trim_start().starts_with('\''))
        || (is("occasion") && !second.is_empty() && third.eq_ignore_ascii_case("from"))
        || (is("metric") && !second.is_empty() && after_second.trim_start().starts_with('='))
        || (is("split") && !second.is_empty() && third.eq_ignore_ascii_case("seed"))
}

/// The identifier at the very start of `text` (possibly empty), and what follows it.
fn leading_word(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    text.split_at(end)
}

#[cfg(test)]
mod tests;
