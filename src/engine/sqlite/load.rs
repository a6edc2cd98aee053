//! Builds a SQLite database from checked rows, all or nothing: the database is written to a
//! temporary file in one transaction and renamed over the target only when complete, so a
//! failure or an interruption leaves the previous database (or none) in place.

use std::path::Path;

use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;

use super::Database;
use super::error::database_error;
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::table_rows::{Checked, checked_rows};
use crate::engine::{LoadSummary, TableRows};
use crate::sql::{Sqlite, ddl};

/// Creates `target` from `tables`, replacing any existing file only on success.
pub(super) fn load(target: &Path, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
    remove_abandoned_loads(target);
    let temporary = target.with_extension(format!("loading-{}", std::process::id()));
    match write_database(&temporary, tables) {
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

/// An in-memory database holding `tables` (for segment tests); nothing touches the disk.
pub(crate) fn in_memory(tables: &[TableRows]) -> Result<Database, Diagnostic> {
    let connection =
        Connection::open_in_memory().map_err(|e| database_error("cannot open a database", &e))?;
    for table in tables {
        fill_table(&connection, table)?;
    }
    Database::from_connection(connection)
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

fn write_database(path: &Path, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
    let mut connection = Connection::open(path)
        .map_err(|e| database_error(&format!("cannot create {}", path.display()), &e))?;
    let transaction = connection
        .transaction()
        .map_err(|e| database_error("cannot start a transaction", &e))?;
    let mut summary = Vec::new();
    for table in tables {
        fill_table(&transaction, table)?;
        summary.push((table.table.clone(), table.rows.len()));
    }
    transaction
        .commit()
        .map_err(|e| database_error("cannot commit the load", &e))?;
    Ok(summary)
}

/// Creates the table, inserts the rows (checking each value against its type) and indexes.
fn fill_table(connection: &Connection, table: &TableRows) -> Result<(), Diagnostic> {
    let (types, rows) = checked_rows(table)?;
    let columns: Vec<_> = table.columns.iter().cloned().zip(types).collect();
    connection
        .execute(&ddl::create_table(&Sqlite, &table.table, &columns), [])
        .map_err(|e| database_error(&format!("cannot create table {}", table.table), &e))?;
    let mut statement = connection
        .prepare(&ddl::insert_row(&Sqlite, &table.table, table.columns.len()))
        .map_err(|e| database_error("cannot prepare the insert", &e))?;
    for ((line, _), values) in table.rows.iter().zip(rows) {
        statement
            .execute(rusqlite::params_from_iter(values.into_iter().map(stored)))
            .map_err(|e| {
                database_error(
                    &format!("cannot insert line {line} of {}", table.origin),
                    &e,
                )
            })?;
    }
    for column in &table.indexes {
        connection
            .execute(&ddl::create_index(&Sqlite, &table.table, column), [])
            .map_err(|e| database_error(&format!("cannot index {}.{column}", table.table), &e))?;
    }
    Ok(())
}

/// A checked value as SQLite stores it: booleans as 0/1, whole decimals as integers and
/// others as the nearest double, dates and times as ISO-8601 text.
fn stored(value: Checked) -> SqlValue {
    match value {
        Checked::Null => SqlValue::Null,
        Checked::Integer(n) => SqlValue::Integer(n),
        Checked::Decimal(d) if d.scale == 0 => d
            .to_whole()
            .map_or_else(|| SqlValue::Real(d.to_f64()), SqlValue::Integer),
        Checked::Decimal(d) => SqlValue::Real(d.to_f64()),
        Checked::Bool(b) => SqlValue::Integer(i64::from(b)),
        Checked::Date(d) => SqlValue::Text(d.format("%Y-%m-%d").to_string()),
        Checked::Timestamp(t) => SqlValue::Text(t.format("%Y-%m-%d %H:%M:%S").to_string()),
        Checked::Text(t) => SqlValue::Text(t),
    }
}
