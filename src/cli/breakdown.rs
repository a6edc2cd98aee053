//! `seg breakdown`: parse the arguments, compute it with the application layer, print it.

use crate::app::breakdown::breakdown;
use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::output::{Format, outln, print_rows};

/// Arguments of `seg breakdown`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The segment.
    segment: String,
    /// The field to group members by: a customer field, or `entity.field`.
    #[arg(long, value_name = "FIELD")]
    by: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Hide groups of fewer customers than this (default: `[privacy] min_group_size` in
    /// seg.toml, or 5).
    #[arg(long, value_name = "N")]
    min_group_size: Option<u64>,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let name = crate::app::segments::selected_segments(&session, Some(&args.segment))?.remove(0);
    let smallest = args
        .min_group_size
        .unwrap_or(session.project.manifest.min_group_size);
    let database = session.open_database(context, None)?;
    let breakdown = breakdown(
        &session.program,
        &session.project.manifest.schema,
        &name,
        &format!("segment {name}"),
        &args.by,
        smallest,
        &*database,
        session.as_of,
    )?;
    if args.format == Format::Table {
        outln!("{}", breakdown.title)?;
    }
    let rows = match args.format {
        Format::Table | Format::Markdown => breakdown.rows_for_people(),
        _ => breakdown.rows.clone(),
    };
    print_rows(&rows, args.format, |c| breakdown.shown(c))?;
    database.close_at_exit();
    Ok(0)
}
