//! `seg history SEGMENT` (its materialized runs: when, as of which date, how many
//! members, whether the definition changed) and `seg diff SEGMENT` (who entered and who
//! left between two runs, by default the last two).

use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::Database;
use crate::engine::RunInfo;
use crate::engine::{Cell, Rows};
use crate::output::{Format, Shown, outln, print_rows, thousands};

/// Arguments of `seg history`.
#[derive(clap::Args, Debug)]
pub struct HistoryArgs {
    /// The segment.
    segment: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `seg diff`.
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The segment whose materialized runs to compare (not with --rev or --against).
    #[arg(required_unless_present_any = ["rev", "against"])]
    segment: Option<String>,
    /// Compare the segment definitions with those at this git revision, on the current
    /// database: which segments change meaning, and how many members each gains and loses.
    #[arg(long, value_name = "REV", conflicts_with_all = ["segment", "against"])]
    rev: Option<String>,
    /// The same, against another copy of the project.
    #[arg(long, value_name = "DIR", conflicts_with = "segment")]
    against: Option<std::path::PathBuf>,
    /// The earlier run (default: the one before the latest).
    #[arg(long, value_name = "RUN")]
    from: Option<i64>,
    /// The later run (default: the latest).
    #[arg(long, value_name = "RUN")]
    to: Option<i64>,
    /// Output format (`csv` and `json` list every key with `entered` or `left`).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub fn history(context: &Context, args: HistoryArgs) -> Result<i32, Failure> {
    let (_, runs) = runs_of(context, &args.segment)?;
    let mut rows = Rows {
        columns: [
            "run",
            "computed_at",
            "as_of",
            "members",
            "definition",
            "definition_changed",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut previous: Option<&RunInfo> = None;
    for run in &runs {
        let changed = previous.is_some_and(|p| p.definition != run.definition);
        rows.rows.push(vec![
            Cell::Integer(run.run),
            Cell::Text(run.computed_at.clone()),
            Cell::Text(run.as_of.clone()),
            Cell::Integer(run.members as i64),
            Cell::Text(run.definition[..run.definition.len().min(8)].to_string()),
            Cell::Integer(i64::from(changed)),
        ]);
        previous = Some(run);
    }
    if args.format == Format::Table {
        match runs.last() {
            Some(last) => outln!(
                "{}: {} runs, last computed {} (as of {})",
                args.segment,
                runs.len(),
                last.computed_at,
                last.as_of
            )?,
            None => {
                outln!(
                    "{}: never materialized (`seg materialize` records it)",
                    args.segment
                )?;
                return Ok(0);
            }
        }
    }
    print_rows(&rows, args.format, |column| match column {
        "members" => Shown::Count,
        "definition_changed" => Shown::Field(crate::schema::Type::Bool),
        _ => Shown::Plain,
    })?;
    Ok(0)
}

pub fn diff(context: &Context, args: DiffArgs) -> Result<i32, Failure> {
    if let Some(rev) = args.rev {
        return super::review::run(context, super::review::Base::Revision(rev), args.format);
    }
    if let Some(dir) = args.against {
        return super::review::run(context, super::review::Base::Directory(dir), args.format);
    }
    let segment = args.segment.expect("clap: a segment without --rev");
    let (database, runs) = runs_of(context, &segment)?;
    let pick = |wanted: Option<i64>, default: Option<&RunInfo>| -> Result<i64, Failure> {
        match wanted {
            Some(run) if runs.iter().any(|r| r.run == run) => Ok(run),
            Some(run) => Err(no_runs(&segment, &format!("no run {run} of"))),
            None => default
                .map(|r| r.run)
                .ok_or_else(|| no_runs(&segment, "fewer than two runs of")),
        }
    };
    let to = pick(args.to, runs.last())?;
    let before_to = runs.iter().rev().find(|r| r.run < to);
    let from = pick(args.from, before_to)?;
    let (entered, left) = database.changes(from, to)?;
    if args.format == Format::Table {
        outln!(
            "{}: run {from} → run {to}: {} entered, {} left",
            segment,
            thousands(entered.len() as u64),
            thousands(left.len() as u64)
        )?;
    }
    let mut rows = Rows {
        columns: ["change", "customer_key"].map(String::from).to_vec(),
        rows: Vec::new(),
    };
    for (change, keys) in [("entered", &entered), ("left", &left)] {
        for key in keys {
            rows.rows.push(vec![Cell::Text(change.into()), key.clone()]);
        }
    }
    print_rows(&rows, args.format, |_| Shown::Plain)?;
    Ok(0)
}

/// The project's database and the recorded runs of `segment`.
fn runs_of(context: &Context, segment: &str) -> Result<(Box<dyn Database>, Vec<RunInfo>), Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let name = crate::app::segments::selected_segments(&session, Some(segment))?.remove(0);
    let database = session.open_database(context, None)?;
    let runs = database.history(&name)?;
    Ok((database, runs))
}

fn no_runs(segment: &str, what: &str) -> Failure {
    Diagnostic::error(
        Code::SegmentNotFound,
        format!("{what} `{segment}` in the membership history"),
    )
    .with_help("`seg history SEGMENT` lists the runs; `seg materialize` records one")
    .into()
}
