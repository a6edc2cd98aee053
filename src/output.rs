//! Printing rows as an aligned table, CSV or JSON, and writing to the standard streams
//! without panicking: `print!` panics when stdout is a closed pipe or a full disk; every
//! front end writes through [`write_stdout`] (or [`out!`]/[`outln!`]) instead.

use std::io::Write;

use crate::engine::{Cell, Rows};
use crate::schema::Type;

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
/// once and a failure is seen where it happens.
pub fn write_stdout(text: &str) -> Result<(), Unwritten> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
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

/// Prints `rows`; `type_of` gives a column's field type, so money prints with two places.
pub fn print_rows(
    rows: &Rows,
    format: Format,
    type_of: impl Fn(&str) -> Option<Type>,
) -> Result<(), Unwritten> {
    write_stdout(&render_rows(rows, format, type_of))
}

/// `rows` as [`print_rows`] prints them.
pub fn render_rows(rows: &Rows, format: Format, type_of: impl Fn(&str) -> Option<Type>) -> String {
    let types: Vec<Option<Type>> = rows.columns.iter().map(|c| type_of(c)).collect();
    match format {
        Format::Table => table(rows, &types),
        Format::Csv => csv(rows, &types),
        Format::Json => format!("{}\n", json(rows, &types)),
        Format::Jsonl => json_lines(rows, &types),
        Format::Markdown => markdown(rows, &types),
    }
}

fn markdown(rows: &Rows, types: &[Option<Type>]) -> String {
    let escape = |text: String| text.replace('|', "\\|");
    let mut out = format!("| {} |\n", rows.columns.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(rows.columns.len())));
    for row in &rows.rows {
        let cells: Vec<String> = row
            .iter()
            .zip(types)
            .map(|(cell, ty)| escape(text(cell, *ty)))
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

fn text(cell: &Cell, ty: Option<Type>) -> String {
    match (cell, ty) {
        (Cell::Null, _) => String::new(),
        (Cell::Integer(n), Some(Type::Money)) => format!("{n}.00"),
        (Cell::Integer(n), Some(Type::Bool)) => (*n != 0).to_string(),
        (Cell::Integer(n), _) => n.to_string(),
        (Cell::Real(r), Some(Type::Money)) => format!("{r:.2}"),
        (Cell::Real(r), _) => r.to_string(),
        (Cell::Text(t), _) => t.clone(),
    }
}

/// `rows` as an aligned table; with `max_width`, trailing columns that do not fit are left
/// out (the first column always stays).
pub fn table_text(
    rows: &Rows,
    type_of: impl Fn(&str) -> Option<Type>,
    max_width: Option<usize>,
) -> String {
    let types: Vec<Option<Type>> = rows.columns.iter().map(|c| type_of(c)).collect();
    Table::new(rows, &types).render(max_width.unwrap_or(usize::MAX))
}

fn table(rows: &Rows, types: &[Option<Type>]) -> String {
    Table::new(rows, types).render(usize::MAX)
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
    fn new(rows: &Rows, types: &[Option<Type>]) -> Table {
        let cells: Vec<Vec<String>> = rows
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(types)
                    .map(|(cell, ty)| match (cell, ty) {
                        (Cell::Integer(n), None) if *n >= 0 => thousands(*n as u64),
                        (Cell::Null, _) => "–".to_string(),
                        _ => text(cell, *ty),
                    })
                    .collect()
            })
            .collect();
        let numeric = (0..rows.columns.len())
            .map(|i| {
                types[i].is_none_or(Type::is_numeric)
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
            header: rows.columns.clone(),
            cells,
            widths,
            numeric,
        }
    }

    /// The columns that fit in `max_width` (at least the first), one line per row.
    fn render(&self, max_width: usize) -> String {
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
        let mut out = line(&self.header);
        for row in &self.cells {
            out.push_str(&line(row));
        }
        out
    }
}

fn csv(rows: &Rows, types: &[Option<Type>]) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(&rows.columns);
    for row in &rows.rows {
        let _ = writer.write_record(row.iter().zip(types).map(|(c, t)| text(c, *t)));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn json(rows: &Rows, types: &[Option<Type>]) -> String {
    let objects: Vec<serde_json::Value> = json_objects(rows, types).collect();
    serde_json::to_string_pretty(&objects).unwrap_or_default()
}

fn json_lines(rows: &Rows, types: &[Option<Type>]) -> String {
    json_objects(rows, types)
        .map(|object| format!("{object}\n"))
        .collect()
}

fn json_objects<'r>(
    rows: &'r Rows,
    types: &'r [Option<Type>],
) -> impl Iterator<Item = serde_json::Value> + 'r {
    rows.rows.iter().map(move |row| {
        let map = rows
            .columns
            .iter()
            .zip(row.iter().zip(types))
            .map(|(column, (cell, ty))| (column.clone(), json_value(cell, *ty)))
            .collect();
        serde_json::Value::Object(map)
    })
}

fn json_value(cell: &Cell, ty: Option<Type>) -> serde_json::Value {
    match (cell, ty) {
        (Cell::Null, _) => serde_json::Value::Null,
        // Money keeps its exact decimal text rather than becoming a float.
        (_, Some(Type::Money)) => serde_json::Value::String(text(cell, ty)),
        (Cell::Integer(n), Some(Type::Bool)) => serde_json::Value::Bool(*n != 0),
        (Cell::Integer(n), _) => serde_json::Value::from(*n),
        (Cell::Real(r), _) => serde_json::Value::from(*r),
        (Cell::Text(t), _) => serde_json::Value::String(t.clone()),
    }
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
