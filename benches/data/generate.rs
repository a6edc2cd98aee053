//! Generates the benchmark database: by default 1,000,000 customers and about 10,000,000
//! orders stored in time order (`--grouped`: grouped by customer).
//!
//! `cargo run --release --example generate-bench [CUSTOMERS] [ORDERS] [--grouped]`
//! writes `benches/project/bench.db` (see docs/performance.md).

#[path = "bench_data.rs"]
mod bench_data;

use std::time::Instant;

use bench_data::Layout;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let layout = if args.iter().any(|a| a == "--grouped") {
        Layout::Grouped
    } else {
        Layout::Time
    };
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let customers = numbers.first().copied().unwrap_or(1_000_000);
    let orders_target = numbers.get(1).copied().unwrap_or(customers * 10);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/project/bench.db");
    let started = Instant::now();
    let orders = bench_data::generate(&path, customers, orders_target, layout);
    println!(
        "wrote {}: {customers} customers, {orders} orders in {} order, in {:.0} s",
        path.display(),
        layout.name(),
        started.elapsed().as_secs_f64()
    );
}
