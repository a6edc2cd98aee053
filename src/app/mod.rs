//! The application layer: what both front ends (`cli`, `repl`) offer, computed once. A
//! [`Session`](session::Session) is a project read and checked; the operations (count,
//! explain, funnel, breakdown, overlap, load) take a session or its checked program and a
//! database, and return data (rows, counts, a report) for the front end to print. Nothing
//! here parses arguments or prints results; the front ends never import each other.

pub(crate) mod breakdown;
pub(crate) mod derived;
pub(crate) mod explain;
pub(crate) mod funnel;
pub(crate) mod load;
pub(crate) mod overlap;
pub(crate) mod segments;
pub(crate) mod session;

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::diagnostics::render::Style;
use crate::diagnostics::{Code, Diagnostic};
use crate::output::Unwritten;
use crate::source::SourceMap;

/// Exit status: the command could not run.
pub const EXIT_FAILURE: i32 = 2;
/// Exit status: problems were found.
pub const EXIT_PROBLEMS: i32 = 1;
/// Exit status: standard output was closed before everything was written (`seg … | head`):
/// 128 + SIGPIPE, as if the signal had ended the process, so a pipeline never reads it as
/// a success for output nobody received.
pub const EXIT_CLOSED_PIPE: i32 = 141;

/// Options every command shares.
#[derive(Clone)]
pub struct Context {
    pub(crate) project: Option<PathBuf>,
    pub(crate) style: Style,
    /// `--as-of`, if given.
    pub(crate) as_of: Option<NaiveDate>,
    /// `--timeout`, if given.
    pub(crate) timeout: Option<std::time::Duration>,
}

impl Context {
    /// The context with the project given as a command's positional argument, which must
    /// agree with `-p` when both are given.
    pub(crate) fn with_project(&self, positional: Option<PathBuf>) -> Result<Context, Failure> {
        let Some(positional) = positional else {
            return Ok(self.clone());
        };
        if let Some(named) = &self.project
            && !session::same_file(named, &positional)
        {
            return Err(Diagnostic::error(
                Code::BadArgument,
                format!(
                    "two projects named: {} and -p {}",
                    positional.display(),
                    named.display()
                ),
            )
            .with_help("name the project once")
            .into());
        }
        Ok(Context {
            project: Some(positional),
            ..self.clone()
        })
    }
}

/// Why a command stopped: the diagnostics to print and the exit code.
pub struct Failure {
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) sources: SourceMap,
    pub(crate) exit_code: i32,
}

impl Failure {
    pub(crate) fn could_not_run(diagnostics: Vec<Diagnostic>, sources: SourceMap) -> Failure {
        Failure {
            diagnostics,
            sources,
            exit_code: EXIT_FAILURE,
        }
    }
}

impl From<Unwritten> for Failure {
    /// A closed pipe ends the command quietly; any other failure is `seg::E046`.
    fn from(unwritten: Unwritten) -> Failure {
        if unwritten.is_closed_pipe() {
            return Failure {
                diagnostics: Vec::new(),
                sources: SourceMap::default(),
                exit_code: EXIT_CLOSED_PIPE,
            };
        }
        Failure::from(
            Diagnostic::error(
                Code::OutputUnwritable,
                format!("cannot write the output: {}", unwritten.0),
            )
            .with_help("check the disk or device that standard output goes to"),
        )
    }
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Failure {
        Failure::could_not_run(vec![diagnostic], SourceMap::default())
    }
}
