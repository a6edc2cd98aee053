//! A read-only SQLite connection: open, bind parameters, fetch rows, time limit, cancel.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value as SqlValue;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::error::database_error;
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::catalog;
use crate::engine::failure::{TIME_LIMIT_HELP, time_limit};
use crate::engine::rows::Batches;
use crate::engine::{Canceller, Cell, Rows, RunInfo};
use crate::schema::{TableInfo, ValueKind};
use crate::normalize;
use crate::split;
use crate::sql::{Dialect, Query, Sqlite, ddl};
use crate::value::Value;

/// Adds the SQL functions seglang's SQLite dialect uses and SQLite lacks:
/// `seg_key_hash(seed, key)` ([`crate::split::key_hash`]).
pub(super) fn add_functions(connection: &Connection) -> Result<(), Diagnostic> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    connection
        .create_scalar_function(split::SQL_FUNCTION, 2, flags, |context| {
            let seed: String = context.get(0)?;
            let key = match context.get_raw(1) {
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
                ValueRef::Null => return Ok(None),
                ValueRef::Real(_) | ValueRef::Blob(_) => {
                    return Err(rusqlite::Error::UserFunctionError(
                        "a split needs whole-number or text customer keys".into(),
                    ));
                }
            };
            Ok(Some(i64::from(split::key_hash(&seed, &key))))
        })
        .map_err(|e| database_error("cannot add seglang's SQL functions", &e))?;
    let text_functions: [(&str, TextFunction); 2] = [
        (normalize::FOLD_CASE_FUNCTION, normalize::fold_case),
        (normalize::COLLAPSE_SPACES_FUNCTION, normalize::collapse_spaces),
    ];
    for (name, function) in text_functions {
        connection
            .create_scalar_function(name, 1, flags, move |context| {
                // Only text is normalized; a number stored in a text column compares as
                // stored, as it does without normalizing.
                Ok(match context.get_raw(0) {
                    ValueRef::Text(text) => {
                        SqlValue::Text(function(&String::from_utf8_lossy(text)))
                    }
                    ValueRef::Null => SqlValue::Null,
                    ValueRef::Integer(n) => SqlValue::Integer(n),
                    ValueRef::Real(x) => SqlValue::Real(x),
                    ValueRef::Blob(bytes) => SqlValue::Blob(bytes.to_vec()),
                })
            })
            .map_err(|e| database_error("cannot add seglang's SQL functions", &e))?;
    }
    Ok(())
}

/// A function of one text that seglang adds to SQLite.
type TextFunction = fn(&str) -> String;

/// How long a reader waits for a writer that holds the database (a load commits, a
/// materialization writes) before saying it is locked: readers wait rather than fail.
const READER_WAIT: Duration = Duration::from_secs(60);

/// How much of a database file a read-only connection maps into memory: SQLite's own
/// ceiling (`SQLITE_MAX_MMAP_SIZE`), so a file of up to 2 GB is read in place whole.
const MAPPED_BYTES: i64 = 0x7fff_0000;

/// The device and inode of a file: what stays the same while the path may be renamed
/// over. Elsewhere than Unix a file cannot be renamed over while SQLite holds it open, so
/// every file is the same there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileIdentity(u64, u64);

fn file_identity(path: &Path) -> Option<FileIdentity> {
    let metadata = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileIdentity(metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        Some(FileIdentity(0, 0))
    }
}

/// An open SQLite database.
pub(crate) struct Database {
    connection: Connection,
    /// The file, to open more connections to it (none for an in-memory database).
    path: Option<std::path::PathBuf>,
    /// Which file that was when it was opened (`None` if the path changed files while it
    /// was being opened): a second connection reads the same data only if it opens the
    /// same file, not one renamed into its place since.
    file: Option<FileIdentity>,
    /// The longest a query may run.
    timeout: Option<Duration>,
    /// When the running query must stop; read by SQLite's progress handler.
    deadline: std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

impl Database {
    /// Opens an existing database file read-only.
    pub(super) fn open_read_only(
        path: &Path,
        timeout: Option<Duration>,
    ) -> Result<Database, Diagnostic> {
        let wait = timeout.map_or(READER_WAIT, |limit| limit.min(READER_WAIT));
        if path.exists() && !path.is_file() {
            return Err(Diagnostic::error(
                Code::DatabaseMissing,
                format!("database {} is not a regular file", path.display()),
            )
            .with_help("point `[database] path` in seg.toml at a SQLite database file"));
        }
        if !path.is_file() {
            return Err(Diagnostic::error(
                Code::DatabaseMissing,
                format!("database {} does not exist", path.display()),
            )
            .with_help(
                "check `[database] path` in seg.toml, or build it from CSV files with `seg load`",
            ));
        }
        recover_interrupted_write(path, wait);
        let before = file_identity(path);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags)
            .map_err(|e| database_error(&format!("cannot open {}", path.display()), &e))?;
        connection
            .busy_timeout(wait)
            .map_err(|e| database_error("cannot configure the connection", &e))?;
        add_functions(&connection)?;
        // Pages are read from the mapped file instead of copied in by a system call each:
        // 10–20% off a scan of the customers (docs/performance.md). Read-only connections
        // only, so no write goes through the mapping.
        connection
            .pragma_update(None, "mmap_size", MAPPED_BYTES)
            .map_err(|e| database_error("cannot configure the connection", &e))?;
        // Reading the schema catches a file that is not a database before any query runs.
        connection
            .query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|e| database_error(&format!("cannot read {}", path.display()), &e))?;
        let after = file_identity(path);
        Ok(Database {
            connection,
            path: Some(path.to_path_buf()),
            file: before.filter(|_| before == after),
            timeout: None,
            deadline: Default::default(),
        })
    }

    /// Wraps an existing connection (for in-memory databases).
    pub(super) fn from_connection(connection: Connection) -> Result<Database, Diagnostic> {
        add_functions(&connection)?;
        Ok(Database {
            connection,
            path: None,
            file: None,
            timeout: None,
            deadline: Default::default(),
        })
    }

    /// Limits every query to `timeout` (SQLite's progress handler interrupts it).
    pub(super) fn with_timeout(
        mut self,
        timeout: Option<Duration>,
    ) -> Result<Database, Diagnostic> {
        self.timeout = timeout;
        if timeout.is_some() {
            let deadline = self.deadline.clone();
            // Every 10,000 virtual-machine steps, SQLite asks whether to stop.
            self.connection
                .progress_handler(
                    10_000,
                    Some(move || {
                        deadline
                            .lock()
                            .map(|d| d.is_some_and(|at| std::time::Instant::now() > at))
                            .unwrap_or(false)
                    }),
                )
                .map_err(|e| database_error("cannot set the time limit", &e))?;
        }
        Ok(self)
    }

    /// Runs `work` under the time limit, if there is one.
    fn timed<T>(&self, work: impl FnOnce() -> Result<T, Diagnostic>) -> Result<T, Diagnostic> {
        let Some(timeout) = self.timeout else {
            return work();
        };
        let deadline = std::time::Instant::now() + timeout;
        self.set_deadline(Some(deadline));
        let result = work();
        self.set_deadline(None);
        result.map_err(|error| {
            if error.code == Code::QueryInterrupted && std::time::Instant::now() > deadline {
                time_limit(timeout, TIME_LIMIT_HELP)
            } else {
                error
            }
        })
    }

    fn set_deadline(&self, deadline: Option<std::time::Instant>) {
        if let Ok(mut slot) = self.deadline.lock() {
            *slot = deadline;
        }
    }

    fn fetch_rows(&self, query: &Query) -> Result<Rows, Diagnostic> {
        crate::engine::rows::gathered(|sink| self.rows_in_batches(query, usize::MAX, sink))
    }

    /// Runs `query`, handing its rows to `sink` up to `at_once` at a time (the last batch
    /// may be empty, so that the column names always arrive).
    fn rows_in_batches(
        &self,
        query: &Query,
        at_once: usize,
        sink: &mut dyn FnMut(Rows) -> ControlFlow<()>,
    ) -> Result<(), Diagnostic> {
        let mut statement = self.prepare(query)?;
        let columns: Vec<String> = statement.column_names().map(|c| c.to_string()).collect();
        let width = columns.len();
        let mut result = statement
            .query(params(query))
            .map_err(|e| database_error("query failed", &e))?;
        let mut batches = Batches::new(columns, at_once, sink);
        while let Some(row) = result
            .next()
            .map_err(|e| database_error("query failed", &e))?
        {
            let mut cells = Vec::with_capacity(width);
            for i in 0..width {
                let value: SqlValue = row
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

    fn prepare(&self, query: &Query) -> Result<rusqlite::Statement<'_>, Diagnostic> {
        self.connection
            .prepare(&query.sql)
            .map_err(|e| database_error("cannot prepare the query", &e))
    }
}

/// How seglang values are bound in SQLite: dates as ISO-8601 text, booleans as 0/1, and
/// decimals as the nearest double (exact for up to 15 significant digits, which is how
/// SQLite stores the numbers they are compared with).
pub(super) fn bind(value: &Value) -> SqlValue {
    match value {
        Value::Text(text) => SqlValue::Text(text.clone()),
        Value::Integer(n) => SqlValue::Integer(*n),
        Value::Decimal(d) => d
            .to_whole()
            .map_or_else(|| SqlValue::Real(d.to_f64()), SqlValue::Integer),
        Value::Date(date) => SqlValue::Text(date.format("%Y-%m-%d").to_string()),
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
    }
}

/// A query's parameters as SQLite binds them.
pub(super) fn params(
    query: &Query,
) -> rusqlite::ParamsFromIter<impl Iterator<Item = SqlValue> + '_> {
    rusqlite::params_from_iter(query.params.iter().map(bind))
}

/// After a writer was killed mid-transaction (a materialization, an index), its rollback
/// journal is "hot": SQLite restores the previous content on the next read, but only on a
/// connection that may write, and a read-only one refuses the file until then. So when a
/// journal is present, one read on a read-write connection lets SQLite roll it back. (A
/// journal of a writer still running is not hot; the read then just waits for it.)
fn recover_interrupted_write(path: &Path, wait: Duration) {
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    if !Path::new(&journal).exists() {
        return;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if let Ok(connection) = Connection::open_with_flags(path, flags) {
        let _ = connection.busy_timeout(wait);
        let _ = connection.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()));
    }
}

/// A fetched value as a [`Cell`].
pub(super) fn cell(value: SqlValue) -> Cell {
    match value {
        SqlValue::Null => Cell::Null,
        SqlValue::Integer(n) => Cell::Integer(n),
        SqlValue::Real(r) => Cell::Real(r),
        SqlValue::Text(t) => Cell::Text(t),
        SqlValue::Blob(b) => Cell::Text(format!("<{} bytes>", b.len())),
    }
}

impl crate::engine::Database for Database {
    fn dialect(&self) -> &'static dyn Dialect {
        &Sqlite
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

    fn reopen(&self) -> Result<Option<Box<dyn crate::engine::Database>>, Diagnostic> {
        let Some(path) = &self.path else {
            return Err(Diagnostic::error(
                Code::DatabaseError,
                "an in-memory database has no second connection",
            ));
        };
        let other = Database::open_read_only(path, self.timeout)?.with_timeout(self.timeout)?;
        if self.file.is_none() || other.file != self.file {
            return Ok(None);
        }
        Ok(Some(Box::new(other)))
    }

    fn canceller(&self) -> Canceller {
        let handle = self.connection.get_interrupt_handle();
        Canceller::new(move || handle.interrupt())
    }

    fn columns(&self) -> Result<catalog::Columns, Diagnostic> {
        let rows = self.fetch_rows(&catalog::query(super::introspect::COLUMNS))?;
        Ok(catalog::columns(rows, super::introspect::stored_type))
    }

    /// SQLite keeps each value's own kind whatever the column's declared type: the kinds
    /// (`typeof`) of the first rows tell.
    fn value_kinds(
        &self,
        table: &str,
        columns: &[&str],
    ) -> Result<Option<Vec<Vec<ValueKind>>>, Diagnostic> {
        if columns.is_empty() {
            return Ok(Some(Vec::new()));
        }
        // Each value's kind; text shaped like an ISO date is told apart.
        let kinds_of = |from: &str| {
            let mut sql = String::from("SELECT ");
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let c = ddl::quoted(&Sqlite, column);
                sql.push_str(&format!(
                    "CASE WHEN typeof({c}) = 'text' AND {c} GLOB \
                     '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN 'date' ELSE typeof({c}) END AS k{i}"
                ));
            }
            sql.push_str(" FROM ");
            sql.push_str(from);
            sql
        };
        // The distinct kinds of each column, gathered in SQLite: one row comes back, not
        // one per sampled row.
        let distinct = |rows: &str| {
            let gathered: Vec<String> = (0..columns.len())
                .map(|i| format!("group_concat(DISTINCT k{i})"))
                .collect();
            format!("SELECT {} FROM ({rows})", gathered.join(", "))
        };
        let table = ddl::quoted(&Sqlite, table);
        let rows_at = super::introspect::SAMPLE_ROWS;
        // The first rows and the last (where appended data goes); a table without rowids
        // (a view) by its first rows only.
        let first = format!("(SELECT * FROM {table} LIMIT {rows_at})");
        let last = format!("(SELECT * FROM {table} ORDER BY rowid DESC LIMIT {rows_at})");
        let rows = match self.fetch_rows(&catalog::query(&distinct(&format!(
            "{} UNION ALL {}",
            kinds_of(&first),
            kinds_of(&last)
        )))) {
            Ok(rows) => rows,
            Err(error) if error.message.contains("rowid") => {
                self.fetch_rows(&catalog::query(&distinct(&kinds_of(&first))))?
            }
            Err(error) => return Err(error),
        };
        let mut kinds = vec![Vec::new(); columns.len()];
        for row in rows.rows {
            for (i, cell) in row.into_iter().enumerate() {
                let Cell::Text(found) = cell else { continue };
                for name in found.split(',') {
                    let kind = match name {
                        "integer" => ValueKind::Integer,
                        "real" => ValueKind::Real,
                        "text" => ValueKind::Text,
                        "date" => ValueKind::DateText,
                        "blob" => ValueKind::Blob,
                        _ => continue,
                    };
                    if !kinds[i].contains(&kind) {
                        kinds[i].push(kind);
                    }
                }
            }
        }
        Ok(Some(kinds))
    }

    fn indexes(&self) -> Result<Option<Vec<crate::engine::Index>>, Diagnostic> {
        let rows = self.fetch_rows(&catalog::query(super::introspect::INDEXES))?;
        Ok(Some(catalog::indexes(rows)))
    }

    /// A temporary table: SQLite writes it apart from the database file, so a read-only
    /// connection may keep one.
    fn keep_rows(&self, name: &str, query: &Query, key: &str) -> Result<bool, Diagnostic> {
        let table = ddl::quoted(&Sqlite, name);
        let index = ddl::quoted(&Sqlite, &format!("{name}_key"));
        let key = ddl::quoted(&Sqlite, key);
        self.timed(|| {
            self.connection
                .execute(&format!("DROP TABLE IF EXISTS temp.{table}"), [])
                .map_err(|e| database_error("cannot drop the kept rows", &e))?;
            let create = Query {
                sql: format!("CREATE TEMP TABLE {table} AS {}", query.sql),
                params: query.params.clone(),
            };
            self.prepare(&create)?
                .execute(params(&create))
                .map_err(|e| database_error("cannot keep the rows", &e))?;
            self.connection
                .execute(&format!("CREATE INDEX temp.{index} ON {table} ({key})"), [])
                .map_err(|e| database_error("cannot index the kept rows", &e))?;
            Ok(true)
        })
    }

    fn key_slices(
        &self,
        customers: (&str, &str),
        related: &[(&str, &str)],
        slices: usize,
    ) -> Result<Option<Vec<crate::sql::KeyRange>>, Diagnostic> {
        super::key_slices::key_slices(&self.connection, customers, related, slices)
            .map_err(|e| database_error("cannot read the customer keys' range", &e))
    }

    /// `PRAGMA data_version`: changes when another connection commits.
    fn data_version(&self) -> Result<Option<i64>, Diagnostic> {
        let version = self
            .connection
            .query_row("PRAGMA data_version", [], |row| row.get::<_, i64>(0))
            .map_err(|e| database_error("cannot read the data version", &e))?;
        Ok(Some(version))
    }

    /// The largest rowid: as many rows as were ever appended, found in the b-tree's last
    /// page without reading the others.
    fn approximate_rows(&self, table: &str) -> Result<Option<u64>, Diagnostic> {
        let sql = format!("SELECT max(rowid) FROM {}", ddl::quoted(&Sqlite, table));
        Ok(match self.fetch_rows(&catalog::query(&sql)) {
            Ok(rows) => match rows.rows.first().and_then(|r| r.first()) {
                Some(Cell::Integer(n)) => Some((*n).max(0) as u64),
                _ => Some(0),
            },
            // A view, or a table without rowids.
            Err(_) => None,
        })
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

    fn tables(&self) -> Result<Vec<TableInfo>, Diagnostic> {
        super::introspect::tables(&self.connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A read-only connection reads the file through a memory mapping (the scans of
    /// docs/performance.md are measured so).
    #[test]
    fn a_read_only_connection_maps_the_file() {
        let folder = std::env::temp_dir().join(format!("seg-mmap-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("mapped.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
            .unwrap();
        let database = Database::open_read_only(&path, None).unwrap();
        let mapped: i64 = database
            .connection
            .query_row("PRAGMA mmap_size", [], |row| row.get(0))
            .unwrap();
        drop(database);
        std::fs::remove_dir_all(&folder).unwrap();
        assert_eq!(mapped, MAPPED_BYTES);
    }
}
