//! Rows of a table before they reach an engine: streamed from a CSV file (or a segment
//! test's fixtures) and checked against the manifest's types, row by row, the same way for
//! every backend. Each backend then stores the checked values in its own representation.
//! A load holds one row at a time (and the customer keys seen, to refuse a repeated one):
//! its memory does not grow with the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

use crate::diagnostics::{Code, Diagnostic};
use crate::schema::Type;
use crate::value::Decimal;

/// One CSV file to load into one table.
#[derive(Clone, Debug)]
pub struct TableLoad {
    /// The table to create.
    pub table: String,
    /// The CSV file (with a header row).
    pub csv: PathBuf,
    /// Declared types of columns, by column name; other columns are loaded as text.
    pub types: HashMap<String, Type>,
    /// Columns to index (keys joined on).
    pub indexes: Vec<String>,
    /// Columns that must not be empty.
    pub required: Vec<String>,
    /// Columns whose values identify a row (the customer key): never empty, never repeated.
    pub unique: Vec<String>,
}

/// What was loaded: table names and row counts.
pub type LoadSummary = Vec<(String, usize)>;

/// A checked value, typed, before an engine stores it.
#[derive(Clone, Debug, PartialEq)]
pub enum Checked {
    /// Unknown (an empty cell).
    Null,
    /// A whole number.
    Integer(i64),
    /// An exact decimal number (money, decimals); a whole one fits in 64 bits.
    Decimal(Decimal),
    /// True or false.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// A date and time (UTC).
    Timestamp(NaiveDateTime),
    /// Text.
    Text(String),
}

/// One row's cells as text (`None`: unknown).
pub type Cells = Vec<Option<String>>;

/// Where a table's rows come from.
#[derive(Clone, Debug)]
pub enum RowSource {
    /// Rows held in memory (a segment test's fixtures), each with its line.
    Memory(Vec<(usize, Cells)>),
    /// A CSV file with a header row, read again each time the rows are needed.
    Csv(PathBuf),
}

impl Default for RowSource {
    fn default() -> RowSource {
        RowSource::Memory(Vec::new())
    }
}

/// Rows of text for one table, wherever they come from (a CSV file, a segment test).
#[derive(Clone, Debug, Default)]
pub struct TableRows {
    /// The table to create.
    pub table: String,
    /// Column names.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: RowSource,
    /// Declared types by column; other columns are sniffed.
    pub types: HashMap<String, Type>,
    /// Columns to index.
    pub indexes: Vec<String>,
    /// Columns that must not be empty (required fields).
    pub required: Vec<String>,
    /// Columns whose values identify a row (the customer key): never empty, never repeated.
    pub unique: Vec<String>,
    /// Where the rows came from, for messages (`data/orders.csv`).
    pub origin: String,
}

/// A CSV file's rows (with a header row, read now; the rows are read when they are needed);
/// an empty cell is unknown.
pub fn read_csv(table: &TableLoad) -> Result<TableRows, Diagnostic> {
    let file = std::fs::File::open(&table.csv).map_err(|e| {
        Diagnostic::error(
            Code::DataLoad,
            format!("cannot read {}: {e}", table.csv.display()),
        )
        .with_help("check the path under `[data]` in seg.toml")
    })?;
    let mut reader = csv::Reader::from_reader(file);
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&table.csv, &e))?
        .iter()
        .map(str::to_string)
        .collect();
    if columns.iter().all(String::is_empty) {
        return Err(Diagnostic::error(
            Code::DataLoad,
            format!("{} has no header row", table.csv.display()),
        )
        .with_help("the first line names the columns, as in `id,name,city`"));
    }
    Ok(TableRows {
        table: table.table.clone(),
        columns,
        rows: RowSource::Csv(table.csv.clone()),
        types: table.types.clone(),
        indexes: table.indexes.clone(),
        required: table.required.clone(),
        unique: table.unique.clone(),
        origin: table.csv.display().to_string(),
    })
}

/// Checks rows one at a time against the table's types: a required column is not empty, the
/// customer key neither empty nor repeated, and every value of its column's type.
pub struct RowChecker<'t> {
    table: &'t TableRows,
    /// Each column's type (declared or sniffed; `None`: text).
    pub types: Vec<Option<Type>>,
    unique: Vec<usize>,
    seen: Vec<HashMap<String, usize>>,
}

impl<'t> RowChecker<'t> {
    /// A checker for `table` (reading its rows once first if a column's type must be sniffed).
    pub fn new(table: &'t TableRows) -> Result<RowChecker<'t>, Diagnostic> {
        let types: Vec<Option<Type>> = table.column_types()?.into_iter().map(|(_, t)| t).collect();
        let unique: Vec<usize> = (0..table.columns.len())
            .filter(|i| table.unique.contains(&table.columns[*i]))
            .collect();
        let seen = vec![HashMap::new(); unique.len()];
        Ok(RowChecker {
            table,
            types,
            unique,
            seen,
        })
    }

    /// The checked values of the row at `line`.
    pub fn check(&mut self, line: usize, cells: &[Option<String>]) -> Result<Vec<Checked>, Diagnostic> {
        let table = self.table;
        for (u, &i) in self.unique.iter().enumerate() {
            let column = &table.columns[i];
            let Some(value) = cells
                .get(i)
                .and_then(|c| c.as_deref())
                .filter(|v| !v.trim().is_empty())
            else {
                return Err(Diagnostic::error(
                    Code::DataLoad,
                    format!(
                        "{}:{line}: column `{column}` is empty, but it is the customer key",
                        table.origin
                    ),
                )
                .with_help("every customer needs a key; give one, or remove the row"));
            };
            // Keys compare as the engine joins them: `01`, ` 1` and `1` are one whole-number
            // key, and surrounding spaces never tell two keys apart.
            let key = match value.trim().parse::<i64>() {
                Ok(n) if self.types[i] == Some(Type::Integer) => n.to_string(),
                _ => value.trim().to_string(),
            };
            if let Some(first) = self.seen[u].insert(key, line) {
                return Err(Diagnostic::error(
                    Code::DataLoad,
                    format!(
                        "{}:{line}: column `{column}` repeats the key '{value}' of line {first}",
                        table.origin
                    ),
                )
                .with_help("each customer has one row; remove or merge the repeated one"));
            }
        }
        let mut values = Vec::with_capacity(table.columns.len());
        for (i, (cell, ty)) in cells.iter().zip(&self.types).enumerate() {
            if cell.is_none() && table.required.contains(&table.columns[i]) {
                return Err(Diagnostic::error(
                    Code::DataLoad,
                    format!(
                        "{}:{line}: column `{}` is empty, but its field is required",
                        table.origin, table.columns[i]
                    ),
                )
                .with_help(
                    "give the value, or remove `required = true` from the field in seg.toml",
                ));
            }
            let text = cell.as_deref().unwrap_or_default();
            values.push(convert(cell.as_deref(), *ty).map_err(|expected| {
                Diagnostic::error(
                    Code::DataLoad,
                    format!(
                        "{}:{line}: column `{}` holds '{text}', which is not {expected}",
                        table.origin, table.columns[i]
                    ),
                )
                .with_help("fix the value, leave the cell empty for unknown, or change the field's type in seg.toml")
            })?);
        }
        Ok(values)
    }
}

/// The type of a column the schema does not declare (keys, mostly): integer when every
/// value is one (or there is none: an empty table's keys must still join with other
/// tables' integer keys on engines that type them), otherwise text (`None`).
pub fn sniff<'v>(values: impl Iterator<Item = &'v str>) -> Option<Type> {
    values
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .all(|v| v.parse::<i64>().is_ok())
        .then_some(Type::Integer)
}

/// Each column of a CSV file with its type: declared in `types`, or else sniffed from
/// every value (see [`sniff`]).
pub fn column_types(
    csv: &Path,
    types: &[(String, Type)],
) -> Result<Vec<(String, Option<Type>)>, Diagnostic> {
    let table = read_csv(&TableLoad {
        table: String::new(),
        csv: csv.to_path_buf(),
        types: types.iter().cloned().collect(),
        indexes: Vec::new(),
        required: Vec::new(),
        unique: Vec::new(),
    })?;
    table.column_types()
}

impl TableRows {
    /// Calls `each` with every row in order, with the line it came from (reading a CSV file
    /// again); returns how many rows there were.
    pub fn each_row(
        &self,
        mut each: impl FnMut(usize, Cells) -> Result<(), Diagnostic>,
    ) -> Result<usize, Diagnostic> {
        match &self.rows {
            RowSource::Memory(rows) => {
                for (line, cells) in rows {
                    each(*line, cells.clone())?;
                }
                Ok(rows.len())
            }
            RowSource::Csv(path) => {
                let file = std::fs::File::open(path).map_err(|e| {
                    Diagnostic::error(
                        Code::DataLoad,
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                let mut reader = csv::Reader::from_reader(std::io::BufReader::new(file));
                let mut record = csv::StringRecord::new();
                let mut count = 0;
                while reader
                    .read_record(&mut record)
                    .map_err(|e| csv_error(path, &e))?
                {
                    let line = record.position().map_or(0, |p| p.line() as usize);
                    // An empty CSV cell is unknown.
                    let cells = record
                        .iter()
                        .map(|c| (!c.is_empty()).then(|| c.to_string()))
                        .collect();
                    each(line, cells)?;
                    count += 1;
                }
                Ok(count)
            }
        }
    }

    /// Each column's name and type: declared, or else sniffed from its values (one pass
    /// over the rows, only when a column is not declared).
    pub fn column_types(&self) -> Result<Vec<(String, Option<Type>)>, Diagnostic> {
        let undeclared: Vec<usize> = (0..self.columns.len())
            .filter(|i| !self.types.contains_key(&self.columns[*i]))
            .collect();
        // A column is whole numbers until a value says otherwise (an empty one stays so).
        let mut whole = vec![true; self.columns.len()];
        if !undeclared.is_empty() {
            self.each_row(|_, cells| {
                for &i in &undeclared {
                    if let Some(Some(value)) = cells.get(i)
                        && whole[i]
                        && sniff(std::iter::once(value.as_str())).is_none()
                    {
                        whole[i] = false;
                    }
                }
                Ok(())
            })?;
        }
        Ok(self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let ty = self
                    .types
                    .get(c)
                    .copied()
                    .or_else(|| whole[i].then_some(Type::Integer));
                (c.clone(), ty)
            })
            .collect())
    }
}

/// A cell as a checked value (`None`: unknown). `Err` names what was expected.
fn convert(cell: Option<&str>, ty: Option<Type>) -> Result<Checked, &'static str> {
    let Some(text) = cell else {
        return Ok(Checked::Null);
    };
    let Some(ty) = ty else {
        return Ok(Checked::Text(text.to_string()));
    };
    match ty {
        Type::Text => Ok(Checked::Text(text.to_string())),
        Type::Integer => text
            .trim()
            .parse()
            .map(Checked::Integer)
            .map_err(|_| "an integer"),
        Type::Decimal(_) | Type::Money => match Decimal::parse(text.trim()) {
            Some(d) if d.scale == 0 && d.to_whole().is_none() => Err("a decimal number"),
            Some(d) => Ok(Checked::Decimal(d)),
            None => Err("a decimal number"),
        },
        Type::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Checked::Bool(true)),
            "false" | "0" | "no" => Ok(Checked::Bool(false)),
            _ => Err("true or false"),
        },
        Type::Date => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(Checked::Date)
            .map_err(|_| "a date (YYYY-MM-DD)"),
        Type::Timestamp => parse_timestamp(text.trim())
            .map(Checked::Timestamp)
            .ok_or("a timestamp (YYYY-MM-DD HH:MM:SS, UTC)"),
    }
}

fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%SZ",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

fn csv_error(path: &Path, error: &csv::Error) -> Diagnostic {
    Diagnostic::error(
        Code::DataLoad,
        format!("cannot parse {}: {error}", path.display()),
    )
}
