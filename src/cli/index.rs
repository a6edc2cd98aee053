//! `seg index [--apply]`: the indexes the project's segments need, whether the database has
//! them, and (with `--apply`) creating the missing ones in one transaction.

use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::{self, Database};
use crate::engine::{Cell, Rows};
use crate::output::{Format, Shown, outln, print_rows};
use crate::sql::indexes::{IndexAdvice, advice};

/// Arguments of `seg index`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Create the indexes that are missing or do not cover the columns segments read.
    #[arg(long)]
    apply: bool,
}

/// How well the database serves one piece of advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// An index starts with all the advised columns.
    Covering,
    /// An index starts with the customer key: lookups are fast, rows are still read.
    Usable,
    /// No index starts with the customer key: each customer's rows are found by a scan.
    Missing,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let database = session.open_database(context, None)?;
    let dialect = database.dialect();
    let Some(advised) = statuses(&session, &*database)? else {
        outln!(
            "the {} engine scans its tables without indexes: nothing to advise",
            dialect.name()
        )?;
        return Ok(0);
    };
    let mut rows = Rows {
        columns: vec!["table".into(), "index".into(), "status".into()],
        rows: Vec::new(),
    };
    for (advice, status) in &advised {
        let status = match status {
            Status::Covering => "present",
            Status::Usable => "usable, not covering",
            Status::Missing => "missing",
        };
        rows.rows.push(vec![
            Cell::Text(advice.table.clone()),
            Cell::Text(format!("({})", advice.columns.join(", "))),
            Cell::Text(status.into()),
        ]);
    }
    print_rows(&rows, Format::Table, |_| Shown::Plain)?;
    let wanted: Vec<&IndexAdvice> = advised
        .iter()
        .filter(|(_, s)| *s != Status::Covering)
        .map(|(a, _)| a)
        .collect();
    if wanted.is_empty() {
        return Ok(0);
    }
    if !args.apply {
        outln!()?;
        for advice in &wanted {
            outln!("{};", advice.create(dialect).sql)?;
        }
        outln!("\n-- run `seg index --apply` to create them")?;
        return Ok(0);
    }
    drop(database);
    let statements: Vec<_> = wanted.iter().map(|a| a.create(dialect)).collect();
    engine::connect(&session.database_location()?).apply(&statements)?;
    outln!(
        "created {} index{}",
        wanted.len(),
        if wanted.len() == 1 { "" } else { "es" }
    )?;
    Ok(0)
}

/// Each index the segments need, with how well the database has it (`None`: the engine
/// has no indexes).
pub(crate) fn statuses(
    session: &Session,
    database: &dyn Database,
) -> Result<Option<Vec<(IndexAdvice, Status)>>, Failure> {
    let Some(existing) = database.indexes()? else {
        return Ok(None);
    };
    Ok(Some(
        advice(&session.program)
            .into_iter()
            .map(|advice| {
                let on_table = existing
                    .iter()
                    .filter(|(t, _)| *t == advice.table)
                    .map(|(_, c)| c);
                let status = on_table.fold(Status::Missing, |best, columns| {
                    if columns.starts_with(&advice.columns) {
                        Status::Covering
                    } else if best == Status::Missing && columns.first() == advice.columns.first() {
                        Status::Usable
                    } else {
                        best
                    }
                });
                (advice, status)
            })
            .collect(),
    ))
}

/// From how many rows an index that does not cover what segments read is worth a warning:
/// below it, reading each customer's rows from the table costs little.
const LARGE_TABLE: u64 = 100_000;

/// Warnings (for `seg run` and `seg check --db`) for related tables with no index on the
/// customer key, and for large ones whose index does not cover the columns the segments
/// read: then every customer's rows are read from the table itself, one page each, which
/// on rows stored in time order (as an appended table is) costs many times a covering
/// index (28× for lifetime spend on 10M orders: docs/performance.md).
pub(crate) fn missing_index_warnings(
    session: &Session,
    database: &dyn Database,
) -> Result<Vec<Diagnostic>, Failure> {
    let mut warnings = Vec::new();
    for (advice, status) in statuses(session, database)?.unwrap_or_default() {
        let create = advice.create(database.dialect()).sql;
        match status {
            Status::Covering => {}
            Status::Missing => warnings.push(
                Diagnostic::warning(
                    Code::MissingIndex,
                    format!(
                        "table `{}` has no index on `{}`: every segment reading it scans the whole table for each customer",
                        advice.table, advice.columns[0]
                    ),
                )
                .with_help(format!(
                    "create it with `seg index --apply`, which runs: {create}"
                )),
            ),
            Status::Usable => {
                let rows = database.approximate_rows(&advice.table)?;
                if rows.is_some_and(|rows| rows >= LARGE_TABLE) {
                    warnings.push(
                        Diagnostic::warning(
                            Code::MissingIndex,
                            format!(
                                "table `{}` (about {} rows) has no index covering the columns segments read ({}): each customer's rows are read from the table, page by page",
                                advice.table,
                                crate::output::thousands(rows.unwrap_or_default()),
                                advice.columns.join(", ")
                            ),
                        )
                        .with_help(format!(
                            "create it with `seg index --apply`, which runs: {create}; segments then read only the index, many times faster when rows are stored in time order"
                        )),
                    );
                }
            }
        }
    }
    Ok(warnings)
}
