//! `seg run`: member counts for every segment, or the members of one segment.

use super::selection::SelectionArgs;
use crate::app::segments::{count_segments, select};
use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::engine::{Cell, Rows};
use crate::output::{Format, Shown, errout, print_rows, stream_rows, write_stdout};
use crate::sql::{self, Output};

/// Arguments of `seg run`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The segment project (same as `--project`).
    #[arg(id = "project_dir", value_name = "PROJECT")]
    project: Option<std::path::PathBuf>,
    /// Which segments (default: all). One segment named plainly, without `--count`, lists
    /// its members; otherwise each selected segment's count.
    #[command(flatten)]
    selection: SelectionArgs,
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
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let context = &context.with_project(args.project.clone())?;
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let selection = args.selection.selection();
    let names = select(&session, &selection)?;
    let database = session.open_database(context, None)?;
    let warnings = session
        .project
        .manifest
        .lints
        .apply(super::index::missing_index_warnings(&session, &*database)?);
    if !warnings.is_empty() {
        errout!("{}", session.render(&warnings, context.style));
    }

    if selection.one_name().is_some() && !args.count {
        let name = &names[0];
        let query = sql::compile(
            &session.program,
            name,
            Output::Members { limit: args.limit },
            database.dialect(),
            session.as_of,
        )
        .expect("segment exists");
        let schema = &session.project.manifest.schema;
        // Printed as the rows come: memory stays flat however many members there are.
        stream_rows::<Failure>(
            &*database,
            &query,
            args.format,
            |column| Shown::of(schema.customer.field(column).map(|f| f.ty)),
            |text| Ok(write_stdout(text)?),
        )?;
        database.close_at_exit();
        return Ok(0);
    }

    let mut counts = Rows {
        columns: vec!["segment".into(), "members".into()],
        rows: Vec::new(),
    };
    let threads = args
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    for (name, count) in
        count_segments(session.as_of, &session.program, &*database, &names, threads)?
    {
        counts.rows.push(vec![Cell::Text(name), count]);
    }
    print_rows(&counts, args.format, |column| match column {
        "members" => Shown::Count,
        _ => Shown::Plain,
    })?;
    database.close_at_exit();
    Ok(0)
}
