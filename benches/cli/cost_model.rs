//! The batch cost model (`sql::batch_cost`, which `seg run` uses to split segments across
//! cores) set beside measured times: each segment alone, groups that share facts, every
//! segment in one query, and the batches the model splits them into. The queries are the
//! ones `seg run --count` sends, run in this process on the SQLite database.

use std::path::Path;
use std::time::{Duration, Instant};

use seglang::check::{self, Imports, ir::Program};
use seglang::engine::{self, Database, Location};
use seglang::project::Project;
use seglang::source::SourceMap;
use seglang::sql::{self, Output, Query, Sqlite};

use super::{ms, ratio};

/// The checked program of the benchmark project at `project`, and its as-of date.
fn program(project: &Path) -> (Program, chrono::NaiveDate) {
    let mut sources = SourceMap::default();
    let loaded = Project::load(project, &mut sources).expect("the benchmark project loads");
    let mut files = Vec::new();
    for path in loaded.segment_files_and_problems().0 {
        let id = seglang::project::read_source(&path, path.display().to_string(), &mut sources)
            .expect("readable");
        let (file, errors) = seglang::syntax::parse(id, &sources.get(id).text);
        assert!(errors.is_empty(), "{errors:?}");
        files.push((id, file));
    }
    let (program, errors) = check::check(&files, &Imports::default(), &loaded.manifest.schema);
    assert!(errors.is_empty(), "{errors:?}");
    (program, loaded.manifest.as_of.expect("a pinned as-of date"))
}

/// The query `seg run --count` sends for `names` in one batch.
fn batch_query(program: &Program, names: &[&str], as_of: chrono::NaiveDate) -> Query {
    match names {
        [one] => sql::compile(program, one, Output::Count, &Sqlite, as_of),
        _ => sql::compile_counts(program, names, &Sqlite, as_of),
    }
    .expect("the segments exist")
}

fn best_of(database: &dyn Database, query: &Query, runs: usize) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            database.fetch(query).expect("the query runs");
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Prints the model's estimate beside the measured time for each group, and how well the
/// model's two-way split of all segments does against one query.
pub fn check(project: &Path, runs: usize) {
    let (program, as_of) = program(project);
    let database = engine::connect(&Location::File(project.join("bench.db")))
        .open_read_only(None)
        .expect("the database opens");
    let names: Vec<&str> = program.segments.iter().map(|s| s.name.as_str()).collect();
    let behavioural = ["Frequent90", "HolidaySpend", "LifetimeOver1000", "Lapsed"];
    let mut groups: Vec<(String, Vec<&str>)> = names
        .iter()
        .map(|name| (name.to_string(), vec![*name]))
        .collect();
    groups.push(("the four behavioural ones".into(), behavioural.to_vec()));
    groups.push(("all twenty".into(), names.clone()));
    for (i, batch) in sql::split_batches(&program, &names, 2)
        .into_iter()
        .enumerate()
    {
        groups.push((format!("all twenty, model's batch {} of 2", i + 1), batch));
    }
    for (i, batch) in sql::split_batches(&program, &behavioural, 2)
        .into_iter()
        .enumerate()
    {
        groups.push((format!("the four, model's batch {} of 2", i + 1), batch));
    }
    println!("| one query counting | model | measured | measured / model |");
    println!("|---|---|---|---|");
    let mut factors = Vec::new();
    for (label, group) in &groups {
        let model = Duration::from_millis(sql::batch_cost(&program, group) * 100);
        let measured = best_of(&*database, &batch_query(&program, group, as_of), runs);
        factors.push(ratio(measured, model));
        println!(
            "| {label} | {} ms | {} ms | {:.2} |",
            ms(model),
            ms(measured),
            ratio(measured, model)
        );
    }
    let (low, high) = factors
        .iter()
        .fold((f64::MAX, 0.0f64), |(l, h), f| (l.min(*f), h.max(*f)));
    println!("\nMeasured / model ranges from {low:.2} to {high:.2}.\n");
    for (label, group) in [
        ("all twenty", &names),
        ("the four behavioural ones", &behavioural.to_vec()),
    ] {
        let one = best_of(&*database, &batch_query(&program, group, as_of), runs);
        let split = sql::split_batches(&program, group, 2);
        let queries: Vec<Query> = split
            .iter()
            .map(|batch| batch_query(&program, batch, as_of))
            .collect();
        let side_by_side = (0..runs)
            .map(|_| {
                let started = Instant::now();
                database
                    .fetch_side_by_side(&queries)
                    .expect("the batches run");
                started.elapsed()
            })
            .min()
            .unwrap_or_default();
        println!(
            "{label}: one query {} ms; the model's split into {} batches on two cores {} ms ({:.2}×).",
            ms(one),
            split.len(),
            ms(side_by_side),
            ratio(side_by_side, one)
        );
    }
    println!();
}
