//! `seg overlap`: parse the arguments, compute it with the application layer, print it.

use crate::app::overlap::overlap;
use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic};
use crate::output::{Format, outln, print_rows};

/// Arguments of `seg overlap`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Two or more segments (options may come between them).
    #[arg(num_args = 1.., required = true, action = clap::ArgAction::Append)]
    segments: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Hide counts of fewer customers than this (default: `[privacy] min_group_size` in
    /// seg.toml, or 5).
    #[arg(long, value_name = "N")]
    min_group_size: Option<u64>,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    if args.segments.len() < 2 {
        return Err(Diagnostic::error(
            Code::BadArgument,
            "`seg overlap` compares two or more segments",
        )
        .with_help("name at least two: `seg overlap Lapsed Loyal`")
        .into());
    }
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let mut names: Vec<String> = Vec::new();
    for name in &args.segments {
        let found = crate::app::segments::selected_segments(&session, Some(name))?.remove(0);
        if !names.contains(&found) {
            names.push(found);
        }
    }
    let smallest = args
        .min_group_size
        .unwrap_or(session.project.manifest.min_group_size);
    let database = session.open_database(context, None)?;
    let overlap = overlap(
        &session.program,
        &names,
        smallest,
        &*database,
        session.as_of,
    )?;
    // A matrix for people; one row per pair for tools (CSV, JSON).
    if args.format == Format::Table {
        outln!("{}", overlap.title)?;
        print_rows(&overlap.matrix, args.format, |c| overlap.shown(c))?;
    } else {
        print_rows(&overlap.pairs, args.format, |c| overlap.shown(c))?;
    }
    database.close_at_exit();
    Ok(0)
}
