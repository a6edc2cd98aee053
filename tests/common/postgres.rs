//! A PostgreSQL server for tests: the one `.ci/run` starts (`SEG_TEST_POSTGRES_URL`). Each
//! test gets a database of its own. Tests that need it are `#[ignore = "needs PostgreSQL…"]`,
//! so `cargo test` reports them as ignored, and `.ci/run` runs them with `--ignored`; run
//! without a server, they fail saying so.

use ::postgres::{Client, NoTls};

/// The URL of a new, empty database named after `label` on the test server.
pub fn fresh_database(label: &str) -> String {
    let server = std::env::var("SEG_TEST_POSTGRES_URL").expect(
        "this test needs a PostgreSQL server: set SEG_TEST_POSTGRES_URL (.ci/postgres.sh starts one)",
    );
    let name = format!("seg_{label}_{}", std::process::id());
    let mut client = Client::connect(&server, NoTls).expect("the test server accepts connections");
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        client.batch_execute(&statement).expect("a test database");
    }
    let (base, _) = server.rsplit_once('/').expect("a URL with a database");
    format!("{base}/{name}")
}

/// A project on a new database of the test server whose `last(orders.amount) > 1` takes
/// minutes: 40,000 customers, 400,000 orders, no index.
pub fn slow_project(label: &str) -> super::TestDir {
    let url = fresh_database(label);
    let mut client = Client::connect(&url, NoTls).expect("the test database accepts connections");
    client
        .batch_execute(
            "CREATE TABLE customers AS SELECT id, 'c' || id AS name FROM generate_series(0, 39999) AS id;
             CREATE TABLE orders AS SELECT i % 40000 AS customer_id, 1.5::numeric AS amount,
               DATE '2025-01-01' AS t FROM generate_series(0, 399999) AS i;",
        )
        .expect("the slow tables");
    let dir = super::temp_dir("slow-postgres");
    std::fs::write(
        dir.join("seg.toml"),
        format!(
            "[database]\nurl = \"{url}\"\n[customer]\nkey = \"id\"\n[customer.fields]\nname = \"text\"\n\
             [related.orders]\ncustomer_key = \"customer_id\"\ntime = \"t\"\n[related.orders.fields]\namount = \"money\"\nt = \"date\"\n"
        ),
    )
    .unwrap();
    dir
}
