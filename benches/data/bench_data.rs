//! The benchmark database: customers and their orders, deterministically (a fixed seed),
//! with skewed order counts, occasions, categories and unknown values, written straight
//! into SQLite in one transaction. Shared by `generate.rs` (the `generate-bench` example)
//! and the benchmarks that build their data themselves.

use std::path::Path;

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

/// How the orders table is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// In time order, as an orders table that is appended to is: a customer's orders are
    /// spread over the whole table.
    Time,
    /// Grouped by customer: each customer's orders side by side.
    Grouped,
}

impl Layout {
    /// The layout's name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Time => "time",
            Layout::Grouped => "grouped",
        }
    }
}

/// One order, before it is given its id.
struct Order {
    customer: u64,
    at: String,
    amount: String,
    category: &'static str,
    occasion: Option<&'static str>,
}

/// Writes a database of `customers` customers and about `orders_target` orders to `path`
/// (through a temporary file renamed into place), with an index on the orders' customer
/// key only; returns the number of orders.
pub fn generate(path: &Path, customers: u64, orders_target: u64, layout: Layout) -> u64 {
    let temporary = path.with_extension("generating");
    let _ = std::fs::remove_file(&temporary);
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
    let mut orders: Vec<Order> = Vec::new();
    {
        let mut customer = tx
            .prepare("INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
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
                orders.push(Order {
                    customer: id,
                    at,
                    amount,
                    category,
                    occasion,
                });
            }
        }
        if layout == Layout::Time {
            // Stable: orders at the same minute keep the order they were drawn in.
            orders.sort_by(|a, b| a.at.cmp(&b.at));
        }
        let mut insert = tx
            .prepare("INSERT INTO orders VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .expect("insert");
        for (i, order) in orders.iter().enumerate() {
            insert
                .execute(params![
                    i as i64 + 1,
                    order.customer as i64,
                    order.at,
                    order.amount,
                    order.category,
                    order.occasion
                ])
                .expect("order");
        }
    }
    tx.commit().expect("commit");
    db.execute_batch("CREATE INDEX orders_customer_id ON orders (customer_id); ANALYZE;")
        .expect("index");
    drop(db);
    std::fs::rename(&temporary, path).expect("move the database into place");
    orders.len() as u64
}
