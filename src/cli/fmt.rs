//! `seg fmt [PATHS] [--check]`: rewrite segment files in the canonical layout, or (with
//! `--check`) list the files that would change and exit 1.

use std::path::PathBuf;

use crate::app::{Context, EXIT_PROBLEMS, Failure};
use crate::diagnostics::render::render_all;
use crate::diagnostics::{Code, Diagnostic};
use crate::output::{errln, errout, outln};
use crate::project::{self, Project};
use crate::source::SourceMap;

/// Arguments of `seg fmt`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or directories to format (default: the project's segment files).
    paths: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    check: bool,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let mut sources = SourceMap::default();
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    if args.paths.is_empty() {
        let start = context
            .project
            .clone()
            .unwrap_or_else(|| PathBuf::from("."));
        let project = Project::discover(&start, &mut sources)
            .map_err(|d| Failure::could_not_run(d, sources.clone()))?;
        let (found, problems) = project.segment_files_and_problems();
        files = found;
        unreadable.extend(problems);
    } else {
        super::require_existing(&args.paths)?;
        for path in &args.paths {
            let before = files.len();
            unreadable.extend(project::collect_segment_files(path, &mut files));
            if files.len() == before {
                errln!("warning: no segment files (*.seg) at {}", path.display());
            }
        }
    }
    let mut unformatted = Vec::new();
    let mut broken = false;
    for path in &files {
        let name = path.display().to_string();
        // A file that cannot be read is one problem; the others are still formatted.
        let id = match project::read_source(path, name.clone(), &mut sources) {
            Ok(id) => id,
            Err(problem) => {
                unreadable.push(problem);
                continue;
            }
        };
        let text = sources.get(id).text.clone();
        match crate::format::format(id, &text) {
            Ok(formatted) if formatted == *text => {}
            Ok(formatted) => {
                if args.check {
                    outln!("{name}")?;
                } else {
                    if let Err(problem) = replace(path, &formatted) {
                        unreadable.push(problem);
                        continue;
                    }
                    outln!("formatted {name}")?;
                }
                unformatted.push(name);
            }
            Err(errors) => {
                errout!("{}", render_all(&errors, &sources, context.style));
                broken = true;
            }
        }
    }
    if !unreadable.is_empty() {
        errout!("{}", render_all(&unreadable, &sources, context.style));
    }
    if broken {
        errln!("seg fmt: files with syntax errors were left unchanged");
        return Ok(EXIT_PROBLEMS);
    }
    if !unreadable.is_empty() {
        return Ok(EXIT_PROBLEMS);
    }
    if args.check && !unformatted.is_empty() {
        errln!(
            "seg fmt --check: {} of {} files would be reformatted",
            unformatted.len(),
            files.len()
        );
        return Ok(EXIT_PROBLEMS);
    }
    Ok(0)
}

/// Replaces the file's text whole (see [`crate::files::write_whole`]): a crash leaves the
/// old text or the new.
fn replace(path: &std::path::Path, text: &str) -> Result<(), Diagnostic> {
    crate::files::write_whole(path, text.as_bytes()).map_err(|e| {
        Diagnostic::error(
            Code::FileUnreadable,
            format!("cannot write {}: {e}", path.display()),
        )
    })
}
