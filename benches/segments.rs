//! Benchmark: each of the twenty segments in benches/project against a hand-written query
//! for the same question (benches/expert/<name>.sql), on the generated database. Prints
//! both times, their ratio, and whether the counts agree; then all twenty together against
//! the slowest one, and the compile throughput. Not a test: see docs/performance.md.
//!
//! `cargo run --release --example generate-bench && cargo bench --bench segments`

use std::path::Path;
use std::time::{Duration, Instant};

use seglang::check::{self, Imports};
use seglang::engine::{self, Cell, Database, Location};
use seglang::project::Project;
use seglang::source::SourceMap;
use seglang::sql::{self, Output, Query, Sqlite};

const RUNS: usize = 5;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/project");
    let mut sources = SourceMap::default();
    let project = Project::load(&root, &mut sources).expect("the benchmark project loads");
    let Ok(Some(Location::File(database_path))) = project.database() else {
        panic!("the benchmark project names a SQLite file");
    };
    if !database_path.exists() {
        eprintln!(
            "no {}: run `cargo run --release --example generate-bench` first",
            database_path.display()
        );
        std::process::exit(1);
    }
    let mut files = Vec::new();
    for path in project.segment_files_and_problems().0 {
        let id = seglang::project::read_source(&path, path.display().to_string(), &mut sources)
            .expect("readable");
        let (file, errors) = seglang::syntax::parse(id, &sources.get(id).text);
        assert!(errors.is_empty(), "{errors:?}");
        files.push((id, file));
    }
    let (program, errors) = check::check(&files, &Imports::default(), &project.manifest.schema);
    assert!(errors.is_empty(), "{errors:?}");
    let as_of = project
        .manifest
        .as_of
        .expect("the project pins its as-of date");
    let database = engine::connect(&Location::File(database_path))
        .open_read_only(None)
        .expect("the database opens");
    let customers = database
        .count(&plain("SELECT COUNT(*) FROM customers"))
        .unwrap();
    let orders = database
        .count(&plain("SELECT COUNT(*) FROM orders"))
        .unwrap();
    println!("{customers} customers, {orders} orders, as of {as_of}\n");
    println!(
        "{:<20} {:>10} {:>10} {:>7}  counts",
        "segment", "seglang", "expert", "ratio"
    );

    let mut counts = Vec::new();
    let mut total = Duration::ZERO;
    let mut slowest = Duration::ZERO;
    let mut worst_ratio: f64 = 0.0;
    for segment in &program.segments {
        let ours =
            sql::compile(&program, &segment.name, Output::Count, &Sqlite, as_of).expect("compiles");
        let expert_path = root.join("../expert").join(format!("{}.sql", segment.name));
        let expert = plain(&std::fs::read_to_string(&expert_path).expect("an expert query"));
        let ((our_time, our_count), (expert_time, expert_count)) =
            best_of_pair(&*database, &ours, &expert);
        let ratio = our_time.as_secs_f64() / expert_time.as_secs_f64().max(1e-6);
        worst_ratio = worst_ratio.max(ratio);
        total += our_time;
        slowest = slowest.max(our_time);
        counts.push(our_count);
        let agree = if our_count == expert_count {
            "agree".to_string()
        } else {
            format!("DIFFER {our_count} vs {expert_count}")
        };
        println!(
            "{:<20} {:>8.0}ms {:>8.0}ms {:>6.2}×  {agree} ({our_count})",
            segment.name,
            our_time.as_secs_f64() * 1000.0,
            expert_time.as_secs_f64() * 1000.0,
            ratio
        );
    }
    println!(
        "\nall {} one after another: {:.1} s, {:.1}× the slowest single segment; worst ratio {:.2}×",
        program.segments.len(),
        total.as_secs_f64(),
        total.as_secs_f64() / slowest.as_secs_f64(),
        worst_ratio
    );
    let names: Vec<&str> = program.segments.iter().map(|s| s.name.as_str()).collect();
    let batch = sql::compile_counts(&program, &names, &Sqlite, as_of).expect("compiles");
    let mut batch_time = Duration::MAX;
    let mut batch_counts = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let rows = database.fetch(&batch).expect("the batch runs");
        batch_time = batch_time.min(started.elapsed());
        batch_counts = rows.rows[0]
            .iter()
            .map(|cell| match cell {
                Cell::Integer(n) => *n as u64,
                other => panic!("a count, not {other:?}"),
            })
            .collect();
    }
    println!(
        "all {} in one batch (`seg run --threads 1`): {:.1} s, {:.2}× the slowest single segment; counts {}",
        names.len(),
        batch_time.as_secs_f64(),
        batch_time.as_secs_f64() / slowest.as_secs_f64(),
        if batch_counts == counts {
            "agree"
        } else {
            "DIFFER"
        }
    );
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let batches = sql::split_batches(&program, &names, threads);
    let queries: Vec<Query> = batches
        .iter()
        .map(|batch| sql::compile_counts(&program, batch, &Sqlite, as_of).expect("compiles"))
        .collect();
    let mut side_by_side = Duration::MAX;
    let mut split_counts: Vec<(&str, u64)> = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let results = database
            .fetch_side_by_side(&queries)
            .expect("the batches run")
            .expect("nothing writes the benchmark's database");
        side_by_side = side_by_side.min(started.elapsed());
        split_counts.clear();
        for (batch, rows) in batches.iter().zip(results) {
            for (name, cell) in batch.iter().zip(&rows.rows[0]) {
                let Cell::Integer(n) = cell else {
                    panic!("a count")
                };
                split_counts.push((name, *n as u64));
            }
        }
    }
    let split_agree = split_counts.iter().all(|(name, n)| {
        names
            .iter()
            .position(|m| m == name)
            .is_some_and(|i| counts[i] == *n)
    }) && split_counts.len() == names.len();
    println!(
        "all {} in {} batches side by side (`seg run`, {threads} cores): {:.1} s, {:.2}× the slowest single segment; counts {}",
        names.len(),
        batches.len(),
        side_by_side.as_secs_f64(),
        side_by_side.as_secs_f64() / slowest.as_secs_f64(),
        if split_agree { "agree" } else { "DIFFER" }
    );
    for batch in &batches {
        println!("  batch: {}", batch.join(", "));
    }

    // The REPL's preview: one customer in k (about 10,000), aggregates probed per customer.
    let one_in = (customers / 10_000).max(1);
    println!("\nsample previews, one customer in {one_in} (what the REPL shows first):");
    println!(
        "{:<20} {:>8} {:>10} {:>10} {:>7}",
        "segment", "time", "estimate", "exact", "error"
    );
    let mut slowest_preview = Duration::ZERO;
    for (segment, exact) in program.segments.iter().zip(&counts) {
        let Some(sample) =
            sql::sample_queries(&program, &segment.name, one_in, 0, 5, &Sqlite, as_of)
        else {
            println!("{:<20} (RFM: no preview)", segment.name);
            continue;
        };
        let mut fastest = Duration::MAX;
        let mut estimate = 0.0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let row = database.fetch(&sample.estimate).expect("the estimate runs");
            database
                .fetch(&sample.members)
                .expect("the sample members run");
            fastest = fastest.min(started.elapsed());
            let (Cell::Integer(sampled), Cell::Integer(members)) =
                (&row.rows[0][0], &row.rows[0][1])
            else {
                panic!("two counts");
            };
            estimate = *members as f64 / (*sampled).max(1) as f64 * customers as f64;
        }
        slowest_preview = slowest_preview.max(fastest);
        println!(
            "{:<20} {:>6.0}ms {:>10.0} {:>10} {:>+6.1}%",
            segment.name,
            fastest.as_secs_f64() * 1000.0,
            estimate,
            exact,
            (estimate - *exact as f64) / (*exact).max(1) as f64 * 100.0
        );
    }
    println!(
        "slowest preview: {:.0} ms",
        slowest_preview.as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let rounds = 200;
    for _ in 0..rounds {
        for segment in &program.segments {
            let _ = sql::compile(&program, &segment.name, Output::Count, &Sqlite, as_of);
        }
    }
    let per = started.elapsed() / (rounds * program.segments.len() as u32);
    println!("compile: {:.1} µs per segment", per.as_secs_f64() * 1e6);
}

fn plain(sql: &str) -> Query {
    Query {
        sql: sql.to_string(),
        params: Vec::new(),
    }
}

/// For each query, the fastest of `RUNS` runs and its count. The two alternate, so that
/// a change in the machine's load affects both alike.
fn best_of_pair(
    database: &dyn Database,
    a: &Query,
    b: &Query,
) -> ((Duration, u64), (Duration, u64)) {
    let mut fastest = [Duration::MAX; 2];
    let mut counts = [0; 2];
    for _ in 0..RUNS {
        for (i, query) in [a, b].into_iter().enumerate() {
            let started = Instant::now();
            counts[i] = database.count(query).expect("the query runs");
            fastest[i] = fastest[i].min(started.elapsed());
        }
    }
    ((fastest[0], counts[0]), (fastest[1], counts[1]))
}
