//! What users run, timed: the release `seg` binary (`seg run --count` for one segment and
//! for all of them, the REPL's first and exact answers) against the expert SQL
//! (`benches/expert/<name>.sql`) run in this process through rusqlite, the SQLite that seg
//! bundles, on the same database. The data is laid out as real tables are (orders stored in
//! time order, as an appended table is) and, as a second layout, grouped by customer. Every
//! pair is alternated in one run and the fastest of each kept; counts must agree. The batch
//! cost model that splits segments across cores is set beside measured times
//! (`cost_model.rs`). Prints the tables of docs/performance.md. Not a test.
//!
//! `cargo bench --bench cli` builds its databases under `target/bench-cli/` the first time
//! (about a minute each); `SEGLANG_BENCH_CUSTOMERS` (default 1,000,000; ten orders each)
//! and `SEGLANG_BENCH_RUNS` (default 5) change the size and the repetitions. With
//! `--features duckdb`, the time-ordered data is also loaded into a DuckDB file and each
//! segment timed there against hand-written DuckDB SQL (`duckdb_leg.rs`).
//! `SEGLANG_BENCH_SECTIONS` picks sections (default `sqlite,cost,duckdb`).

#[path = "data/bench_data.rs"]
mod bench_data;
#[path = "cli/cost_model.rs"]
mod cost_model;
#[cfg(feature = "duckdb")]
#[path = "cli/duckdb_leg.rs"]
mod duckdb_leg;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bench_data::Layout;
use rusqlite::{Connection, OpenFlags};

/// Conditions typed into the REPL one after another, as someone exploring would: a
/// property, an aggregate (the session keeps its facts), another threshold of it (read
/// from the kept facts), a new aggregate (kept beside the first), and a mix of both.
const REPL_CONDITIONS: &[&str] = &[
    "occupation = 'nurse' and income > 100000",
    "count(orders where ordered_at in last 90 days) >= 3",
    "count(orders where ordered_at in last 90 days) >= 5",
    "sum(orders.amount) > 1000",
    "sum(orders.amount) > 2000 and count(orders where ordered_at in last 90 days) >= 3",
    "occupation = 'nurse' and sum(orders.amount) > 500",
];

fn main() {
    #[cfg(feature = "duckdb")]
    if let Some(file) = std::env::var_os(duckdb_leg::SHELL) {
        let sql = std::env::args().nth(1).expect("the SQL");
        duckdb_leg::shell(Path::new(&file), &sql);
        return;
    }
    let customers: u64 = env_number("SEGLANG_BENCH_CUSTOMERS", 1_000_000);
    let runs = env_number("SEGLANG_BENCH_RUNS", 5) as usize;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!(
        "seg {} (release), SQLite {}, {} cores; {customers} customers, about {} orders; best of {runs}\n",
        env!("CARGO_PKG_VERSION"),
        rusqlite::version(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        customers * 10
    );
    let sections =
        std::env::var("SEGLANG_BENCH_SECTIONS").unwrap_or_else(|_| "sqlite,cost,duckdb".into());
    let wanted = |section: &str| sections.split(',').any(|s| s.trim() == section);
    for layout in [Layout::Time, Layout::Grouped] {
        if layout != Layout::Time && !wanted("sqlite") {
            continue;
        }
        let project = prepare(root, layout, customers);
        if wanted("sqlite") {
            println!("## Orders stored in {} order\n", layout.name());
            index_advice(&project);
        }
        let status = seg(&project, &["index", "--apply"]).status;
        assert!(status.success(), "seg index --apply");
        if wanted("sqlite") {
            segments(root, &project, runs);
            sequences(root, &project, runs);
            repl(&project);
            listing_memory(&project);
        }
        if layout != Layout::Time {
            continue;
        }
        if wanted("cost") {
            println!("## The batch cost model, time-ordered data\n");
            cost_model::check(&project, runs);
        }
        #[cfg(feature = "duckdb")]
        if wanted("duckdb") {
            println!("## The same data on DuckDB\n");
            let duckdb = duckdb_leg::prepare(root, &project, customers);
            duckdb_leg::segments(&duckdb, &project, &segment_names(root), runs);
            repl(&duckdb);
        }
    }
}

/// A copy of the benchmark project under `target/bench-cli/<layout>`, its database
/// generated if it is missing or of another size.
fn prepare(root: &Path, layout: Layout, customers: u64) -> PathBuf {
    let project = root.join("target/bench-cli").join(layout.name());
    let segments = project.join("segments");
    std::fs::create_dir_all(&segments).expect("the project folder");
    std::fs::copy(
        root.join("benches/project/seg.toml"),
        project.join("seg.toml"),
    )
    .expect("seg.toml");
    for entry in std::fs::read_dir(root.join("benches/project/segments")).expect("segments") {
        let entry = entry.expect("a segment file");
        std::fs::copy(entry.path(), segments.join(entry.file_name())).expect("a segment file");
    }
    let database = project.join("bench.db");
    let marker = project.join("bench.size");
    let size = customers.to_string();
    if !database.exists() || std::fs::read_to_string(&marker).ok().as_deref() != Some(&size) {
        let started = Instant::now();
        let orders = bench_data::generate(&database, customers, customers * 10, layout);
        std::fs::write(&marker, &size).expect("the size marker");
        eprintln!(
            "generated {}: {orders} orders in {:.0} s",
            database.display(),
            started.elapsed().as_secs_f64()
        );
    }
    // Every run starts from the indexes the generator made (customer key only).
    let db = Connection::open(&database).expect("the database");
    let advised: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'seg_%'")
        .expect("indexes")
        .query_map([], |row| row.get(0))
        .expect("indexes")
        .collect::<Result<_, _>>()
        .expect("indexes");
    for name in advised {
        db.execute_batch(&format!("DROP INDEX \"{name}\""))
            .expect("drop an index");
    }
    project
}

/// Before `seg index --apply`: one aggregate over every order, timed once each way, and
/// whether `seg run` warned that the orders lack the index it needs.
fn index_advice(project: &Path) {
    let expert = expert_sql("LifetimeOver1000");
    let connection = read_only(project);
    let (expert_time, _) = time_expert(&connection, &expert);
    let started = Instant::now();
    let out = seg(project, &["run", "--count", "-s", "LifetimeOver1000"]);
    let seg_time = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warned = stderr.lines().find(|l| l.contains("seg::W"));
    println!(
        "Before `seg index --apply`, LifetimeOver1000: seg {} ms, expert {} ms ({:.2}×); seg warned: {}\n",
        ms(seg_time),
        ms(expert_time),
        ratio(seg_time, expert_time),
        warned.map_or("no".to_string(), |w| format!("yes ({})", w.trim()))
    );
}

/// Each segment alone, then all together.
fn segments(root: &Path, project: &Path, runs: usize) {
    let connection = read_only(project);
    // The expert again on a connection set up as seg sets up its own (the file mapped into
    // memory), so that the query's form is compared apart from the connection's settings.
    let mapped = read_only(project);
    mapped
        .pragma_update(None, "mmap_size", 0x7fff_0000i64)
        .expect("mmap_size");
    let names = segment_names(root);
    println!(
        "| segment | `seg run --count -s` | expert SQL | ratio | expert SQL, file mapped as seg maps it | ratio | seg on one core (`--threads 1`) | ratio to the expert |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut worst = 0.0f64;
    let (mut expert_total, mut expert_slowest) = (Duration::ZERO, Duration::ZERO);
    for name in &names {
        let expert = expert_sql(name);
        let (mut ours, mut theirs, mut theirs_mapped, mut one_core) =
            (Duration::MAX, Duration::MAX, Duration::MAX, Duration::MAX);
        let (mut our_count, mut their_count) = (0, 0);
        for _ in 0..runs {
            let started = Instant::now();
            let out = seg(project, &["run", "--count", "-s", name, "--format", "csv"]);
            ours = ours.min(started.elapsed());
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            our_count = counts(&out.stdout)[0].1;
            let (time, count) = time_expert(&connection, &expert);
            theirs = theirs.min(time);
            their_count = count;
            let (time, count) = time_expert(&mapped, &expert);
            theirs_mapped = theirs_mapped.min(time);
            assert_eq!(count, their_count, "{name}: the expert's counts differ");
            let started = Instant::now();
            let out = seg(
                project,
                &[
                    "run",
                    "--count",
                    "-s",
                    name,
                    "--format",
                    "csv",
                    "--threads",
                    "1",
                ],
            );
            one_core = one_core.min(started.elapsed());
            assert!(out.status.success());
            assert_eq!(
                counts(&out.stdout)[0].1,
                our_count,
                "{name}: one core counts otherwise"
            );
        }
        assert_eq!(our_count, their_count, "{name}: the counts differ");
        worst = worst.max(ratio(ours, theirs));
        expert_total += theirs;
        expert_slowest = expert_slowest.max(theirs);
        println!(
            "| {name} | {} ms | {} ms | {:.2}× | {} ms | {:.2}× | {} ms | {:.2}× |",
            ms(ours),
            ms(theirs),
            ratio(ours, theirs),
            ms(theirs_mapped),
            ratio(ours, theirs_mapped),
            ms(one_core),
            ratio(one_core, theirs)
        );
    }
    let mut all = Duration::MAX;
    for _ in 0..runs {
        let started = Instant::now();
        let out = seg(project, &["run", "--count", "--format", "csv"]);
        all = all.min(started.elapsed());
        assert!(out.status.success());
    }
    println!(
        "\nWorst single-segment ratio {worst:.2}×. All {} segments (`seg run --count`): {} ms; \
         the expert queries one after another {} ms ({:.2}×), the slowest alone {} ms ({:.2}×).\n",
        names.len(),
        ms(all),
        ms(expert_total),
        ratio(all, expert_total),
        ms(expert_slowest),
        ratio(all, expert_slowest)
    );
}

/// Sequences (`any(A) then any(B) within N days`), kept apart from the twenty: a project
/// beside the benchmark's that reads the same database, each sequence against its expert
/// query (`benches/expert/<name>.sql`).
fn sequences(root: &Path, project: &Path, runs: usize) {
    const SEQUENCES: &str = "\
segment RepeatWithin30 where any(orders) then any(orders) within 30 days
";
    let beside = project.with_extension("sequences");
    std::fs::create_dir_all(beside.join("segments")).expect("the sequences project");
    let manifest =
        std::fs::read_to_string(root.join("benches/project/seg.toml")).expect("seg.toml");
    let database = project.join("bench.db");
    std::fs::write(
        beside.join("seg.toml"),
        manifest.replace(
            "path = \"bench.db\"",
            &format!("path = {:?}", database.display().to_string()),
        ),
    )
    .expect("seg.toml");
    std::fs::write(beside.join("segments/sequences.seg"), SEQUENCES).expect("the segments");
    let connection = read_only(project);
    println!("| sequence | `seg run --count -s` | expert SQL | ratio |");
    println!("|---|---|---|---|");
    for name in SEQUENCES
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
    {
        let expert = expert_sql(name);
        let (mut ours, mut theirs) = (Duration::MAX, Duration::MAX);
        let (mut our_count, mut their_count) = (0, 0);
        for _ in 0..runs {
            let started = Instant::now();
            let out = seg(&beside, &["run", "--count", "-s", name, "--format", "csv"]);
            ours = ours.min(started.elapsed());
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            our_count = counts(&out.stdout)[0].1;
            let (time, count) = time_expert(&connection, &expert);
            theirs = theirs.min(time);
            their_count = count;
        }
        assert_eq!(our_count, their_count, "{name}: the counts differ");
        println!(
            "| {name} | {} ms | {} ms | {:.2}× |",
            ms(ours),
            ms(theirs),
            ratio(ours, theirs)
        );
    }
    println!();
}

/// The REPL's first answer (an estimate on a large base) and its exact answer, for
/// conditions typed twice, in one session.
fn repl(project: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seg"))
        .args(["repl"])
        .current_dir(project)
        .env("SEGLANG_HISTORY", project.join("history.txt"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("seg repl starts");
    let mut input = child.stdin.take().expect("stdin");
    let mut output = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    output.read_line(&mut line).expect("the greeting");
    println!("| condition typed in `seg repl`, in turn | first answer | exact answer |");
    println!("|---|---|---|");
    for condition in REPL_CONDITIONS {
        {
            let started = Instant::now();
            writeln!(input, "{condition}").expect("a condition");
            input.flush().expect("a condition");
            let mut first = None;
            loop {
                line.clear();
                if output.read_line(&mut line).expect("an answer") == 0 {
                    panic!("the REPL ended");
                }
                let answered = line.contains("members") || line.contains("member ");
                if answered && first.is_none() {
                    first = Some(started.elapsed());
                }
                if line.contains("(as of") {
                    break;
                }
            }
            println!(
                "| `{condition}` | {} ms | {} ms |",
                ms(first.unwrap_or_default()),
                ms(started.elapsed())
            );
        }
    }
    drop(input);
    let _ = child.wait();
    println!();
}

/// Peak memory of three listings of growing size: the memory the program holds (its
/// anonymous resident memory, sampled every few milliseconds from `/proc`), and its whole
/// resident size (`VmHWM`), which also counts the pages of the database file that SQLite
/// reads through its memory mapping (the operating system's file cache, shared, given back
/// under pressure).
fn listing_memory(project: &Path) {
    println!(
        "| listing (`seg run -s NAME --format csv`) | members | peak memory held | peak resident, with the mapped file |"
    );
    println!("|---|---|---|---|");
    for name in ["Affluent", "Nurses", "Buyers"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_seg"))
            .arg("-p")
            .arg(project)
            .args(["run", "-s", name, "--format", "csv"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("seg runs");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .split(b'\n')
                .count()
                .saturating_sub(1)
        });
        let status_file = format!("/proc/{}/status", child.id());
        let kilobytes = |status: &str, field: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        let (mut held, mut resident) = (0u64, 0u64);
        while child.try_wait().expect("seg runs").is_none() {
            if let Ok(status) = std::fs::read_to_string(&status_file) {
                held = held.max(kilobytes(&status, "RssAnon:"));
                resident = resident.max(kilobytes(&status, "VmHWM:"));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let members = reader.join().expect("the listing is read");
        println!(
            "| {name} | {members} | {:.1} MB | {:.1} MB |",
            held as f64 / 1024.0,
            resident as f64 / 1024.0
        );
    }
    println!();
}

/// The segments of the benchmark project, in the order of its file.
fn segment_names(root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("benches/project/segments/bench.seg"))
        .expect("bench.seg");
    text.lines()
        .filter_map(|l| l.strip_prefix("segment "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn expert_sql(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/expert")
        .join(format!("{name}.sql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_only(project: &Path) -> Connection {
    Connection::open_with_flags(project.join("bench.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the database opens")
}

/// The expert query's time and count, on an open connection (prepared each time, as seg
/// prepares its query each time).
fn time_expert(connection: &Connection, sql: &str) -> (Duration, u64) {
    let started = Instant::now();
    let count: i64 = connection
        .query_row(sql, [], |row| row.get(0))
        .expect("the expert query runs");
    (started.elapsed(), count as u64)
}

fn seg(project: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_seg"))
        .arg("-p")
        .arg(project)
        .args(args)
        .output()
        .expect("seg runs")
}

/// `segment,members` rows of `seg run --count --format csv`.
fn counts(csv: &[u8]) -> Vec<(String, u64)> {
    String::from_utf8_lossy(csv)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (name, count) = l.split_once(',')?;
            Some((name.to_string(), count.parse().ok()?))
        })
        .collect()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(time: Duration) -> String {
    format!("{:.0}", time.as_secs_f64() * 1000.0)
}

fn ratio(ours: Duration, theirs: Duration) -> f64 {
    ours.as_secs_f64() / theirs.as_secs_f64().max(1e-6)
}
