//! Builds a SQLite database from CSV files, all or nothing: the database is written to a
//! temporary file in one transaction and renamed over the target only when complete, so a
//! failure or an interruption leaves the previous database (or none) in place.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;

use super::database_error;
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
}

/// What was loaded: table names and row counts.
pub type LoadSummary = Vec<(String, usize)>;

/// Creates `target` from `tables`, replacing any existing file only on success.
pub fn load(target: &Path, tables: &[TableLoad]) -> Result<LoadSummary, Diagnostic> {
    remove_abandoned_loads(target);
    let temporary = target.with_extension(format!("loading-{}", std::process::id()));
    let result = write_database(&temporary, tables);
    match result {
        Ok(summary) => {
            std::fs::rename(&temporary, target).map_err(|e| {
                let _ = std::fs::remove_file(&temporary);
                Diagnostic::error(
                    Code::DataLoad,
                    format!("cannot move the new database to {}: {e}", target.display()),
                )
            })?;
            Ok(summary)
        }
        Err(diagnostic) => {
            let _ = std::fs::remove_file(&temporary);
            Err(diagnostic)
        }
    }
}

/// Removes half-written files left by loads that were killed (`retail.loading-1234`).
fn remove_abandoned_loads(target: &Path) {
    let (Some(directory), Some(stem)) = (target.parent(), target.file_stem()) else {
        return;
    };
    let prefix = format!("{}.loading-", stem.to_string_lossy());
    let directory = if directory.as_os_str().is_empty() {
        Path::new(".")
    } else {
        directory
    };
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn write_database(path: &Path, tables: &[TableLoad]) -> Result<LoadSummary, Diagnostic> {
    let mut connection = Connection::open(path)
        .map_err(|e| database_error(&format!("cannot create {}", path.display()), &e))?;
    let transaction = connection
        .transaction()
        .map_err(|e| database_error("cannot start a transaction", &e))?;
    let mut summary = Vec::new();
    for table in tables {
        let rows = read_csv(table)?;
        fill_table(&transaction, &rows)?;
        summary.push((table.table.clone(), rows.rows.len()));
    }
    transaction
        .commit()
        .map_err(|e| database_error("cannot commit the load", &e))?;
    Ok(summary)
}

/// Rows of text for one table, wherever they came from (a CSV file, a segment test).
#[derive(Clone, Debug, Default)]
pub struct TableRows {
    /// The table to create.
    pub table: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Each row's cells as text (`None`: unknown), with the line it came from.
    pub rows: Vec<(usize, Vec<Option<String>>)>,
    /// Declared types by column; other columns are sniffed.
    pub types: HashMap<String, Type>,
    /// Columns to index.
    pub indexes: Vec<String>,
    /// Columns that must not be empty (required fields).
    pub required: Vec<String>,
    /// Where the rows came from, for messages (`data/orders.csv`).
    pub origin: String,
}

pub(super) fn read_csv(table: &TableLoad) -> Result<TableRows, Diagnostic> {
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
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&table.csv, &e))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        // An empty CSV cell is unknown.
        let cells = record
            .iter()
            .map(|c| (!c.is_empty()).then(|| c.to_string()))
            .collect();
        rows.push((line, cells));
    }
    Ok(TableRows {
        table: table.table.clone(),
        columns,
        rows,
        types: table.types.clone(),
        indexes: table.indexes.clone(),
        required: table.required.clone(),
        origin: table.csv.display().to_string(),
    })
}

/// An in-memory database holding `tables` (for segment tests); nothing touches the disk.
pub fn in_memory(tables: &[TableRows]) -> Result<super::sqlite::Database, Diagnostic> {
    let connection =
        Connection::open_in_memory().map_err(|e| database_error("cannot open a database", &e))?;
    for table in tables {
        fill_table(&connection, table)?;
    }
    super::sqlite::Database::from_connection(connection)
}

/// Creates the table, inserts the rows (checking each value against its type) and indexes.
fn fill_table(connection: &Connection, table: &TableRows) -> Result<(), Diagnostic> {
    let (types, rows) = checked_rows(table)?;
    connection
        .execute(&create_statement(table, &types, storage_type), [])
        .map_err(|e| database_error(&format!("cannot create table {}", table.table), &e))?;

    let mut insert = String::from("INSERT INTO ");
    quote(&mut insert, &table.table);
    insert.push_str(" VALUES (");
    insert.push_str(
        &(1..=table.columns.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    insert.push(')');
    let mut statement = connection
        .prepare(&insert)
        .map_err(|e| database_error("cannot prepare the insert", &e))?;
    for ((line, _), values) in table.rows.iter().zip(rows) {
        statement
            .execute(rusqlite::params_from_iter(values))
            .map_err(|e| {
                database_error(
                    &format!("cannot insert line {line} of {}", table.origin),
                    &e,
                )
            })?;
    }
    for column in &table.indexes {
        connection
            .execute(&index_statement(&table.table, column), [])
            .map_err(|e| database_error(&format!("cannot index {}.{column}", table.table), &e))?;
    }
    Ok(())
}

/// `CREATE TABLE "orders" ("id" INTEGER, …)`, each column of the engine's type for its
/// field's type.
pub(super) fn create_statement(
    table: &TableRows,
    types: &[Option<Type>],
    storage_type: fn(Option<Type>) -> &'static str,
) -> String {
    let mut create = String::from("CREATE TABLE ");
    quote(&mut create, &table.table);
    create.push_str(" (");
    for (i, (column, ty)) in table.columns.iter().zip(types).enumerate() {
        if i > 0 {
            create.push_str(", ");
        }
        quote(&mut create, column);
        create.push(' ');
        create.push_str(storage_type(*ty));
    }
    create.push(')');
    create
}

/// `CREATE INDEX "orders_customer_id" ON "orders" ("customer_id")`.
pub(super) fn index_statement(table: &str, column: &str) -> String {
    let mut sql = String::from("CREATE INDEX ");
    quote(&mut sql, &format!("{table}_{column}"));
    sql.push_str(" ON ");
    quote(&mut sql, table);
    sql.push_str(" (");
    quote(&mut sql, column);
    sql.push(')');
    sql
}

/// Each column's type (declared or sniffed; `None`: text) and each row's checked values.
pub(super) type Checked = (Vec<Option<Type>>, Vec<Vec<SqlValue>>);

/// Each column's type and each row's values, checked: a required column is not empty, and
/// every value is of its column's type.
pub(super) fn checked_rows(table: &TableRows) -> Result<Checked, Diagnostic> {
    let types: Vec<Option<Type>> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            table
                .types
                .get(c)
                .copied()
                .or_else(|| sniff(&table.rows, i))
        })
        .collect();
    let mut rows = Vec::with_capacity(table.rows.len());
    for (line, cells) in &table.rows {
        let mut values = Vec::with_capacity(table.columns.len());
        for (i, (cell, ty)) in cells.iter().zip(&types).enumerate() {
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
        rows.push(values);
    }
    Ok((types, rows))
}

/// The type of a column the schema does not declare (keys, mostly): integer when every
/// value is one (or there is none: an empty table's keys must still join with other
/// tables' integer keys on engines that type them), otherwise text.
fn sniff(rows: &[(usize, Vec<Option<String>>)], column: usize) -> Option<Type> {
    let mut values = rows
        .iter()
        .filter_map(|(_, r)| r.get(column).and_then(|c| c.as_deref()))
        .filter(|v| !v.is_empty());
    values
        .all(|v| v.parse::<i64>().is_ok())
        .then_some(Type::Integer)
}

/// A cell as a stored value (`None`: unknown). `Err` names what was expected.
fn convert(cell: Option<&str>, ty: Option<Type>) -> Result<SqlValue, &'static str> {
    let Some(text) = cell else {
        return Ok(SqlValue::Null);
    };
    let Some(ty) = ty else {
        return Ok(SqlValue::Text(text.to_string()));
    };
    match ty {
        Type::Text => Ok(SqlValue::Text(text.to_string())),
        Type::Integer => text
            .trim()
            .parse()
            .map(SqlValue::Integer)
            .map_err(|_| "an integer"),
        Type::Decimal(_) | Type::Money => match Decimal::parse(text.trim()) {
            Some(d) if d.significant_scale() == 0 && d.scale == 0 => i64::try_from(d.units)
                .map(SqlValue::Integer)
                .map_err(|_| "a decimal number"),
            Some(d) => Ok(SqlValue::Real(d.to_f64())),
            None => Err("a decimal number"),
        },
        Type::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(SqlValue::Integer(1)),
            "false" | "0" | "no" => Ok(SqlValue::Integer(0)),
            _ => Err("true or false"),
        },
        Type::Date => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(|d| SqlValue::Text(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| "a date (YYYY-MM-DD)"),
        Type::Timestamp => parse_timestamp(text.trim())
            .map(|t| SqlValue::Text(t.format("%Y-%m-%d %H:%M:%S").to_string()))
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

/// The SQLite column type for a field type.
fn storage_type(ty: Option<Type>) -> &'static str {
    match ty {
        Some(Type::Integer | Type::Bool) => "INTEGER",
        Some(Type::Decimal(_) | Type::Money) => "NUMERIC",
        _ => "TEXT",
    }
}

pub(super) fn quote(out: &mut String, ident: &str) {
    out.push('"');
    out.push_str(&ident.replace('"', "\"\""));
    out.push('"');
}

fn csv_error(path: &Path, error: &csv::Error) -> Diagnostic {
    Diagnostic::error(
        Code::DataLoad,
        format!("cannot parse {}: {error}", path.display()),
    )
}
