//! The DuckDB leg of the CLI benchmark (built with `--features duckdb`): the same data
//! loaded into a DuckDB file by `seg load` (from CSV files written from the SQLite
//! database), then each segment through `seg run --count` against hand-written DuckDB SQL
//! (`benches/expert-duckdb/<name>.sql`) run through the duckdb crate, the DuckDB that seg
//! embeds: in this process on a connection kept open, and in a process of its own that
//! opens the file, runs the query and closes it, as the `duckdb` shell does for
//! `duckdb -readonly FILE -c SQL` (the shell of another DuckDB version would not compare
//! the same engine). Alternated, best of `runs`; and seg on DuckDB against seg on SQLite,
//! the choice a user makes between them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use duckdb::{AccessMode, Config, Connection};

use super::{counts, ms, ratio, seg};

/// Set (to a DuckDB file) in the environment of this benchmark's own executable to make it
/// the one-query shell of [`shell`], the SQL its one argument.
pub const SHELL: &str = "SEGLANG_BENCH_DUCKDB_SHELL";

/// What the `duckdb` shell does for `duckdb -readonly FILE -c SQL`: opens the file
/// read-only, runs the query, prints its one value, and closes the database as it exits.
pub fn shell(file: &Path, sql: &str) {
    let connection = Connection::open_with_flags(
        file,
        Config::default()
            .access_mode(AccessMode::ReadOnly)
            .expect("a read-only configuration"),
    )
    .expect("the DuckDB file opens");
    let count: i64 = connection
        .query_row(sql, [], |row| row.get(0))
        .expect("the expert query runs");
    println!("{count}");
}

/// The hand-written `sql` on `file` through [`shell`] in a new process: the time and the count.
fn in_a_shell(file: &Path, sql: &str) -> (Duration, u64) {
    let started = Instant::now();
    let out = std::process::Command::new(std::env::current_exe().expect("this benchmark"))
        .env(SHELL, file)
        .arg(sql)
        .output()
        .expect("the shell runs");
    let time = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a count");
    (time, count)
}

/// The DuckDB copy of the SQLite benchmark project at `sqlite`, under `target/bench-cli/duckdb`,
/// loaded once per size.
pub fn prepare(root: &Path, sqlite: &Path, customers: u64) -> PathBuf {
    let project = root.join("target/bench-cli/duckdb");
    let segments = project.join("segments");
    std::fs::create_dir_all(&segments).expect("the project folder");
    let manifest = std::fs::read_to_string(sqlite.join("seg.toml")).expect("seg.toml");
    let manifest = manifest.replace(
        "path = \"bench.db\"",
        "duckdb = \"bench.duckdb\"\n\n[data]\ncustomers = \"customers.csv\"\norders = \"orders.csv\"",
    );
    std::fs::write(project.join("seg.toml"), manifest).expect("seg.toml");
    for entry in std::fs::read_dir(sqlite.join("segments")).expect("segments") {
        let entry = entry.expect("a segment file");
        std::fs::copy(entry.path(), segments.join(entry.file_name())).expect("a segment file");
    }
    let marker = project.join("bench.size");
    let size = customers.to_string();
    if project.join("bench.duckdb").exists()
        && std::fs::read_to_string(&marker).ok().as_deref() == Some(&size)
    {
        return project;
    }
    let _ = std::fs::remove_file(project.join("bench.duckdb"));
    let source = super::read_only(sqlite);
    for table in ["customers", "orders"] {
        write_csv(&source, table, &project.join(format!("{table}.csv")));
    }
    let started = Instant::now();
    let load = seg(&project, &["load"]);
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    println!(
        "`seg load` into DuckDB ({customers} customers and their orders from CSV): {:.1} s\n",
        started.elapsed().as_secs_f64()
    );
    for table in ["customers", "orders"] {
        std::fs::remove_file(project.join(format!("{table}.csv"))).expect("a CSV file");
    }
    std::fs::write(&marker, &size).expect("the size marker");
    project
}

/// Writes `table` of the SQLite database as a CSV file with a header row.
fn write_csv(source: &rusqlite::Connection, table: &str, path: &Path) {
    let mut statement = source
        .prepare(&format!("SELECT * FROM {table}"))
        .expect("the table");
    let columns: Vec<String> = statement.column_names().map(str::to_string).collect();
    let width = columns.len();
    let mut writer = csv::Writer::from_path(path).expect("a CSV file");
    writer.write_record(&columns).expect("the header");
    let mut rows = statement.query([]).expect("the rows");
    while let Some(row) = rows.next().expect("a row") {
        let record: Vec<String> = (0..width)
            .map(|i| match row.get_ref(i).expect("a value") {
                rusqlite::types::ValueRef::Null => String::new(),
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Real(r) => r.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(_) => panic!("no blobs in the benchmark"),
            })
            .collect();
        writer.write_record(&record).expect("a row");
    }
    writer.flush().expect("the CSV file");
}

/// Each segment on DuckDB: seg against the hand-written DuckDB SQL (on a connection kept
/// open, and in a shell of its own), and against seg on the SQLite project at `sqlite` (the
/// choice a user makes between the two engines); alternated, the fastest of each kept.
pub fn segments(project: &Path, sqlite: &Path, names: &[String], runs: usize) {
    let file = project.join("bench.duckdb");
    let connection = Connection::open_with_flags(
        &file,
        Config::default()
            .access_mode(AccessMode::ReadOnly)
            .expect("a read-only configuration"),
    )
    .expect("the DuckDB file opens");
    println!(
        "DuckDB {}, its default threads (one per core).\n",
        connection.version().expect("the version")
    );
    println!(
        "| segment | `seg run --count -s` on DuckDB | hand-written DuckDB SQL, kept open | ratio | the same in a shell (open, query, close) | ratio | seg on SQLite | DuckDB / SQLite |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let timed = |project: &Path, args: &[&str]| {
        let started = Instant::now();
        let out = seg(project, args);
        let time = started.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (time, counts(&out.stdout))
    };
    let (mut worst, mut worst_shell) = (0.0f64, 0.0f64);
    let mut expert_total = Duration::ZERO;
    for name in names {
        let expert = expert_sql(name);
        let args = ["run", "--count", "-s", name.as_str(), "--format", "csv"];
        let (mut ours, mut theirs, mut lite) = (Duration::MAX, Duration::MAX, Duration::MAX);
        let mut theirs_shell = Duration::MAX;
        let (mut our_count, mut their_count) = (0, 0);
        for _ in 0..runs {
            let (time, found) = timed(project, &args);
            ours = ours.min(time);
            our_count = found[0].1;
            let started = Instant::now();
            let count: i64 = connection
                .query_row(&expert, [], |row| row.get(0))
                .expect("the expert query runs");
            theirs = theirs.min(started.elapsed());
            their_count = count as u64;
            let (time, count) = in_a_shell(&file, &expert);
            theirs_shell = theirs_shell.min(time);
            assert_eq!(count, their_count, "{name}: the expert's counts differ");
            let (time, found) = timed(sqlite, &args);
            lite = lite.min(time);
            assert_eq!(found[0].1, our_count, "{name}: SQLite and DuckDB differ");
        }
        assert_eq!(
            our_count, their_count,
            "{name}: the counts differ on DuckDB"
        );
        worst = worst.max(ratio(ours, theirs));
        worst_shell = worst_shell.max(ratio(ours, theirs_shell));
        expert_total += theirs;
        println!(
            "| {name} | {} ms | {} ms | {:.2}× | {} ms | {:.2}× | {} ms | {:.2}× |",
            ms(ours),
            ms(theirs),
            ratio(ours, theirs),
            ms(theirs_shell),
            ratio(ours, theirs_shell),
            ms(lite),
            ratio(ours, lite)
        );
    }
    let (mut all, mut all_lite) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        all = all.min(timed(project, &["run", "--count", "--format", "csv"]).0);
        all_lite = all_lite.min(timed(sqlite, &["run", "--count", "--format", "csv"]).0);
    }
    println!(
        "\nWorst single-segment ratio on DuckDB {worst:.2}× against a connection kept open, \
         {worst_shell:.2}× against the shell. All {} segments: {} ms on DuckDB, \
         the hand-written queries one after another {} ms ({:.2}×); seg on SQLite {} ms \
         (DuckDB {:.2}× of it).\n",
        names.len(),
        ms(all),
        ms(expert_total),
        ratio(all, expert_total),
        ms(all_lite),
        ratio(all, all_lite)
    );
}

fn expert_sql(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/expert-duckdb")
        .join(format!("{name}.sql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
