//! Stage 4: run queries on a database and fetch rows; build a database from CSV files.
//! Takes [`crate::sql::Query`] values and never sees the syntax tree or the IR. Connections
//! are read-only unless the command must write, and then every write is one transaction.
//! [`Database`] is the one type the rest of seglang holds: a SQLite file, a PostgreSQL
//! server or a Spark cluster, each with its SQL dialect.

pub mod introspect;
pub mod load;
pub mod load_postgres;
pub mod membership;
mod pg_wire;
pub mod postgres;
pub mod spark;
pub mod sqlite;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::diagnostics::{Code, Diagnostic};
use crate::sql::{Dialect, Postgres, Query, Spark, Sqlite};

/// Where a project's data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file.
    File(PathBuf),
    /// A PostgreSQL database, by URL (without a password).
    Postgres(String),
    /// A Spark cluster and the CSV files it reads.
    Spark(spark::Target),
}

impl Location {
    /// The SQL dialect of the engine there.
    pub fn dialect(&self) -> &'static dyn Dialect {
        match self {
            Location::File(_) => &Sqlite,
            Location::Postgres(_) => &Postgres,
            Location::Spark(_) => &Spark,
        }
    }

    /// A database given on the command line: a PostgreSQL URL, or else a SQLite file.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgresql://") || text.starts_with("postgres://") {
            Location::Postgres(text.to_string())
        } else {
            Location::File(PathBuf::from(text))
        }
    }
}

/// An open database: what every command runs its queries on.
pub enum Database {
    /// A SQLite file.
    Sqlite(sqlite::Database),
    /// A PostgreSQL server.
    Postgres(postgres::Database),
    /// A Spark cluster (read-only: each command's queries run as one job).
    Spark(spark::Database),
}

/// Stops the query running on a database, from another thread.
#[derive(Clone)]
pub enum Canceller {
    /// SQLite's interrupt.
    Sqlite(std::sync::Arc<rusqlite::InterruptHandle>),
    /// A PostgreSQL cancel request.
    Postgres(postgres::Canceller),
    /// Killing the Spark job.
    Spark(spark::Canceller),
}

impl Canceller {
    /// Cancels the running query, if any.
    pub fn cancel(&self) {
        match self {
            Canceller::Sqlite(handle) => handle.interrupt(),
            Canceller::Postgres(token) => token.cancel(),
            Canceller::Spark(job) => job.cancel(),
        }
    }
}

impl Database {
    /// Opens `location` for reading, every query limited to `timeout`.
    pub fn open_read_only(
        location: &Location,
        timeout: Option<Duration>,
    ) -> Result<Database, Diagnostic> {
        Ok(match location {
            Location::File(path) => {
                Database::Sqlite(sqlite::Database::open_read_only(path)?.with_timeout(timeout)?)
            }
            Location::Postgres(url) => {
                Database::Postgres(postgres::Database::open_read_only(url, timeout)?)
            }
            Location::Spark(target) => Database::Spark(spark::Database::open(target, timeout)?),
        })
    }

    /// The SQL dialect of this engine.
    pub fn dialect(&self) -> &'static dyn Dialect {
        match self {
            Database::Sqlite(_) => &Sqlite,
            Database::Postgres(_) => &Postgres,
            Database::Spark(_) => &Spark,
        }
    }

    /// Runs a query returning one integer (a count).
    pub fn count(&self, query: &Query) -> Result<u64, Diagnostic> {
        match self {
            Database::Sqlite(db) => db.count(query),
            Database::Postgres(db) => db.count(query),
            Database::Spark(_) => match self.fetch(query)?.rows.first().and_then(|r| r.first()) {
                Some(Cell::Integer(n)) => Ok((*n).max(0) as u64),
                other => Err(Diagnostic::error(
                    Code::DatabaseError,
                    format!("a count query returned {other:?}"),
                )),
            },
        }
    }

    /// Runs a query and fetches all its rows.
    pub fn fetch(&self, query: &Query) -> Result<Rows, Diagnostic> {
        match self {
            Database::Sqlite(db) => db.fetch(query),
            Database::Postgres(db) => db.fetch(query),
            Database::Spark(db) => Ok(db
                .fetch_all(std::slice::from_ref(query))?
                .pop()
                .unwrap_or_default()),
        }
    }

    /// Runs each query on its own connection and thread, side by side; the rows in the
    /// order of the queries, or the first error.
    pub fn fetch_side_by_side(&self, queries: &[Query]) -> Result<Vec<Rows>, Diagnostic> {
        match self {
            Database::Sqlite(db) => db.fetch_side_by_side(queries),
            // One job: the cluster spreads each query over its workers.
            Database::Spark(db) => db.fetch_all(queries),
            Database::Postgres(db) => {
                let others = queries
                    .iter()
                    .skip(1)
                    .map(|_| db.reopen())
                    .collect::<Result<Vec<_>, _>>()?;
                std::thread::scope(|scope| {
                    let running: Vec<_> = others
                        .into_iter()
                        .zip(queries.iter().skip(1))
                        .map(|(other, query)| scope.spawn(move || other.fetch(query)))
                        .collect();
                    let mut all: Vec<_> =
                        queries.first().map(|q| db.fetch(q)).into_iter().collect();
                    for thread in running {
                        all.push(thread.join().expect("a query thread panicked"));
                    }
                    all.into_iter().collect()
                })
            }
        }
    }

    /// What cancels the running query (Ctrl-C in the REPL).
    pub fn canceller(&self) -> Canceller {
        match self {
            Database::Sqlite(db) => Canceller::Sqlite(std::sync::Arc::new(db.interrupt_handle())),
            Database::Postgres(db) => Canceller::Postgres(db.canceller()),
            Database::Spark(db) => Canceller::Spark(db.canceller()),
        }
    }

    /// Every table's column names (a cheap look at the schema, no data read).
    pub fn columns(&self) -> Result<HashMap<String, Vec<String>>, Diagnostic> {
        match self {
            Database::Sqlite(db) => introspect::columns(db.connection()),
            Database::Postgres(db) => db.columns(),
            Database::Spark(db) => db.columns(),
        }
    }

    /// The recorded runs of `segment`, oldest first.
    pub fn history(&self, segment: &str) -> Result<Vec<membership::RunInfo>, Diagnostic> {
        match self {
            Database::Sqlite(db) => {
                membership::history(&mut membership::SqliteStore(db.connection()), segment)
            }
            Database::Postgres(db) => {
                membership::history(&mut membership::PostgresStore(&mut *db.client()), segment)
            }
            Database::Spark(_) => Err(membership::not_on_spark()),
        }
    }

    /// Who entered run `to` since run `from`, and who left.
    pub fn changes(&self, from: i64, to: i64) -> Result<(Vec<Cell>, Vec<Cell>), Diagnostic> {
        match self {
            Database::Sqlite(db) => {
                membership::changes(&mut membership::SqliteStore(db.connection()), from, to)
            }
            Database::Postgres(db) => {
                membership::changes(&mut membership::PostgresStore(&mut *db.client()), from, to)
            }
            Database::Spark(_) => Err(membership::not_on_spark()),
        }
    }

    /// Runs statements that change the database (creating indexes) in one transaction on
    /// a read-write connection of their own: all take effect or none does.
    pub fn execute_all(location: &Location, statements: &[Query]) -> Result<(), Diagnostic> {
        match location {
            Location::File(path) => sqlite::Database::execute_all(path, statements),
            Location::Postgres(url) => postgres::execute_all(url, statements),
            Location::Spark(_) => Err(Diagnostic::error(
                Code::DatabaseError,
                "seg does not change data on Spark: its tables are the project's CSV files",
            )
            .with_help(
                "Spark reads files without indexes; `seg index` advises SQLite and PostgreSQL",
            )),
        }
    }

    /// Whether the engine has indexes for seg to advise on (Spark reads files).
    pub fn has_indexes(&self) -> bool {
        !matches!(self, Database::Spark(_))
    }

    /// Every index: its table and its columns in order.
    pub fn indexes(&self) -> Result<Vec<(String, Vec<String>)>, Diagnostic> {
        match self {
            Database::Sqlite(db) => introspect::indexes(db.connection()),
            Database::Postgres(db) => db.indexes(),
            Database::Spark(_) => Ok(Vec::new()),
        }
    }
}

/// A fetched value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Unknown.
    Null,
    /// A whole number.
    Integer(i64),
    /// A floating-point number as stored by the engine.
    Real(f64),
    /// Text.
    Text(String),
}

/// Rows returned by a query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A database failure as a diagnostic, with advice for the common causes.
pub fn database_error(context: &str, error: &rusqlite::Error) -> Diagnostic {
    use rusqlite::ErrorCode;
    let code = error.sqlite_error_code();
    let help = match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Some("another program is writing to the database; try again when it has finished")
        }
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Some(
            "the file is not a SQLite database or is damaged; rebuild it (for example with `seg load`)",
        ),
        Some(ErrorCode::ReadOnly) => Some("the database is opened read-only for this command"),
        _ if error.to_string().contains("no such") => Some(
            "the database does not match seg.toml; check the table and column names in the manifest",
        ),
        _ => None,
    };
    if code == Some(ErrorCode::OperationInterrupted) {
        return Diagnostic::error(
            Code::QueryInterrupted,
            format!("{context}: query cancelled"),
        )
        .with_help("nothing was changed; run it again when you are ready");
    }
    let message = match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            format!("{context}: the database is locked")
        }
        _ => format!("{context}: {error}"),
    };
    let diagnostic = Diagnostic::error(Code::DatabaseError, message);
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}
