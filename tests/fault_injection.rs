//! Fault injection on the write paths, through the real `seg` binary: loads and
//! materializations killed (SIGKILL) at varying points, and loads, materializations, runs
//! and exports at the same time, in bounded loops. After each round: the database passes its
//! integrity check, every run a materialization reported is in the history, every reader
//! saw the data whole (the members are always the same here, so any other count is a torn
//! read), and every failure is a coded "locked"/"busy" refusal. The figures printed at the
//! end are the ones docs/testing.md quotes.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestDir, seg, temp_dir};

/// A project large enough that a load takes a noticeable time: `customers` rows, ten orders
/// each, and the segment `Probe` whose members are every seventh customer with an order
/// over 100.
fn project(database: &str, customers: usize) -> TestDir {
    let dir = temp_dir("faults");
    std::fs::create_dir(dir.join("data")).unwrap();
    let mut orders = String::from("customer_id,amount,ordered_at\n");
    for id in 1..=customers {
        for n in 0..10 {
            let amount = if n == 0 && id % 2 == 0 {
                "150.00"
            } else {
                "20.00"
            };
            orders.push_str(&format!("{id},{amount},2025-0{}-1{}\n", 1 + n % 9, n % 9));
        }
    }
    write_customers(&dir, customers, 7);
    std::fs::write(dir.join("data/orders.csv"), orders).unwrap();
    std::fs::write(
        dir.join("seg.toml"),
        format!(
            "[project]\nas_of = \"2025-12-31\"\n[database]\n{database}\n\
             [data]\ncustomers = \"data/customers.csv\"\norders = \"data/orders.csv\"\n\
             [customer]\nkey = \"id\"\n[customer.fields]\ncity = \"text\"\n\
             [related.orders]\ncustomer_key = \"customer_id\"\ntime = \"ordered_at\"\n\
             [related.orders.fields]\namount = \"money\"\nordered_at = \"date\"\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("probe.seg"),
        "segment Probe where city = 'London' and any(orders where amount > 100)\n",
    )
    .unwrap();
    dir
}

/// Writes the customers file whole (beside it, then renamed over it, so a load reads one
/// version or the other): every `london`-th customer lives in London.
fn write_customers(dir: &Path, customers: usize, london: usize) {
    let mut people = String::from("id,city\n");
    for id in 1..=customers {
        let city = if id % london == 0 { "London" } else { "Leeds" };
        people.push_str(&format!("{id},{city}\n"));
    }
    let next = dir.join("data/customers.next");
    std::fs::write(&next, people).unwrap();
    std::fs::rename(next, dir.join("data/customers.csv")).unwrap();
}

/// The members `Probe` must have when every `london`-th customer lives in London: those
/// with an even id.
fn members_when(customers: usize, london: usize) -> usize {
    (1..=customers)
        .filter(|id| id % london == 0 && id % 2 == 0)
        .count()
}

/// The members `Probe` must have in the project as written (every seventh in London).
fn expected_members(customers: usize) -> usize {
    members_when(customers, 7)
}

/// A small deterministic sequence of fractions in [0.05, 0.95) (no randomness from
/// outside): where in a write's usual duration each kill lands.
fn fractions(count: usize) -> Vec<f64> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            0.05 + 0.9 * (state % 1000) as f64 / 1000.0
        })
        .collect()
}

/// How long `seg ARGS` takes in `project`.
fn duration_of(project: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let out = seg(project, args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    started.elapsed()
}

/// The integrity check, on a read-only connection: run after seg has opened the database,
/// so that seg's own recovery of a killed writer is what is checked.
fn integrity(database: &Path) -> String {
    let db =
        rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    db.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// `Probe`'s member count through `seg run`, or the error it printed.
fn probe_count(project: &Path) -> Result<usize, String> {
    let out = seg(
        project,
        &["run", "--segment", "Probe", "--count", "--format", "csv"],
    );
    if out.code != 0 {
        return Err(out.stderr);
    }
    out.stdout
        .lines()
        .nth(1)
        .and_then(|l| l.strip_prefix("Probe,"))
        .and_then(|n| n.parse().ok())
        .ok_or(out.stdout)
}

/// The runs `seg history Probe` lists.
fn history(project: &Path) -> Vec<String> {
    let out = seg(project, &["history", "Probe", "--format", "csv"]);
    out.stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next().map(str::to_string))
        .collect()
}

/// The run number a materialization reported.
fn reported_run(stdout: &str) -> Option<String> {
    stdout
        .split("(run ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .map(str::to_string)
}

/// Whether a failed write said why in the way it should: the database or its tables were
/// held by another writer.
fn refused_cleanly(stderr: &str) -> bool {
    stderr.contains("locked") || stderr.contains("busy")
}

/// Kills `seg ARGS` after `delay`, if it is still running.
fn kill_after(project: &Path, args: &[&str], delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seg"))
        .args(args)
        .current_dir(project)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let killed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    killed
}

/// The two spellings of `Probe`: the same members, different definitions, so that each
/// materialization records a new run.
const SPELLINGS: [&str; 2] = [
    "segment Probe where city = 'London' and any(orders where amount > 100)\n",
    "segment Probe where any(orders where amount > 100) and city = 'London'\n",
];

/// Kill rounds: a load or a materialization killed at a point within a load's usual
/// duration, then the checks.
/// Rounds of [`kill_rounds`] until at least `wanted` writes were killed mid-way (the
/// timing of a kill depends on the machine's load), at most three times `rounds`; returns
/// the rounds run and the kills.
fn kills_mid_write(
    project: &Path,
    customers: usize,
    rounds: usize,
    wanted: usize,
    check: &dyn Fn(&Path),
) -> (usize, usize) {
    let (mut run, mut kills) = (0, 0);
    while kills < wanted && run < 3 * rounds {
        kills += kill_rounds(project, customers, rounds, check);
        run += rounds;
    }
    (run, kills)
}

fn kill_rounds(project: &Path, customers: usize, rounds: usize, check: &dyn Fn(&Path)) -> usize {
    let load = duration_of(project, &["load"]);
    std::fs::write(project.join("probe.seg"), SPELLINGS[1]).unwrap();
    let materialize = duration_of(project, &["materialize", "--segment", "Probe"]);
    let mut kills = 0;
    let mut recorded: Vec<String> = history(project);
    for (round, at) in fractions(rounds).into_iter().enumerate() {
        std::fs::write(project.join("probe.seg"), SPELLINGS[round % 2]).unwrap();
        let (args, usual): (&[&str], Duration) = if round % 2 == 0 {
            (&["load"], load)
        } else {
            (&["materialize", "--segment", "Probe"], materialize)
        };
        let delay = usual.mul_f64(at);
        if kill_after(project, args, delay) {
            kills += 1;
        }
        assert_eq!(probe_count(project), Ok(expected_members(customers)));
        check(project);
        std::fs::write(project.join("probe.seg"), SPELLINGS[(round + 1) % 2]).unwrap();
        let out = seg(project, &["materialize", "--segment", "Probe"]);
        assert_eq!(out.code, 0, "round {round}: {}", out.stderr);
        recorded.extend(reported_run(&out.stdout));
        let listed = history(project);
        for run in &recorded {
            assert!(
                listed.contains(run),
                "round {round}: run {run} is gone: {listed:?}"
            );
        }
    }
    kills
}

/// Loads (of two datasets in turn: every seventh or every fifth customer in London),
/// materializations, runs and exports side by side for `seconds`; returns how many
/// operations ran and how many writes were refused. Panics on a torn read (a count of
/// neither dataset), a lost run, a failed read or an unclear failure.
fn concurrent_rounds(project: &Path, customers: usize, seconds: u64) -> (usize, usize) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let whole = [members_when(customers, 7), members_when(customers, 5)];
    let worker = |kind: &'static str| {
        let dir = project.to_path_buf();
        std::thread::spawn(move || {
            let mut done = Vec::new();
            let mut round = 0;
            while Instant::now() < deadline {
                let out = match kind {
                    "load" => {
                        round += 1;
                        write_customers(&dir, customers, if round % 2 == 0 { 7 } else { 5 });
                        seg(&dir, &["load"])
                    }
                    "materialize" => seg(&dir, &["materialize", "--segment", "Probe"]),
                    "export" => seg(&dir, &["export", "Probe", "--format", "csv"]),
                    _ => seg(
                        &dir,
                        &["run", "--segment", "Probe", "--count", "--format", "csv"],
                    ),
                };
                done.push((kind, out));
            }
            done
        })
    };
    let workers: Vec<_> = ["load", "materialize", "run", "export"]
        .into_iter()
        .map(worker)
        .collect();
    let mut operations = 0;
    let mut refused = 0;
    let mut reported = Vec::new();
    for worker in workers {
        for (kind, out) in worker.join().unwrap() {
            operations += 1;
            if out.code != 0 {
                assert!(
                    kind != "run" && kind != "export",
                    "a {kind} failed beside the writers: {}",
                    out.stderr
                );
                assert!(
                    refused_cleanly(&out.stderr),
                    "a {kind} failed: {}",
                    out.stderr
                );
                refused += 1;
                continue;
            }
            match kind {
                "run" => assert!(
                    whole
                        .iter()
                        .any(|n| out.stdout == format!("segment,members\nProbe,{n}\n")),
                    "a torn read: {}",
                    out.stdout
                ),
                "export" => assert!(
                    whole.contains(&(out.stdout.lines().count() - 1)),
                    "a torn export: {} lines",
                    out.stdout.lines().count()
                ),
                "materialize" => reported.extend(reported_run(&out.stdout)),
                _ => {}
            }
        }
    }
    let listed = history(project);
    for run in &reported {
        assert!(
            listed.contains(run),
            "run {run} was reported but is gone: {listed:?}"
        );
    }
    (operations, refused)
}

#[test]
fn sqlite_survives_kills_and_concurrent_writers() {
    let customers = 10_000;
    let project = project("path = \"faults.db\"", customers);
    assert_eq!(seg(&project, &["load"]).code, 0);
    let database = project.join("faults.db");
    let check = |project: &Path| {
        assert_eq!(integrity(&project.join("faults.db")), "ok");
    };
    let (rounds, kills) = kills_mid_write(&project, customers, 20, 10, &check);
    let (operations, refused) = concurrent_rounds(&project, customers, 8);
    assert_eq!(integrity(&database), "ok");
    println!(
        "SQLite: {rounds} kill rounds ({kills} killed mid-write), {operations} concurrent operations \
         ({refused} writes refused while another wrote), 0 failures"
    );
    assert!(kills >= 10, "too few writes were killed mid-way: {kills}");
}

#[test]
#[ignore = "needs PostgreSQL: SEG_TEST_POSTGRES_URL (.ci/run starts a server and runs ignored tests)"]
fn postgresql_survives_kills_and_concurrent_writers() {
    let customers = 10_000;
    let url = common::postgres::fresh_database("faults");
    let project = project(&format!("url = \"{url}\""), customers);
    assert_eq!(seg(&project, &["load"]).code, 0);
    let check = |_: &Path| {};
    let (rounds, kills) = kills_mid_write(&project, customers, 20, 10, &check);
    let (operations, refused) = concurrent_rounds(&project, customers, 8);
    println!(
        "PostgreSQL: {rounds} kill rounds ({kills} killed mid-write), {operations} concurrent \
         operations ({refused} writes refused while another wrote), 0 failures"
    );
    assert!(kills >= 10, "too few writes were killed mid-way: {kills}");
}
