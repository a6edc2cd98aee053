//! Source files and byte spans: the one place that converts between pest, seglang and
//! miette positions.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// The largest source accepted (a segment file, a test file, the manifest, a REPL input),
/// in bytes: spans are 32-bit, and hostile input must not exhaust the memory.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Identifies one loaded source (a segment file or the manifest) in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

/// A byte range in one source file; every diagnostic label points at one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The same range moved `offset` bytes later (used when a file is parsed in chunks).
    pub fn shifted(self, offset: usize) -> Span {
        Span::new(self.start as usize + offset, self.end as usize + offset)
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range, for slicing source text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(span: pest::Span<'_>) -> Span {
        Span::new(span.start(), span.end())
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> miette::SourceSpan {
        (span.start as usize, (span.end - span.start) as usize).into()
    }
}

/// A file's name (as shown to the user) and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as given or relative to the project root.
    pub name: String,
    /// The path on disk, if the source came from a file.
    pub path: Option<PathBuf>,
    /// The full text.
    pub text: Arc<str>,
}

/// Where a file's lines start, and how many characters lie before regular marks, so that
/// a position's line and column cost a binary search and a short count, not a scan of the
/// file (a diagnostic with thousands of labels on a megabyte line stays fast).
#[derive(Clone, Debug, Default)]
struct LineIndex {
    /// Byte offset of each line's first byte.
    line_starts: Vec<usize>,
    /// `(byte offset, characters before it)` at the first character boundary from each
    /// multiple of [`MARK_EVERY`].
    marks: Vec<(usize, usize)>,
}

/// Bytes between two character-count marks.
const MARK_EVERY: usize = 4096;

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        let mut marks = Vec::new();
        for (chars, (offset, c)) in text.char_indices().enumerate() {
            if offset >= marks.len() * MARK_EVERY {
                marks.push((offset, chars));
            }
            if c == '\n' {
                line_starts.push(offset + 1);
            }
        }
        LineIndex { line_starts, marks }
    }

    /// Characters in `text` before byte `offset` (a character boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let k = self.marks.partition_point(|(at, _)| *at <= offset);
        let (at, before) = k.checked_sub(1).map_or((0, 0), |k| self.marks[k]);
        before + text[at..offset].chars().count()
    }
}

/// Every source loaded in one run, so diagnostics can name and quote their file.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    indexes: Vec<LineIndex>,
}

impl SourceMap {
    /// Adds a source and returns its id.
    pub fn add(&mut self, file: SourceFile) -> SourceId {
        self.indexes.push(LineIndex::new(&file.text));
        self.files.push(file);
        SourceId(self.files.len() as u32 - 1)
    }

    /// Every source, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// 1-based line and column (in characters) of a byte offset in a source.
    pub fn line_col(&self, id: SourceId, offset: u32) -> (usize, usize) {
        let text = &self.files[id.0 as usize].text;
        let index = &self.indexes[id.0 as usize];
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = index.line_starts.partition_point(|start| *start <= offset);
        let line_start = index.line_starts[line - 1];
        let column = index.chars_before(text, offset) - index.chars_before(text, line_start);
        (line, column + 1)
    }

    /// Byte offset where a 1-based line starts, and the number of lines.
    pub fn line_start(&self, id: SourceId, line: usize) -> usize {
        let starts = &self.indexes[id.0 as usize].line_starts;
        starts[line.clamp(1, starts.len()) - 1]
    }

    /// The number of lines of a source (a final line without a newline counts).
    pub fn line_count(&self, id: SourceId) -> usize {
        self.indexes[id.0 as usize].line_starts.len()
    }

    /// The source with this id.
    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
}

/// A span together with the file it is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file.
    pub source: SourceId,
    /// The bytes in it.
    pub span: Span,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let mut sources = SourceMap::default();
        let id = sources.add(SourceFile {
            name: "x.seg".into(),
            path: None,
            text: "ab\nçd e".into(),
        });
        assert_eq!(sources.line_col(id, 0), (1, 1));
        assert_eq!(sources.line_col(id, 3), (2, 1));
        // 'ç' is two bytes: byte 6 is the space after "çd".
        assert_eq!(sources.line_col(id, 6), (2, 3));
        assert_eq!(sources.line_col(id, 99), (2, 5));
    }

    #[test]
    fn line_col_agrees_with_a_scan_across_marks() {
        let text: String = (0..3000)
            .map(|i| if i % 7 == 0 { "çé\n" } else { "x✓" })
            .collect();
        let mut sources = SourceMap::default();
        let id = sources.add(SourceFile {
            name: "x.seg".into(),
            path: None,
            text: text.as_str().into(),
        });
        for (offset, _) in text.char_indices().step_by(37) {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[start..].chars().count() + 1;
            assert_eq!(sources.line_col(id, offset as u32), (line, column), "{offset}");
        }
    }
}
