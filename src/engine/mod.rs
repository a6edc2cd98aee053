//! Stage 4: run queries on a database and fetch rows; load tables; keep membership history.
//! Takes [`crate::sql::Query`] values and never sees the syntax tree or the IR.
//!
//! Two traits are the whole seam: an [`Engine`] is a backend at a [`Location`] (its dialect,
//! and every write: loads, indexes, membership), a [`Database`] is a read-only connection to
//! it (fetch, count, cancel, describe, read history). Each backend lives in its own folder
//! (`sqlite/`, `postgres/`, `duckdb/`, `spark/`); [`connect`] is the one place that picks one. Shared,
//! backend-free pieces are leaf files: [`Cell`] and [`Rows`], checked CSV values
//! (`table_rows`), the membership statements (`membership`) and the coded failures
//! (`failure`).

mod catalog;
mod duckdb;
mod failure;
mod membership;
mod postgres;
mod rows;
mod spark;
mod sqlite;
pub mod table_rows;

use std::ops::ControlFlow;
use std::time::Duration;

use crate::diagnostics::Diagnostic;
use crate::schema::{TableInfo, ValueKind};
use crate::sql::{Dialect, KeyRange, Query};

/// How many rows [`Database::fetch_each`] hands over at a time.
pub const ROWS_AT_ONCE: usize = 4096;

pub use crate::project::Location;
pub use catalog::Columns;
pub use membership::{Outcome, Run, RunInfo};
pub use rows::{Cell, Rows};
pub use table_rows::{LoadSummary, TableLoad, TableRows};

/// An index: its table and its columns in order.
pub type Index = (String, Vec<String>);

/// A backend at a location, not yet connected: its SQL dialect, a way to open it for
/// reading, and every operation that changes it (each in one transaction of its own).
pub trait Engine {
    /// The SQL dialect of this engine.
    fn dialect(&self) -> &'static dyn Dialect;

    /// Opens a read-only connection; every query on it stops after `timeout`.
    fn open_read_only(&self, timeout: Option<Duration>) -> Result<Box<dyn Database>, Diagnostic>;

    /// Whether the data has yet to be built (a SQLite file that does not exist).
    fn is_missing(&self) -> bool {
        false
    }

    /// Whether the engine stores tables that [`Engine::load`] fills (Spark reads the
    /// project's CSV files itself at each run: there is nothing to load).
    fn loads_tables(&self) -> bool {
        true
    }

    /// Whether the engine reads `[data]` Parquet files in place (DuckDB), so that they are
    /// tables without being loaded.
    fn reads_parquet(&self) -> bool {
        false
    }

    /// Replaces the tables with `tables`, all or nothing.
    fn load(&self, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic>;

    /// Runs statements that change the database (creating indexes) in one transaction on a
    /// read-write connection of their own: all take effect or none does.
    fn apply(&self, statements: &[Query]) -> Result<(), Diagnostic>;

    /// Records the members of each run in one transaction; `progress` is told after each.
    fn materialize(
        &self,
        runs: &[Run],
        computed_at: &str,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<Outcome>, Diagnostic>;
}

/// An open, read-only connection: what every command runs its queries on.
pub trait Database: Send {
    /// The SQL dialect of this engine.
    fn dialect(&self) -> &'static dyn Dialect;

    /// Runs a query and fetches all its rows.
    fn fetch(&self, query: &Query) -> Result<Rows, Diagnostic>;

    /// Runs a query and hands its rows to `sink` a few thousand at a time (each batch with
    /// the column names), so that a listing of any size is printed in bounded memory;
    /// `sink` stops the query by returning `Break`. An engine that cannot stream hands
    /// over every row at once.
    fn fetch_each(
        &self,
        query: &Query,
        sink: &mut dyn FnMut(Rows) -> ControlFlow<()>,
    ) -> Result<(), Diagnostic> {
        let _ = sink(self.fetch(query)?);
        Ok(())
    }

    /// Another connection like this one (same database, same time limit), for another
    /// thread; `None` when the database found in the same place may not be the one this
    /// connection reads (a SQLite file renamed over since it was opened, or one that
    /// changed while this connection was opening it).
    fn reopen(&self) -> Result<Option<Box<dyn Database>>, Diagnostic>;

    /// What cancels the running query from another thread (Ctrl-C in the REPL).
    fn canceller(&self) -> Canceller;

    /// Every table's columns with what the catalog says they hold (a cheap look at the
    /// schema, no data read).
    fn columns(&self) -> Result<Columns, Diagnostic>;

    /// For an engine that keeps values of several kinds in one column (SQLite): the kinds
    /// found among the first values of each of `columns` of `table` (a bounded sample).
    /// `None` where the declared types settle it.
    fn value_kinds(
        &self,
        _table: &str,
        _columns: &[&str],
    ) -> Result<Option<Vec<Vec<ValueKind>>>, Diagnostic> {
        Ok(None)
    }

    /// Every index, as its table and its columns in order; `None` when the engine has no
    /// indexes to advise on.
    fn indexes(&self) -> Result<Option<Vec<Index>>, Diagnostic>;

    /// Keeps the rows of `query` as table `name`, seen by this connection only (a
    /// temporary table, replacing one of that name), indexed on column `key` so that rows
    /// in key order come without sorting them all; later queries read them instead of
    /// computing them again (a REPL session's facts). `false` where the engine keeps
    /// none, and the caller does without.
    fn keep_rows(&self, _name: &str, _query: &Query, _key: &str) -> Result<bool, Diagnostic> {
        Ok(false)
    }

    /// A number that changes whenever the data changes (another connection commits), so
    /// that rows kept with [`Database::keep_rows`] are known to be stale; `None` where the
    /// engine cannot tell.
    fn data_version(&self) -> Result<Option<i64>, Diagnostic> {
        Ok(None)
    }

    /// About how many rows `table` holds, found without counting them (so that advice can
    /// tell a table where an index matters from a small one); `None` when the engine cannot
    /// tell cheaply.
    fn approximate_rows(&self, _table: &str) -> Result<Option<u64>, Diagnostic> {
        Ok(None)
    }

    /// At most `slices` ranges of customer keys, of equal key width, for counting one
    /// segment on that many connections side by side (`sql::compile_count_slice`): only
    /// where the engine runs a query on one core (SQLite), where the keys span enough
    /// values to gain from it, where the customer key is indexed and never unknown, and
    /// where slicing is exact: the keys of `customers` (`(table, key column)`) and of each
    /// related table compare the same way with a whole number, so a customer and its rows
    /// fall in the same slice. `None` otherwise, and the count runs as one query (an
    /// engine that spreads a query over the cores itself, DuckDB or PostgreSQL, always
    /// says `None`).
    fn key_slices(
        &self,
        _customers: (&str, &str),
        _related: &[(&str, &str)],
        _slices: usize,
    ) -> Result<Option<Vec<KeyRange>>, Diagnostic> {
        Ok(None)
    }

    /// The recorded runs of `segment`, oldest first.
    fn history(&self, segment: &str) -> Result<Vec<RunInfo>, Diagnostic>;

    /// Who entered run `to` since run `from`, and who left.
    fn changes(&self, from: i64, to: i64) -> Result<(Vec<Cell>, Vec<Cell>), Diagnostic>;

    /// Lets go of the connection as the process ends, its work done: by default it is
    /// closed. An engine whose closing only stops threads and frees memory (a read-only
    /// DuckDB: 4–14 ms after the answer is printed) leaves that to the operating system.
    fn close_at_exit(self: Box<Self>) {}

    /// Every user table with a profile of its columns' values (for `seg schema infer`).
    fn tables(&self) -> Result<Vec<TableInfo>, Diagnostic> {
        Err(failure::unsupported(
            "`seg schema infer` reads SQLite files only",
            "point --db at a SQLite file",
        ))
    }

    /// Runs a query returning one integer (a count).
    fn count(&self, query: &Query) -> Result<u64, Diagnostic> {
        failure::count_of(&self.fetch(query)?.rows)
    }

    /// Runs count queries side by side ([`Database::fetch_side_by_side`]) and adds their
    /// counts: the members of a segment counted in slices of the customers. `None` as
    /// there.
    fn count_side_by_side(&self, queries: &[Query]) -> Result<Option<u64>, Diagnostic> {
        let Some(all) = self.fetch_side_by_side(queries)? else {
            return Ok(None);
        };
        let mut total: u64 = 0;
        for rows in all {
            total += failure::count_of(&rows.rows)?;
        }
        Ok(Some(total))
    }

    /// Runs each query on its own connection and thread, side by side; the rows in the
    /// order of the queries, or the first error. `None` when the engine can tell that the
    /// connections may not have read the same data — another program committed while they
    /// ran ([`Database::data_version`] changed, where the engine keeps one), or the
    /// database was replaced before one of them opened it ([`Database::reopen`]) — so that
    /// the caller asks again in one query, which reads one state.
    fn fetch_side_by_side(&self, queries: &[Query]) -> Result<Option<Vec<Rows>>, Diagnostic> {
        let Some((first, rest)) = queries.split_first() else {
            return Ok(Some(Vec::new()));
        };
        if rest.is_empty() {
            return Ok(Some(vec![self.fetch(first)?]));
        }
        let before = self.data_version()?;
        let mut others = Vec::new();
        for _ in rest {
            match self.reopen()? {
                Some(database) => others.push(database),
                None => return Ok(None),
            }
        }
        let all = std::thread::scope(|scope| {
            let running: Vec<_> = others
                .into_iter()
                .zip(rest)
                .map(|(database, query)| scope.spawn(move || database.fetch(query)))
                .collect();
            let mut all = vec![self.fetch(first)];
            for thread in running {
                all.push(thread.join().unwrap_or_else(|_| {
                    Err(failure::internal("a query thread stopped unexpectedly"))
                }));
            }
            all.into_iter().collect::<Result<Vec<_>, _>>()
        })?;
        if self.data_version()? != before {
            return Ok(None);
        }
        Ok(Some(all))
    }
}

/// Stops the query running on a database, from another thread.
#[derive(Clone)]
pub struct Canceller(std::sync::Arc<dyn Fn() + Send + Sync>);

impl Canceller {
    /// A canceller that calls `cancel`.
    fn new(cancel: impl Fn() + Send + Sync + 'static) -> Canceller {
        Canceller(std::sync::Arc::new(cancel))
    }

    /// Cancels the running query, if any (it then fails with seg::E033).
    pub fn cancel(&self) {
        (self.0)()
    }
}

/// The engine at `location`: the one place that names every backend.
pub fn connect(location: &Location) -> Box<dyn Engine> {
    match location {
        Location::File(path) => Box::new(sqlite::Engine::new(path)),
        Location::Postgres(url) => Box::new(postgres::Engine::new(url)),
        Location::Spark(target) => Box::new(spark::Engine::new(target)),
        Location::DuckDb(target) => Box::new(self::duckdb::Engine::new(target)),
    }
}

/// A throwaway in-memory database holding `tables` (segment tests' fixtures); nothing
/// touches the disk. Its dialect is SQLite's.
pub fn scratch(tables: &[TableRows]) -> Result<Box<dyn Database>, Diagnostic> {
    Ok(Box::new(sqlite::in_memory(tables)?))
}
