//! `seg repl` driven through a real pseudo-terminal, as a person would type: completion,
//! multi-line input, errors that do not end the session, Ctrl-C cancelling a slow query,
//! and `:save` writing a file that `seg check` accepts.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{copy_project, seg, slow_project, temp_dir};
use rexpect::session::{PtySession, spawn_command};

/// Starts `seg repl` in `project`, pinned to 2025-06-30, with its own history file.
fn repl(project: &Path) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_seg"));
    command
        .args(["repl", "--as-of", "2025-06-30"])
        .current_dir(project)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("SEGLANG_HISTORY", project.join("history.txt"));
    let mut session = spawn_command(command, Some(30_000)).expect("seg repl starts");
    session.exp_string("Type a condition").expect("banner");
    session
}

/// Waits for a fresh prompt, then types `text` and presses Enter. (Input typed before the
/// editor is back in raw mode could be discarded, as on any terminal.)
fn enter(session: &mut PtySession, text: &str) {
    session.exp_string("seg> ").expect("a prompt");
    type_line(session, text);
}

/// Waits for a fresh prompt, then leaves with Ctrl-D. (Ctrl-D typed before the editor is
/// back in raw mode would be read as plain input.)
fn quit(session: &mut PtySession) {
    session.exp_string("seg> ").expect("a prompt");
    session.send_control('d').unwrap();
    session.exp_eof().unwrap();
}

/// Types `text` and presses Enter without waiting (a continuation line).
fn type_line(session: &mut PtySession, text: &str) {
    session.send(text).unwrap();
    session.send("\r").unwrap();
    session.flush().unwrap();
}

#[test]
fn tab_completes_fields_and_allowed_values() {
    let project = copy_project("tests/fixtures/shop");
    let mut s = repl(&project);
    s.exp_string("seg> ").unwrap();
    // Each completion is waited for, as a person would look before typing on.
    s.send("occu\t").unwrap();
    s.flush().unwrap();
    s.exp_string("pation").unwrap();
    s.send(" = 'nu\t").unwrap();
    s.flush().unwrap();
    s.exp_string("rse'").unwrap();
    s.send("\r").unwrap();
    s.flush().unwrap();
    // occupation = 'nurse': Ann, Bob, Cat, Hal and Ivy.
    s.exp_string("5 members (as of 2025-06-30)").unwrap();
    quit(&mut s);
}

#[test]
fn an_unfinished_line_continues_on_the_next() {
    let project = copy_project("tests/fixtures/shop");
    let mut s = repl(&project);
    enter(&mut s, "city = 'London' and");
    type_line(&mut s, "newsletter");
    // London and subscribed: Ann, Cat and Fay.
    s.exp_string("3 members").unwrap();
    quit(&mut s);
}

#[test]
fn an_error_is_shown_and_the_session_goes_on() {
    let project = copy_project("tests/fixtures/shop");
    let mut s = repl(&project);
    enter(&mut s, "ocupation = 'nurse'");
    s.exp_string("seg::E003").unwrap();
    s.exp_string("did you mean `occupation`?").unwrap();
    enter(&mut s, "city = 'Leeds'");
    // Bob and Eve.
    s.exp_string("2 members").unwrap();
    // Ctrl-C at the prompt clears the line; the session stays.
    s.exp_string("seg> ").unwrap();
    s.send("city = 'Paris'").unwrap();
    s.send_control('c').unwrap();
    enter(&mut s, "city = 'York'");
    s.exp_string("1 member (as of").unwrap();
    quit(&mut s);
    assert!(
        project.join("history.txt").exists(),
        "history is saved on exit"
    );
}

/// Ctrl-C during a slow query cancels it, and the session goes on.
fn ctrl_c_cancels_the_slow_query(project: &std::path::Path) {
    let mut s = repl(project);
    // For each of 40,000 customers, a scan of 400,000 orders (no index) for the latest one.
    enter(&mut s, "last(orders.amount) > 1");
    std::thread::sleep(Duration::from_millis(1500));
    s.send_control('c').unwrap();
    s.exp_string("seg::E033").unwrap();
    s.exp_string("query cancelled").unwrap();
    enter(&mut s, "name = 'c7'");
    s.exp_string("1 member (as of").unwrap();
    quit(&mut s);
}

#[test]
fn ctrl_c_cancels_a_slow_query_and_returns_to_the_prompt() {
    ctrl_c_cancels_the_slow_query(&slow_project());
}

#[test]
#[ignore = "needs PostgreSQL: SEG_TEST_POSTGRES_URL (.ci/run starts a server and runs ignored tests)"]
fn ctrl_c_cancels_a_slow_query_on_postgresql() {
    ctrl_c_cancels_the_slow_query(&common::postgres::slow_project("repl_cancel"));
}

/// On PostgreSQL the sample is picked by the key's hash, so text keys work too.
#[test]
#[ignore = "needs PostgreSQL: SEG_TEST_POSTGRES_URL (.ci/run starts a server and runs ignored tests)"]
fn estimates_work_with_text_keys_on_postgresql() {
    let url = common::postgres::fresh_database("repl_text_keys");
    let project = common::temp_dir("text-keys");
    std::fs::create_dir(project.join("data")).unwrap();
    std::fs::write(
        project.join("seg.toml"),
        format!(
            "[database]\nurl = \"{url}\"\n[data]\ncustomers = \"data/customers.csv\"\n\
             [customer]\ntable = \"customers\"\nkey = \"id\"\n[customer.fields]\ncity = \"text\"\n"
        ),
    )
    .unwrap();
    std::fs::write(
        project.join("data/customers.csv"),
        "id,city\nC-1,Leeds\nC-2,York\nC-3,Leeds\nC-4,Leeds\n",
    )
    .unwrap();
    assert_eq!(common::seg(&project, &["load"]).code, 0);
    let mut s = repl(&project);
    enter(&mut s, ":estimate on");
    s.exp_string("estimates first: on").unwrap();
    enter(&mut s, "city = 'Leeds'");
    s.exp_string("3 members (estimate from every customer")
        .unwrap();
    s.exp_string("C-4").unwrap();
    s.exp_string("3 members (as of").unwrap();
    quit(&mut s);
}

#[test]
fn a_large_base_gets_an_estimate_from_a_sample_then_the_exact_count() {
    let project = large_project();
    let mut s = repl(&project);
    // 200,000 customers: one in 20 is sampled, a slice of the ids that leave the same
    // remainder over 20 (10,000 of them), a different slice each time. Customers whose id
    // is a multiple of 3 have three orders, so 3,333 or 3,334 sampled customers are
    // members: an estimate of 66,660 or 66,680. The margin is
    // 1.96 × 200,000 × √(0.3333 × 0.6667 / 10,000) × √(1 − 10,000 / 200,000) = 1,801.
    // (The pty reader decodes bytes one by one, so `≈` and `±` are matched around.)
    // Five spellings of one question, each reading new facts (so none is answered from
    // the facts the session keeps, and each gets an estimate first).
    let spellings = [
        "count(orders) >= 3",
        "sum(orders.amount) >= 4.5",
        "count(orders where amount > 1) >= 3",
        "count(orders where amount >= 1.5) >= 3",
        "sum(orders.amount where amount > 1) >= 4.5",
    ];
    let mut slices = std::collections::BTreeSet::new();
    for spelling in spellings {
        enter(&mut s, spelling);
        s.exp_regex(
            r"66,6[68]0 .{1,6} 1,801 members \(estimate from 10,000 sampled customers, one in 20;",
        )
        .unwrap();
        s.exp_string("customer_key  name").unwrap();
        // The members shown come from the sample: multiples of 3, all in one slice.
        let shown = s.exp_string("members (as of 2025-06-30, exact)").unwrap();
        let keys: Vec<u64> = shown
            .lines()
            .filter_map(|line| line.split_whitespace().next()?.parse().ok())
            .collect();
        assert_eq!(keys.len(), 5, "{shown}");
        assert!(keys.iter().all(|k| k % 3 == 0), "{keys:?}");
        assert!(keys.iter().all(|k| k % 20 == keys[0] % 20), "{keys:?}");
        slices.insert(keys[0] % 20);
        // The exact count: the multiples of 3 up to 200,000.
        assert!(shown.contains("66,666"), "{shown}");
    }
    // Asked again, the estimate comes from another sample (all five the same: 1 in 160,000).
    assert!(slices.len() > 1, "{slices:?}");
    // Asked once more, the facts the session keeps answer at once: no estimate.
    enter(&mut s, "count(orders) >= 3");
    let again = s.exp_string("66,666 members (as of 2025-06-30)").unwrap();
    assert!(!again.contains("estimate"), "{again}");
    enter(&mut s, ":estimate off");
    s.exp_string("estimates first: off").unwrap();
    enter(&mut s, "count(orders) >= 3");
    s.exp_string("66,666 members (as of 2025-06-30)").unwrap();
    quit(&mut s);
}

/// 200,000 customers (ids 1…200,000 in row order); those with an id divisible by 3 have
/// three orders, the others one.
fn large_project() -> common::TestDir {
    let dir = temp_dir("large");
    std::fs::write(
        dir.join("seg.toml"),
        "[database]\npath = \"large.db\"\n[customer]\nkey = \"id\"\n[customer.fields]\nname = \"text\"\n\
         [related.orders]\ncustomer_key = \"customer_id\"\n[related.orders.fields]\namount = \"money\"\n",
    )
    .unwrap();
    let mut db = rusqlite::Connection::open(dir.join("large.db")).unwrap();
    let tx = db.transaction().unwrap();
    tx.execute_batch(
        "CREATE TABLE customers (id INTEGER, name TEXT); \
         CREATE TABLE orders (customer_id INTEGER, amount NUMERIC);",
    )
    .unwrap();
    {
        let mut customer = tx
            .prepare("INSERT INTO customers VALUES (?1, 'c')")
            .unwrap();
        let mut order = tx.prepare("INSERT INTO orders VALUES (?1, 1.5)").unwrap();
        for id in 1..=200_000 {
            customer.execute([id]).unwrap();
            for _ in 0..if id % 3 == 0 { 3 } else { 1 } {
                order.execute([id]).unwrap();
            }
        }
    }
    tx.execute_batch("CREATE INDEX orders_customer ON orders (customer_id);")
        .unwrap();
    tx.commit().unwrap();
    dir
}

#[test]
fn save_writes_definitions_that_seg_check_accepts() {
    let project = copy_project("tests/fixtures/shop");
    let mut s = repl(&project);
    enter(
        &mut s,
        "SEGMENT LondonNurses WHERE city='London' AND HighValueNurses",
    );
    // Ann and Ivy are high-value nurses; both live in London.
    s.exp_string("segment LondonNurses: 2 members").unwrap();
    enter(&mut s, "set northern = ['Leeds', 'York']");
    s.exp_string("defined northern").unwrap();
    // `printf 'london:1' | md5sum` gives bucket 2018, `london:9` 5111.
    enter(
        &mut s,
        "split LondonNurses seed 'london' into LondonA 50%, LondonB 50%",
    );
    s.exp_string("segment LondonA: 1 member").unwrap();
    s.exp_string("segment LondonB: 1 member").unwrap();
    enter(&mut s, ":save saved.seg");
    s.exp_string("saved 3 definitions to saved.seg").unwrap();
    quit(&mut s);

    let saved = std::fs::read_to_string(project.join("saved.seg")).unwrap();
    assert!(saved.contains("import 'segments/shop.seg'"), "{saved}");
    // Saved in the canonical layout, so `seg fmt --check` has nothing to change.
    assert!(
        saved.contains("segment LondonNurses where city = 'London' and HighValueNurses"),
        "{saved}"
    );
    assert_eq!(
        seg(&project, &["fmt", "--check", "saved.seg"]).code,
        0,
        "{saved}"
    );
    let check = seg(&project, &["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let run = seg(
        &project,
        &["run", "--segment", "LondonNurses", "--format", "csv"],
    );
    assert_eq!(common::member_keys(&run.stdout), [1, 9]);
    let run = seg(
        &project,
        &["run", "--segment", "LondonB", "--format", "csv"],
    );
    assert_eq!(common::member_keys(&run.stdout), [9]);
}

#[test]
fn commands_show_schema_segments_and_sql() {
    let project = copy_project("tests/fixtures/shop");
    let mut s = repl(&project);
    enter(&mut s, ":schema");
    s.exp_string("occupation: text").unwrap();
    s.exp_string("orders.amount: money").unwrap();
    enter(&mut s, ":sql city = 'Leeds'");
    s.exp_string("-- params: 1 = 'Leeds'").unwrap();
    enter(&mut s, ":segments");
    s.exp_string("HighValueNurses").unwrap();
    enter(&mut s, ":as-of 2025-12-25");
    s.exp_string("as of 2025-12-25").unwrap();
    enter(&mut s, "anniversary(birthday) in next 14 days");
    // Cat (30 December) and Dan (3 January): the window wraps the year.
    s.exp_string("2 members (as of 2025-12-25)").unwrap();
    enter(&mut s, ":quit");
    s.exp_eof().unwrap();
}

/// `:explain KEY` explains the last condition for one customer: Bob (2) is a nurse whose
/// ltv is exactly 500.00, one cent short of `ltv > 500`.
#[test]
fn explain_funnel_and_breakdown_work_on_the_last_condition() {
    let project = copy_project("tests/fixtures/shop");
    let mut s = repl(&project);
    enter(&mut s, "occupation = 'nurse' and ltv > 500");
    s.exp_string("3 members").unwrap();
    enter(&mut s, ":explain 2");
    s.exp_string("the condition for customer 2, as of 2025-06-30: not a member")
        .unwrap();
    s.exp_string("ltv > 500             value 500.00; 0.01 more would pass")
        .unwrap();
    enter(&mut s, ":explain 1 HighValueNurses");
    s.exp_string("HighValueNurses for customer 1, as of 2025-06-30: member")
        .unwrap();
    // The funnel of the last condition: 3 of the 5 nurses have ltv over 500.
    enter(&mut s, ":funnel");
    s.exp_string("ltv > 500").unwrap();
    s.exp_string("60.0%").unwrap();
    // Ann, Cat and Ivy: Ann and Cat subscribe, Ivy does not; groups under 5 are hidden.
    enter(&mut s, ":breakdown newsletter");
    s.exp_string("the condition by newsletter, as of 2025-06-30: 3 members")
        .unwrap();
    s.exp_string("<5").unwrap();
    // Londoners {1, 3, 6, 9} and Subscribed {1, 3, 4, 6, 8}: hidden under 5, except
    // Subscribed's own 5.
    enter(&mut s, ":overlap Londoners Subscribed");
    s.exp_string("counts under 5 hidden").unwrap();
    s.exp_string("Subscribed").unwrap();
    quit(&mut s);
}

#[test]
fn an_unusable_history_file_is_a_warning() {
    let project = copy_project("tests/fixtures/shop");
    let history = project.join("history.txt");
    std::fs::write(&history, "").unwrap();
    let mut s = repl(&project);
    // The file turns into a directory during the session: saving fails, with a warning.
    std::fs::remove_file(&history).unwrap();
    std::fs::create_dir_all(&history).unwrap();
    enter(&mut s, "city = 'York'");
    s.exp_string("1 member").unwrap();
    s.exp_string("seg> ").unwrap();
    s.send_control('d').unwrap();
    s.exp_string("warning: cannot save history").unwrap();
    s.exp_eof().unwrap();
}

/// A 70,000-character condition pasted (bracketed, as terminals paste) is answered at once:
/// the line is drawn once, not once per character.
#[test]
fn a_huge_paste_is_answered_quickly() {
    let project = copy_project("tests/fixtures/shop");
    let mut s = repl(&project);
    s.exp_string("seg> ").unwrap();
    let condition = format!("city != '{}' and city = 'London'", "x".repeat(70_000));
    s.send("\x1b[200~").unwrap();
    s.send(&condition).unwrap();
    s.send("\x1b[201~\r").unwrap();
    s.flush().unwrap();
    // London: Ann, Cat, Fay and Ivy (none of them lives in the 70,000 x's).
    // Within the session's 30-second expectation: drawn once, not once per character.
    s.exp_string("4 members (as of 2025-06-30)").unwrap();
    quit(&mut s);
}

/// A history path that is a device or a directory is never read or written: `/dev/zero`
/// would fill memory, `/dev/full` hang or fail. The session runs without history and says so.
#[test]
fn a_history_path_that_is_not_a_regular_file_is_left_alone() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::create_dir_all(project.join("a-directory")).unwrap();
    let directory = project.join("a-directory").to_string_lossy().into_owned();
    for device in ["/dev/zero", "/dev/full", "/dev/null", directory.as_str()] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_seg"));
        command
            .args(["repl", "--as-of", "2025-06-30"])
            .current_dir(&*project)
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .env("SEGLANG_HISTORY", device);
        let mut s = spawn_command(command, Some(20_000)).expect("seg repl starts");
        s.exp_string("not a regular file").expect(device);
        s.exp_string("Type a condition").expect(device);
        enter(&mut s, "city = 'London'");
        s.exp_string("4 members").expect(device);
        quit(&mut s);
    }
}

/// `:load` of a FIFO says it cannot read it and the session goes on (reading would block).
#[test]
fn loading_a_fifo_is_refused_without_blocking() {
    let project = copy_project("tests/fixtures/shop");
    common::mkfifo(&project.join("pipe.seg"));
    let mut s = repl(&project);
    enter(&mut s, ":load pipe.seg");
    s.exp_string("not a regular file").unwrap();
    enter(&mut s, "city = 'London'");
    s.exp_string("4 members").unwrap();
    quit(&mut s);
}

/// Input from a pipe or a file is read in time linear in its length and within a limit:
/// `seg repl < /dev/zero` ends with a message instead of filling the memory, a directory
/// as input is an input problem (not an output one), and 8,000 continuation lines are one
/// input answered at once.
#[test]
fn piped_input_is_read_within_limits_and_in_linear_time() {
    let project = copy_project("tests/fixtures/shop");
    for input in ["/dev/zero", project.to_str().unwrap()] {
        let out = Command::new(env!("CARGO_BIN_EXE_seg"))
            .args(["repl", "--as-of", "2025-06-30"])
            .current_dir(&*project)
            .env("SEGLANG_HISTORY", project.join("history.txt"))
            .stdin(std::fs::File::open(input).unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{input}: {stderr}");
        assert!(stderr.contains("seg repl: "), "{input}: {stderr}");
        assert!(!stderr.contains("E046"), "{input}: {stderr}");
    }
    // Input that ends in the middle of a continued condition ends the session.
    for unfinished in [
        "newsletter and\n",
        "city in ['a',\n",
        "/// a [doc\n",
        "city =",
    ] {
        let out = common::seg_with_input(&project, &["repl"], unfinished.as_bytes());
        assert_eq!(out.code, 0, "{unfinished:?}: {}", out.stderr);
    }
    // A byte-order mark before the first input is not part of it.
    let out = common::seg_with_input(
        &project,
        &["repl", "--as-of", "2025-06-30"],
        "\u{feff}city = 'London'\n".as_bytes(),
    );
    assert!(
        out.stdout.contains("4 members"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    let long = "newsletter and\n".repeat(8_000) + "city = 'London'\n";
    let out = common::seg_with_input(
        &project,
        &["repl", "--as-of", "2025-06-30"],
        long.as_bytes(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // London with the newsletter: Ann, Cat and Fay.
    assert!(out.stdout.contains("3 members"), "{}", out.stdout);
}

/// `:load` reads a file as a segment file is read: a file that is not UTF-8 is seg::E040
/// pointing at the bad byte, one larger than the limit is seg::E061; the session goes on.
#[test]
fn load_reads_files_as_segment_files_are_read() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("latin1.seg"),
        b"segment Caf\xe9 where newsletter\n",
    )
    .unwrap();
    let huge = format!("segment Big where city = '{}'\n", "x".repeat(2 << 20));
    std::fs::write(project.join("huge.seg"), huge).unwrap();
    let out = common::seg_with_input(
        &project,
        &["repl", "--as-of", "2025-06-30"],
        b":load latin1.seg\n:load huge.seg\ncity = 'London'\n",
    );
    assert!(out.stderr.contains("seg::E040"), "{}", out.stderr);
    assert!(out.stderr.contains("offset 11"), "{}", out.stderr);
    assert!(out.stderr.contains("seg::E061"), "{}", out.stderr);
    assert!(out.stdout.contains("4 members"), "{}", out.stdout);
}

/// The facts a session keeps: conditions over the same aggregates (and new ones, merged
/// in) count exactly what `seg run` counts.
#[test]
fn kept_facts_answer_as_seg_run_does() {
    let project = copy_project("tests/fixtures/shop");
    let conditions = [
        "sum(orders.amount) > 300",
        "sum(orders.amount) > 100",
        "count(orders) >= 2 and sum(orders.amount) > 100",
        "not any(orders where occasion = 'christmas')",
    ];
    let mut definitions = String::new();
    for (i, condition) in conditions.iter().enumerate() {
        definitions.push_str(&format!("segment Q{i} where {condition}\n"));
    }
    std::fs::write(project.join("segments/kept.seg"), definitions).unwrap();
    let run = seg(
        &project,
        &["--as-of", "2025-06-30", "run", "--count", "--format", "csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected: Vec<String> = (0..conditions.len())
        .map(|i| {
            let line = run
                .stdout
                .lines()
                .find(|l| l.starts_with(&format!("Q{i},")))
                .unwrap();
            line.split(',').nth(1).unwrap().to_string()
        })
        .collect();
    let input = conditions.join("\n") + "\n";
    let out = common::seg_with_input(
        &project,
        &["repl", "--as-of", "2025-06-30"],
        input.as_bytes(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let answers: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("(as of 2025-06-30)"))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(answers, expected, "{}", out.stdout);
}

/// Kept facts follow the data: after another program changes the orders, the next answer
/// is computed again, not read from the stale table.
#[test]
fn kept_facts_are_computed_again_when_the_data_changes() {
    let project = copy_project("tests/fixtures/shop");
    assert_eq!(seg(&project, &["load"]).code, 0);
    let mut s = repl(&project);
    // The number printed before "members (as of …)".
    let answer = |s: &mut PtySession| {
        let text = s.exp_string(" members (as of 2025-06-30)").unwrap();
        text.rsplit('\n').next().unwrap().trim().to_string()
    };
    enter(&mut s, "sum(orders.amount) > 0");
    assert_ne!(answer(&mut s), "0");
    let db = rusqlite::Connection::open(project.join("shop.db")).unwrap();
    db.execute_batch("DELETE FROM orders").unwrap();
    drop(db);
    enter(&mut s, "sum(orders.amount) > 0");
    assert_eq!(answer(&mut s), "0");
    quit(&mut s);
}
