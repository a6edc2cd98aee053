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
