//! Benchmark: `seg check` over 1,000 generated segment files (about 4,000 definitions) on
//! the retail example's schema, timed as whole runs of the release binary. Not a test:
//! `cargo bench --bench check_many_files` prints the figures (see docs/performance.md).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const FILES: usize = 1_000;
const RUNS: usize = 7;

fn main() {
    let project = tempfile::Builder::new()
        .prefix("seglang-bench-check-")
        .tempdir()
        .expect("a temporary directory");
    let dir = project.path().to_path_buf();
    std::fs::create_dir_all(dir.join("segments")).expect("create the project");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/retail");
    std::fs::copy(example.join("seg.toml"), dir.join("seg.toml")).expect("copy seg.toml");
    generate(&dir.join("segments"));

    let one = time(&example, "the retail example (12 files)");
    let many = time(&dir, &format!("{FILES} generated files"));
    println!(
        "ratio: {FILES} files take {:.1}× the time of the 12-file example",
        many.as_secs_f64() / one.as_secs_f64()
    );
    if std::env::var_os("SEGLANG_BENCH_KEEP").is_some() {
        println!("kept the generated project in {}", project.keep().display());
    }
}

/// Writes `FILES` files: a shared file of sets and metrics, and files of segments that use
/// them, refer to each other and to the example's fields.
fn generate(segments: &Path) {
    std::fs::write(
        segments.join("shared.seg"),
        "set cities = ['London', 'Leeds', 'Paris']\nset care = ['nurse', 'doctor']\n\
         metric spend = sum(orders.amount)\nmetric recent = count(orders where ordered_at in last 90 days)\n\
         occasion christmas from Dec 1 to Dec 26\n",
    )
    .expect("write shared.seg");
    for i in 1..FILES {
        let previous = if i > 1 {
            format!("import 'file{}.seg'\n", i - 1)
        } else {
            String::new()
        };
        // Chains of references restart every 50 files: seg refuses chains deeper than 100.
        let reference = if i % 50 != 1 {
            format!(" or Third{}", i - 1)
        } else {
            String::new()
        };
        let text = format!(
            "import 'shared.seg'\n{previous}\n\
             /// Nurses with spend, variant {i}.\n\
             segment First{i} where occupation in care and spend > {i} and city in cities\n\n\
             segment Second{i} where recent >= 2 and orders.ordered_at during christmas and not (region = 'London')\n\n\
             segment Third{i} where (First{i} or Second{i}){reference}\n\n\
             segment Fourth{i} where age(birthday) between 25 and 34 and anniversary(birthday) in next 14 days\n"
        );
        std::fs::write(segments.join(format!("file{i}.seg")), text).expect("write a segment file");
    }
}

/// The fastest of `RUNS` runs of `seg check` in `project` (after one warm-up run).
fn time(project: &Path, label: &str) -> Duration {
    let seg = env!("CARGO_BIN_EXE_seg");
    let run = || {
        let start = Instant::now();
        let output = Command::new(seg)
            .arg("check")
            .current_dir(project)
            .output()
            .expect("seg check runs");
        let elapsed = start.elapsed();
        assert!(
            output.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        elapsed
    };
    run();
    let mut times: Vec<Duration> = (0..RUNS).map(|_| run()).collect();
    times.sort();
    println!(
        "seg check, {label}: fastest {:.0} ms, median {:.0} ms over {RUNS} runs",
        times[0].as_secs_f64() * 1000.0,
        times[RUNS / 2].as_secs_f64() * 1000.0
    );
    times[0]
}
