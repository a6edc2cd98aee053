//! Limits checked before parsing, so that hostile or runaway input gets a coded error
//! instead of exhausting the stack or the memory: file size and nesting depth.

use super::{MAX_FILE_BYTES, MAX_NESTING};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceId, Span};

/// The first limit `text` breaks, if any.
pub fn check(source: SourceId, text: &str) -> Option<Diagnostic> {
    if text.len() > MAX_FILE_BYTES {
        return Some(
            Diagnostic::error(
                Code::FileTooLarge,
                format!(
                    "the file has {} bytes; the limit is {MAX_FILE_BYTES}",
                    text.len()
                ),
            )
            .with_label(source, Span::new(0, 0), "this file")
            .with_help("split the definitions over several files"),
        );
    }
    let at = too_deep(text)?;
    Some(
        Diagnostic::error(
            Code::NestingTooDeep,
            format!("conditions nest more than {MAX_NESTING} levels deep"),
        )
        .with_label(source, Span::new(at, at + 1), "too deep here")
        .with_help("split the condition into named segments and refer to them"),
    )
}

/// Where nesting (open parentheses and brackets, plus a run of `not`s) first exceeds the
/// limit, skipping strings and comments.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut nots = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'n' | b'N' if is_word_at(bytes, i, b"not") => {
                nots += 1;
                i += 3;
                if depth + nots > MAX_NESTING {
                    return Some(i - 3);
                }
                continue;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                // Any other word ends a run of `not`s.
                nots = 0;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        if depth + nots > MAX_NESTING {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Whether `word` (lower case) stands alone at `i`, in any case.
fn is_word_at(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    let end = i + word.len();
    let boundary = |b: Option<&u8>| b.is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
    end <= bytes.len()
        && bytes[i..end].eq_ignore_ascii_case(word)
        && boundary(bytes.get(end))
        && (i == 0 || boundary(bytes.get(i - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_and_long_runs_of_not_are_refused() {
        let deep = format!("segment S where {}x = 1{}", "(".repeat(65), ")".repeat(65));
        assert!(too_deep(&deep).is_some());
        let fine = format!("segment S where {}x = 1{}", "(".repeat(60), ")".repeat(60));
        assert!(too_deep(&fine).is_none());
        let nots = format!("segment S where {} x", "not ".repeat(100));
        assert!(too_deep(&nots).is_some());
        // Many `not`s side by side are not deep.
        let wide = (0..100)
            .map(|i| format!("not a{i}"))
            .collect::<Vec<_>>()
            .join(" and ");
        assert!(too_deep(&format!("segment S where {wide}")).is_none());
        // Brackets in strings and comments do not count.
        let quoted = format!(
            "segment S where x = '{}' // {}",
            "(".repeat(100),
            "(".repeat(100)
        );
        assert!(too_deep(&quoted).is_none());
    }
}
