//! A DuckDB connection: opened read-only (waiting while another process writes), with a
//! view over each Parquet table; fetch rows, time limit, cancel.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use ::duckdb::types::Value as DuckValue;
use ::duckdb::{AccessMode, Config, Connection};

/// How a connection opens the file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// For queries: any number of readers at once.
    Read,
    /// For one writer, while no other program has the file open.
    Write,
}

use super::error::{database_error, is_lock_held};
use super::values::{bind, cell};
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::catalog;
use crate::engine::failure::time_limit;
use crate::engine::rows::Batches;
use crate::engine::{Canceller, Cell, Rows, RunInfo};
use crate::schema::Stored;
use crate::sql::{Dialect, DuckDb, Query, ddl};

/// How long a reader waits for a writer that holds the file (a load, a materialization)
/// before saying it is locked: DuckDB refuses at once, so seg tries again meanwhile.
const READER_WAIT: Duration = Duration::from_secs(60);

/// How long a writer waits for another process to let go of the file.
pub(super) const WRITER_WAIT: Duration = Duration::from_secs(2);

/// The advice for a query that ran out of time on DuckDB.
const TIME_LIMIT_HELP: &str = "raise --timeout, or make the segment cheaper";

/// Opens the file at `path` for `access`, trying again for up to `wait` while another
/// process holds it, and makes the Parquet views.
pub(super) fn open(
    path: &Path,
    access: Access,
    wait: Duration,
    parquet: &[(String, PathBuf)],
) -> Result<Connection, Diagnostic> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    let connection = loop {
        let config = Config::default()
            .access_mode(match access {
                Access::Read => AccessMode::ReadOnly,
                Access::Write => AccessMode::ReadWrite,
            })
            .and_then(|c| c.enable_autoload_extension(false))
            .map_err(|e| database_error("cannot configure DuckDB", &e))?;
        match Connection::open_with_flags(path, config) {
            Ok(connection) => break connection,
            Err(e) if is_lock_held(&e.to_string()) && started.elapsed() < wait => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(500));
            }
            Err(e) if is_lock_held(&e.to_string()) && access == Access::Write => {
                return Err(Diagnostic::error(
                    Code::DatabaseError,
                    format!(
                        "cannot open {} for writing: another program has it open",
                        path.display()
                    ),
                )
                .with_help(
                    "DuckDB lets a program write a file only while no other has it open; \
                     close the other seg sessions on it (a REPL, a running command) and run this again",
                ));
            }
            Err(e) => {
                return Err(database_error(&format!("cannot open {}", path.display()), &e));
            }
        }
    };
    attach_parquet(&connection, parquet)?;
    Ok(connection)
}

/// A temporary view over each Parquet file, named as its table: DuckDB reads the file in
/// place at every query, and nothing about it is stored in the database file. The path is
/// written into the view's SQL as a quoted string literal (a DDL statement takes no
/// parameters); it comes from seg.toml, never from a segment.
fn attach_parquet(connection: &Connection, parquet: &[(String, PathBuf)]) -> Result<(), Diagnostic> {
    for (table, file) in parquet {
        if !file.is_file() {
            let what = if file.exists() { "is not a regular file" } else { "does not exist" };
            return Err(Diagnostic::error(
                Code::DatabaseMissing,
                format!("Parquet file {} (table {table}) {what}", file.display()),
            )
            .with_help("check the table's file under `[data]` in seg.toml"));
        }
        let literal = file.to_string_lossy().replace('\'', "''");
        // DuckDB reads `*`, `?` and `[` in a path as a pattern, matching other files too.
        if literal.contains(['*', '?', '[']) {
            return Err(Diagnostic::error(
                Code::ManifestInvalid,
                format!(
                    "Parquet file {} (table {table}) has `*`, `?` or `[` in its path, which DuckDB reads as a pattern matching other files",
                    file.display()
                ),
            )
            .with_help("rename the file (or its folder) without those characters"));
        }
        let sql = format!(
            "CREATE OR REPLACE TEMPORARY VIEW {} AS SELECT * FROM read_parquet('{literal}')",
            ddl::quoted(&DuckDb, table)
        );
        connection
            .execute_batch(&sql)
            .map_err(|e| database_error(&format!("cannot read {}", file.display()), &e))?;
    }
    Ok(())
}

/// A query's parameters as DuckDB binds them.
pub(super) fn params(query: &Query) -> ::duckdb::ParamsFromIter<Vec<DuckValue>> {
    ::duckdb::params_from_iter(query.params.iter().map(bind).collect::<Vec<_>>())
}

/// An open, read-only DuckDB database.
pub(super) struct Database {
    connection: Connection,
    path: PathBuf,
    parquet: Vec<(String, PathBuf)>,
    /// The longest a query may run.
    timeout: Option<Duration>,
}

impl Database {
    /// Opens the existing file at `path` read-only.
    pub(super) fn open_read_only(
        path: &Path,
        parquet: &[(String, PathBuf)],
        timeout: Option<Duration>,
    ) -> Result<Database, Diagnostic> {
        if !path.is_file() {
            let what = if path.exists() { "is not a regular file" } else { "does not exist" };
            return Err(Diagnostic::error(
                Code::DatabaseMissing,
                format!("database {} {what}", path.display()),
            )
            .with_help(
                "check `[database] duckdb` in seg.toml, or build it from the `[data]` files with `seg load`",
            ));
        }
        let wait = timeout.map_or(READER_WAIT, |limit| limit.min(READER_WAIT));
        let connection = open(path, Access::Read, wait, parquet)?;
        Ok(Database {
            connection,
            path: path.to_path_buf(),
            parquet: parquet.to_vec(),
            timeout,
        })
    }

    /// Runs `work` under the time limit, if there is one: a watchdog interrupts the query
    /// when the time is up.
    fn timed<T>(&self, work: impl FnOnce() -> Result<T, Diagnostic>) -> Result<T, Diagnostic> {
        let Some(timeout) = self.timeout else {
            return work();
        };
        let handle = self.connection.interrupt_handle();
        let (finished, waiting) = channel::<()>();
        let watchdog = std::thread::spawn(move || {
            let expired = matches!(waiting.recv_timeout(timeout), Err(RecvTimeoutError::Timeout));
            if expired {
                handle.interrupt();
            }
            expired
        });
        let result = work();
        drop(finished);
        let expired = watchdog.join().unwrap_or(false);
        result.map_err(|error| {
            if expired && error.code == Code::QueryInterrupted {
                time_limit(timeout, TIME_LIMIT_HELP)
            } else {
                error
            }
        })
    }

    /// Runs `query`, handing its rows to `sink` up to `at_once` at a time (the last batch
    /// may be empty, so that the column names always arrive).
    fn rows_in_batches(
        &self,
        query: &Query,
        at_once: usize,
        sink: &mut dyn FnMut(Rows) -> ControlFlow<()>,
    ) -> Result<(), Diagnostic> {
        let mut statement = self
            .connection
            .prepare(&query.sql)
            .map_err(|e| database_error("cannot prepare the query", &e))?;
        let mut result = statement
            .query(params(query))
            .map_err(|e| database_error("query failed", &e))?;
        let columns: Vec<String> = result
            .as_ref()
            .map(|s| s.column_names())
            .unwrap_or_default();
        let width = columns.len();
        let mut batches = Batches::new(columns, at_once, sink);
        while let Some(row) = result
            .next()
            .map_err(|e| database_error("query failed", &e))?
        {
            let mut cells = Vec::with_capacity(width);
            for i in 0..width {
                let value: DuckValue = row
                    .get(i)
                    .map_err(|e| database_error("cannot read a row", &e))?;
                cells.push(cell(value));
            }
            if batches.push(cells).is_break() {
                return Ok(());
            }
        }
        batches.finish();
        Ok(())
    }

    fn fetch_rows(&self, query: &Query) -> Result<Rows, Diagnostic> {
        crate::engine::rows::gathered(|sink| self.rows_in_batches(query, usize::MAX, sink))
    }
}

/// The catalog's type names (`data_type` of `duckdb_columns()`) as seglang reads them.
fn stored_type(declared: &str) -> Stored {
    match declared {
        "BIGINT" | "INTEGER" | "SMALLINT" | "TINYINT" | "HUGEINT" | "UBIGINT" | "UINTEGER"
        | "USMALLINT" | "UTINYINT" => Stored::Integer,
        t if t.starts_with("DECIMAL") => Stored::Numeric,
        "DOUBLE" | "FLOAT" => Stored::Float,
        "BOOLEAN" => Stored::Bool,
        "DATE" => Stored::Date,
        t if t.starts_with("TIMESTAMP") => Stored::Timestamp,
        "VARCHAR" => Stored::Text,
        _ => Stored::Other,
    }
}

impl crate::engine::Database for Database {
    fn dialect(&self) -> &'static dyn Dialect {
        &DuckDb
    }

    fn fetch(&self, query: &Query) -> Result<Rows, Diagnostic> {
        self.timed(|| self.fetch_rows(query))
    }

    fn fetch_each(
        &self,
        query: &Query,
        sink: &mut dyn FnMut(Rows) -> ControlFlow<()>,
    ) -> Result<(), Diagnostic> {
        self.timed(|| self.rows_in_batches(query, crate::engine::ROWS_AT_ONCE, sink))
    }

    /// A second connection to the same database (DuckDB lets one process open a file
    /// once; its connections share it).
    fn reopen(&self) -> Result<Option<Box<dyn crate::engine::Database>>, Diagnostic> {
        let connection = self
            .connection
            .try_clone()
            .map_err(|e| database_error("cannot open another connection", &e))?;
        attach_parquet(&connection, &self.parquet)?;
        Ok(Some(Box::new(Database {
            connection,
            path: self.path.clone(),
            parquet: self.parquet.clone(),
            timeout: self.timeout,
        })))
    }

    fn canceller(&self) -> Canceller {
        let handle = self.connection.interrupt_handle();
        Canceller::new(move || handle.interrupt())
    }

    fn columns(&self) -> Result<catalog::Columns, Diagnostic> {
        // DuckDB's own catalog functions, not `information_schema` (views over them), and
        // only the file's and the connection's temporary tables, named so that DuckDB skips
        // its internal catalog instead of listing it and filtering after: about 2 ms on a
        // fresh connection on the benchmark, against 5 ms naming none and 9 ms through
        // `information_schema`, which every command pays before its query. A temporary
        // table or view (a Parquet file's) hides the stored table of its name.
        let rows = self.fetch_rows(&catalog::query(
            "WITH found AS (SELECT database_name = 'temp' AS temporary, table_name, column_name, \
               data_type, column_index FROM duckdb_columns() \
               WHERE database_name IN (current_database(), 'temp') AND schema_name = 'main' AND NOT internal) \
             SELECT table_name, column_name, data_type FROM found \
             WHERE temporary OR table_name NOT IN (SELECT table_name FROM found WHERE temporary) \
             ORDER BY table_name, column_index",
        ))?;
        Ok(catalog::columns(rows, stored_type))
    }

    /// DuckDB scans its columns rather than seeking through indexes: no index advice.
    fn indexes(&self) -> Result<Option<Vec<crate::engine::Index>>, Diagnostic> {
        Ok(None)
    }

    /// A temporary table: DuckDB keeps it in memory, apart from the (read-only) file.
    fn keep_rows(&self, name: &str, query: &Query, _key: &str) -> Result<bool, Diagnostic> {
        let create = Query {
            sql: format!(
                "CREATE OR REPLACE TEMPORARY TABLE {} AS {}",
                ddl::quoted(&DuckDb, name),
                query.sql
            ),
            params: query.params.clone(),
        };
        self.timed(|| {
            self.connection
                .execute(&create.sql, params(&create))
                .map_err(|e| database_error("cannot keep the rows", &e))?;
            Ok(true)
        })
    }

    /// A DuckDB file cannot change while this connection reads it (a writer would need
    /// the lock it holds), but a Parquet file can be replaced: the version is a digest of
    /// each Parquet file's size and modification time.
    fn data_version(&self) -> Result<Option<i64>, Diagnostic> {
        use std::hash::{Hash, Hasher};
        let mut digest = std::collections::hash_map::DefaultHasher::new();
        for (_, file) in &self.parquet {
            let found = std::fs::metadata(file).ok();
            found.as_ref().map(std::fs::Metadata::len).hash(&mut digest);
            found.and_then(|m| m.modified().ok()).hash(&mut digest);
        }
        Ok(Some(digest.finish() as i64))
    }

    fn history(&self, segment: &str) -> Result<Vec<RunInfo>, Diagnostic> {
        crate::engine::membership::history(
            &mut super::membership::Statements(&self.connection),
            segment,
        )
    }

    fn changes(&self, from: i64, to: i64) -> Result<(Vec<Cell>, Vec<Cell>), Diagnostic> {
        crate::engine::membership::changes(
            &mut super::membership::Statements(&self.connection),
            from,
            to,
        )
    }

    /// Not closed: the file is open read-only, so closing would write nothing; it would
    /// only stop DuckDB's threads and free its buffers (4–14 ms on the benchmark, after
    /// the answer is printed), which the operating system does as the process ends. Closed
    /// after all when DuckDB's folder for spilled data (`FILE.tmp`) exists, which closing
    /// removes.
    fn close_at_exit(self: Box<Self>) {
        let mut spill = self.path.clone().into_os_string();
        spill.push(".tmp");
        if !Path::new(&spill).exists() {
            std::mem::forget(self);
        }
    }
}
