//! Membership history kept in the database: every materialized run of a segment (when,
//! as of which date, from which definition, how many members) in `seg_runs`, and its
//! members in `seg_members`. A materialization writes all its segments in one transaction
//! on a read-write connection, so an interrupted one leaves the previous history intact.
//! The statements are the same on every engine; each backend runs them through
//! [`Statements`].

use super::Cell;
use super::failure::{count_of, internal};
use crate::diagnostics::Diagnostic;
use crate::sql::writer::SqlWriter;
use crate::sql::{Dialect, Query, ddl};
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

/// The statements a backend runs for membership history, on a read-only connection or
/// inside its write transaction. Each backend implements it in its own folder; the
/// statements themselves are written once, here, in the backend's dialect (its
/// placeholders; the tables' fixed lower-case names are written as SQL).
pub(super) trait Statements {
    /// The backend's dialect.
    fn dialect(&self) -> &'static dyn Dialect;
    /// Runs one statement.
    fn execute(&mut self, statement: &Query) -> Result<(), Diagnostic>;
    /// Runs several statements without parameters.
    fn execute_batch(&mut self, sql: &str) -> Result<(), Diagnostic>;
    /// Runs one query and fetches its rows.
    fn rows(&mut self, query: &Query) -> Result<Vec<Vec<Cell>>, Diagnostic>;
    /// Whether a table called `name` exists.
    fn has_table(&mut self, name: &str) -> Result<bool, Diagnostic>;
}

/// Appends the name of the scratch table that holds one run's members: temporary, and
/// always named with the temporary schema, so that no statement drops or reads a user's
/// table named `seg_new` in its place.
fn scratch(w: &mut SqlWriter<'_>) {
    let schema = w.dialect().temporary_schema();
    w.sql(schema).sql(".seg_new");
}

/// `before` followed by the scratch table's name: a statement without parameters.
fn on_scratch(d: &dyn Dialect, before: &'static str) -> Query {
    let mut w = SqlWriter::new(d);
    w.sql(before);
    scratch(&mut w);
    w.finish()
}

/// Records each run in `store` (inside the caller's transaction).
pub(super) fn record(
    store: &mut dyn Statements,
    runs: &[Run],
    computed_at: &str,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<Outcome>, Diagnostic> {
    let d = store.dialect();
    store.execute_batch(&ddl::membership_tables(d))?;
    let mut outcomes = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        store.execute(&on_scratch(d, "DROP TABLE IF EXISTS "))?;
        store.execute(&Query {
            sql: format!(
                "CREATE TEMPORARY TABLE seg_new AS SELECT customer_key FROM ({}) AS q",
                run.keys.sql
            ),
            params: run.keys.params.clone(),
        })?;
        let members = count_of(&store.rows(&on_scratch(d, "SELECT COUNT(*) FROM "))?)?;
        let mut latest = SqlWriter::new(d);
        latest.sql("SELECT run_id, as_of, definition FROM seg_runs WHERE segment = ");
        latest.param(Value::Text(run.segment.clone()));
        latest.sql(" ORDER BY run_id DESC");
        d.first_row_only(&mut latest);
        let latest = store.rows(&latest.finish())?;
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
            // Keys compare as text: some engines keep them as text.
            let mut differs = SqlWriter::new(d);
            let run_id = differs.bind(Value::Integer(*latest));
            differs
                .sql("SELECT COUNT(*) FROM (SELECT CAST(customer_key AS TEXT) FROM ");
            scratch(&mut differs);
            differs
                .sql(" EXCEPT SELECT CAST(customer_key AS TEXT) FROM seg_members WHERE run_id = ")
                .placeholder(run_id)
                .sql(
                    " UNION ALL SELECT CAST(customer_key AS TEXT) FROM seg_members WHERE run_id = ",
                )
                .placeholder(run_id)
                .sql(" EXCEPT SELECT CAST(customer_key AS TEXT) FROM ");
            scratch(&mut differs);
            differs.sql(") AS d");
            let differs = count_of(&store.rows(&differs.finish())?)?;
            if differs == 0 {
                outcomes.push(Outcome::Unchanged {
                    run: *latest,
                    members,
                });
                progress(i + 1);
                continue;
            }
        }
        let mut insert = SqlWriter::new(d);
        insert.sql(
            "INSERT INTO seg_runs (segment, as_of, definition, computed_at, members) VALUES (",
        );
        for (i, value) in [
            Value::Text(run.segment.clone()),
            Value::Text(run.as_of.clone()),
            Value::Text(run.definition.clone()),
            Value::Text(computed_at.to_string()),
            Value::Integer(members as i64),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                insert.sql(", ");
            }
            insert.param(value);
        }
        insert.sql(") RETURNING run_id");
        let inserted = store.rows(&insert.finish())?;
        let Some(Cell::Integer(id)) = inserted.first().and_then(|r| r.first()).cloned() else {
            return Err(internal("recording a run returned no run id"));
        };
        let mut members_of = SqlWriter::new(d);
        members_of.sql("INSERT INTO seg_members (run_id, customer_key) SELECT ");
        members_of.param(Value::Integer(id));
        members_of.sql(", customer_key FROM ");
        scratch(&mut members_of);
        store.execute(&members_of.finish())?;
        outcomes.push(Outcome::Recorded { run: id, members });
        progress(i + 1);
    }
    store.execute(&on_scratch(d, "DROP TABLE IF EXISTS "))?;
    Ok(outcomes)
}

/// The recorded runs of `segment`, oldest first (none if nothing was ever materialized).
pub(super) fn history(
    store: &mut dyn Statements,
    segment: &str,
) -> Result<Vec<RunInfo>, Diagnostic> {
    if !store.has_table("seg_runs")? {
        return Ok(Vec::new());
    }
    let mut query = SqlWriter::new(store.dialect());
    query.sql(
        "SELECT run_id, as_of, definition, computed_at, members FROM seg_runs WHERE segment = ",
    );
    query.param(Value::Text(segment.to_string()));
    query.sql(" ORDER BY run_id");
    let rows = store.rows(&query.finish())?;
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
pub(super) fn changes(
    store: &mut dyn Statements,
    from: i64,
    to: i64,
) -> Result<(Vec<Cell>, Vec<Cell>), Diagnostic> {
    let d = store.dialect();
    let mut keys = |a: i64, b: i64| -> Result<Vec<Cell>, Diagnostic> {
        let mut query = SqlWriter::new(d);
        query.sql("SELECT customer_key FROM seg_members WHERE run_id = ");
        query.param(Value::Integer(a));
        query.sql(" EXCEPT SELECT customer_key FROM seg_members WHERE run_id = ");
        query.param(Value::Integer(b));
        let rows = store.rows(&query.finish())?;
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
