//! Membership history kept in the database: every materialized run of a segment (when,
//! as of which date, from which definition, how many members) in `seg_runs`, and its
//! members in `seg_members`. A materialization writes all its segments in one transaction
//! on a read-write connection, so an interrupted one leaves the previous history intact.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::sqlite::bind;
use super::{Cell, database_error};
use crate::diagnostics::Diagnostic;
use crate::sql::Query;

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

const CREATE: &str = "
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

/// Materializes `runs` in one transaction; `progress` is told after each segment.
pub fn materialize(
    path: &Path,
    runs: &[Run],
    computed_at: &str,
    mut progress: impl FnMut(usize),
) -> Result<Vec<Outcome>, Diagnostic> {
    let mut connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| database_error(&format!("cannot open {} for writing", path.display()), &e))?;
    connection
        .busy_timeout(std::time::Duration::from_secs(2))
        .map_err(|e| database_error("cannot configure the connection", &e))?;
    super::sqlite::add_functions(&connection)?;
    let failed = |e: rusqlite::Error| database_error("cannot record the membership", &e);
    let transaction = connection.transaction().map_err(failed)?;
    transaction.execute_batch(CREATE).map_err(failed)?;
    let mut outcomes = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        transaction
            .execute_batch("DROP TABLE IF EXISTS temp.seg_new")
            .map_err(failed)?;
        transaction
            .execute(
                &format!(
                    "CREATE TEMP TABLE seg_new AS SELECT customer_key FROM ({})",
                    run.keys.sql
                ),
                rusqlite::params_from_iter(run.keys.params.iter().map(bind)),
            )
            .map_err(|e| database_error(&format!("cannot compute {}", run.segment), &e))?;
        let members: i64 = transaction
            .query_row("SELECT COUNT(*) FROM temp.seg_new", [], |r| r.get(0))
            .map_err(failed)?;
        let latest: Option<(i64, String, String)> = transaction
            .query_row(
                "SELECT run_id, as_of, definition FROM seg_runs WHERE segment = ?1 \
                 ORDER BY run_id DESC LIMIT 1",
                [&run.segment],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(failed)?;
        if let Some((latest, as_of, definition)) = latest
            && as_of == run.as_of
            && definition == run.definition
        {
            let differs: bool = transaction
                .query_row(
                    "SELECT EXISTS (SELECT customer_key FROM temp.seg_new EXCEPT \
                       SELECT customer_key FROM seg_members WHERE run_id = ?1) \
                     OR EXISTS (SELECT customer_key FROM seg_members WHERE run_id = ?1 \
                       EXCEPT SELECT customer_key FROM temp.seg_new)",
                    [latest],
                    |r| r.get(0),
                )
                .map_err(failed)?;
            if !differs {
                outcomes.push(Outcome::Unchanged {
                    run: latest,
                    members: members as u64,
                });
                progress(i + 1);
                continue;
            }
        }
        transaction
            .execute(
                "INSERT INTO seg_runs (segment, as_of, definition, computed_at, members) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![run.segment, run.as_of, run.definition, computed_at, members],
            )
            .map_err(failed)?;
        let id = transaction.last_insert_rowid();
        transaction
            .execute(
                "INSERT INTO seg_members (run_id, customer_key) \
                 SELECT ?1, customer_key FROM temp.seg_new",
                [id],
            )
            .map_err(failed)?;
        outcomes.push(Outcome::Recorded {
            run: id,
            members: members as u64,
        });
        progress(i + 1);
    }
    transaction
        .execute_batch("DROP TABLE IF EXISTS temp.seg_new")
        .map_err(failed)?;
    transaction.commit().map_err(failed)?;
    Ok(outcomes)
}

/// The recorded runs of `segment`, oldest first (none if nothing was ever materialized).
pub fn history(connection: &Connection, segment: &str) -> Result<Vec<RunInfo>, Diagnostic> {
    if !has_history(connection)? {
        return Ok(Vec::new());
    }
    let failed = |e: rusqlite::Error| database_error("cannot read the membership history", &e);
    let mut statement = connection
        .prepare(
            "SELECT run_id, as_of, definition, computed_at, members FROM seg_runs \
             WHERE segment = ?1 ORDER BY run_id",
        )
        .map_err(failed)?;
    let runs = statement
        .query_map([segment], |r| {
            Ok(RunInfo {
                run: r.get(0)?,
                as_of: r.get(1)?,
                definition: r.get(2)?,
                computed_at: r.get(3)?,
                members: r.get::<_, i64>(4)?.max(0) as u64,
            })
        })
        .map_err(failed)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    Ok(runs)
}

/// Who is in run `to` but not in run `from` (entered), and who left, each ordered by key.
pub fn changes(
    connection: &Connection,
    from: i64,
    to: i64,
) -> Result<(Vec<Cell>, Vec<Cell>), Diagnostic> {
    let failed = |e: rusqlite::Error| database_error("cannot read the membership history", &e);
    let keys = |a: i64, b: i64| -> Result<Vec<Cell>, Diagnostic> {
        let mut statement = connection
            .prepare(
                "SELECT customer_key FROM seg_members WHERE run_id = ?1 EXCEPT \
                 SELECT customer_key FROM seg_members WHERE run_id = ?2 ORDER BY 1",
            )
            .map_err(failed)?;
        statement
            .query_map([a, b], |r| Ok(super::sqlite::cell(r.get(0)?)))
            .map_err(failed)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed)
    };
    Ok((keys(to, from)?, keys(from, to)?))
}

fn has_history(connection: &Connection) -> Result<bool, Diagnostic> {
    connection
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'seg_runs')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| database_error("cannot read the database", &e))
}
