//! `seg funnel`: parse the arguments, compute it with the application layer, print it.

use crate::app::funnel::funnel;
use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::output::{Format, outln, print_rows, thousands};

/// Arguments of `seg funnel`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The segment.
    segment: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let name = crate::app::segments::selected_segments(&session, Some(&args.segment))?.remove(0);
    let database = session.open_database(context, None)?;
    let definitions = session.definitions();
    let (rows, members, everyone) = funnel(&definitions, &name, &*database, session.as_of)?;
    if args.format == Format::Table {
        outln!(
            "segment {name}, as of {}: {} of {} customers",
            session.as_of,
            thousands(members),
            thousands(everyone)
        )?;
    }
    print_rows(&rows, args.format, crate::app::funnel::shown)?;
    database.close_at_exit();
    Ok(0)
}
