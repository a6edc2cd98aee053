//! One segment counted in slices of the customer keys, side by side on SQLite: the same
//! count as one query, and slicing only where it is exact.

mod common;

use std::path::Path;

use common::{seg, temp_dir};
use seglang::engine::{self, Location};

const MANIFEST: &str = "[project]\nas_of = \"2025-06-30\"\n[database]\npath = \"shop.db\"\n\
[customer]\ntable = \"customers\"\nkey = \"id\"\n[customer.fields]\noccupation = \"text\"\nltv = \"money\"\n\
[related.orders]\ncustomer_key = \"customer_id\"\ntime = \"ordered_at\"\n\
[related.orders.fields]\nordered_at = \"date\"\namount = \"money\"\ncategory = \"text\"\n";

const SEGMENTS: &str = "segment Nurses where occupation = 'nurse'
segment NursesOrRich where occupation = 'nurse' or ltv > 900
segment Spenders where sum(orders.amount) > 100
segment FewOrders where count(orders) < 2
segment NoOrders where count(orders) = 0
segment RecentBooks where any(orders where category = 'books' and ordered_at in last 90 days)
segment BookSpenders where Nurses and Spenders and any(orders where category = 'books')
segment NotBookSpenders where not BookSpenders
segment SmallBaskets where avg(orders.amount) < 20
";

/// Enough customers that a count is sliced (each slice spans at least 50,000 key values).
const CUSTOMERS: i64 = 120_000;

/// A project of 120,000 customers whose orders hold the odd keys SQLite lets a column of
/// integer affinity keep: numbers written as text (stored as integers), a whole real, text
/// that is no number, unknown keys, and keys of no customer.
/// `finish` runs last (to turn a table into a view, say).
fn project(customers_table: &str, orders_table: &str, finish: &str) -> common::TestDir {
    let dir = temp_dir("sliced");
    std::fs::write(dir.join("seg.toml"), MANIFEST).unwrap();
    std::fs::create_dir(dir.join("segments")).unwrap();
    std::fs::write(dir.join("segments/shop.seg"), SEGMENTS).unwrap();
    let mut db = rusqlite::Connection::open(dir.join("shop.db")).unwrap();
    let tx = db.transaction().unwrap();
    tx.execute_batch(&format!("{customers_table}; {orders_table};"))
        .unwrap();
    {
        let mut customer = tx
            .prepare("INSERT INTO customers (id, occupation, ltv) VALUES (?1, ?2, ?3)")
            .unwrap();
        for id in 1..=CUSTOMERS {
            let occupation = ["nurse", "teacher", "chef"][(id % 3) as usize];
            customer
                .execute(rusqlite::params![id, occupation, (id * 7919) % 1000])
                .unwrap();
        }
        let mut order = tx
            .prepare(
                "INSERT INTO orders (customer_id, ordered_at, amount, category) VALUES (?1, ?2, ?3, ?4)",
            )
            .unwrap();
        for i in 0..3 * CUSTOMERS {
            let customer = (i * 104_729) % (CUSTOMERS + 10); // ten keys of no customer
            let day = 1 + (i % 28);
            let month = 1 + (i % 6);
            let category = ["books", "toys"][(i % 2) as usize];
            order
                .execute(rusqlite::params![
                    customer,
                    format!("2025-{month:02}-{day:02}"),
                    (i % 97) as f64 + 0.5,
                    category
                ])
                .unwrap();
        }
        for odd in [
            "INSERT INTO orders (customer_id, ordered_at, amount, category) VALUES ('60000', '2025-06-01', 500, 'books')",
            "INSERT INTO orders (customer_id, ordered_at, amount, category) VALUES (60001.0, '2025-06-01', 500, 'books')",
            "INSERT INTO orders (customer_id, ordered_at, amount, category) VALUES ('abc', '2025-06-01', 500, 'books')",
            "INSERT INTO orders (customer_id, ordered_at, amount, category) VALUES (NULL, '2025-06-01', 500, 'books')",
        ] {
            tx.execute(odd, []).unwrap();
        }
    }
    tx.execute_batch(finish).unwrap();
    tx.commit().unwrap();
    dir
}

const CUSTOMERS_TABLE: &str =
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, occupation TEXT, ltv NUMERIC)";
const ORDERS_TABLE: &str = "CREATE TABLE orders (customer_id INTEGER, ordered_at TEXT, amount NUMERIC, category TEXT); \
     CREATE INDEX orders_customer ON orders (customer_id)";

fn slices(dir: &Path) -> Option<Vec<seglang::sql::KeyRange>> {
    let database = engine::connect(&Location::File(dir.join("shop.db")))
        .open_read_only(None)
        .expect("opens");
    database
        .key_slices(("customers", "id"), &[("orders", "customer_id")], 2)
        .expect("reads the keys")
}

#[test]
fn a_count_in_slices_side_by_side_is_the_count_of_one_query() {
    let dir = project(CUSTOMERS_TABLE, ORDERS_TABLE, "");
    assert_eq!(
        slices(&dir).map(|s| s.len()),
        Some(2),
        "this database is sliced"
    );
    for name in [
        "Nurses",
        "NursesOrRich",
        "Spenders",
        "FewOrders",
        "NoOrders",
        "RecentBooks",
        "BookSpenders",
        "NotBookSpenders",
        "SmallBaskets",
    ] {
        let one = seg(&dir, &["run", "--count", "-s", name, "--threads", "1"]);
        let sliced = seg(&dir, &["run", "--count", "-s", name, "--threads", "2"]);
        assert_eq!(one.code, 0, "{}", one.stderr);
        assert_eq!(sliced.code, 0, "{}", sliced.stderr);
        assert_eq!(one.stdout, sliced.stdout, "{name}");
        let listed = seg(
            &dir,
            &["run", "-s", name, "--format", "csv", "--threads", "1"],
        );
        let members = listed.stdout.lines().count() - 1;
        assert_eq!(count_in(&one.stdout), members, "{name}");
    }
}

/// The count in `seg run --count` output (`117,650` read as 117650).
fn count_in(stdout: &str) -> usize {
    let digits: String = stdout
        .lines()
        .last()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a count")
}

#[test]
fn keys_that_would_not_slice_exactly_are_not_sliced() {
    let cases = [
        // Text keys compare as text with a numeric bound: the order differs from numbers'.
        (
            "CREATE TABLE customers (id TEXT PRIMARY KEY, occupation TEXT, ltv NUMERIC)",
            "CREATE TABLE orders (customer_id TEXT, ordered_at TEXT, amount NUMERIC, category TEXT)",
            "a customer key of text affinity",
        ),
        (
            CUSTOMERS_TABLE,
            "CREATE TABLE orders (customer_id, ordered_at TEXT, amount NUMERIC, category TEXT)",
            "a related key without affinity (its '60000' stays text, joins customer 60000, and \
             compares as text with a bound)",
        ),
        (
            CUSTOMERS_TABLE,
            ORDERS_TABLE,
            "a related table that is a view",
        ),
        (
            "CREATE TABLE customers (id INTEGER, occupation TEXT, ltv NUMERIC)",
            ORDERS_TABLE,
            "a customer key without an index (each slice would scan every customer)",
        ),
    ];
    for (customers, orders, why) in cases {
        let finish = if why.contains("view") {
            "ALTER TABLE orders RENAME TO orders_rows; CREATE VIEW orders AS SELECT * FROM orders_rows"
        } else {
            ""
        };
        let dir = project(customers, orders, finish);
        for name in ["Nurses", "Spenders"] {
            let one = seg(&dir, &["run", "--count", "-s", name, "--threads", "1"]);
            let two = seg(&dir, &["run", "--count", "-s", name, "--threads", "2"]);
            assert_eq!(one.code, 0, "{why}: {}", one.stderr);
            assert_eq!(one.stdout, two.stdout, "{why}: {name}");
        }
        assert_eq!(slices(&dir), None, "{why}");
    }
}

#[test]
fn an_unknown_customer_key_or_a_small_table_is_not_sliced() {
    let dir = project(
        "CREATE TABLE customers (id INTEGER, occupation TEXT, ltv NUMERIC); \
         CREATE INDEX customers_id ON customers (id)",
        ORDERS_TABLE,
        "",
    );
    assert_eq!(
        slices(&dir).map(|s| s.len()),
        Some(2),
        "an indexed key slices"
    );
    let db = rusqlite::Connection::open(dir.join("shop.db")).unwrap();
    db.execute("INSERT INTO customers VALUES (NULL, 'nurse', 1)", [])
        .unwrap();
    assert_eq!(
        slices(&dir),
        None,
        "a customer without a key is in no slice"
    );
    db.execute("DELETE FROM customers WHERE id IS NULL OR id > 1000", [])
        .unwrap();
    assert_eq!(
        slices(&dir),
        None,
        "a thousand customers are counted at once"
    );
}

fn count_query(sql: &str) -> seglang::sql::Query {
    seglang::sql::Query {
        sql: sql.to_string(),
        params: Vec::new(),
    }
}

#[test]
fn connections_side_by_side_on_a_file_replaced_since_are_not_trusted() {
    let dir = temp_dir("replaced");
    for (name, rows) in [("a.db", 1), ("b.db", 2)] {
        let db = rusqlite::Connection::open(dir.join(name)).unwrap();
        db.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        for x in 0..rows {
            db.execute("INSERT INTO t VALUES (?1)", [x]).unwrap();
        }
    }
    let database = engine::connect(&Location::File(dir.join("a.db")))
        .open_read_only(None)
        .expect("opens");
    let queries = [
        count_query("SELECT count(*) FROM t"),
        count_query("SELECT count(*) FROM t"),
    ];
    assert_eq!(database.count_side_by_side(&queries).unwrap(), Some(2));
    // Another program puts a new file in place by renaming it over the old one.
    std::fs::rename(dir.join("b.db"), dir.join("a.db")).unwrap();
    assert_eq!(
        database.count_side_by_side(&queries).unwrap(),
        None,
        "a second connection would read the new file, the first the old one"
    );
    assert_eq!(
        database.count(&queries[0]).unwrap(),
        1,
        "the open one reads the old file"
    );
}

#[test]
fn connections_side_by_side_while_another_program_commits_are_not_trusted() {
    let dir = temp_dir("committed");
    let path = dir.join("wal.db");
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer
        .execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);",
        )
        .unwrap();
    let database = engine::connect(&Location::File(path.clone()))
        .open_read_only(None)
        .expect("opens");
    // Each query reads its snapshot, then counts for a while.
    let slow = count_query(
        "SELECT (SELECT count(*) FROM t) + 0 * (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL \
         SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n)",
    );
    let queries = [slow.clone(), slow];
    let unchanged = database.count_side_by_side(&queries).unwrap();
    assert_eq!(unchanged, Some(2), "nothing committed: both read one row");
    let committing = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
    });
    let during = database.count_side_by_side(&queries).unwrap();
    committing.join().unwrap();
    assert_eq!(
        during, None,
        "a commit while the connections read: they may have read different states"
    );
}
