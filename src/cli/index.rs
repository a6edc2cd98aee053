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
            "the {} engine reads files without indexes: nothing to advise",
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

/// Warnings for related tables with no index on the customer key (for `seg run`).
pub(crate) fn missing_index_warnings(
    session: &Session,
    database: &dyn Database,
) -> Result<Vec<Diagnostic>, Failure> {
    Ok(statuses(session, database)?
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, status)| *status == Status::Missing)
        .map(|(advice, _)| {
            Diagnostic::warning(
                Code::MissingIndex,
                format!(
                    "table `{}` has no index on `{}`: every segment reading it scans the whole table for each customer",
                    advice.table, advice.columns[0]
                ),
            )
            .with_help("run `seg index --apply` to create the indexes the segments need")
        })
        .collect())
}
