//! Loads checked rows into PostgreSQL tables in one transaction, never dropping what seg
//! did not create and never making a reader fail:
//! - a table whose shape (columns and their types) is unchanged keeps its identity: its rows
//!   are replaced (`TRUNCATE`, then a binary `COPY`), so the views, grants and foreign keys
//!   others built on it stay;
//! - a table whose shape changed is dropped and created again, unless other objects depend
//!   on it: then the load is refused (seg::E032), naming them;
//! - the load takes its locks first (`LOCK TABLE`) and waits at most a moment for each, so
//!   it is always the one that gives way: a reader it would deadlock with goes on, and the
//!   load starts again, or after a while says the tables are busy.

use std::time::{Duration, Instant};

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::{ToSql, Type as WireType};

use super::error::database_error;
use super::wire::Stored;
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::table_rows::RowChecker;
use crate::engine::{LoadSummary, TableRows};
use crate::schema::Type;
use crate::sql::{Dialect, Postgres, ddl};

/// How long the load waits for one lock before giving way (shorter than the server's
/// one-second deadlock check, so the load, not a reader, is the one that gives way).
const LOCK_WAIT: &str = "200ms";

/// How long the load keeps starting again while readers hold the tables.
const BUSY_FOR: Duration = Duration::from_secs(30);

/// Why one attempt stopped.
pub(super) enum Stop {
    /// Another session holds a table: try again.
    Busy,
    /// Anything else: report it.
    Failed(Diagnostic),
}

impl From<Diagnostic> for Stop {
    fn from(diagnostic: Diagnostic) -> Stop {
        Stop::Failed(diagnostic)
    }
}

/// A database error while doing `context`: `Busy` for a lock wait or a deadlock.
fn stop(context: &str) -> impl Fn(postgres::Error) -> Stop + '_ {
    move |e| match e.code() {
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE || *c == SqlState::T_R_DEADLOCK_DETECTED => {
            Stop::Busy
        }
        _ => Stop::Failed(database_error(context, &e, None)),
    }
}

/// Runs `attempt` (one transaction) until it gets its locks, for up to [`BUSY_FOR`].
pub(super) fn retrying<T>(
    mut attempt: impl FnMut() -> Result<T, Stop>,
) -> Result<T, Diagnostic> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(50);
    loop {
        match attempt() {
            Ok(done) => return Ok(done),
            Err(Stop::Failed(diagnostic)) => return Err(diagnostic),
            Err(Stop::Busy) if started.elapsed() > BUSY_FOR => {
                return Err(Diagnostic::error(
                    Code::DatabaseError,
                    format!(
                        "the tables are busy: other sessions kept them for {}s",
                        BUSY_FOR.as_secs()
                    ),
                )
                .with_help("run the load again when the long queries on these tables have finished"));
            }
            Err(Stop::Busy) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(1));
            }
        }
    }
}

/// Replaces `tables` inside `transaction`.
pub(super) fn replace_tables(
    transaction: &mut postgres::Transaction<'_>,
    tables: &[TableRows],
) -> Result<LoadSummary, Stop> {
    transaction
        .batch_execute(&format!("SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
        .map_err(stop("cannot configure the load"))?;
    let existing: Vec<&str> = tables
        .iter()
        .map(|t| t.table.as_str())
        .filter(|name| exists(transaction, name).unwrap_or(false))
        .collect();
    if !existing.is_empty() {
        let names: Vec<String> = existing.iter().map(|n| ddl::quoted(&Postgres, n)).collect();
        transaction
            .batch_execute(&format!(
                "LOCK TABLE {} IN ACCESS EXCLUSIVE MODE",
                names.join(", ")
            ))
            .map_err(stop("cannot lock the tables"))?;
    }
    // Every table whose shape is unchanged is emptied in one statement, so foreign keys
    // between the project's own tables do not stop it.
    let mut plans = Vec::new();
    for table in tables {
        let checker = RowChecker::new(table)?;
        let wanted: Vec<(String, String)> = table
            .columns
            .iter()
            .zip(&checker.types)
            .map(|(c, t)| (c.clone(), catalog_type(*t).to_string()))
            .collect();
        let found = shape(transaction, &table.table)?;
        let unchanged = !found.is_empty() && found == wanted;
        plans.push((table, checker, found, unchanged));
    }
    let same: Vec<&str> = plans
        .iter()
        .filter(|(_, _, _, unchanged)| *unchanged)
        .map(|(t, _, _, _)| t.table.as_str())
        .collect();
    if !same.is_empty() {
        let names: Vec<String> = same.iter().map(|n| ddl::quoted(&Postgres, n)).collect();
        if let Err(e) = transaction.batch_execute(&format!("TRUNCATE {}", names.join(", "))) {
            if e.code() == Some(&SqlState::FEATURE_NOT_SUPPORTED) {
                // The server names the table that refers to them ("Table "notes" references
                // "customers".").
                let detail = e
                    .as_db_error()
                    .and_then(|db| db.detail())
                    .unwrap_or("another table refers to them")
                    .trim_end_matches('.')
                    .to_string();
                return Err(Stop::Failed(
                    Diagnostic::error(
                        Code::DataLoad,
                        format!(
                            "cannot replace the rows of {}: a table outside [data] refers to them by a foreign key ({detail})",
                            same.join(", "),
                        ),
                    )
                    .with_help("seg never empties a table that others refer to; drop those foreign keys, or load those tables from [data] too"),
                ));
            }
            return Err(stop("cannot replace the tables")(e));
        }
    }
    let mut summary = Vec::new();
    for (table, checker, found, unchanged) in plans {
        let rows = fill_table(transaction, table, checker, &found, unchanged)?;
        summary.push((table.table.clone(), rows));
    }
    Ok(summary)
}

/// Whether `table` exists in the current schema.
fn exists(transaction: &mut postgres::Transaction<'_>, table: &str) -> Result<bool, Stop> {
    let row = transaction
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL",
            &[&ddl::quoted(&Postgres, table)],
        )
        .map_err(stop("cannot read the database schema"))?;
    Ok(row.get(0))
}

/// Each column of `table` with its type as the catalog names it (`bigint`, `numeric`, …).
fn shape(
    transaction: &mut postgres::Transaction<'_>,
    table: &str,
) -> Result<Vec<(String, String)>, Stop> {
    let rows = transaction
        .query(
            "SELECT column_name::text, format_type(atttypid, atttypmod) \
             FROM information_schema.columns c \
             JOIN pg_attribute a ON a.attrelid = to_regclass($1) AND a.attname = c.column_name \
             WHERE c.table_schema = current_schema() AND c.table_name = $2 \
             ORDER BY c.ordinal_position",
            &[&ddl::quoted(&Postgres, table), &table],
        )
        .map_err(stop("cannot read the database schema"))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The objects that depend on `table` (views, and tables whose foreign keys point at it).
fn dependents(
    transaction: &mut postgres::Transaction<'_>,
    table: &str,
    own_indexes: &[String],
) -> Result<Vec<String>, Stop> {
    let rows = transaction
        .query(
            "SELECT DISTINCT 'view ' || v.relname::text FROM pg_depend d \
               JOIN pg_rewrite r ON r.oid = d.objid \
               JOIN pg_class v ON v.oid = r.ev_class \
             WHERE d.refobjid = to_regclass($1) AND v.oid <> d.refobjid \
             UNION \
             SELECT 'foreign key of ' || c.conrelid::regclass::text FROM pg_constraint c \
             WHERE c.confrelid = to_regclass($1) AND c.conrelid <> c.confrelid \
             UNION \
             SELECT 'trigger ' || t.tgname::text FROM pg_trigger t \
             WHERE t.tgrelid = to_regclass($1) AND NOT t.tgisinternal \
             UNION \
             SELECT 'policy ' || p.polname::text FROM pg_policy p WHERE p.polrelid = to_regclass($1) \
             UNION \
             SELECT 'index ' || i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
             WHERE x.indrelid = to_regclass($1) AND NOT (i.relname::text = ANY ($2)) \
             UNION \
             SELECT 'grants' FROM pg_class c WHERE c.oid = to_regclass($1) AND c.relacl IS NOT NULL \
             UNION \
             SELECT 'comment' FROM pg_description d \
             WHERE d.objoid = to_regclass($1) AND d.classoid = 'pg_class'::regclass \
             ORDER BY 1",
            &[&ddl::quoted(&Postgres, table), &own_indexes],
        )
        .map_err(stop("cannot read the database schema"))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Replaces `table`'s rows (in place when its shape is unchanged, else by a new table),
/// streaming them one at a time; returns how many there were.
fn fill_table(
    transaction: &mut postgres::Transaction<'_>,
    table: &TableRows,
    mut checker: RowChecker<'_>,
    found: &[(String, String)],
    emptied: bool,
) -> Result<usize, Stop> {
    let types = checker.types.clone();
    let columns: Vec<_> = table.columns.iter().cloned().zip(types.clone()).collect();
    let name = ddl::quoted(&Postgres, &table.table);
    let replacing = format!("cannot replace table {}", table.table);
    if !emptied {
        if !found.is_empty() {
            // The indexes seg made for this table are its own to drop.
            let own: Vec<String> = table
                .indexes
                .iter()
                .map(|c| format!("{}_{c}", table.table))
                .collect();
            let others = dependents(transaction, &table.table, &own)?;
            if !others.is_empty() {
                return Err(Stop::Failed(
                    Diagnostic::error(
                        Code::DataLoad,
                        format!(
                            "{} has other columns than table {}, and seg would lose what others built on the table: {}",
                            table.origin,
                            table.table,
                            others.join(", ")
                        ),
                    )
                    .with_help("seg replaces a table whose columns change, and never drops what it did not create; drop or change those objects first, or keep the file's columns"),
                ));
            }
            transaction
                .batch_execute(&format!("DROP TABLE {name}"))
                .map_err(stop(&replacing))?;
        }
        transaction
            .batch_execute(&ddl::create_table(&Postgres, &table.table, &columns))
            .map_err(stop(&format!("cannot create table {}", table.table)))?;
    }

    let loading = format!("cannot load {}", table.origin);
    let sink = transaction
        .copy_in(format!("COPY {name} FROM STDIN (FORMAT binary)").as_str())
        .map_err(stop(&loading))?;
    let wire_types: Vec<WireType> = types.iter().map(|t| wire_type(*t)).collect();
    let mut writer = BinaryCopyInWriter::new(sink, &wire_types);
    let mut failed: Option<Stop> = None;
    let rows = table.each_row(|line, cells| {
        let values = checker.check(line, &cells)?;
        let stored: Vec<Stored<'_>> = values.iter().map(Stored).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            stored.iter().map(|s| s as &(dyn ToSql + Sync)).collect();
        if let Err(e) = writer.write(&refs) {
            failed = Some(stop(&loading)(e));
            return Err(Diagnostic::error(Code::DataLoad, "the copy stopped"));
        }
        Ok(())
    });
    if let Some(stopped) = failed {
        return Err(stopped);
    }
    let rows = rows?;
    writer.finish().map_err(stop(&loading))?;
    for column in &table.indexes {
        let index = ddl::create_index(&Postgres, &table.table, column)
            .replacen("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1);
        transaction
            .batch_execute(&index)
            .map_err(stop(&format!("cannot index {}.{column}", table.table)))?;
    }
    Ok(rows)
}

/// The catalog's name (`format_type`) of the type `Postgres::column_type(ty)` creates.
fn catalog_type(ty: Option<Type>) -> &'static str {
    match Postgres.column_type(ty) {
        "BIGINT" => "bigint",
        "BOOLEAN" => "boolean",
        "NUMERIC" => "numeric",
        "DATE" => "date",
        "TIMESTAMP" => "timestamp without time zone",
        _ => "text",
    }
}

/// The wire type of a column created with `Postgres::column_type(ty)`.
fn wire_type(ty: Option<Type>) -> WireType {
    match ty {
        Some(Type::Integer) => WireType::INT8,
        Some(Type::Bool) => WireType::BOOL,
        Some(Type::Decimal(_) | Type::Money) => WireType::NUMERIC,
        Some(Type::Date) => WireType::DATE,
        Some(Type::Timestamp) => WireType::TIMESTAMP,
        Some(Type::Text) | None => WireType::TEXT,
    }
}
