//! Membership history kept in the database: every materialized run of a segment (when,
//! as of which date, from which definition, how many members) in `seg_runs`, and its
//! members in `seg_members`. A materialization writes all its segments in one transaction
//! on a read-write connection, so an interrupted one leaves the previous history intact.
//! The statements are the same on every engine (`$n` parameters, which SQLite reads too);
//! each engine is a [`Store`].

use rusqlite::{Connection, OpenFlags};

use super::pg_wire::{bound, cells};
use super::{Cell, Location};
use crate::diagnostics::Diagnostic;
use crate::sql::Query;
use crate::value::Value;

/// One segment to materialize.
pub struct Run {
    /// The segment's name.
    pub segment: String,
    /// A fingerprint of its checked definition (and the definitions it uses).
    pub definition: String,
    /// The as-of date its relative dates were counted from.
    pub as_of: String,
    /// The query listing its members' keys (as `customer_key`).
    pub keys: Query,
}

/// What materializing one segment did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new run was recorded.
    Recorded {
        /// Its id.
        run: i64,
        /// Its number of members.
        members: u64,
    },
    /// Same definition, as-of date and members as the latest run: nothing was written.
    Unchanged {
        /// The latest run's id.
        run: i64,
        /// Its number of members.
        members: u64,
    },
}

/// One recorded run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunInfo {
    /// Its id (increasing over time).
    pub run: i64,
    /// The as-of date.
    pub as_of: String,
    /// The definition's fingerprint.
    pub definition: String,
    /// When it was computed (UTC, ISO 8601).
    pub computed_at: String,
    /// Its number of members.
    pub members: u64,
}

/// The tables, on SQLite: keys keep the customer table's own type.
const CREATE_SQLITE: &str = "
CREATE TABLE IF NOT EXISTS seg_runs (
  run_id INTEGER PRIMARY KEY,
  segment TEXT NOT NULL,
  as_of TEXT NOT NULL,
  definition TEXT NOT NULL,
  computed_at TEXT NOT NULL,
  members INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seg_members (
  run_id INTEGER NOT NULL REFERENCES seg_runs (run_id),
  customer_key NOT NULL,
  PRIMARY KEY (run_id, customer_key)
) WITHOUT ROWID;";

/// The tables, on PostgreSQL: keys are kept as text, whatever the key's type.
const CREATE_POSTGRES: &str = "
CREATE TABLE IF NOT EXISTS seg_runs (
  run_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  segment TEXT NOT NULL,
  as_of TEXT NOT NULL,
  definition TEXT NOT NULL,
  computed_at TEXT NOT NULL,
  members BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS seg_members (
  run_id BIGINT NOT NULL REFERENCES seg_runs (run_id),
  customer_key TEXT NOT NULL,
  PRIMARY KEY (run_id, customer_key)
);";

/// A connection (or a transaction) membership history is read from and written to.
pub trait Store {
    /// Runs one statement.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<(), Diagnostic>;
    /// Runs one query and fetches its rows.
    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Cell>>, Diagnostic>;
    /// Whether the history tables exist.
    fn has_history(&mut self) -> Result<bool, Diagnostic>;
    /// Creates the history tables if they do not exist.
    fn create_tables(&mut self) -> Result<(), Diagnostic>;
}

/// A SQLite connection (or transaction) as a [`Store`].
pub struct SqliteStore<'a>(pub &'a Connection);

/// A PostgreSQL client (or transaction) as a [`Store`].
pub struct PostgresStore<'a, C>(pub &'a mut C);

impl Store for SqliteStore<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<(), Diagnostic> {
        self.0
            .execute(
                sql,
                rusqlite::params_from_iter(params.iter().map(super::sqlite::bind)),
            )
            .map(|_| ())
            .map_err(|e| super::database_error("cannot record the membership", &e))
    }

    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Cell>>, Diagnostic> {
        let failed =
            |e: rusqlite::Error| super::database_error("cannot read the membership history", &e);
        let mut statement = self.0.prepare(sql).map_err(failed)?;
        let width = statement.column_count();
        statement
            .query_map(
                rusqlite::params_from_iter(params.iter().map(super::sqlite::bind)),
                |row| {
                    (0..width)
                        .map(|i| row.get(i).map(super::sqlite::cell))
                        .collect()
                },
            )
            .map_err(failed)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed)
    }

    fn has_history(&mut self) -> Result<bool, Diagnostic> {
        let rows = self.rows(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'seg_runs')",
            &[],
        )?;
        Ok(rows.first().and_then(|r| r.first()) == Some(&Cell::Integer(1)))
    }

    fn create_tables(&mut self) -> Result<(), Diagnostic> {
        self.0
            .execute_batch(CREATE_SQLITE)
            .map_err(|e| super::database_error("cannot record the membership", &e))
    }
}

impl<C: postgres::GenericClient> Store for PostgresStore<'_, C> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<(), Diagnostic> {
        self.0
            .execute(sql, &bound(params))
            .map(|_| ())
            .map_err(|e| super::postgres::database_error("cannot record the membership", &e))
    }

    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Cell>>, Diagnostic> {
        let failed = |e: postgres::Error| {
            super::postgres::database_error("cannot read the membership history", &e)
        };
        let found = self.0.query(sql, &bound(params)).map_err(failed)?;
        found.iter().map(|row| cells(row).map_err(failed)).collect()
    }

    fn has_history(&mut self) -> Result<bool, Diagnostic> {
        let rows = self.rows("SELECT to_regclass('seg_runs') IS NOT NULL", &[])?;
        Ok(rows.first().and_then(|r| r.first()) == Some(&Cell::Integer(1)))
    }

    fn create_tables(&mut self) -> Result<(), Diagnostic> {
        self.0
            .batch_execute(CREATE_POSTGRES)
            .map_err(|e| super::postgres::database_error("cannot record the membership", &e))
    }
}

/// Materializes `runs` at `location` in one transaction; `progress` is told after each
/// segment.
pub fn materialize(
    location: &Location,
    runs: &[Run],
    computed_at: &str,
    progress: impl FnMut(usize),
) -> Result<Vec<Outcome>, Diagnostic> {
    match location {
        Location::File(path) => {
            let mut connection = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| {
                super::database_error(&format!("cannot open {} for writing", path.display()), &e)
            })?;
            connection
                .busy_timeout(std::time::Duration::from_secs(2))
                .map_err(|e| super::database_error("cannot configure the connection", &e))?;
            super::sqlite::add_functions(&connection)?;
            let failed =
                |e: rusqlite::Error| super::database_error("cannot record the membership", &e);
            let transaction = connection.transaction().map_err(failed)?;
            let outcomes = record(&mut SqliteStore(&transaction), runs, computed_at, progress)?;
            transaction.commit().map_err(failed)?;
            Ok(outcomes)
        }
        Location::Spark(_) => Err(not_on_spark()),
        Location::Postgres(url) => super::postgres::write(url, |transaction| {
            record(&mut PostgresStore(transaction), runs, computed_at, progress)
        }),
    }
}

/// Membership history needs a database seg may write to; on Spark it reads CSV files.
pub fn not_on_spark() -> Diagnostic {
    Diagnostic::error(
        crate::diagnostics::Code::DatabaseError,
        "seg keeps membership history in a database it may write to, and on Spark it only reads the CSV files",
    )
    .with_help("materialize on SQLite or PostgreSQL; Spark runs, lists, explains and exports segments")
}

/// Records each run in `store` (inside the caller's transaction).
fn record(
    store: &mut (impl Store + ?Sized),
    runs: &[Run],
    computed_at: &str,
    mut progress: impl FnMut(usize),
) -> Result<Vec<Outcome>, Diagnostic> {
    store.create_tables()?;
    let mut outcomes = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        store.execute("DROP TABLE IF EXISTS seg_new", &[])?;
        store.execute(
            &format!(
                "CREATE TEMPORARY TABLE seg_new AS SELECT customer_key FROM ({}) AS q",
                run.keys.sql
            ),
            &run.keys.params,
        )?;
        let members = count(store, "SELECT COUNT(*) FROM seg_new", &[])?;
        let latest = store.rows(
            "SELECT run_id, as_of, definition FROM seg_runs WHERE segment = $1 \
             ORDER BY run_id DESC LIMIT 1",
            &[Value::Text(run.segment.clone())],
        )?;
        if let Some(
            [
                Cell::Integer(latest),
                Cell::Text(as_of),
                Cell::Text(definition),
            ],
        ) = latest.first().map(Vec::as_slice)
            && *as_of == run.as_of
            && *definition == run.definition
        {
            // Keys compare as text: PostgreSQL keeps them as text.
            let differs = count(
                store,
                "SELECT COUNT(*) FROM (\
                   SELECT CAST(customer_key AS TEXT) FROM seg_new EXCEPT \
                   SELECT CAST(customer_key AS TEXT) FROM seg_members WHERE run_id = $1 \
                 UNION ALL \
                   SELECT CAST(customer_key AS TEXT) FROM seg_members WHERE run_id = $1 \
                   EXCEPT SELECT CAST(customer_key AS TEXT) FROM seg_new) AS d",
                &[Value::Integer(*latest)],
            )?;
            if differs == 0 {
                outcomes.push(Outcome::Unchanged {
                    run: *latest,
                    members,
                });
                progress(i + 1);
                continue;
            }
        }
        let inserted = store.rows(
            "INSERT INTO seg_runs (segment, as_of, definition, computed_at, members) \
             VALUES ($1, $2, $3, $4, $5) RETURNING run_id",
            &[
                Value::Text(run.segment.clone()),
                Value::Text(run.as_of.clone()),
                Value::Text(run.definition.clone()),
                Value::Text(computed_at.to_string()),
                Value::Integer(members as i64),
            ],
        )?;
        let Some(Cell::Integer(id)) = inserted.first().and_then(|r| r.first()).cloned() else {
            return Err(Diagnostic::error(
                crate::diagnostics::Code::DatabaseError,
                "recording a run returned no run id",
            ));
        };
        store.execute(
            "INSERT INTO seg_members (run_id, customer_key) SELECT $1, customer_key FROM seg_new",
            &[Value::Integer(id)],
        )?;
        outcomes.push(Outcome::Recorded { run: id, members });
        progress(i + 1);
    }
    store.execute("DROP TABLE IF EXISTS seg_new", &[])?;
    Ok(outcomes)
}

fn count(
    store: &mut (impl Store + ?Sized),
    sql: &str,
    params: &[Value],
) -> Result<u64, Diagnostic> {
    match store.rows(sql, params)?.first().and_then(|r| r.first()) {
        Some(Cell::Integer(n)) => Ok((*n).max(0) as u64),
        other => Err(Diagnostic::error(
            crate::diagnostics::Code::DatabaseError,
            format!("a count returned {other:?}"),
        )),
    }
}

/// The recorded runs of `segment`, oldest first (none if nothing was ever materialized).
pub fn history(
    store: &mut (impl Store + ?Sized),
    segment: &str,
) -> Result<Vec<RunInfo>, Diagnostic> {
    if !store.has_history()? {
        return Ok(Vec::new());
    }
    let rows = store.rows(
        "SELECT run_id, as_of, definition, computed_at, members FROM seg_runs \
         WHERE segment = $1 ORDER BY run_id",
        &[Value::Text(segment.to_string())],
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|row| match row.as_slice() {
            [
                Cell::Integer(run),
                Cell::Text(as_of),
                Cell::Text(definition),
                Cell::Text(computed_at),
                Cell::Integer(members),
            ] => Some(RunInfo {
                run: *run,
                as_of: as_of.clone(),
                definition: definition.clone(),
                computed_at: computed_at.clone(),
                members: (*members).max(0) as u64,
            }),
            _ => None,
        })
        .collect())
}

/// Who is in run `to` but not in run `from` (entered), and who left, each ordered by key
/// (whole-number keys by their value).
pub fn changes(
    store: &mut (impl Store + ?Sized),
    from: i64,
    to: i64,
) -> Result<(Vec<Cell>, Vec<Cell>), Diagnostic> {
    let mut keys = |a: i64, b: i64| -> Result<Vec<Cell>, Diagnostic> {
        let rows = store.rows(
            "SELECT customer_key FROM seg_members WHERE run_id = $1 EXCEPT \
             SELECT customer_key FROM seg_members WHERE run_id = $2",
            &[Value::Integer(a), Value::Integer(b)],
        )?;
        let mut keys: Vec<Cell> = rows
            .into_iter()
            .filter_map(|r| r.into_iter().next())
            .map(as_number)
            .collect();
        keys.sort_by(order);
        Ok(keys)
    };
    Ok((keys(to, from)?, keys(from, to)?))
}

/// A key kept as text that is a whole number written plainly reads as that number.
fn as_number(cell: Cell) -> Cell {
    match &cell {
        Cell::Text(t) => match t.parse::<i64>() {
            Ok(n) if n.to_string() == *t => Cell::Integer(n),
            _ => cell,
        },
        _ => cell,
    }
}

/// Numbers first, by value; then text.
fn order(a: &Cell, b: &Cell) -> std::cmp::Ordering {
    match (a, b) {
        (Cell::Integer(x), Cell::Integer(y)) => x.cmp(y),
        (Cell::Integer(_), _) => std::cmp::Ordering::Less,
        (_, Cell::Integer(_)) => std::cmp::Ordering::Greater,
        (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    }
}
