//! `seg materialize [--segment NAME]…`: record the segments' members in the database
//! (`seg_runs`, `seg_members`), keeping every earlier run, in one transaction. A segment
//! whose definition, as-of date and members are those of its latest run is left alone.

use std::io::IsTerminal;

use super::selection::SelectionArgs;
use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::check::ir::Program;
use crate::engine::{self, Outcome, Run};
use crate::output::outln;
use crate::sql::{self, Output};

/// Arguments of `seg materialize`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Which segments (default: every segment).
    #[command(flatten)]
    selection: SelectionArgs,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let names = crate::app::segments::select(&session, &args.selection.selection())?;
    // Builds the database if needed and checks it against the manifest.
    let dialect = session.open_database(context, None)?.dialect();
    let location = session.database_location()?;
    let as_of = session.as_of.to_string();
    let runs: Vec<Run> = names
        .iter()
        .map(|name| Run {
            segment: name.clone(),
            definition: definition(&session.program, name),
            as_of: as_of.clone(),
            keys: sql::compile(&session.program, name, Output::Keys, dialect, session.as_of)
                .expect("selected"),
        })
        .collect();
    // A progress bar on a terminal only; nothing in logs or pipes.
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(runs.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} segments, {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let computed_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let outcomes = engine::connect(&location).materialize(&runs, &computed_at, &mut |done| {
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let outcomes = outcomes?;
    for (name, outcome) in names.iter().zip(outcomes) {
        match outcome {
            Outcome::Recorded { run, members } => {
                outln!("{name}: {} (run {run})", members_text(members))?;
            }
            Outcome::Unchanged { run, members } => {
                outln!(
                    "{name}: {}, unchanged since run {run}",
                    members_text(members)
                )?;
            }
        }
    }
    Ok(0)
}

fn members_text(members: u64) -> String {
    let plural = if members == 1 { "" } else { "s" };
    format!("{} member{plural}", crate::output::thousands(members))
}

/// A fingerprint of a segment's checked definition and of every segment it uses (FNV-1a,
/// 64 bits, hex): the same text means the same meaning, whatever the as-of date.
pub fn definition(program: &Program, name: &str) -> String {
    let mut text = String::new();
    let mut pending = vec![name.to_string()];
    let mut seen = Vec::new();
    while let Some(next) = pending.pop() {
        if seen.contains(&next) {
            continue;
        }
        let Some(segment) = program.segment(&next) else {
            continue;
        };
        text.push_str(&format!("{next}: {:?}\n", segment.condition));
        let mut referenced = Vec::new();
        segment.condition.referenced_segments(&mut referenced);
        pending.extend(referenced.into_iter().map(str::to_string));
        seen.push(next);
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
