//! Printing rows as an aligned table, CSV or JSON (whole, or as they come: `stream.rs`),
//! and writing to the standard streams
//! without panicking: `print!` panics when stdout is a closed pipe or a full disk; every
//! front end writes through [`write_stdout`] (or [`out!`]/[`outln!`]) instead.

mod stream;

use std::io::Write;

use crate::diagnostics::visible;
use crate::engine::{Cell, Rows};
use crate::schema::Type;
pub use stream::stream_rows;

/// Standard output did not take the text: the reader closed the pipe (`seg run | head -1`)
/// or the write failed (`> /dev/full`).
#[derive(Debug)]
pub struct Unwritten(pub std::io::Error);

impl Unwritten {
    /// Whether the reader stopped reading: not a failure of seg's, just the end.
    pub fn is_closed_pipe(&self) -> bool {
        self.0.kind() == std::io::ErrorKind::BrokenPipe
    }
}

/// Writes `text` to standard output and flushes it, so each piece reaches the reader at
/// once and a failure is seen where it happens. On a terminal, control characters from
/// data or segment files (an escape sequence in a customer's name or a doc comment) are
/// shown as escapes instead of acting on the terminal; into a pipe or a file the text
/// goes exactly as it is.
pub fn write_stdout(text: &str) -> Result<(), Unwritten> {
    static TERMINAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let terminal = *TERMINAL.get_or_init(|| std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let shown = if terminal {
        visible(text)
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let mut out = std::io::stdout().lock();
    out.write_all(shown.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Unwritten)
}

/// Writes `text` to standard error. A failure there is ignored: there is nowhere left to
/// report it, and the exit status still tells.
pub fn write_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// `print!` that returns [`Unwritten`] instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(&format!($($arg)*))
    };
}

/// `println!` that returns [`Unwritten`] instead of panicking.
macro_rules! outln {
    () => {
        $crate::output::write_stdout("\n")
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` that never panics.
macro_rules! errout {
    ($($arg:tt)*) => {
        $crate::output::write_stderr(&format!($($arg)*))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::write_stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, errout, out, outln};

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
    /// JSON Lines: one object per line.
    Jsonl,
    /// A Markdown table (for pull request comments).
    Markdown,
}

/// What a column holds, so that each format shows it right: people read `1,288` and
/// `10.6%`; tools get `1288` and `0.106`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// A field's value, as its type (money with two places, booleans as words).
    Field(Type),
    /// A number of customers: digits grouped in tables.
    Count,
    /// A number of customers that is hidden (unknown, `Cell::Null`) when under the minimum
    /// group size: `<k` in tables; in CSV and JSON `null` and a `<column>_hidden` flag.
    HiddenUnder(u64),
    /// A fraction: `10.6%` in tables, the number in CSV and JSON.
    Share,
    /// An exact number written as text (a bucket's bound): only in CSV and JSON.
    MachineNumber,
    /// Anything else as it is: names, labels, keys (whose digits are never grouped).
    Plain,
}

impl Shown {
    /// A field's type if the column is a field, else plain.
    pub fn of(ty: Option<Type>) -> Shown {
        ty.map_or(Shown::Plain, Shown::Field)
    }

    /// Whether people's formats (table, Markdown) leave the column out.
    fn machine_only(self) -> bool {
        self == Shown::MachineNumber
    }
}

/// Prints `rows`; `shown` says how each column (by name) is shown.
pub fn print_rows(
    rows: &Rows,
    format: Format,
    shown: impl Fn(&str) -> Shown,
) -> Result<(), Unwritten> {
    write_stdout(&render_rows(rows, format, shown))
}

/// `rows` as [`print_rows`] prints them.
pub fn render_rows(rows: &Rows, format: Format, shown: impl Fn(&str) -> Shown) -> String {
    let kinds: Vec<Shown> = rows.columns.iter().map(|c| shown(c)).collect();
    match format {
        Format::Table => table(&for_people(rows, &kinds), &people_kinds(&kinds)),
        Format::Markdown => markdown(&for_people(rows, &kinds), &people_kinds(&kinds)),
        Format::Csv => csv(&for_tools(rows, &kinds), &tool_kinds(&kinds)),
        Format::Json => format!("{}\n", json(&for_tools(rows, &kinds), &tool_kinds(&kinds))),
        Format::Jsonl => json_lines(&for_tools(rows, &kinds), &tool_kinds(&kinds)),
    }
}

/// The columns people see.
fn for_people(rows: &Rows, kinds: &[Shown]) -> Rows {
    let keep: Vec<bool> = kinds.iter().map(|k| !k.machine_only()).collect();
    Rows {
        columns: kept(&rows.columns, &keep),
        rows: rows.rows.iter().map(|r| kept(r, &keep)).collect(),
    }
}

fn people_kinds(kinds: &[Shown]) -> Vec<Shown> {
    kinds
        .iter()
        .copied()
        .filter(|k| !k.machine_only())
        .collect()
}

fn kept<T: Clone>(values: &[T], keep: &[bool]) -> Vec<T> {
    values
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(v, _)| v.clone())
        .collect()
}

/// The columns tools get: each hidden count followed by its `_hidden` flag.
fn for_tools(rows: &Rows, kinds: &[Shown]) -> Rows {
    let mut columns = Vec::new();
    for (column, kind) in rows.columns.iter().zip(kinds) {
        columns.push(column.clone());
        if matches!(kind, Shown::HiddenUnder(_)) {
            columns.push(format!("{column}_hidden"));
        }
    }
    let rows = rows
        .rows
        .iter()
        .map(|row| {
            let mut out = Vec::new();
            for (cell, kind) in row.iter().zip(kinds) {
                out.push(cell.clone());
                if matches!(kind, Shown::HiddenUnder(_)) {
                    out.push(Cell::Integer(i64::from(*cell == Cell::Null)));
                }
            }
            out
        })
        .collect();
    Rows { columns, rows }
}

fn tool_kinds(kinds: &[Shown]) -> Vec<Shown> {
    let mut out = Vec::new();
    for kind in kinds {
        out.push(*kind);
        if matches!(kind, Shown::HiddenUnder(_)) {
            out.push(Shown::Field(Type::Bool));
        }
    }
    out
}

fn markdown(rows: &Rows, kinds: &[Shown]) -> String {
    markdown_lines(rows, kinds, true)
}

/// [`markdown`], with or without the header lines.
fn markdown_lines(rows: &Rows, kinds: &[Shown], header: bool) -> String {
    let escape = |text: String| text.replace('|', "\\|");
    let mut out = String::new();
    if header {
        out.push_str(&format!("| {} |\n", rows.columns.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(rows.columns.len())));
    }
    for row in &rows.rows {
        let cells: Vec<String> = row
            .iter()
            .zip(kinds)
            .map(|(cell, kind)| escape(people_text(cell, *kind)))
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A cell as tools read it in CSV: plain digits, fractions as numbers, unknown as empty.
fn text(cell: &Cell, kind: Shown) -> String {
    match (cell, kind) {
        (Cell::Null, _) => String::new(),
        (Cell::Integer(n), Shown::Field(Type::Money)) => format!("{n}.00"),
        (Cell::Integer(n), Shown::Field(Type::Bool)) => (*n != 0).to_string(),
        (Cell::Integer(n), _) => n.to_string(),
        (Cell::Real(r), Shown::Field(Type::Money)) => format!("{r:.2}"),
        (Cell::Real(r), _) => r.to_string(),
        (Cell::Text(t), _) => t.clone(),
    }
}

/// A cell as people read it in a table: counts grouped, shares as percentages, hidden
/// counts as `<k`.
fn people_text(cell: &Cell, kind: Shown) -> String {
    match (cell, kind) {
        (Cell::Null, Shown::HiddenUnder(k)) => format!("<{k}"),
        (Cell::Integer(n), Shown::Count | Shown::HiddenUnder(_)) if *n >= 0 => thousands(*n as u64),
        (Cell::Real(r), Shown::Share) => format!("{:.1}%", r * 100.0),
        _ => text(cell, kind),
    }
}

/// `rows` as an aligned table; with `max_width`, trailing columns that do not fit are left
/// out (the first column always stays).
pub fn table_text(rows: &Rows, shown: impl Fn(&str) -> Shown, max_width: Option<usize>) -> String {
    let kinds: Vec<Shown> = rows.columns.iter().map(|c| shown(c)).collect();
    Table::new(&for_people(rows, &kinds), &people_kinds(&kinds))
        .render(max_width.unwrap_or(usize::MAX))
}

fn table(rows: &Rows, kinds: &[Shown]) -> String {
    Table::new(rows, kinds).render(usize::MAX)
}

/// A cell's text on one line of a table: newlines, tabs and other control characters
/// written as escapes, so a value cannot break the table or drive the terminal.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\t' => "\\t".to_string(),
            '\r' => "\\r".to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Cells as text, with each column's width and alignment.
struct Table {
    header: Vec<String>,
    cells: Vec<Vec<String>>,
    widths: Vec<usize>,
    /// Numbers align right; text, dates and booleans left.
    numeric: Vec<bool>,
}

impl Table {
    fn new(rows: &Rows, kinds: &[Shown]) -> Table {
        let cells: Vec<Vec<String>> = rows
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(kinds)
                    .map(|(cell, kind)| match (cell, kind) {
                        (Cell::Null, Shown::HiddenUnder(_)) => people_text(cell, *kind),
                        (Cell::Null, _) => "–".to_string(),
                        _ => one_line(&people_text(cell, *kind)),
                    })
                    .collect()
            })
            .collect();
        let numeric = (0..rows.columns.len())
            .map(|i| {
                let kind_numeric = match kinds[i] {
                    Shown::Field(ty) => ty.is_numeric(),
                    _ => true,
                };
                kind_numeric
                    && rows
                        .rows
                        .iter()
                        .all(|r| matches!(r[i], Cell::Integer(_) | Cell::Real(_) | Cell::Null))
            })
            .collect();
        let widths = rows
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                cells
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([c.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        Table {
            header: rows.columns.iter().map(|c| one_line(c)).collect(),
            cells,
            widths,
            numeric,
        }
    }

    /// Widths and alignment that serve these rows and the `earlier` ones printed above
    /// them, so a table printed in parts stays one table (columns only grow).
    fn continuing(mut self, earlier: &Table) -> Table {
        for (width, before) in self.widths.iter_mut().zip(&earlier.widths) {
            *width = (*width).max(*before);
        }
        for (numeric, before) in self.numeric.iter_mut().zip(&earlier.numeric) {
            *numeric = *numeric && *before;
        }
        self
    }

    /// The columns that fit in `max_width` (at least the first), one line per row.
    fn render(&self, max_width: usize) -> String {
        self.render_lines(max_width, true)
    }

    /// [`Table::render`], with or without the header line.
    fn render_lines(&self, max_width: usize, header: bool) -> String {
        let mut keep = 1.min(self.widths.len());
        let mut used = self.widths.first().copied().unwrap_or(0);
        while keep < self.widths.len() && used.saturating_add(2 + self.widths[keep]) <= max_width {
            used += 2 + self.widths[keep];
            keep += 1;
        }
        let line = |values: &[String]| {
            let padded: Vec<String> = values[..keep]
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let pad = " ".repeat(self.widths[i] - v.chars().count());
                    if self.numeric[i] {
                        format!("{pad}{v}")
                    } else {
                        format!("{v}{pad}")
                    }
                })
                .collect();
            format!("{}\n", padded.join("  ").trim_end())
        };
        let mut out = if header {
            line(&self.header)
        } else {
            String::new()
        };
        for row in &self.cells {
            out.push_str(&line(row));
        }
        out
    }
}

fn csv(rows: &Rows, kinds: &[Shown]) -> String {
    csv_lines(rows, kinds, true)
}

/// [`csv`], with or without the header line.
fn csv_lines(rows: &Rows, kinds: &[Shown], header: bool) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    if header {
        let _ = writer.write_record(&rows.columns);
    }
    for row in &rows.rows {
        let _ = writer.write_record(row.iter().zip(kinds).map(|(c, k)| text(c, *k)));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn json(rows: &Rows, kinds: &[Shown]) -> String {
    let objects: Vec<serde_json::Value> = json_objects(rows, kinds).collect();
    serde_json::to_string_pretty(&objects).unwrap_or_default()
}

fn json_lines(rows: &Rows, kinds: &[Shown]) -> String {
    json_objects(rows, kinds)
        .map(|object| format!("{object}\n"))
        .collect()
}

/// One object per row; a column named `range.from` becomes `"range": {"from": …}`.
fn json_objects<'r>(
    rows: &'r Rows,
    kinds: &'r [Shown],
) -> impl Iterator<Item = serde_json::Value> + 'r {
    rows.rows.iter().map(move |row| {
        let mut map = serde_json::Map::new();
        for (column, (cell, kind)) in rows.columns.iter().zip(row.iter().zip(kinds)) {
            let value = json_value(cell, *kind);
            match column.split_once('.') {
                Some((outer, inner)) => {
                    let entry = map
                        .entry(outer)
                        .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                    if let serde_json::Value::Object(nested) = entry {
                        nested.insert(inner.to_string(), value);
                    }
                }
                None => {
                    map.insert(column.clone(), value);
                }
            }
        }
        // A range whose bounds are both unknown is no range.
        for value in map.values_mut() {
            if let serde_json::Value::Object(nested) = value
                && !nested.is_empty()
                && nested.values().all(serde_json::Value::is_null)
            {
                *value = serde_json::Value::Null;
            }
        }
        serde_json::Value::Object(map)
    })
}

fn json_value(cell: &Cell, kind: Shown) -> serde_json::Value {
    match (cell, kind) {
        (Cell::Null, _) => serde_json::Value::Null,
        // Money and bounds keep their exact decimal text, as a JSON number.
        (_, Shown::Field(Type::Money) | Shown::MachineNumber) => exact_number(&text(cell, kind)),
        (Cell::Integer(n), Shown::Field(Type::Bool)) => serde_json::Value::Bool(*n != 0),
        (Cell::Integer(n), _) => serde_json::Value::from(*n),
        (Cell::Real(r), _) => serde_json::Value::from(*r),
        (Cell::Text(t), _) => serde_json::Value::String(t.clone()),
    }
}

/// A decimal written as text (`44900.00`) as a JSON number with exactly those digits; text
/// that is not a number stays a string.
fn exact_number(text: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Number>(text).map_or_else(
        |_| serde_json::Value::String(text.to_string()),
        serde_json::Value::Number,
    )
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
