//! Loads checked rows into a SQLite database file in one transaction, in place: the
//! `[data]` tables are replaced and everything else in the file (membership history, an
//! analyst's own tables) is kept. The transaction takes the database's write lock first, so
//! a load refuses (seg::E031, "locked") while another program writes, a writer killed
//! earlier has its half-done work rolled back from its journal before the load begins, and
//! a load killed midway leaves the previous data. The file is never replaced: a path that
//! is not a regular file (a FIFO, a device, a directory) is refused, and a symbolic link is
//! followed to the database it names.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags};

use super::Database;
use super::error::database_error;
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::table_rows::{Checked, RowChecker};
use crate::engine::{LoadSummary, TableRows};
use crate::sql::{Sqlite, ddl};

/// Replaces the tables of `tables` in the database at `target`, following symbolic links.
/// When there is no database yet, it is built beside the path and linked into place only if
/// the path is still free, so a first load that fails leaves nothing and never removes what
/// another load created meanwhile.
pub(super) fn load(target: &Path, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
    let target = followed(target)?;
    if target.exists() {
        return load_into(&target, tables);
    }
    let directory = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let cannot = |e: &dyn std::fmt::Display| {
        Diagnostic::error(
            Code::DataLoad,
            format!("cannot create {}: {e}", target.display()),
        )
    };
    remove_abandoned_builds(&directory);
    let building = tempfile::Builder::new()
        .prefix(BUILDING)
        .tempfile_in(&directory)
        .map_err(|e| cannot(&e))?;
    let summary = load_into(building.path(), tables)?;
    match std::fs::hard_link(building.path(), &target) {
        Ok(()) => Ok(summary),
        // Another load created the database meanwhile: load into it, in place.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_into(&target, tables),
        Err(e) => Err(cannot(&e)),
    }
}

/// The prefix of a first load's database while it is built.
const BUILDING: &str = ".seg-load-";

/// Removes the databases of first loads that were killed while building: a build in
/// progress holds its write lock (or has just begun: untouched for a minute is required
/// too), an abandoned one holds none.
fn remove_abandoned_builds(directory: &Path) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with(BUILDING) || name.ends_with("-journal") {
            continue;
        }
        let path = entry.path();
        let idle = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(60));
        let abandoned = idle
            && Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .and_then(|c| c.execute_batch("BEGIN EXCLUSIVE; ROLLBACK;"))
            .is_ok();
        if abandoned {
            let _ = std::fs::remove_file(&path);
            let mut journal = path.into_os_string();
            journal.push("-journal");
            let _ = std::fs::remove_file(journal);
        }
    }
}

/// `path` with its symbolic links followed; a loop of links is refused.
fn followed(path: &Path) -> Result<PathBuf, Diagnostic> {
    crate::files::followed(path).map_err(|loop_| {
        Diagnostic::error(Code::DataLoad, loop_).with_help(
            "point `[database] path` in seg.toml at a SQLite database file, or at a new path",
        )
    })
}

fn load_into(target: &Path, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
    if let Ok(found) = std::fs::metadata(target)
        && !found.is_file()
    {
        return Err(Diagnostic::error(
            Code::DataLoad,
            format!("{} is not a regular file", target.display()),
        )
        .with_help("point `[database] path` in seg.toml at a SQLite database file, or at a new path"));
    }
    let mut connection = Connection::open_with_flags(
        target,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| database_error(&format!("cannot open {}", target.display()), &e))?;
    connection
        .busy_timeout(Duration::from_secs(2))
        .map_err(|e| database_error("cannot configure the connection", &e))?;
    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| database_error(&format!("cannot load into {}", target.display()), &e))?;
    let mut summary = Vec::new();
    for table in tables {
        // What others built on the table (indexes, triggers) is built again on the new one.
        let built = built_on(&transaction, table)?;
        transaction
            .execute(
                &format!("DROP TABLE IF EXISTS {}", ddl::quoted(&Sqlite, &table.table)),
                [],
            )
            .map_err(|e| database_error(&format!("cannot replace table {}", table.table), &e))?;
        let rows = fill_table(&transaction, table)?;
        for (name, sql) in built {
            transaction.execute_batch(&sql).map_err(|e| {
                Diagnostic::error(
                    Code::DataLoad,
                    format!(
                        "{} does not fit `{name}`, which was built on table {}: {e}",
                        table.origin, table.table
                    ),
                )
                .with_help("seg keeps the indexes and triggers built on its tables; drop or change that one first, or keep the file's columns")
            })?;
        }
        summary.push((table.table.clone(), rows));
    }
    transaction
        .commit()
        .map_err(|e| database_error("cannot commit the load", &e))?;
    Ok(summary)
}

/// The indexes and triggers built on `table` other than seg's own indexes: each one's name
/// and the statement that made it.
fn built_on(connection: &Connection, table: &TableRows) -> Result<Vec<(String, String)>, Diagnostic> {
    let own: Vec<String> = table
        .indexes
        .iter()
        .map(|c| format!("{}_{c}", table.table))
        .collect();
    let failed = |e: rusqlite::Error| database_error("cannot read the database schema", &e);
    let mut statement = connection
        .prepare(
            "SELECT name, sql FROM sqlite_master \
             WHERE tbl_name = ?1 AND type IN ('index', 'trigger') AND sql IS NOT NULL",
        )
        .map_err(failed)?;
    let found = statement
        .query_map([&table.table], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(failed)?
        .collect::<Result<Vec<(String, String)>, _>>()
        .map_err(failed)?;
    Ok(found
        .into_iter()
        .filter(|(name, _)| !own.contains(name))
        .collect())
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

/// Creates the table, inserts the rows one at a time (checking each value against its
/// type) and indexes; returns how many rows there were.
fn fill_table(connection: &Connection, table: &TableRows) -> Result<usize, Diagnostic> {
    let mut checker = RowChecker::new(table)?;
    let columns: Vec<_> = table
        .columns
        .iter()
        .cloned()
        .zip(checker.types.clone())
        .collect();
    connection
        .execute(&ddl::create_table(&Sqlite, &table.table, &columns), [])
        .map_err(|e| database_error(&format!("cannot create table {}", table.table), &e))?;
    let mut statement = connection
        .prepare(&ddl::insert_row(&Sqlite, &table.table, table.columns.len()))
        .map_err(|e| database_error("cannot prepare the insert", &e))?;
    let rows = table.each_row(|line, cells| {
        let values = checker.check(line, &cells)?;
        statement
            .execute(rusqlite::params_from_iter(values.into_iter().map(stored)))
            .map_err(|e| {
                database_error(
                    &format!("cannot insert line {line} of {}", table.origin),
                    &e,
                )
            })?;
        Ok(())
    })?;
    for column in &table.indexes {
        connection
            .execute(&ddl::create_index(&Sqlite, &table.table, column), [])
            .map_err(|e| database_error(&format!("cannot index {}.{column}", table.table), &e))?;
    }
    Ok(rows)
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
