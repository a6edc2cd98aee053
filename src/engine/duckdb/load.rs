//! Loads checked rows into a DuckDB database file in one transaction, in place: the CSV
//! tables of `[data]` are replaced and everything else in the file (membership history,
//! an analyst's own tables) is kept. A load killed midway leaves the previous data (DuckDB
//! replays only committed transactions from its log). A first load builds the file in a
//! folder of its own beside the path and links it into place when it is complete, so a
//! failed first load leaves nothing behind.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ::duckdb::Connection;

use super::connection::{Access, WRITER_WAIT, open};
use super::error::database_error;
use super::values::stored;
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::table_rows::RowChecker;
use crate::engine::{LoadSummary, TableRows};
use crate::sql::{DuckDb, ddl};

/// The prefix of the folder a first load builds its database in.
const BUILDING: &str = ".seg-load-";

/// Replaces `tables` in the database at `target`, following symbolic links; builds the
/// database when there is none yet (or only an empty file).
pub(super) fn load(target: &Path, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
    let target = crate::files::followed(target).map_err(|loop_| {
        Diagnostic::error(Code::DataLoad, loop_)
            .with_help("point `[database] duckdb` in seg.toml at a DuckDB file, or at a new path")
    })?;
    // An empty file holds no data (DuckDB refuses it as a database): it is replaced.
    let empty = std::fs::metadata(&target).is_ok_and(|m| m.is_file() && m.len() == 0);
    if target.exists() && !empty {
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
        .tempdir_in(&directory)
        .map_err(|e| cannot(&e))?;
    let built = building.path().join("database.duckdb");
    let summary = load_into(&built, tables)?;
    let placed = if empty {
        std::fs::rename(&built, &target)
    } else {
        std::fs::hard_link(&built, &target)
    };
    match placed {
        Ok(()) => Ok(summary),
        // Another load created the database meanwhile: load into it, in place.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_into(&target, tables),
        Err(e) => Err(cannot(&e)),
    }
}

/// Removes the folders of first loads that were killed while building: untouched for a
/// minute, and their database not held by a process.
fn remove_abandoned_builds(directory: &Path) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(BUILDING) {
            continue;
        }
        let path = entry.path();
        let idle = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(60));
        let database = path.join("database.duckdb");
        let abandoned = idle
            && path.is_dir()
            && (!database.exists() || Connection::open(&database).is_ok());
        if abandoned {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Replaces the tables inside one transaction on the file at `target` and writes them
/// into the file itself (a checkpoint), so that the file alone holds them.
fn load_into(target: &Path, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
    if let Ok(found) = std::fs::metadata(target)
        && !found.is_file()
    {
        return Err(Diagnostic::error(
            Code::DataLoad,
            format!("{} is not a regular file", target.display()),
        )
        .with_help("point `[database] duckdb` in seg.toml at a DuckDB file, or at a new path"));
    }
    let connection = open(target, Access::Write, WRITER_WAIT, &[])?;
    let failed = |e: ::duckdb::Error| {
        database_error(&format!("cannot load into {}", target.display()), &e)
    };
    connection.execute_batch("BEGIN TRANSACTION").map_err(failed)?;
    let mut summary = Vec::new();
    for table in tables {
        match fill_table(&connection, table) {
            Ok(rows) => summary.push((table.table.clone(), rows)),
            Err(error) => {
                let _ = connection.execute_batch("ROLLBACK");
                return Err(error);
            }
        }
    }
    connection.execute_batch("COMMIT").map_err(failed)?;
    connection.execute_batch("CHECKPOINT").map_err(failed)?;
    Ok(summary)
}

/// Creates the table again and appends its rows (each value checked against its type);
/// returns how many rows there were.
fn fill_table(connection: &Connection, table: &TableRows) -> Result<usize, Diagnostic> {
    let mut checker = RowChecker::new(table)?;
    let columns: Vec<_> = table
        .columns
        .iter()
        .cloned()
        .zip(checker.types.clone())
        .collect();
    let name = ddl::quoted(&DuckDb, &table.table);
    connection
        .execute_batch(&format!(
            "DROP TABLE IF EXISTS {name}; {}",
            ddl::create_table(&DuckDb, &table.table, &columns)
        ))
        .map_err(|e| database_error(&format!("cannot create table {}", table.table), &e))?;
    let mut appender = connection
        .appender(&table.table)
        .map_err(|e| database_error(&format!("cannot fill table {}", table.table), &e))?;
    let rows = table.each_row(|line, cells| {
        let values: Vec<_> = checker.check(line, &cells)?.into_iter().map(stored).collect();
        appender
            .append_row(::duckdb::appender_params_from_iter(values))
            .map_err(|e| {
                database_error(&format!("cannot insert line {line} of {}", table.origin), &e)
            })
    })?;
    appender
        .flush()
        .map_err(|e| database_error(&format!("cannot fill table {}", table.table), &e))?;
    Ok(rows)
}
