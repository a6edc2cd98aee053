//! `seg compile [--segment NAME]`: the SQL and its parameters, as it would run.

use super::session::Session;
use super::{Context, Failure};
use crate::sql::{self, Output, Sqlite};

/// Arguments of `seg compile`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only this segment (default: every segment).
    #[arg(short, long)]
    segment: Option<String>,
    /// What the query returns: members' keys, or their count.
    #[arg(long)]
    count: bool,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let names = super::run::selected_segments(&session, args.segment.as_deref())?;
    let output = if args.count {
        Output::Count
    } else {
        Output::Keys
    };
    for (i, name) in names.iter().enumerate() {
        let segment = session
            .program
            .segment(name)
            .expect("selected from the program");
        let query = sql::compile(&session.program, name, output, &Sqlite, session.as_of)
            .expect("segment exists");
        if i > 0 {
            println!();
        }
        let position = session.position(segment.location.source, segment.location.span.start);
        println!("-- segment {name} ({position}), as of {}", session.as_of);
        print!("{query}");
    }
    Ok(0)
}
