//! `seg index`: the indexes segments need, `--apply`, the warning in `seg run`, and the
//! query plans SQLite chooses with them (EXPLAIN QUERY PLAN).

mod common;

use common::{compiled_sql, copy_project, seg, temp_dir};

#[test]
fn index_lists_applies_and_then_reports_present() {
    let project = copy_project("tests/fixtures/shop");
    let before = seg(&project, &["index"]);
    assert_eq!(before.code, 0, "{}", before.stderr);
    insta::assert_snapshot!(before.stdout);
    let apply = seg(&project, &["index", "--apply"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert!(
        apply.stdout.contains("created 2 indexes"),
        "{}",
        apply.stdout
    );
    let after = seg(&project, &["index"]);
    assert!(
        !after.stdout.contains("missing") && !after.stdout.contains("usable"),
        "{}",
        after.stdout
    );
    assert_eq!(
        after.stdout.matches("present").count(),
        2,
        "{}",
        after.stdout
    );
}

#[test]
fn aggregates_use_the_covering_index_once_it_exists() {
    let project = copy_project("tests/fixtures/shop");
    assert_eq!(seg(&project, &["index", "--apply"]).code, 0);
    let plan = query_plan(&project, "BookSpend");
    assert!(
        plan.contains("USING COVERING INDEX seg_orders_customer_id"),
        "{plan}"
    );
    assert!(
        !plan.contains("SCAN r"),
        "the orders are not scanned: {plan}"
    );
}

/// The batch that counts every shop segment reads each related table in one pass: one
/// scan of the orders and one of the interests, however many segments aggregate them
/// (`last(orders.category)`, which needs each customer's rows in order, is a per-customer
/// index lookup, not a scan).
#[test]
fn a_batch_reads_each_related_table_once() {
    let project = copy_project("tests/fixtures/shop");
    assert_eq!(seg(&project, &["load"]).code, 0);
    let plan = plan_of(&project, &["compile", "--batch"]);
    let scans: Vec<&str> = plan.lines().filter(|l| l.starts_with("SCAN r ")).collect();
    assert_eq!(scans.len(), 2, "{plan}");
    assert_eq!(
        plan.matches("MATERIALIZE facts:orders").count(),
        1,
        "{plan}"
    );
    assert_eq!(
        plan.matches("MATERIALIZE facts:interests").count(),
        1,
        "{plan}"
    );
}

/// SQLite's plan for a segment's count query, as text.
fn query_plan(project: &std::path::Path, segment: &str) -> String {
    plan_of(project, &["compile", "--segment", segment, "--count"])
}

/// SQLite's plan for the query `seg <arguments>` prints, as text.
fn plan_of(project: &std::path::Path, arguments: &[&str]) -> String {
    let mut all = vec!["--as-of", "2025-06-30"];
    all.extend_from_slice(arguments);
    let out = seg(project, &all);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sql = compiled_sql(&out.stdout);
    let params = out
        .stdout
        .lines()
        .find(|l| l.starts_with("-- params:"))
        .unwrap_or_default();
    let values: Vec<String> = params
        .trim_start_matches("-- params: ")
        .split(", ")
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.split_once(" = ")
                .unwrap()
                .1
                .trim_matches('\'')
                .to_string()
        })
        .collect();
    let db = rusqlite::Connection::open(project.join("shop.db")).unwrap();
    let mut statement = db.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let rows = statement
        .query_map(rusqlite::params_from_iter(values), |row| {
            row.get::<_, String>(3)
        })
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>();
    rows.join("\n")
}

#[test]
fn run_warns_when_a_related_table_has_no_index() {
    let dir = temp_dir("no-index");
    std::fs::write(
        dir.join("seg.toml"),
        "[database]\npath = \"x.db\"\n[customer]\nkey = \"id\"\n[customer.fields]\nname = \"text\"\n\
         [related.orders]\ncustomer_key = \"customer_id\"\n[related.orders.fields]\namount = \"money\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("s.seg"),
        "segment Buyers where count(orders) > 0\n",
    )
    .unwrap();
    let db = rusqlite::Connection::open(dir.join("x.db")).unwrap();
    db.execute_batch(
        "CREATE TABLE customers (id INTEGER, name TEXT); CREATE TABLE orders (customer_id INTEGER, amount NUMERIC);\
         INSERT INTO customers VALUES (1, 'a'), (2, 'b'); INSERT INTO orders VALUES (1, 5);",
    )
    .unwrap();
    drop(db);
    let out = seg(&dir, &["--plain", "run", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "segment,members\nBuyers,1\n");
    assert!(
        out.stderr.contains("seg::W009") && out.stderr.contains("no index on `customer_id`"),
        "{}",
        out.stderr
    );
    assert_eq!(seg(&dir, &["index", "--apply"]).code, 0);
    let again = seg(&dir, &["run"]);
    assert!(!again.stderr.contains("seg::W009"), "{}", again.stderr);
}

/// A large related table with an index on its customer key that does not cover what
/// segments read: `seg run` and `seg check --db` warn with the exact `CREATE INDEX` (on time-ordered
/// rows this is the 28× case of docs/performance.md); a small table gets no warning, and
/// none once the covering index exists.
#[test]
fn a_large_table_without_a_covering_index_is_warned_about() {
    let dir = temp_dir("not-covering");
    std::fs::write(
        dir.join("seg.toml"),
        "[database]\npath = \"x.db\"\n[customer]\nkey = \"id\"\n[customer.fields]\nname = \"text\"\n\
         [related.orders]\ncustomer_key = \"customer_id\"\ntime = \"at\"\n[related.orders.fields]\n\
         at = \"date\"\namount = \"money\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("s.seg"),
        "segment Big where sum(orders.amount) > 100\n",
    )
    .unwrap();
    let mut db = rusqlite::Connection::open(dir.join("x.db")).unwrap();
    db.execute_batch(
        "CREATE TABLE customers (id INTEGER, name TEXT); \
         CREATE TABLE orders (customer_id INTEGER, at TEXT, amount NUMERIC); \
         CREATE INDEX orders_customer ON orders (customer_id);",
    )
    .unwrap();
    let tx = db.transaction().unwrap();
    {
        let mut customer = tx
            .prepare("INSERT INTO customers VALUES (?1, 'x')")
            .unwrap();
        for id in 0..1_000 {
            customer.execute([id]).unwrap();
        }
        let mut order = tx
            .prepare("INSERT INTO orders VALUES (?1, '2025-01-01', 7)")
            .unwrap();
        // In time order: each customer's orders spread over the table.
        for i in 0..120_000 {
            order.execute([i % 1_000]).unwrap();
        }
    }
    tx.commit().unwrap();
    drop(db);
    for args in [
        &["--plain", "run", "--count"][..],
        &["--plain", "check", "--db", "x.db"],
    ] {
        let out = seg(&dir, args);
        assert!(out.stderr.contains("seg::W009"), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("about 120,000 rows"), "{}", out.stderr);
        assert!(
            out.stderr.contains("CREATE INDEX")
                && out.stderr.contains("\"seg_orders_customer_id_amount\""),
            "{}",
            out.stderr
        );
    }
    assert_eq!(seg(&dir, &["index", "--apply"]).code, 0);
    let again = seg(&dir, &["run", "--count"]);
    assert!(!again.stderr.contains("seg::W009"), "{}", again.stderr);

    // The shop's small orders table, with the customer-key index `seg load` makes: no warning.
    let shop = copy_project("tests/fixtures/shop");
    let out = seg(&shop, &["run", "--count"]);
    assert!(!out.stderr.contains("seg::W009"), "{}", out.stderr);
}
