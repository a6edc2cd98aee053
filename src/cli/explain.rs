//! `seg explain`: parse the arguments, compute it with the application layer, print it.

use crate::app::explain::explanation;
use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::output::out;

/// Arguments of `seg explain`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The segment.
    segment: String,
    /// The customer's key.
    #[arg(long, value_name = "KEY")]
    customer: String,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let name = crate::app::segments::selected_segments(&session, Some(&args.segment))?.remove(0);
    let database = session.open_database(context, None)?;
    let definitions = session.definitions();
    out!(
        "{}",
        explanation(
            &definitions,
            &name,
            &name,
            &args.customer,
            &*database,
            session.as_of
        )?
    )?;
    database.close_at_exit();
    Ok(0)
}
