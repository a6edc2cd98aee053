//! `seg run`: member counts for every segment, or the members of one segment.

use super::output::{Format, print_rows};
use super::session::Session;
use super::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::engine::{Cell, Rows};
use crate::sql::{self, Output};

/// Arguments of `seg run`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The segment project (same as `--project`).
    #[arg(value_name = "PROJECT")]
    project: Option<std::path::PathBuf>,
    /// Run only this segment; without `--count`, list its members.
    #[arg(short, long)]
    segment: Option<String>,
    /// Print only the number of members.
    #[arg(long)]
    count: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// List at most this many members.
    #[arg(long)]
    limit: Option<u64>,
    /// Count in up to this many batches side by side, each on its own connection
    /// (default: the number of CPU cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let mut context = context.clone();
    if let Some(project) = &args.project {
        context.project = Some(project.clone());
    }
    let context = &context;
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let names = selected_segments(&session, args.segment.as_deref())?;
    let database = session.open_database(context, None)?;
    let warnings = session
        .project
        .manifest
        .lints
        .apply(super::index::missing_index_warnings(&session, &database)?);
    if !warnings.is_empty() {
        eprint!("{}", session.render(&warnings, context.style));
    }

    if args.segment.is_some() && !args.count {
        let name = &names[0];
        let query = sql::compile(
            &session.program,
            name,
            Output::Members { limit: args.limit },
            database.dialect(),
            session.as_of,
        )
        .expect("segment exists");
        let rows = database.fetch(&query)?;
        let schema = &session.project.manifest.schema;
        print_rows(&rows, args.format, |column| {
            schema.customer.field(column).map(|f| f.ty)
        });
        return Ok(0);
    }

    let mut counts = Rows {
        columns: vec!["segment".into(), "members".into()],
        rows: Vec::new(),
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    for (name, count) in
        count_segments(session.as_of, &session.program, &database, &names, threads)?
    {
        counts.rows.push(vec![Cell::Text(name), count]);
    }
    print_rows(&counts, args.format, |_| None);
    Ok(0)
}

/// Each segment's member count, in the order of `names`: one query per batch (the
/// aggregates a batch's segments share are computed once), up to `threads` batches side by
/// side.
pub(crate) fn count_segments(
    as_of: chrono::NaiveDate,
    program: &crate::check::ir::Program,
    database: &crate::engine::Database,
    names: &[String],
    threads: usize,
) -> Result<Vec<(String, Cell)>, Failure> {
    let selected: Vec<&str> = names.iter().map(String::as_str).collect();
    let batches = sql::split_batches(program, &selected, threads);
    let queries: Vec<sql::Query> = batches
        .iter()
        .map(|batch| {
            sql::compile_counts(program, batch, database.dialect(), as_of).expect("segments exist")
        })
        .collect();
    let results = database.fetch_side_by_side(&queries)?;
    let mut found: Vec<(&str, Cell)> = Vec::new();
    for (batch, rows) in batches.iter().zip(results) {
        let row = rows.rows.into_iter().next().unwrap_or_default();
        found.extend(batch.iter().copied().zip(row));
    }
    Ok(names
        .iter()
        .filter_map(|name| {
            let (_, count) = found.iter().find(|(n, _)| n == name)?;
            Some((name.clone(), count.clone()))
        })
        .collect())
}

/// The named segment, or all segments in definition order.
pub fn selected_segments(session: &Session, name: Option<&str>) -> Result<Vec<String>, Failure> {
    let program = &session.program;
    match name {
        None => {
            let mut names: Vec<&crate::check::ir::Segment> = program.segments.iter().collect();
            names.sort_by_key(|s| (s.location.source, s.location.span.start));
            Ok(names.into_iter().map(|s| s.name.clone()).collect())
        }
        Some(name) if program.segment(name).is_some() => Ok(vec![name.to_string()]),
        Some(name) => {
            let help = did_you_mean(name, program.segments.iter().map(|s| s.name.as_str()), "`")
                .unwrap_or_else(|| "`seg list` shows the project's segments".into());
            Err(
                Diagnostic::error(Code::SegmentNotFound, format!("no segment named `{name}`"))
                    .with_help(help)
                    .into(),
            )
        }
    }
}
