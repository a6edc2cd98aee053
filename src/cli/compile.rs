//! `seg compile [--segment NAME] [--count | --batch]`: the SQL and its parameters, as it
//! would run.

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
    /// One query counting every selected segment, with the aggregates they share computed
    /// once (what `seg run` runs).
    #[arg(long, conflicts_with = "count")]
    batch: bool,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let names = super::run::selected_segments(&session, args.segment.as_deref())?;
    if args.batch {
        let selected: Vec<&str> = names.iter().map(String::as_str).collect();
        let query = sql::compile_counts(&session.program, &selected, &Sqlite, session.as_of)
            .expect("segments exist");
        println!(
            "-- {} segments counted in one query, as of {}",
            names.len(),
            session.as_of
        );
        print!("{query}");
        return Ok(0);
    }
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
