//! `seg check [PATHS]`: report every problem in the project's segment files (or in the
//! given files, resolved together with the rest of the project).

use std::path::PathBuf;

use super::session::{Session, same_file};
use super::{Context, EXIT_PROBLEMS, Failure};
use crate::diagnostics::Severity;

/// Arguments of `seg check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or directories to check (default: the whole project).
    paths: Vec<PathBuf>,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &args.paths)?;
    let in_scope = |source| {
        args.paths.is_empty()
            || session
                .sources
                .get(source)
                .path
                .as_deref()
                .is_some_and(|p| {
                    args.paths
                        .iter()
                        .any(|given| same_file(p, given) || p.starts_with(given))
                })
    };
    let shown: Vec<_> = session
        .diagnostics
        .iter()
        .filter(|d| d.location().is_none_or(|l| in_scope(l.source)))
        .cloned()
        .collect();
    let checked = session.files.iter().filter(|(id, _)| in_scope(*id)).count();
    let errors = shown
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = shown.len() - errors;
    if !shown.is_empty() {
        eprint!("{}", session.render(&shown, context.style));
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors > 0 {
        let warnings = if warnings > 0 {
            format!(" and {}", plural(warnings, "warning"))
        } else {
            String::new()
        };
        eprintln!(
            "\nseg check: {}{warnings} in {}",
            plural(errors, "error"),
            plural(checked, "file")
        );

        return Ok(EXIT_PROBLEMS);
    }
    println!(
        "seg check: {} checked, {} segments, no errors{}",
        plural(checked, "file"),
        session.program.segments.len(),
        if warnings > 0 {
            format!(", {}", plural(warnings, "warning"))
        } else {
            String::new()
        }
    );
    Ok(0)
}
