//! `seg test [PATHS]`: run the segment tests (`*.test.toml`) on in-memory databases built
//! from their fixture rows; print one line per test like `cargo test`, and a diff of
//! expected and actual members for each failure.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::app::session::Session;
use crate::app::{Context, EXIT_PROBLEMS, Failure};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::engine::table_rows::RowSource;
use crate::engine::{self, Cell, Database, TableRows};
use crate::output::{errln, errout, outln};
use crate::project;
use crate::segtest::{self, Expectation, TestCase};
use crate::source::SourceId;
use crate::sql::{self, Output};

/// Arguments of `seg test`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Test files or directories (default: every `*.test.toml` in the project).
    paths: Vec<PathBuf>,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let mut session = Session::open(context, &[])?;
    session.require_clean()?;
    let roots = if args.paths.is_empty() {
        vec![session.project.root.clone()]
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    let mut walk_problems = Vec::new();
    super::require_existing(&args.paths)?;
    for root in &roots {
        let before = files.len();
        walk_problems.extend(project::collect_test_files(root, root, &mut files));
        if files.len() == before && !args.paths.is_empty() {
            errln!(
                "warning: no segment tests (*.test.toml) at {}",
                root.display()
            );
        }
    }
    files.sort();

    let mut problems = walk_problems;
    let mut results: Vec<(String, Option<String>)> = Vec::new();
    for path in &files {
        let name = session.project.display_name(path);
        let id = match project::read_source(path, name.clone(), &mut session.sources) {
            Ok(id) => id,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let cases = match segtest::parse(id, &session.sources.get(id).text) {
            Ok(cases) => cases,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        for case in cases {
            let title = format!("{name}: {}", case.name);
            match run_case(&session, id, &case) {
                Ok(failure) => results.push((title, failure)),
                Err(problem) => problems.push(problem),
            }
        }
    }

    outln!("\nrunning {} tests", results.len())?;
    for (title, failure) in &results {
        outln!(
            "test {title} ... {}",
            if failure.is_some() { "FAILED" } else { "ok" }
        )?;
    }
    let failed: Vec<&(String, Option<String>)> =
        results.iter().filter(|(_, f)| f.is_some()).collect();
    if !failed.is_empty() {
        outln!("\nfailures:")?;
        for (title, failure) in &failed {
            outln!(
                "\n---- {title} ----\n{}",
                failure.as_deref().unwrap_or_default()
            )?;
        }
    }
    if !problems.is_empty() {
        errout!("{}", session.render(&problems, context.style));
    }
    let passed = results.len() - failed.len();
    let verdict = if failed.is_empty() && problems.is_empty() {
        "ok"
    } else {
        "FAILED"
    };
    outln!(
        "\ntest result: {verdict}. {passed} passed, {} failed",
        failed.len()
    )?;
    Ok(if verdict == "ok" { 0 } else { EXIT_PROBLEMS })
}

/// Runs one test; `Ok(Some(report))` when an expectation fails.
fn run_case(
    session: &Session,
    source: SourceId,
    case: &TestCase,
) -> Result<Option<String>, Diagnostic> {
    let database = fixture_database(session, source, case)?;
    let mut report = String::new();
    for expectation in &case.expect {
        if session.program.segment(&expectation.segment).is_none() {
            let names = session.program.segments.iter().map(|s| s.name.as_str());
            return Err(Diagnostic::error(
                Code::TestFile,
                format!("no segment named `{}`", expectation.segment),
            )
            .with_label(source, expectation.span, "not a segment")
            .with_optional_help(did_you_mean(&expectation.segment, names, "`")));
        }
        let query = sql::compile(
            &session.program,
            &expectation.segment,
            Output::Keys,
            database.dialect(),
            case.as_of,
        )
        .expect("segment exists");
        let rows = database.fetch(&query)?;
        let actual: BTreeSet<String> = rows.rows.iter().map(|r| key_text(&r[0])).collect();
        report.push_str(&compare(expectation, &actual));
    }
    Ok((!report.is_empty()).then_some(report))
}

/// The test's tables, with every table of the schema present (empty when not given).
fn fixture_database(
    session: &Session,
    source: SourceId,
    case: &TestCase,
) -> Result<Box<dyn Database>, Diagnostic> {
    let schema = &session.project.manifest.schema;
    let mut tables: Vec<String> = std::iter::once(&schema.customer)
        .chain(&schema.related)
        .map(|e| e.table.clone())
        .collect();
    tables.dedup();
    for fixture in &case.rows {
        if !tables.contains(&fixture.table) {
            let help = did_you_mean(&fixture.table, tables.iter().map(String::as_str), "`");
            return Err(Diagnostic::error(
                Code::TestFile,
                format!("the schema has no table `{}`", fixture.table),
            )
            .with_label(source, fixture.span, "rows for an unknown table")
            .with_optional_help(help));
        }
    }
    let mut fixtures = Vec::new();
    for table in &tables {
        let layout = schema.table_layout(table);
        let given = case
            .rows
            .iter()
            .filter(|f| &f.table == table)
            .flat_map(|f| &f.rows);
        let columns = layout.columns.clone();
        // A misspelt column would be left out of the row unnoticed, and the test pass for
        // the wrong reason: every column must be one the schema reads.
        for fixture in case.rows.iter().filter(|f| &f.table == table) {
            for column in fixture.rows.iter().flat_map(|row| row.keys()) {
                if !columns.contains(column) {
                    let help = did_you_mean(column, columns.iter().map(String::as_str), "`")
                        .unwrap_or_else(|| {
                            format!("the columns of `{table}` are {}", columns.join(", "))
                        });
                    return Err(Diagnostic::error(
                        Code::TestFile,
                        format!("`{table}` has no column `{column}` in the schema"),
                    )
                    .with_label(source, fixture.span, "a row with an unknown column")
                    .with_help(help));
                }
            }
        }
        let rows = RowSource::Memory(
            given
                .enumerate()
                .map(|(i, row)| (i + 1, columns.iter().map(|c| row.get(c).cloned()).collect()))
                .collect(),
        );
        let origin = format!("{} ({table} row)", session.sources.get(source).name);
        fixtures.push(TableRows {
            table: table.clone(),
            columns,
            rows,
            types: layout.types,
            indexes: Vec::new(),
            required: layout.required,
            unique: layout.unique,
            origin,
        });
    }
    engine::scratch(&fixtures)
}

fn key_text(cell: &Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Integer(n) => n.to_string(),
        Cell::Real(r) => r.to_string(),
        Cell::Text(t) => t.clone(),
    }
}

/// What differs between the expectation and the actual members, or nothing.
fn compare(expectation: &Expectation, actual: &BTreeSet<String>) -> String {
    let mut out = String::new();
    let list = |items: &BTreeSet<String>| items.iter().cloned().collect::<Vec<_>>().join(", ");
    if let Some(members) = &expectation.members {
        let expected: BTreeSet<String> = members.iter().cloned().collect();
        if &expected != actual {
            let missing: BTreeSet<String> = expected.difference(actual).cloned().collect();
            let unexpected: BTreeSet<String> = actual.difference(&expected).cloned().collect();
            out.push_str(&format!("{}: members differ\n", expectation.segment));
            out.push_str(&format!(
                "  expected: [{}]\n  actual:   [{}]\n",
                list(&expected),
                list(actual)
            ));
            if !missing.is_empty() {
                out.push_str(&format!("  - missing:    [{}]\n", list(&missing)));
            }
            if !unexpected.is_empty() {
                out.push_str(&format!("  + unexpected: [{}]\n", list(&unexpected)));
            }
        }
    }
    let wrongly_in: BTreeSet<String> = expectation
        .non_members
        .iter()
        .filter(|k| actual.contains(*k))
        .cloned()
        .collect();
    if !wrongly_in.is_empty() {
        out.push_str(&format!(
            "{}: should not contain [{}]\n",
            expectation.segment,
            list(&wrongly_in)
        ));
    }
    out
}
