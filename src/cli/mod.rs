//! The `seg` command line: parses arguments and composes the stages. Holds no language logic.
//!
//! Exit codes: 0 success; 1 problems were found in the segments (`check`, or any command
//! whose segments do not check); 2 the command could not run (no manifest, no database, a
//! database error, bad arguments).

mod breakdown;
mod check;
mod compile;
mod duration;
mod explain;
mod export;
mod fmt;
mod funnel;
mod history;
mod index;
mod infer;
mod list;
mod load;
mod materialize;
mod overlap;
mod review;
mod run;
mod selection;
mod test;

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{CommandFactory, Parser, Subcommand};

use crate::app::{Context, Failure};
use crate::diagnostics::render::{Style, render_all};
use crate::output::{Unwritten, errout};

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "seg",
    version,
    about = "Customer segments as code: check, compile and run segment files"
)]
pub struct Cli {
    /// The segment project (a directory with seg.toml); default: the nearest one above the
    /// current directory.
    #[arg(short = 'p', long, global = true, value_name = "DIR")]
    project: Option<PathBuf>,

    /// Draw diagnostics without colour, 80 columns wide.
    #[arg(long, global = true)]
    plain: bool,

    /// The date relative dates are counted from ("last 90 days", "today"), as YYYY-MM-DD;
    /// default: the project's `as_of` in seg.toml, or else today in UTC.
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<NaiveDate>,

    /// Stop any query that runs longer than this (a coded error, seg::E033): seconds (`30`,
    /// `1.5`) or with a unit (`500ms`, `30s`, `2m`, `1h`), at most 24 hours.
    #[arg(long, global = true, value_name = "DURATION", value_parser = duration::parse)]
    timeout: Option<std::time::Duration>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check segment files for errors (all files of the project, or the given ones).
    Check(check::Args),
    /// Rewrite segment files in the canonical layout (`--check`: only list them).
    Fmt(fmt::Args),
    /// Print the SQL (and bound parameters) for segments.
    Compile(compile::Args),
    /// Count segment members, or list the members of one segment.
    Run(run::Args),
    /// Run the segment tests (`*.test.toml`) on their fixture rows.
    Test(test::Args),
    /// Why a customer is or is not in a segment: each condition's truth and value.
    Explain(explain::Args),
    /// The count after each condition of a segment, and without each one (attrition).
    Funnel(funnel::Args),
    /// How much segments overlap: customers in both and the Jaccard index, per pair.
    Overlap(overlap::Args),
    /// How a segment's members spread over a field's values, buckets or years.
    Breakdown(breakdown::Args),
    /// Write a segment's members with chosen fields as CSV or JSON Lines.
    Export(export::Args),
    /// Record segments' members in the database, keeping their history.
    Materialize(materialize::Args),
    /// A segment's materialized runs: when, as of which date, how many members.
    History(history::HistoryArgs),
    /// Who entered and who left a segment between two runs; with --rev, what a change to
    /// the segment files does to every segment.
    Diff(history::DiffArgs),
    /// The indexes the segments need; `--apply` creates the missing ones.
    Index(index::Args),
    /// List the project's segments with their documentation.
    List,
    /// Build the project's database (SQLite, DuckDB or PostgreSQL) from the `[data]` files
    /// named in seg.toml.
    Load,
    /// Explore interactively: type conditions, see counts and members at once.
    Repl {
        /// The segment project (same as `--project`).
        #[arg(id = "project_dir", value_name = "PROJECT")]
        project: Option<PathBuf>,
    },
    /// Work with the customer schema.
    Schema {
        #[command(subcommand)]
        command: SchemaCommand,
    },
}

#[derive(Subcommand, Debug)]
enum SchemaCommand {
    /// Write a starting seg.toml from an existing SQLite database.
    Infer(infer::Args),
}

/// Runs `seg` with the process's arguments; returns the exit code. `repl` runs the
/// interactive front end for `seg repl` (the two front ends do not import each other).
pub fn run(repl: fn(&Context) -> Result<i32, Failure>) -> i32 {
    let arguments: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&arguments) {
        Ok(cli) => cli,
        Err(error) if error.use_stderr() => {
            // A bad argument is a coded error like any other (seg::E047), with clap's
            // words and the usage as help.
            let text = error.render().to_string();
            let text = text.trim().strip_prefix("error: ").unwrap_or(text.trim());
            let (message, help) = text.split_once('\n').unwrap_or((text, ""));
            let problem = crate::diagnostics::Diagnostic::error(
                crate::diagnostics::Code::BadArgument,
                message.trim().to_string(),
            )
            .with_optional_help(Some(help.trim().to_string()).filter(|h| !h.is_empty()));
            return report(problem.into(), Style::Terminal);
        }
        Err(error) => {
            let printed = error.print();
            // `--help` and `--version` go to stdout, which may be closed or full.
            return match printed {
                Ok(()) => 0,
                Err(failed) => report(Failure::from(Unwritten(failed)), Style::Plain),
            };
        }
    };
    let style = if cli.plain {
        Style::Plain
    } else {
        Style::Terminal
    };
    if let Err(failure) = given_once(&arguments) {
        return report(failure, style);
    }
    let timeout = cli.timeout;
    let context = Context {
        project: cli.project.clone(),
        style,
        timeout,
        as_of: cli.as_of,
    };
    let result = match cli.command {
        Command::Check(args) => check::run(&context, args),
        Command::Compile(args) => compile::run(&context, args),
        Command::Fmt(args) => fmt::run(&context, args),
        Command::Run(args) => run::run(&context, args),
        Command::List => list::run(&context),
        Command::Index(args) => index::run(&context, args),
        Command::Test(args) => test::run(&context, args),
        Command::Explain(args) => explain::run(&context, args),
        Command::Funnel(args) => funnel::run(&context, args),
        Command::Overlap(args) => overlap::run(&context, args),
        Command::Breakdown(args) => breakdown::run(&context, args),
        Command::Export(args) => export::run(&context, args),
        Command::Materialize(args) => materialize::run(&context, args),
        Command::History(args) => history::history(&context, args),
        Command::Diff(args) => history::diff(&context, args),
        Command::Load => load::run(&context),
        Command::Repl { project } => context.with_project(project).and_then(|c| repl(&c)),
        Command::Schema {
            command: SchemaCommand::Infer(args),
        } => infer::run(&context, args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => report(failure, style),
    }
}

/// The options that apply to every command; clap keeps only the last of two given before
/// and after the subcommand.
const GLOBAL_OPTIONS: [&str; 3] = ["project", "as_of", "timeout"];

/// Refuses an option that applies to every command (`-p`, `--as-of`, `--timeout`) given
/// twice with different values, before and after the subcommand (`seg -p A run -p B`):
/// one of them would be silently ignored. The arguments are read again with those options
/// made local to each command, so each level keeps what was given there.
fn given_once(arguments: &[std::ffi::OsString]) -> Result<(), Failure> {
    let mut command = Cli::command();
    for id in GLOBAL_OPTIONS {
        command = command.mut_arg(id, |arg| arg.global(false));
    }
    let local: Vec<clap::Arg> = command
        .get_arguments()
        .filter(|arg| GLOBAL_OPTIONS.contains(&arg.get_id().as_str()))
        .cloned()
        .collect();
    let Ok(matches) = with_local(command, &local).try_get_matches_from(arguments) else {
        return Ok(());
    };
    for id in GLOBAL_OPTIONS {
        // What each level was given, as written and as meant: `./p/` and `p` are one
        // folder, `30` and `30s` one limit.
        let mut given: std::collections::BTreeMap<String, String> = Default::default();
        let mut level = Some(&matches);
        while let Some(current) = level {
            if let Some(meant) = meaning(current, id) {
                let written = current
                    .get_raw(id)
                    .into_iter()
                    .flatten()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(" ");
                given.entry(meant).or_insert(written);
            }
            level = current.subcommand().map(|(_, sub)| sub);
        }
        if given.len() > 1 {
            let listed: Vec<String> = given.values().map(|v| format!("`{v}`")).collect();
            return Err(crate::diagnostics::Diagnostic::error(
                crate::diagnostics::Code::BadArgument,
                format!(
                    "--{} is given twice, as {}",
                    id.replace('_', "-"),
                    listed.join(" and ")
                ),
            )
            .with_help("give it once, before or after the subcommand")
            .into());
        }
    }
    Ok(())
}

/// What a global option given at this level means, comparable across levels.
fn meaning(level: &clap::ArgMatches, id: &str) -> Option<String> {
    match id {
        "project" => level.try_get_one::<PathBuf>(id).ok().flatten().map(|path| {
            let real = path.canonicalize().unwrap_or_else(|_| path.clone());
            real.to_string_lossy().into_owned()
        }),
        "as_of" => level
            .try_get_one::<NaiveDate>(id)
            .ok()
            .flatten()
            .map(NaiveDate::to_string),
        _ => level
            .try_get_one::<std::time::Duration>(id)
            .ok()
            .flatten()
            .map(|limit| format!("{limit:?}")),
    }
}

/// `command` with `local` added to each of its subcommands, at every depth.
fn with_local(command: clap::Command, local: &[clap::Arg]) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    names.iter().fold(command, |command, name| {
        command.mut_subcommand(name, |sub| {
            with_local(sub.args(local.iter().cloned()), local)
        })
    })
}

/// Prints why the command stopped; returns its exit code.
fn report(failure: Failure, style: Style) -> i32 {
    errout!(
        "{}",
        render_all(&failure.diagnostics, &failure.sources, style)
    );
    failure.exit_code
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    crate::calendar::parse_as_of(text)
}

/// Refuses a path named on the command line that does not exist: a command with nothing
/// there to check, format or test could not run (exit 2); it found no problems.
fn require_existing(paths: &[PathBuf]) -> Result<(), Failure> {
    match paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        Some(missing) => Err(crate::diagnostics::Diagnostic::error(
            crate::diagnostics::Code::FileUnreadable,
            format!(
                "cannot read {}: no such file or directory",
                missing.display()
            ),
        )
        .into()),
        None => Ok(()),
    }
}
