//! Helpers for tests that run the real `seg` binary on copies of fixture projects.

#![allow(dead_code)] // each test file uses a different subset

pub mod engines;
pub mod postgres;
pub mod rfm_edges;

use std::path::Path;
use std::process::Command;

/// What a `seg` run printed and how it exited.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs `seg` with `args` in `dir`, without colour.
pub fn seg(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_seg"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("seg runs");
    Output {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// Runs `seg` with `args` in `dir`, `input` on its stdin (a REPL session, say) and its own
/// REPL history file in `dir`.
pub fn seg_with_input(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_seg"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SEGLANG_HISTORY", dir.join("history.txt"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("seg starts");
    let mut stdin = child.stdin.take().expect("stdin");
    // A session that stops reading early closes the pipe; what it read is what counts.
    let _ = stdin.write_all(input);
    drop(stdin);
    let output = child.wait_with_output().expect("seg ends");
    Output {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// Makes a FIFO at `path` (what a hostile project may hold where a file is expected).
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A test's own directory, deleted with everything in it when the test ends (passed or
/// failed); it reads as the path it is.
#[derive(Debug)]
pub struct TestDir(tempfile::TempDir);

impl std::ops::Deref for TestDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for TestDir {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// A fresh, empty directory for one test.
pub fn temp_dir(label: &str) -> TestDir {
    TestDir(
        tempfile::Builder::new()
            .prefix(&format!("seglang-test-{label}-"))
            .tempdir()
            .expect("create temp dir"),
    )
}

/// A copy of a project directory (relative to the crate root), without any built database.
pub fn copy_project(relative: &str) -> TestDir {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let target = temp_dir(&relative.replace('/', "_"));
    copy_dir(&source, &target);
    target
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else if path.extension().is_none_or(|e| e != "db") {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy file");
        }
    }
}

/// Replaces `from` with `to` in the seg.toml of `project` (which must hold `from`): the
/// same project pointed at another database, or given other files.
pub fn edit_manifest(project: &Path, from: &str, to: &str) {
    let manifest = project.join("seg.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains(from), "seg.toml has no `{from}`");
    std::fs::write(manifest, text.replace(from, to)).unwrap();
}

/// The first CSV column of `seg run --format csv` output (after the header), as numbers.
pub fn member_keys(csv: &str) -> Vec<i64> {
    csv.lines()
        .skip(1)
        .map(|line| {
            line.split(',')
                .next()
                .unwrap()
                .parse()
                .expect("integer key")
        })
        .collect()
}

/// The SQL text `seg compile` printed, without its `--` comment lines (header and params).
pub fn compiled_sql(stdout: &str) -> String {
    stdout
        .lines()
        .filter(|l| !l.starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A project whose database makes `last(orders.amount) > 1` take minutes.
pub fn slow_project() -> TestDir {
    let dir = temp_dir("slow");
    std::fs::write(
        dir.join("seg.toml"),
        "[database]\npath = \"slow.db\"\n[customer]\nkey = \"id\"\n[customer.fields]\nname = \"text\"\n\
         [related.orders]\ncustomer_key = \"customer_id\"\ntime = \"t\"\n[related.orders.fields]\namount = \"money\"\nt = \"date\"\n",
    )
    .unwrap();
    let mut db = rusqlite::Connection::open(dir.join("slow.db")).unwrap();
    let tx = db.transaction().unwrap();
    tx.execute_batch("CREATE TABLE customers (id INTEGER, name TEXT); CREATE TABLE orders (customer_id INTEGER, amount NUMERIC, t TEXT);")
        .unwrap();
    {
        let mut customer = tx.prepare("INSERT INTO customers VALUES (?1, ?2)").unwrap();
        for id in 0..40_000 {
            customer
                .execute(rusqlite::params![id, format!("c{id}")])
                .unwrap();
        }
        let mut order = tx
            .prepare("INSERT INTO orders VALUES (?1, 1.5, '2025-01-01')")
            .unwrap();
        for i in 0..400_000 {
            order.execute([i % 40_000]).unwrap();
        }
    }
    tx.commit().unwrap();
    dir
}
