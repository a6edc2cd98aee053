//! The PostgreSQL engine's failures through the real binary: each is one coded error, and
//! the time limit stops the query on the server. Needs a test server (tests/common/postgres.rs).

mod common;

use common::{seg, temp_dir};

#[test]
#[ignore = "needs PostgreSQL: SEG_TEST_POSTGRES_URL (.ci/run starts a server and runs ignored tests)"]
fn a_query_past_the_time_limit_is_stopped_by_the_server() {
    let project = common::postgres::slow_project("timeout");
    std::fs::create_dir(project.join("segments")).unwrap();
    std::fs::write(
        project.join("segments/slow.seg"),
        "segment Slow where last(orders.amount) > 1\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = seg(&project, &["--timeout", "0.5", "run", "--plain"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("seg::E033"), "{}", out.stderr);
    assert!(out.stderr.contains("time limit of 0.5s"), "{}", out.stderr);
    // The server stopped it: the query alone takes minutes.
    assert!(started.elapsed().as_secs() < 60);
}

/// A project whose `[database]` is `database`.
fn project_with(database: &str) -> common::TestDir {
    let dir = temp_dir("postgres-manifest");
    std::fs::write(
        dir.join("seg.toml"),
        format!(
            "[database]\n{database}\n[customer]\nkey = \"id\"\n[customer.fields]\nname = \"text\"\n"
        ),
    )
    .unwrap();
    dir
}

#[test]
fn connection_and_manifest_problems_are_coded() {
    // Nothing listens on port 1.
    let refused = seg(
        &project_with("url = \"postgresql://seg@127.0.0.1:1/none\""),
        &["run", "--plain"],
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("seg::E030"), "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("cannot connect to PostgreSQL at postgresql://seg@127.0.0.1:1/none"),
        "{}",
        refused.stderr
    );

    let unset = seg(
        &project_with("url_env = \"SEG_TEST_NO_SUCH_VARIABLE\""),
        &["run", "--plain"],
    );
    assert!(unset.stderr.contains("seg::E030"), "{}", unset.stderr);
    assert!(
        unset
            .stderr
            .contains("$SEG_TEST_NO_SUCH_VARIABLE, which is"),
        "{}",
        unset.stderr
    );

    let password = seg(
        &project_with("url = \"postgresql://seg:hunter2@db/crm\""),
        &["check", "--plain"],
    );
    assert!(password.stderr.contains("seg::E022"), "{}", password.stderr);
    assert!(
        password
            .stderr
            .contains("the database URL holds a password"),
        "{}",
        password.stderr
    );
}

#[test]
fn compile_writes_the_dialect_of_the_projects_engine_without_connecting() {
    let dir = project_with("url = \"postgresql://seg@127.0.0.1:1/none\"");
    std::fs::write(dir.join("a.seg"), "segment A where name = 'x'\n").unwrap();
    let postgres = seg(&dir, &["compile"]);
    assert_eq!(postgres.code, 0, "{}", postgres.stderr);
    assert!(
        postgres.stdout.contains("WHERE c.\"name\" = $1"),
        "{}",
        postgres.stdout
    );
    let sqlite = seg(&dir, &["compile", "--dialect", "sqlite"]);
    assert!(
        sqlite.stdout.contains("WHERE c.\"name\" = ?1"),
        "{}",
        sqlite.stdout
    );
    let unknown = seg(&dir, &["compile", "--dialect", "oracle", "--plain"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("seg::E044"), "{}", unknown.stderr);
    assert!(
        unknown
            .stderr
            .contains("sqlite, postgres, duckdb, bigquery, snowflake, spark"),
        "{}",
        unknown.stderr
    );
}
