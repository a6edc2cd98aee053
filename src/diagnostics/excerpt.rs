//! What a report quotes of a file: the lines around its labels, each very long line cut down
//! to windows around the labels (miette cannot draw past column 65,535, and nobody reads such
//! a line), with the labels moved to match. Building one costs the quoted lines, not the file.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::source::{SourceId, SourceMap, Span};

/// Lines up to this many bytes are quoted whole.
const WIDEST: usize = 1000;
/// Bytes kept on each side of a label's start and end in a longer line.
const AROUND: usize = 40;
/// Stands for the bytes left out of a long line.
const ELLIPSIS: &str = " … ";

/// The quoted lines of one file, numbered as in the file.
#[derive(Debug)]
pub(super) struct Excerpt {
    name: String,
    text: String,
    /// Lines of the file before the excerpt's first.
    lines_before: usize,
    /// Where each kept piece went: `(start in the excerpt, byte column in its file line)`.
    columns: Vec<(usize, usize)>,
}

impl Excerpt {
    /// The lines from the one before the first span's to the one after the last span's,
    /// long lines clipped; and `spans` as positions in the excerpt.
    pub(super) fn new(sources: &SourceMap, id: SourceId, spans: &[Span]) -> (Excerpt, Vec<SourceSpan>) {
        let file = sources.get(id);
        let text = &*file.text;
        let line_of = |offset: u32| sources.line_col(id, offset).0;
        let first = spans.iter().map(|s| line_of(s.start)).min().unwrap_or(1);
        let last = spans.iter().map(|s| line_of(s.end)).max().unwrap_or(1);
        let first = first.saturating_sub(1).max(1);
        let last = (last + 1).min(sources.line_count(id));
        let mut pieces = Pieces::default();
        for line in first..=last {
            let start = sources.line_start(id, line);
            let end = if line < sources.line_count(id) {
                sources.line_start(id, line + 1)
            } else {
                text.len()
            };
            let content_end = if text[start..end].ends_with('\n') {
                end - 1
            } else {
                end
            };
            pieces.line_start = start;
            if content_end - start <= WIDEST {
                pieces.keep(text, start, end);
                continue;
            }
            let anchors = spans
                .iter()
                .flat_map(|s| [s.start as usize, s.end as usize])
                .filter(|a| (start..=content_end).contains(a));
            let mut windows: Vec<(usize, usize)> = Vec::new();
            for anchor in anchors.chain(std::iter::once(start)) {
                let from = boundary(text, anchor.saturating_sub(AROUND).max(start), false);
                let to = boundary(text, (anchor + AROUND).min(content_end), true);
                windows.push((from, to));
            }
            windows.sort_unstable();
            let mut merged: Vec<(usize, usize)> = Vec::new();
            for (from, to) in windows {
                match merged.last_mut() {
                    Some(last) if from <= last.1 => last.1 = last.1.max(to),
                    _ => merged.push((from, to)),
                }
            }
            for (from, to) in &merged {
                if *from > start && pieces.ends_at != Some(*from) {
                    pieces.leave_out();
                }
                pieces.keep(text, *from, *to);
            }
            if merged.last().is_some_and(|(_, to)| *to < content_end) {
                pieces.leave_out();
            }
            pieces.keep(text, content_end, end);
        }
        let spans = spans
            .iter()
            .map(|s| {
                let from = pieces.position(s.start as usize);
                let to = pieces.position(s.end as usize).max(from);
                SourceSpan::from((from, to - from))
            })
            .collect();
        let excerpt = Excerpt {
            name: visible(&file.name).into_owned(),
            text: same_width_visible(&pieces.text),
            lines_before: first - 1,
            columns: pieces.columns,
        };
        (excerpt, spans)
    }
}

/// `text` with control characters (escape sequences, NUL, …) replaced by characters of the
/// same length in bytes, so a segment file cannot drive the terminal and every label keeps
/// its place: `?` for one-byte controls, `¿` for two-byte ones. Tabs and line ends stay.
fn same_width_visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c.is_control() && c.len_utf8() == 1 => '?',
            c if c.is_control() => '¿',
            c => c,
        })
        .collect()
}

/// `text` with control characters other than newline and tab written as escapes
/// (`\u{1b}`), so that text from outside (data, segment files) cannot drive a terminal.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\t' => c.to_string(),
                c if c.is_control() => c.escape_unicode().to_string(),
                c => c.to_string(),
            })
            .collect(),
    )
}

/// The nearest character boundary at or below `offset` (or above, with `up`).
fn boundary(text: &str, mut offset: usize, up: bool) -> usize {
    while !text.is_char_boundary(offset) {
        if up {
            offset += 1;
        } else {
            offset -= 1;
        }
    }
    offset
}

/// The excerpt's text as it is built, and where each kept piece of the file went.
#[derive(Default)]
struct Pieces {
    text: String,
    /// `(start in the file, end in the file, start in the excerpt)`, in order.
    kept: Vec<(usize, usize, usize)>,
    /// The file offset where the last kept piece ended.
    ends_at: Option<usize>,
    /// Where the file line being added starts.
    line_start: usize,
    /// `(start in the excerpt, byte column in its file line)` of each kept piece.
    columns: Vec<(usize, usize)>,
}

impl Pieces {
    fn keep(&mut self, file: &str, from: usize, to: usize) {
        if from >= to {
            return;
        }
        self.kept.push((from, to, self.text.len()));
        self.columns.push((self.text.len(), from - self.line_start));
        self.text.push_str(&file[from..to]);
        self.ends_at = Some(to);
    }

    fn leave_out(&mut self) {
        self.text.push_str(ELLIPSIS);
        self.ends_at = None;
    }

    /// Where a file offset lands in the excerpt: inside a kept piece, or at the end of the
    /// piece before a left-out stretch.
    fn position(&self, offset: usize) -> usize {
        let i = self.kept.partition_point(|(from, _, _)| *from <= offset);
        match i.checked_sub(1).map(|i| self.kept[i]) {
            Some((from, to, at)) => at + offset.min(to) - from,
            None => 0,
        }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .as_str()
            .read_span(span, context_lines_before, context_lines_after)?;
        // Without context lines, the column is where the span starts (the report's
        // `file:line:column`): counted in the file's line, not in the clipped one.
        let column = if context_lines_before == 0 {
            let i = self.columns.partition_point(|(at, _)| *at <= span.offset());
            i.checked_sub(1).map_or(inner.column(), |i| {
                let (at, column) = self.columns[i];
                column + span.offset() - at
            })
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.lines_before,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn excerpt(text: &str, spans: &[Span]) -> (String, Vec<String>) {
        let mut sources = SourceMap::default();
        let id = sources.add(SourceFile {
            name: "x.seg".into(),
            path: None,
            text: text.into(),
        });
        let (excerpt, spans) = Excerpt::new(&sources, id, spans);
        let labelled = spans
            .iter()
            .map(|s| excerpt.text[s.offset()..s.offset() + s.len()].to_string())
            .collect();
        (excerpt.text, labelled)
    }

    #[test]
    fn short_lines_are_quoted_whole_from_the_line_before_to_the_line_after() {
        let text = "a\nb\nc = 1\nd\ne\n";
        let (quoted, labelled) = excerpt(text, &[Span::new(4, 9)]);
        assert_eq!(quoted, "b\nc = 1\nd\n");
        assert_eq!(labelled, ["c = 1"]);
    }

    #[test]
    fn a_long_line_keeps_windows_around_the_labels() {
        let text = format!("segment A where city = '{}' and ocupation = 'x'\n", "x".repeat(70_000));
        let at = text.find("ocupation").unwrap();
        let (quoted, labelled) = excerpt(&text, &[Span::new(at, at + 9)]);
        assert!(quoted.len() < 300, "{}", quoted.len());
        assert!(quoted.starts_with("segment A where"), "{quoted}");
        assert!(quoted.contains(" … "), "{quoted}");
        assert_eq!(labelled, ["ocupation"]);
    }

    #[test]
    fn a_label_over_a_long_line_spans_what_is_kept() {
        let text = format!("é{}é\n", "ü".repeat(5_000));
        let (quoted, labelled) = excerpt(&text, &[Span::new(0, text.len() - 1)]);
        assert!(quoted.len() < 400, "{}", quoted.len());
        assert!(labelled[0].starts_with('é') && labelled[0].ends_with('é'), "{}", labelled[0]);
    }
}
