//! `seg check [PATHS]`: report every problem and lint in the project's segment files (or in
//! the given files, resolved together with the rest of the project), as text for people or
//! as JSON, GitHub annotations or SARIF for CI. With `--db`, data-aware lints too.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::app::session::{Session, same_file};
use crate::app::{Context, EXIT_PROBLEMS, Failure};
use crate::diagnostics::{Diagnostic, Severity, formats};
use crate::engine::{Cell, Location};
use crate::lint::{self, data::Baseline};
use crate::output::{Unwritten, errln, errout, out, outln};

/// Arguments of `seg check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or directories to check (default: the whole project).
    paths: Vec<PathBuf>,
    /// How to print the problems.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// `--deny warnings`: fail (exit 1) on warnings too.
    #[arg(long, value_name = "warnings")]
    deny: Option<Deny>,
    /// Also run the data-aware lints on the database (the project's, or the SQLite file,
    /// `*.duckdb` file or PostgreSQL URL given).
    #[arg(long, value_name = "FILE|URL", num_args = 0..=1)]
    db: Option<Option<String>>,
    /// With `--db`: compare each segment's size with this file (see `--update-baseline`).
    #[arg(long, value_name = "FILE", requires = "db")]
    baseline: Option<PathBuf>,
    /// With `--baseline`: write the current sizes to the baseline file instead of comparing.
    #[arg(long, requires = "baseline")]
    update_baseline: bool,
}

/// Output formats of `seg check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// miette reports for people.
    Human,
    /// The JSON schema of docs/check-output.md.
    Json,
    /// GitHub Actions workflow annotations.
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// What `--deny` can turn into failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Deny {
    /// Every warning.
    Warnings,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    super::require_existing(&args.paths)?;
    let session = Session::open(context, &args.paths)?;
    if let Some(path) = args.baseline.as_ref().filter(|_| args.update_baseline) {
        session.check_output(path, "a baseline")?;
    }
    let config = &session.project.manifest.lints;
    let mut diagnostics = session.diagnostics.clone();
    diagnostics.extend(config.apply(lint::lint(&session.files, &session.project.manifest.schema)));
    if args.db.is_some() {
        diagnostics.extend(config.apply(data_lints(&session, &args, context)?));
    }

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
    let mut shown: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| d.location().is_none_or(|l| in_scope(l.source)))
        .collect();
    shown.sort_by_key(|d| d.location().map(|l| (l.source, l.span.start)));
    let checked = session.files.iter().filter(|(id, _)| in_scope(*id)).count();
    let errors = shown
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = shown
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();

    match args.format {
        Format::Human => print_human(&session, &shown, context, errors, warnings, checked)?,
        Format::Json => outln!("{}", formats::json(&shown, &session.sources, checked))?,
        Format::Github => out!("{}", formats::github(&shown, &session.sources))?,
        Format::Sarif => outln!("{}", formats::sarif(&shown, &session.sources))?,
    }
    let fail = errors > 0 || (args.deny == Some(Deny::Warnings) && warnings > 0);
    Ok(if fail { EXIT_PROBLEMS } else { 0 })
}

fn print_human(
    session: &Session,
    shown: &[Diagnostic],
    context: &Context,
    errors: usize,
    warnings: usize,
    checked: usize,
) -> Result<(), Unwritten> {
    if !shown.is_empty() {
        errout!("{}", session.render(shown, context.style));
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors > 0 {
        let warnings = if warnings > 0 {
            format!(" and {}", plural(warnings, "warning"))
        } else {
            String::new()
        };
        errln!(
            "\nseg check: {}{warnings} in {}",
            plural(errors, "error"),
            plural(checked, "file")
        );
        return Ok(());
    }
    let warnings = if warnings > 0 {
        format!(", {}", plural(warnings, "warning"))
    } else {
        String::new()
    };
    outln!(
        "seg check: {} checked, {} segments, no errors{warnings}",
        plural(checked, "file"),
        session.program.segments.len()
    )
}

/// Counts every segment on the database and runs the data-aware lints.
fn data_lints(
    session: &Session,
    args: &Args,
    context: &Context,
) -> Result<Vec<Diagnostic>, Failure> {
    let database = session.open_database(
        context,
        args.db.clone().flatten().map(|db| Location::parse(&db)),
    )?;
    let names: Vec<String> = session
        .program
        .segments
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let counts: BTreeMap<String, u64> = crate::app::segments::count_segments(
        session.as_of,
        &session.program,
        &*database,
        &names,
        threads,
    )?
    .into_iter()
    .map(|(name, count)| match count {
        Cell::Integer(n) => Ok((name, n.max(0) as u64)),
        other => Err(Diagnostic::error(
            crate::diagnostics::Code::DatabaseError,
            format!("counting `{name}` returned {other:?}"),
        )),
    })
    .collect::<Result<_, _>>()?;
    let as_of = session.as_of.to_string();
    let keys = database.fetch(&crate::sql::key_check_query(
        &session.program,
        database.dialect(),
    ))?;
    let number = |i: usize| match keys.rows.first().and_then(|r| r.get(i)) {
        Some(Cell::Integer(n)) => (*n).max(0) as u64,
        _ => 0,
    };
    let mut out: Vec<Diagnostic> =
        lint::data::customer_keys(&session.program, number(0), number(1))
            .into_iter()
            .collect();
    out.extend(super::index::missing_index_warnings(session, &*database)?);
    database.close_at_exit();
    out.extend(lint::data::empty_segments(
        &session.program,
        &counts,
        &as_of,
    ));
    if let Some(baseline_path) = &args.baseline {
        if args.update_baseline {
            Baseline {
                version: 1,
                as_of,
                segments: counts,
            }
            .write(baseline_path)?;
            errln!(
                "seg check: wrote the sizes of {} segments to {}",
                session.program.segments.len(),
                baseline_path.display()
            );
        } else {
            let baseline = Baseline::read(baseline_path)?;
            let threshold = session.project.manifest.lints.size_change_threshold;
            out.extend(lint::data::size_changes(
                &session.program,
                &counts,
                &baseline,
                threshold,
            ));
        }
    }
    Ok(out)
}
