//! Bad input and broken environments: each gives one coded message, the right exit code, and
//! loses nothing.

mod common;

use common::{copy_project, seg, temp_dir};

fn shop() -> common::TestDir {
    copy_project("tests/fixtures/shop")
}

#[test]
fn no_manifest_is_e020_and_exit_2() {
    let out = seg(&temp_dir("empty"), &["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("seg::E020"), "{}", out.stderr);
    assert!(out.stderr.contains("no seg.toml"), "{}", out.stderr);
}

#[test]
fn manifest_problems_are_e021_and_e022_with_spans() {
    let project = shop();
    let manifest = std::fs::read_to_string(project.join("seg.toml")).unwrap();
    std::fs::write(
        project.join("seg.toml"),
        manifest.replace("table = \"customers\"", "tabel = \"customers\""),
    )
    .unwrap();
    let out = seg(&project, &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("seg::E021") && out.stderr.contains("seg.toml:"),
        "{}",
        out.stderr
    );

    std::fs::write(
        project.join("seg.toml"),
        manifest.replace("ltv = \"money\"", "ltv = \"mony\""),
    )
    .unwrap();
    let out = seg(&project, &["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("seg::E022"), "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `money`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn missing_database_without_data_files_is_e030() {
    let project = shop();
    let manifest = std::fs::read_to_string(project.join("seg.toml")).unwrap();
    let data_start = manifest.find("[data]").unwrap();
    let data_end = data_start + manifest[data_start..].find("\n\n").unwrap();
    let without_data = format!("{}{}", &manifest[..data_start], &manifest[data_end..]);
    assert_ne!(without_data, manifest);
    std::fs::write(project.join("seg.toml"), without_data).unwrap();
    let out = seg(&project, &["run"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("seg::E030") && out.stderr.contains("shop.db does not exist"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_file_that_is_not_a_database_is_e031() {
    let project = shop();
    std::fs::write(
        project.join("shop.db"),
        "this is not a database, just text that is long enough",
    )
    .unwrap();
    let out = seg(&project, &["run"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("seg::E031"), "{}", out.stderr);
    assert!(out.stderr.contains("not a database"), "{}", out.stderr);
}

#[test]
fn a_locked_database_is_e031_not_a_hang_or_a_panic() {
    let project = shop();
    assert_eq!(seg(&project, &["load"]).code, 0);
    let writer = rusqlite::Connection::open(project.join("shop.db")).unwrap();
    writer
        .execute_batch("BEGIN EXCLUSIVE; UPDATE customers SET city = city;")
        .unwrap();
    // A reader waits for a writer (a minute, or --timeout), then says the database is locked.
    let out = seg(&project, &["--timeout", "2", "run"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("seg::E031") && out.stderr.contains("locked"),
        "{}",
        out.stderr
    );
    writer.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn a_column_missing_from_the_database_is_e034_pointing_into_the_manifest() {
    let project = shop();
    assert_eq!(seg(&project, &["load"]).code, 0);
    let manifest = std::fs::read_to_string(project.join("seg.toml")).unwrap();
    std::fs::write(
        project.join("seg.toml"),
        manifest.replace(
            "city = \"text\"",
            "city = { type = \"text\", column = \"town\" }",
        ),
    )
    .unwrap();
    let out = seg(&project, &["--plain", "run", "--segment", "Londoners"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("seg::E034"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("column `town` of table `customers` is not in the database"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("╭─[seg.toml:") && out.stderr.contains("field `city`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `city`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_query_past_the_time_limit_is_e033() {
    let dir = temp_dir("timeout");
    std::fs::write(
        dir.join("seg.toml"),
        "[database]\npath = \"slow.db\"\n[customer]\nkey = \"id\"\n[customer.fields]\nname = \"text\"\n\
         [related.orders]\ncustomer_key = \"customer_id\"\ntime = \"t\"\n[related.orders.fields]\namount = \"money\"\nt = \"date\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("s.seg"),
        "segment Busy where last(orders.amount) > 1\n",
    )
    .unwrap();
    let mut db = rusqlite::Connection::open(dir.join("slow.db")).unwrap();
    let tx = db.transaction().unwrap();
    tx.execute_batch(
        "CREATE TABLE customers (id INTEGER, name TEXT); CREATE TABLE orders (customer_id INTEGER, amount NUMERIC, t TEXT);\
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
         INSERT INTO customers SELECT i, 'c' || i FROM n;\
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
         INSERT INTO orders SELECT i % 20000, 1.5, '2025-01-01' FROM n;",
    )
    .unwrap();
    tx.commit().unwrap();
    drop(db);
    let started = std::time::Instant::now();
    let out = seg(&dir, &["--timeout", "0.5", "run"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("seg::E033")
            && out.stderr.contains("longer than the time limit of 0.5s"),
        "{}",
        out.stderr
    );
    // Far sooner than the query would take (minutes); the limit did stop it.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn names_from_the_manifest_cannot_inject_sql() {
    let dir = temp_dir("injection");
    let mut db = rusqlite::Connection::open(dir.join("odd.db")).unwrap();
    db.execute_batch(
        "CREATE TABLE \"cust\"\"omers\" (\"id\" INTEGER, \"x\"\"; DROP TABLE keep; --\" TEXT);\
         CREATE TABLE keep (v INTEGER); INSERT INTO keep VALUES (1);\
         INSERT INTO \"cust\"\"omers\" VALUES (1, 'a'), (2, 'b'), (3, NULL);",
    )
    .unwrap();
    drop(db.transaction().unwrap());
    std::fs::write(
        dir.join("seg.toml"),
        "[database]\npath = \"odd.db\"\n[customer]\ntable = 'cust\"omers'\nkey = \"id\"\n\
         [customer.fields]\nodd = { type = \"text\", column = 'x\"; DROP TABLE keep; --' }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("s.seg"),
        "segment A where odd = 'a'' OR 1=1; --'\nsegment B where odd = 'b'\n",
    )
    .unwrap();
    let out = seg(&dir, &["run", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The quote-laden literal matches nothing; `b` matches customer 2 only.
    assert_eq!(out.stdout, "segment,members\nA,0\nB,1\n");
    let db = rusqlite::Connection::open(dir.join("odd.db")).unwrap();
    let kept: i64 = db
        .query_row("SELECT count(*) FROM keep", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1, "the table is still there");
}

#[test]
fn an_unreadable_segment_file_is_e040() {
    let project = shop();
    std::os::unix::fs::symlink(
        "/nonexistent/target.seg",
        project.join("segments/dangling.seg"),
    )
    .unwrap();
    let out = seg(&project, &["check"]);
    // One problem among the others in the segment files (exit 1), not a stop.
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("seg::E040") && out.stderr.contains("dangling.seg"),
        "{}",
        out.stderr
    );
}

#[test]
fn killing_a_load_midway_leaves_the_old_database_intact() {
    let project = shop();
    assert_eq!(seg(&project, &["load"]).code, 0);
    let before = std::fs::read(project.join("shop.db")).unwrap();
    // Enough orders that loading takes a while.
    let mut orders = String::from("id,customer_id,ordered_at,amount,category,occasion\n");
    for i in 1..=600_000 {
        orders.push_str(&format!(
            "{i},{},2025-01-01 10:00:00,1.50,toys,\n",
            i % 10 + 1
        ));
    }
    std::fs::write(project.join("data/orders.csv"), orders).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_seg"))
        .arg("load")
        .current_dir(&project)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let finished_early = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !finished_early,
        "the load finished before it could be killed; make it bigger"
    );
    assert_eq!(
        std::fs::read(project.join("shop.db")).unwrap(),
        before,
        "the old database is untouched"
    );
    let count = seg(
        &project,
        &["run", "--segment", "Everyone", "--count", "--format", "csv"],
    );
    assert_eq!(count.stdout, "segment,members\nEveryone,10\n");
}

#[test]
fn a_bad_csv_value_is_e032_and_the_old_database_survives() {
    let project = shop();
    assert_eq!(seg(&project, &["load"]).code, 0);
    let before = std::fs::read(project.join("shop.db")).unwrap();
    let orders = std::fs::read_to_string(project.join("data/orders.csv")).unwrap();
    std::fs::write(
        project.join("data/orders.csv"),
        orders.replace("500.01", "five hundred"),
    )
    .unwrap();
    let out = seg(&project, &["load"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("seg::E032"), "{}", out.stderr);
    assert!(
        out.stderr.contains("orders.csv:5") && out.stderr.contains("five hundred"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(project.join("shop.db")).unwrap(),
        before,
        "old database untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&project)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("loading"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let count = seg(
        &project,
        &["run", "--segment", "Everyone", "--count", "--format", "csv"],
    );
    assert_eq!(count.stdout, "segment,members\nEveryone,10\n");
}

#[test]
fn a_failed_first_load_leaves_no_database() {
    let project = shop();
    let customers = std::fs::read_to_string(project.join("data/customers.csv")).unwrap();
    std::fs::write(
        project.join("data/customers.csv"),
        customers.replace("2024-03-01", "2024-02-30"),
    )
    .unwrap();
    let out = seg(&project, &["run"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("seg::E032") && out.stderr.contains("2024-02-30"),
        "{}",
        out.stderr
    );
    assert!(!project.join("shop.db").exists());
}

/// A field declared `required = true` must have a value in every row: an empty cell is a
/// load error naming the file, line and column, and no database is left behind.
#[test]
fn an_empty_required_value_is_a_load_error() {
    let project = shop();
    let manifest = std::fs::read_to_string(project.join("seg.toml")).unwrap();
    std::fs::write(
        project.join("seg.toml"),
        manifest.replace(
            "ordered_at = \"timestamp\"",
            "ordered_at = { type = \"timestamp\", required = true }",
        ),
    )
    .unwrap();
    let orders = std::fs::read_to_string(project.join("data/orders.csv")).unwrap();
    std::fs::write(
        project.join("data/orders.csv"),
        orders.replace("2,1,2025-02-01 09:00:00,", "2,1,,"),
    )
    .unwrap();
    let out = seg(&project, &["--plain", "run"]);
    assert_eq!(out.code, 2);
    // (The message wraps at 80 columns.)
    for part in [
        "seg::E032",
        "orders.csv:3: column",
        "`ordered_at` is empty, but its field is required",
    ] {
        assert!(out.stderr.contains(part), "{part}: {}", out.stderr);
    }
    assert!(!project.join("shop.db").exists());
}

#[test]
fn a_segment_file_that_is_not_utf8_is_e040() {
    let project = shop();
    std::fs::write(
        project.join("segments/latin1.seg"),
        b"segment Caf\xe9 where newsletter\n",
    )
    .unwrap();
    let out = seg(&project, &["check"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("seg::E040") && out.stderr.contains("not UTF-8"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unknown_segment_name_is_e041_with_a_suggestion() {
    let out = seg(&shop(), &["run", "--segment", "HighValueNurse"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("seg::E041"), "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `HighValueNurses`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn inferring_from_an_empty_database_is_e050() {
    let dir = temp_dir("empty-db");
    rusqlite::Connection::open(dir.join("empty.db"))
        .unwrap()
        .execute_batch("PRAGMA user_version = 1")
        .unwrap();
    let out = seg(&dir, &["schema", "infer", "--db", "empty.db"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("seg::E050"), "{}", out.stderr);
}

#[test]
fn segment_errors_stop_run_and_compile_with_exit_1() {
    let project = shop();
    std::fs::write(
        project.join("segments/broken.seg"),
        "segment Broken where nope = 1\n",
    )
    .unwrap();
    for command in [&["run"][..], &["compile"]] {
        let out = seg(&project, command);
        assert_eq!(out.code, 1, "{command:?}");
        assert!(out.stderr.contains("seg::E003"), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn bad_arguments_exit_2() {
    let out = seg(&shop(), &["run", "--format", "xml"]);
    assert_eq!(out.code, 2);
}

#[test]
fn an_import_cycle_is_e013_with_both_imports_labelled() {
    let project = shop();
    std::fs::write(
        project.join("segments/a.seg"),
        "import 'b.seg'\nset a = ['x']\n",
    )
    .unwrap();
    std::fs::write(
        project.join("segments/b.seg"),
        "import 'a.seg'\nset b = ['y']\n",
    )
    .unwrap();
    let out = seg(&project, &["--plain", "check"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr.matches("seg::E013").count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("files import each other in a cycle"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("imports segments/b.seg")
            && out.stderr.contains("imports segments/a.seg")
    );
}

#[test]
fn a_missing_import_is_e014() {
    let project = shop();
    std::fs::write(
        project.join("segments/a.seg"),
        "import 'nowhere.seg'\nset a = ['x']\n",
    )
    .unwrap();
    let out = seg(&project, &["--plain", "check"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("seg::E014") && out.stderr.contains("nowhere.seg"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_import_outside_the_project_segments_is_loaded() {
    let project = shop();
    let shared = project.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(shared.join("library.lib"), "set leeds = ['Leeds']\n").unwrap();
    std::fs::write(
        project.join("segments/uses.seg"),
        "import '../shared/library.lib'\nsegment InLeeds where city in leeds\n",
    )
    .unwrap();
    let out = seg(
        &project,
        &["run", "--segment", "InLeeds", "--format", "csv"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(common::member_keys(&out.stdout), [2, 5]);
}

#[test]
fn a_name_from_a_file_that_is_not_imported_is_e016() {
    let project = shop();
    std::fs::write(project.join("segments/sets.seg"), "set leeds = ['Leeds']\n").unwrap();
    std::fs::write(
        project.join("segments/uses.seg"),
        "segment InLeeds where city in leeds\n",
    )
    .unwrap();
    let out = seg(&project, &["--plain", "check"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("seg::E016"), "{}", out.stderr);
    assert!(
        out.stderr.contains("add `import 'sets.seg'`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_bad_as_of_date_is_a_usage_error() {
    let out = seg(&shop(), &["run", "--as-of", "2025-02-30"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not a date"), "{}", out.stderr);
}

#[test]
fn a_huge_file_is_e061_and_too_many_definitions_is_e062() {
    let project = shop();
    let big = "// padding\n".repeat(100_000);
    std::fs::write(project.join("segments/big.seg"), big).unwrap();
    let out = seg(&project, &["check"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("seg::E061"), "{}", out.stderr);
    std::fs::remove_file(project.join("segments/big.seg")).unwrap();

    let many: String = (0..10_001).map(|i| format!("set s{i} = [{i}]\n")).collect();
    std::fs::write(project.join("segments/many.seg"), many).unwrap();
    let out = seg(&project, &["check"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("seg::E062") && out.stderr.contains("10001 definitions"),
        "{}",
        out.stderr
    );
}
