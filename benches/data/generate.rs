//! Generates the benchmark database: by default 1,000,000 customers and about 10,000,000
//! orders, deterministically (a fixed seed), with skewed order counts, occasions,
//! categories and unknown values. Written straight into SQLite in one transaction.
//!
//! `cargo run --release --example generate-bench [CUSTOMERS] [ORDERS]`
//! writes `benches/project/bench.db` (see docs/performance.md).

use std::time::Instant;

use rusqlite::{Connection, params};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const OCCUPATIONS: &[&str] = &[
    "nurse", "doctor", "teacher", "engineer", "sales", "driver", "student", "retired",
];
const CITIES: &[&str] = &[
    "London",
    "Leeds",
    "Manchester",
    "Paris",
    "Berlin",
    "Dublin",
    "Boston",
    "Seattle",
];
const CATEGORIES: &[&str] = &[
    "books",
    "toys",
    "electronics",
    "health",
    "clothing",
    "home",
    "beauty",
    "food",
    "garden",
];
const OCCASIONS: &[&str] = &[
    "christmas",
    "easter",
    "halloween",
    "valentines",
    "birthday",
    "back_to_school",
];

/// The date `days` after 1 January of `year`.
fn date_from(year: i32, days: u64) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
    (start + chrono::Days::new(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn date(days_since_2020: u64) -> String {
    date_from(2020, days_since_2020)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let customers: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let orders_target: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(customers * 10);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/project/bench.db");
    let temporary = path.with_extension("generating");
    let _ = std::fs::remove_file(&temporary);
    let started = Instant::now();
    let mut db = Connection::open(&temporary).expect("create the database");
    db.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .expect("pragmas");
    let tx = db.transaction().expect("transaction");
    tx.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, occupation TEXT, city TEXT, income NUMERIC, \
         newsletter INTEGER, birthday TEXT, signup_date TEXT);\
         CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, ordered_at TEXT, amount NUMERIC, \
         category TEXT, occasion TEXT);",
    )
    .expect("tables");
    let mut rng = Rng(20_261_122);
    let mut order_id = 0u64;
    {
        let mut customer = tx
            .prepare("INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .expect("insert");
        let mut order = tx
            .prepare("INSERT INTO orders VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .expect("insert");
        // The skewed draw below averages 0.648 × `mean` orders per customer.
        let mean = orders_target as f64 / customers as f64 / 0.648;
        for id in 1..=customers {
            let occupation = (rng.below(100) >= 6)
                .then(|| OCCUPATIONS[rng.below(OCCUPATIONS.len() as u64) as usize]);
            let city = CITIES[rng.below(CITIES.len() as u64) as usize];
            let income =
                (rng.below(100) >= 10).then(|| format!("{}.00", 15_000 + rng.below(120_000)));
            let newsletter = (rng.below(100) >= 5).then(|| rng.below(2) as i64);
            let birthday = (rng.below(100) >= 3).then(|| date_from(1950, rng.below(365 * 55)));
            let signup = rng.below(365 * 5);
            customer
                .execute(params![
                    id as i64,
                    occupation,
                    city,
                    income,
                    newsletter,
                    birthday,
                    date(signup)
                ])
                .expect("customer");
            // Skewed counts: most customers buy a few times, a few buy very often.
            let roll = rng.below(100);
            let count = match roll {
                0..=7 => 0,
                8..=69 => rng.below((mean * 0.8) as u64 + 1),
                70..=94 => rng.below((mean * 2.0) as u64 + 1),
                _ => rng.below((mean * 6.0) as u64 + 1),
            };
            for _ in 0..count {
                order_id += 1;
                let day = signup + rng.below(365 * 6 - signup.min(365 * 6 - 1));
                let at = format!(
                    "{} {:02}:{:02}:00",
                    date(day.min(365 * 6 - 1)),
                    rng.below(24),
                    rng.below(60)
                );
                let cents = 100 + rng.below(30_000);
                let amount = format!("{}.{:02}", cents / 100, cents % 100);
                let category = CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize];
                let occasion = (rng.below(100) < 45)
                    .then(|| OCCASIONS[rng.below(OCCASIONS.len() as u64) as usize]);
                order
                    .execute(params![
                        order_id as i64,
                        id as i64,
                        at,
                        amount,
                        category,
                        occasion
                    ])
                    .expect("order");
            }
        }
    }
    tx.commit().expect("commit");
    db.execute_batch("CREATE INDEX orders_customer_id ON orders (customer_id); ANALYZE;")
        .expect("index");
    drop(db);
    std::fs::rename(&temporary, &path).expect("move the database into place");
    println!(
        "wrote {}: {customers} customers, {order_id} orders in {:.0} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
}
