//! Benchmark: input built to be expensive, timed as whole runs of the release `seg` binary.
//! A 1 MB file with one `and` of 60,000 terms (every one a duplicate of another, so the
//! lints have 60,000 findings to report), checked in the human and JSON formats; and a chain
//! of 10,000 segment references (in two files), checked and run, which seg refuses past 100
//! deep (seg::E063). Goal: under one second each. Not a test: `cargo bench --bench
//! pathological` prints the figures (see docs/performance.md).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn main() {
    let long_and = project("and");
    let terms: Vec<String> = (0..60_000)
        .map(|i| format!("income != {}", i % 100))
        .collect();
    std::fs::write(
        long_and.path().join("segments/long.seg"),
        format!("segment Long where {}\n", terms.join(" and ")),
    )
    .expect("write the long file");
    time(
        long_and.path(),
        &["check"],
        "one `and` of 60,000 terms, seg check",
    );
    time(
        long_and.path(),
        &["check", "--format", "json"],
        "one `and` of 60,000 terms, seg check --format json",
    );

    let chain = project("chain");
    let segments = chain.path().join("segments");
    let line = |i: usize| format!("segment C{i} where C{} or income > {i}\n", i + 1);
    let first: String = (0..5_000).map(line).collect();
    let second: String =
        (5_000..9_999).map(line).collect::<String>() + "segment C9999 where city = 'x'\n";
    std::fs::write(segments.join("a.seg"), format!("import 'b.seg'\n{first}")).expect("write");
    std::fs::write(segments.join("b.seg"), second).expect("write");
    time(
        chain.path(),
        &["check"],
        "a chain of 10,000 references, seg check",
    );
    time(
        chain.path(),
        &["run", "--count"],
        "a chain of 10,000 references, seg run --count",
    );
}

/// The retail example's manifest and data, loaded, with an empty segments folder.
fn project(label: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("seglang-bench-{label}-"))
        .tempdir()
        .expect("a temporary directory");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/retail");
    std::fs::create_dir_all(dir.path().join("segments")).expect("create the project");
    std::fs::copy(example.join("seg.toml"), dir.path().join("seg.toml")).expect("copy seg.toml");
    std::fs::create_dir_all(dir.path().join("data")).expect("create the data folder");
    for file in std::fs::read_dir(example.join("data")).expect("the example's data") {
        let file = file.expect("a data file").path();
        let name = file.file_name().expect("a file name");
        std::fs::copy(&file, dir.path().join("data").join(name)).expect("copy a data file");
    }
    let load = Command::new(env!("CARGO_BIN_EXE_seg"))
        .arg("load")
        .current_dir(dir.path())
        .output()
        .expect("seg load runs");
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    dir
}

/// The fastest and median of `RUNS` runs of `seg args` in `project` (after one warm-up),
/// with the peak memory of the last run.
fn time(project: &Path, args: &[&str], label: &str) {
    let run = || {
        let start = Instant::now();
        let output = Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(env!("CARGO_BIN_EXE_seg"))
            .args(args)
            .current_dir(project)
            .output()
            .expect("seg runs");
        let elapsed = start.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.code().is_some_and(|c| c <= 1), "{stderr}");
        let peak_kb: u64 = stderr
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        (elapsed, peak_kb)
    };
    run();
    let mut times: Vec<(Duration, u64)> = (0..RUNS).map(|_| run()).collect();
    let peak = times.last().map_or(0, |(_, kb)| *kb);
    times.sort();
    println!(
        "{label}: fastest {:.0} ms, median {:.0} ms over {RUNS} runs, peak {:.0} MB",
        times[0].0.as_secs_f64() * 1000.0,
        times[RUNS / 2].0.as_secs_f64() * 1000.0,
        peak as f64 / 1024.0
    );
}
