//! Benchmark: the peak memory of `seg load` (the real binary) for CSV files of two sizes,
//! on SQLite and, when `SEG_TEST_POSTGRES_URL` names a server, PostgreSQL. A load streams
//! its rows, so the peak should stay about the same while the files grow fourfold (it grows
//! only with the customer keys it keeps to refuse a repeated one). Not a test: see
//! docs/performance.md.
//!
//! `cargo bench --bench load_memory`

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Orders per customer (the customers file is a tenth of the orders file).
const ORDERS_EACH: usize = 10;

fn main() {
    let sizes = [50_000, 200_000];
    println!(
        "{:<12} {:>10} {:>12} {:>14}",
        "engine", "customers", "CSV size", "peak RSS"
    );
    let mut targets = vec![("sqlite", "path = \"load.db\"".to_string())];
    if let Ok(server) = std::env::var("SEG_TEST_POSTGRES_URL") {
        targets.push(("postgresql", format!("url = \"{server}\"")));
    }
    for (engine, database) in &targets {
        let mut peaks = Vec::new();
        for customers in sizes {
            let dir = tempfile::Builder::new()
                .prefix("seglang-bench-load-")
                .tempdir()
                .expect("a temporary directory");
            let bytes = generate(dir.path(), customers, database);
            let peak = peak_rss_kib(dir.path(), &["load"]);
            println!(
                "{engine:<12} {customers:>10} {:>9.1} MB {:>11.1} MB",
                bytes as f64 / 1e6,
                peak as f64 / 1024.0
            );
            peaks.push(peak);
        }
        println!(
            "{engine}: 4x the rows, {:.2}x the peak memory\n",
            peaks[1] as f64 / peaks[0] as f64
        );
    }
}

/// Writes a project of `customers` customers and ten orders each; returns the CSV bytes.
fn generate(dir: &Path, customers: usize, database: &str) -> u64 {
    use std::io::Write;
    std::fs::create_dir(dir.join("data")).unwrap();
    let mut people =
        std::io::BufWriter::new(std::fs::File::create(dir.join("data/customers.csv")).unwrap());
    let mut orders =
        std::io::BufWriter::new(std::fs::File::create(dir.join("data/orders.csv")).unwrap());
    writeln!(people, "id,name,city,ltv").unwrap();
    writeln!(orders, "id,customer_id,amount,ordered_at").unwrap();
    for id in 1..=customers {
        writeln!(
            people,
            "{id},customer {id},city {},{}.{:02}",
            id % 50,
            id % 3000,
            id % 100
        )
        .unwrap();
        for n in 0..ORDERS_EACH {
            let order = id * ORDERS_EACH + n;
            writeln!(
                orders,
                "{order},{id},{}.{:02},2025-{:02}-{:02}",
                order % 500,
                order % 100,
                1 + n % 12,
                1 + n % 28
            )
            .unwrap();
        }
    }
    drop((people, orders));
    std::fs::write(
        dir.join("seg.toml"),
        format!(
            "[database]\n{database}\n[data]\ncustomers = \"data/customers.csv\"\norders = \"data/orders.csv\"\n\
             [customer]\nkey = \"id\"\n[customer.fields]\nname = \"text\"\ncity = \"text\"\nltv = \"money\"\n\
             [related.orders]\nkey = \"id\"\ncustomer_key = \"customer_id\"\ntime = \"ordered_at\"\n\
             [related.orders.fields]\namount = \"money\"\nordered_at = \"date\"\n"
        ),
    )
    .unwrap();
    ["customers.csv", "orders.csv"]
        .iter()
        .map(|f| std::fs::metadata(dir.join("data").join(f)).unwrap().len())
        .sum()
}

/// Runs `seg ARGS` in `dir` and returns its peak resident memory (KiB), read from
/// `/proc/PID/status` (`VmHWM`, a high-water mark) until it exits.
fn peak_rss_kib(dir: &Path, args: &[&str]) -> u64 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seg"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("seg starts");
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(line) = text.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kib: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            peak = peak.max(kib);
        }
        if child.try_wait().expect("seg runs").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        child.wait().expect("seg ran").success(),
        "seg {args:?} failed in {}",
        dir.display()
    );
    peak
}
