//! SQLite through rusqlite: open read-only, bind parameters, fetch rows.

use std::path::Path;
use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value as SqlValue;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{Cell, Rows, database_error};
use crate::diagnostics::{Code, Diagnostic};
use crate::split;
use crate::sql::Query;
use crate::value::Value;

/// Adds the SQL functions seglang's SQLite dialect uses and SQLite lacks:
/// `seg_key_hash(seed, key)` ([`crate::split::key_hash`]).
pub fn add_functions(connection: &Connection) -> Result<(), Diagnostic> {
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
        .map_err(|e| database_error("cannot add seglang's SQL functions", &e))
}

/// An open SQLite database.
pub struct Database {
    connection: Connection,
    /// The file, to open more connections to it (none for an in-memory database).
    path: Option<std::path::PathBuf>,
    /// The longest a query may run.
    timeout: Option<Duration>,
    /// When the running query must stop; read by SQLite's progress handler.
    deadline: std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

impl Database {
    /// Opens an existing database file read-only.
    pub fn open_read_only(path: &Path) -> Result<Database, Diagnostic> {
        if !path.is_file() {
            return Err(Diagnostic::error(
                Code::DatabaseMissing,
                format!("database {} does not exist", path.display()),
            )
            .with_help(
                "check `[database] path` in seg.toml, or build it from CSV files with `seg load`",
            ));
        }
        recover_interrupted_write(path);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags)
            .map_err(|e| database_error(&format!("cannot open {}", path.display()), &e))?;
        connection
            .busy_timeout(Duration::from_secs(2))
            .map_err(|e| database_error("cannot configure the connection", &e))?;
        add_functions(&connection)?;
        // Reading the schema catches a file that is not a database before any query runs.
        connection
            .query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|e| database_error(&format!("cannot read {}", path.display()), &e))?;
        Ok(Database {
            connection,
            path: Some(path.to_path_buf()),
            timeout: None,
            deadline: Default::default(),
        })
    }

    /// Another read-only connection to the same file, with the same time limit, for work
    /// on another thread.
    pub fn reopen(&self) -> Result<Database, Diagnostic> {
        let Some(path) = &self.path else {
            return Err(Diagnostic::error(
                Code::DatabaseError,
                "an in-memory database has no second connection",
            ));
        };
        Database::open_read_only(path)?.with_timeout(self.timeout)
    }

    /// Runs each query on its own connection and thread, side by side (the first on this
    /// connection); the rows in the order of the queries, or the first error.
    pub fn fetch_side_by_side(&self, queries: &[Query]) -> Result<Vec<Rows>, Diagnostic> {
        let Some((first, rest)) = queries.split_first() else {
            return Ok(Vec::new());
        };
        let others = rest
            .iter()
            .map(|_| self.reopen())
            .collect::<Result<Vec<_>, _>>()?;
        std::thread::scope(|scope| {
            let running: Vec<_> = others
                .into_iter()
                .zip(rest)
                .map(|(database, query)| scope.spawn(move || database.fetch(query)))
                .collect();
            let mut all = vec![self.fetch(first)];
            for thread in running {
                all.push(thread.join().expect("a query thread panicked"));
            }
            all.into_iter().collect()
        })
    }

    /// Runs statements that change the database (creating indexes), all in one transaction
    /// on a read-write connection: either every one takes effect or none does.
    pub fn execute_all(path: &Path, statements: &[Query]) -> Result<(), Diagnostic> {
        let mut connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| database_error(&format!("cannot open {} for writing", path.display()), &e))?;
        connection
            .busy_timeout(Duration::from_secs(2))
            .map_err(|e| database_error("cannot configure the connection", &e))?;
        let transaction = connection
            .transaction()
            .map_err(|e| database_error("cannot start a transaction", &e))?;
        for statement in statements {
            transaction
                .execute(
                    &statement.sql,
                    rusqlite::params_from_iter(params(statement)),
                )
                .map_err(|e| database_error("cannot change the database", &e))?;
        }
        transaction
            .commit()
            .map_err(|e| database_error("cannot commit", &e))
    }

    /// Wraps an existing connection (for in-memory databases).
    pub fn from_connection(connection: Connection) -> Result<Database, Diagnostic> {
        add_functions(&connection)?;
        Ok(Database {
            connection,
            path: None,
            timeout: None,
            deadline: Default::default(),
        })
    }

    /// A handle that cancels the running query from another thread (Ctrl-C).
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.connection.get_interrupt_handle()
    }

    /// The underlying connection.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Limits every query to `timeout` (SQLite's progress handler interrupts it).
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Result<Database, Diagnostic> {
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

    /// Runs a query returning one integer (a count).
    pub fn count(&self, query: &Query) -> Result<u64, Diagnostic> {
        self.timed(|| {
            let mut statement = self.prepare(query)?;
            let count: i64 = statement
                .query_row(rusqlite::params_from_iter(params(query)), |row| row.get(0))
                .map_err(|e| database_error("query failed", &e))?;
            Ok(count.max(0) as u64)
        })
    }

    /// Runs a query and fetches all its rows.
    pub fn fetch(&self, query: &Query) -> Result<Rows, Diagnostic> {
        self.timed(|| self.fetch_rows(query))
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
                Diagnostic::error(
                    Code::QueryInterrupted,
                    format!("the query ran longer than the time limit of {}s", timeout.as_secs_f64()),
                )
                .with_help("raise --timeout, or make the segment cheaper (an index on the related table's customer key helps)")
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
        let mut statement = self.prepare(query)?;
        let columns: Vec<String> = statement.column_names().map(|c| c.to_string()).collect();
        let width = columns.len();
        let mut result = statement
            .query(rusqlite::params_from_iter(params(query)))
            .map_err(|e| database_error("query failed", &e))?;
        let mut rows = Vec::new();
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
            rows.push(cells);
        }
        Ok(Rows { columns, rows })
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
pub fn bind(value: &Value) -> SqlValue {
    match value {
        Value::Text(text) => SqlValue::Text(text.clone()),
        Value::Integer(n) => SqlValue::Integer(*n),
        Value::Decimal(d) if d.significant_scale() == 0 => {
            match i64::try_from(d.units / 10i128.pow(d.scale)) {
                Ok(n) => SqlValue::Integer(n),
                Err(_) => SqlValue::Real(d.to_f64()),
            }
        }
        Value::Decimal(d) => SqlValue::Real(d.to_f64()),
        Value::Date(date) => SqlValue::Text(date.format("%Y-%m-%d").to_string()),
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
    }
}

fn params(query: &Query) -> impl Iterator<Item = SqlValue> + '_ {
    query.params.iter().map(bind)
}

/// After a writer was killed mid-transaction (a materialization, an index), its rollback
/// journal is "hot": SQLite restores the previous content on the next read, but only on a
/// connection that may write, and a read-only one refuses the file until then. So when a
/// journal is present, one read on a read-write connection lets SQLite roll it back. (A
/// journal of a writer still running is not hot; the read then just waits for it.)
fn recover_interrupted_write(path: &Path) {
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    if !Path::new(&journal).exists() {
        return;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if let Ok(connection) = Connection::open_with_flags(path, flags) {
        let _ = connection.busy_timeout(Duration::from_secs(2));
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
