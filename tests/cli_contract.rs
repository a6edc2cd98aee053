//! The command-line contract, for every subcommand that writes to stdout: a closed pipe
//! (`seg … | head`) ends the command quietly with status 141 (as if by SIGPIPE, the Unix convention: never a
//! success for output nobody received), a full disk on stdout is a coded error (exit 2),
//! and `-p DIR` works before and after the subcommand's own arguments.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{TestDir, copy_project, seg};

/// Status of a command whose standard output was closed early.
const CLOSED_PIPE: i32 = 141;

/// Every subcommand, with arguments that make it print to stdout, on the loaded example.
const COMMANDS: &[&[&str]] = &[
    &["check"],
    &["check", "--format", "json"],
    &["fmt", "--check"],
    &["compile", "-s", "Lapsed"],
    &["run"],
    &["run", "--count"],
    &["run", "-s", "Lapsed"],
    &["run", "-s", "Lapsed", "--format", "csv"],
    &["test"],
    &["explain", "Lapsed", "--customer", "1"],
    &["funnel", "HighValueNurses"],
    &["overlap", "Lapsed", "NeverOrdered", "FrequentBuyers"],
    &[
        "breakdown",
        "Lapsed",
        "--by",
        "city",
        "--min-group-size",
        "1",
    ],
    &["export", "Lapsed"],
    &["materialize", "-s", "Lapsed"],
    &["history", "Lapsed"],
    &["diff", "Lapsed"],
    &["index"],
    &["list"],
    &["load"],
    &["schema", "infer", "--db", "retail.db"],
    &["repl"],
    &["--help"],
    &["--version"],
];

/// The example, loaded and materialized as of two dates (so history and diff have runs), with one
/// file that `seg fmt --check` lists.
fn example() -> TestDir {
    let project = copy_project("examples/retail");
    std::fs::write(
        project.join("segments/unformatted.seg"),
        "segment   Unformatted   where city = 'Leeds'\n",
    )
    .unwrap();
    let earlier: &[&str] = &["--as-of", "2025-07-01", "materialize"];
    for args in [&["load"][..], earlier, &["materialize"]] {
        let out = seg(&project, args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    project
}

/// Runs `seg args` in `dir` with stdout on `stdout`; returns the status and stderr.
fn seg_with_stdout(dir: &Path, args: &[&str], stdout: Stdio) -> (i32, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_seg"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("seg starts");
    let output = child.wait_with_output().expect("seg ends");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let project = example();
    for args in COMMANDS {
        let normal = seg(&project, args);
        assert!(normal.code <= 1, "{args:?} does not run: {}", normal.stderr);
        // The read end is closed before seg starts: every write meets a closed pipe.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let (code, stderr) = seg_with_stdout(&project, args, Stdio::from(writer));
        if normal.stdout.is_empty() {
            // `seg load` reports on stderr only: nothing meets the closed pipe.
            assert_eq!(code, normal.code, "{args:?}: {stderr}");
            continue;
        }
        assert_eq!(code, CLOSED_PIPE, "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn a_full_disk_on_stdout_is_a_coded_error_for_every_command() {
    let project = example();
    for args in COMMANDS {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full exists on Linux");
        let normal = seg(&project, args);
        assert!(normal.code <= 1, "{args:?} does not run: {}", normal.stderr);
        let (code, stderr) = seg_with_stdout(&project, args, Stdio::from(full));
        if normal.stdout.is_empty() {
            assert_eq!(code, normal.code, "{args:?}: {stderr}");
            continue;
        }
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("seg::E046"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn the_project_can_be_named_before_or_after_the_subcommands_arguments() {
    let project = example();
    let outside = common::temp_dir("outside");
    let dir = project.to_str().expect("a UTF-8 path");
    for args in COMMANDS {
        if args[0].starts_with("--") || args[0] == "schema" {
            continue;
        }
        let first: Vec<&str> = ["-p", dir].iter().chain(args.iter()).copied().collect();
        let last: Vec<&str> = args
            .iter()
            .chain(["--project", dir].iter())
            .copied()
            .collect();
        for args in [first, last] {
            let out = seg(&outside, &args);
            let problems_found = args.contains(&"check") || args.contains(&"fmt");
            assert!(
                out.code == 0 || (out.code == 1 && problems_found),
                "{args:?}: {}",
                out.stderr
            );
        }
    }
}

#[test]
fn time_limits_parse_strictly_with_a_coded_error() {
    let project = example();
    for bad in [
        "1e20",
        "inf",
        "NaN",
        "-5",
        "0",
        "soon",
        "25h",
        " 30",
        "30 ",
        "0.0000001",
    ] {
        let flag = format!("--timeout={bad}");
        let out = seg(&project, &[&flag, "run", "--count"]);
        assert_eq!(out.code, 2, "{bad}: {}", out.stderr);
        assert!(out.stderr.contains("seg::E047"), "{bad}: {}", out.stderr);
    }
    for good in ["30", "1.5", "500ms", "30s", "2m", "1h"] {
        let out = seg(&project, &["run", "--count", "--timeout", good]);
        assert_eq!(out.code, 0, "{good}: {}", out.stderr);
    }
}

/// 0 done, 1 problems found in the segment files, 2 could not run (docs/cli.md).
#[test]
fn exit_codes_follow_the_contract() {
    let project = example();
    let broken = project.join("segments/zz_broken.seg");
    let outside = common::temp_dir("no-project");
    let cases: &[(&[&str], Option<&str>, i32)] = &[
        (&["check"], None, 0),
        (
            &["check"],
            Some("segment Broken where ocupation = 'x'\n"),
            1,
        ),
        (
            &["run", "--count"],
            Some("segment Broken where ocupation = 'x'\n"),
            1,
        ),
        (
            &["materialize"],
            Some("segment Broken where ocupation = 'x'\n"),
            1,
        ),
        (
            &["fmt", "--check"],
            Some("segment   Spaced where city = 'x'\n"),
            1,
        ),
        (&["fmt"], Some("segment Broken wher city = 'x'\n"), 1),
        (&["run", "-s", "NoSuchSegment"], None, 2),
        (&["--timeout=soon", "run"], None, 2),
        (&["history", "NoSuchSegment"], None, 2),
        (&["list"], Some("segment Broken where ocupation = 'x'\n"), 1),
        (&["export", "L*"], None, 2),
        (&["funnel", "L*"], None, 2),
        (
            &["run", "--count", "--threads", "18446744073709551615"],
            None,
            2,
        ),
        (&["run", "--count", "--threads", "1000000"], None, 2),
        (&["test", "/nonexistent/tests"], None, 2),
    ];
    for (args, file, code) in cases {
        match file {
            Some(text) => std::fs::write(&broken, text).unwrap(),
            None => {
                std::fs::remove_file(&broken).ok();
            }
        }
        let out = seg(&project, args);
        assert_eq!(out.code, *code, "{args:?} with {file:?}: {}", out.stderr);
    }
    std::fs::remove_file(&broken).ok();
    for args in [&["check"][..], &["run"], &["load"]] {
        let out = seg(&outside, args);
        assert_eq!(out.code, 2, "{args:?} outside a project: {}", out.stderr);
        assert!(out.stderr.contains("seg::E020"), "{}", out.stderr);
    }
}

/// Customer keys are identifiers, not quantities: never digit-grouped, in tables either.
#[test]
fn customer_keys_are_never_digit_grouped() {
    let project = example();
    let members = seg(&project, &["run", "-s", "Lapsed"]);
    assert_eq!(members.code, 0, "{}", members.stderr);
    let keys: Vec<&str> = members
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(keys.iter().any(|k| k.len() >= 4), "{keys:?}");
    assert!(keys.iter().all(|k| !k.contains(',')), "{keys:?}");
    let diff = seg(&project, &["diff", "Lapsed"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let keys: Vec<&str> = diff
        .stdout
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert!(keys.iter().any(|k| k.len() >= 4), "{keys:?}");
    assert!(keys.iter().all(|k| !k.contains(',')), "{keys:?}");
}

/// What an adversarial review found: odd files where seg reads or writes, links that lead
/// out of the project, revisions that look like options.
#[test]
fn odd_paths_never_hang_leak_or_stop_the_others() {
    let project = example();
    let segments = project.join("segments");
    // A link to the root of the file system and a loop of links inside the project.
    std::os::unix::fs::symlink("/", segments.join("root")).unwrap();
    std::fs::create_dir(segments.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", segments.join("loop/up")).unwrap();
    let check = seg(&project, &["check", "--plain"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("seg::E019"), "{}", check.stderr);
    assert!(check.stderr.contains("root"), "{}", check.stderr);
    std::fs::remove_file(segments.join("root")).unwrap();
    std::fs::remove_dir_all(segments.join("loop")).unwrap();

    // A file the manifest names outside the project is not read either, by path or by link.
    let manifest = std::fs::read_to_string(project.join("seg.toml")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", project.join("inside.seg")).unwrap();
    for entry in ["/etc/passwd", "../../../../../../etc/passwd", "inside.seg"] {
        let listed = manifest.replace(
            "segments = [\"segments\"]",
            &format!("segments = [\"segments\", \"{entry}\"]"),
        );
        std::fs::write(project.join("seg.toml"), listed).unwrap();
        let check = seg(&project, &["check", "--plain"]);
        assert_eq!(check.code, 1, "{entry}: {}", check.stderr);
        assert!(
            check.stderr.contains("seg::E019"),
            "{entry}: {}",
            check.stderr
        );
        assert!(!check.stderr.contains("root:"), "{entry}: {}", check.stderr);
    }
    std::fs::write(project.join("seg.toml"), &manifest).unwrap();
    std::fs::remove_file(project.join("inside.seg")).unwrap();

    // A revision is never an option to git.
    let marker = project.join("written-by-git");
    let rev = format!("--rev=--output={}", marker.display());
    let review = seg(&project, &["diff", &rev]);
    assert_eq!(review.code, 2, "{}", review.stderr);
    assert!(!marker.exists());

    // A baseline or a REPL target that is a FIFO or a device is refused, not opened.
    let fifo = project.join("fifo.json");
    common::mkfifo(&fifo);
    for baseline in [fifo.to_str().unwrap(), "/dev/zero"] {
        let out = seg(&project, &["check", "--db", "--baseline", baseline]);
        assert_eq!(out.code, 2, "{baseline}: {}", out.stderr);
        assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    }
    let out = common::seg_with_input(
        &project,
        &["repl"],
        b"segment Zz where income > 5\n:save /dev/full\n:load /dev/zero\n",
    );
    let stderr = out.stderr;
    assert_eq!(out.code, 0, "{stderr}");
    assert_eq!(stderr.matches("not a regular file").count(), 2, "{stderr}");

    // `seg fmt` formats the other files when one cannot be read, and says so.
    std::fs::write(
        segments.join("latin1.seg"),
        b"segment Caf\xe9 where newsletter\n",
    )
    .unwrap();
    std::fs::write(
        segments.join("ugly.seg"),
        "segment   Ugly   where city = 'Leeds'\n",
    )
    .unwrap();
    let fmt = seg(&project, &["fmt"]);
    assert_eq!(fmt.code, 1, "{}", fmt.stderr);
    assert!(fmt.stderr.contains("latin1.seg"), "{}", fmt.stderr);
    assert_eq!(
        std::fs::read_to_string(segments.join("ugly.seg")).unwrap(),
        "segment Ugly where city = 'Leeds'\n"
    );
}

/// A funnel's query grows with the square of its steps: past 64 it is refused.
#[test]
fn a_funnel_of_too_many_steps_is_refused_quickly() {
    let project = example();
    let terms: Vec<String> = (0..1_000).map(|i| format!("income > {i}")).collect();
    std::fs::write(
        project.join("segments/long.seg"),
        format!("segment Long where {}\n", terms.join(" and ")),
    )
    .unwrap();
    let out = seg(&project, &["funnel", "Long"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("seg::E048"), "{}", out.stderr);
}

/// Options may come between a command's positional arguments; two different projects named
/// at once are refused rather than one silently ignored; input that is not UTF-8 is an
/// input problem.
#[test]
fn arguments_in_any_order_and_one_project() {
    let project = example();
    let dir = project.to_str().unwrap();
    let outside = common::temp_dir("elsewhere");
    let between = seg(
        &outside,
        &[
            "overlap",
            "Lapsed",
            "-p",
            dir,
            "FrequentBuyers",
            "--format",
            "csv",
        ],
    );
    assert_eq!(between.code, 0, "{}", between.stderr);
    assert!(
        between.stdout.contains("Lapsed,FrequentBuyers"),
        "{}",
        between.stdout
    );
    let one = seg(&project, &["overlap", "Lapsed"]);
    assert_eq!(one.code, 2, "{}", one.stderr);
    let b2b = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/b2b");
    let two = seg(&outside, &["run", dir, "-p", b2b.to_str().unwrap()]);
    assert_eq!(two.code, 2, "{}", two.stderr);
    assert!(two.stderr.contains("two projects named"), "{}", two.stderr);
    // A global option given before and after the subcommand: neither is silently dropped.
    let b2b = b2b.to_str().unwrap();
    for args in [
        &["-p", b2b, "run", "-p", dir][..],
        &["--as-of", "2025-01-01", "run", "--as-of", "2025-02-01"],
        &["--timeout", "5s", "check", "--timeout", "9s"],
    ] {
        let out = seg(&project, args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("seg::E047"), "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("given twice"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let same = seg(&outside, &["-p", dir, "run", "--count", "-p", dir]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    let out = common::seg_with_input(&project, &["repl"], b"city = '\xff'\n");
    let stderr = out.stderr;
    assert_eq!(out.code, 2, "{stderr}");
    assert!(
        stderr.contains("not UTF-8") && !stderr.contains("E046"),
        "{stderr}"
    );
}

/// No output of seg's (an export, a baseline, a saved REPL session, a rebuilt database)
/// goes over or adds to what the project reads: one rule for every writer.
#[test]
fn output_never_replaces_or_adds_to_the_projects_inputs() {
    let project = example();
    let inputs = [
        "seg.toml",
        "segments/behavioral.seg",
        "tests/nurses.test.toml",
        "data/customers.csv",
        "retail.db",
    ];
    for target in inputs {
        let before = std::fs::read(project.join(target)).unwrap();
        let attempts: [&[&str]; 2] = [
            &["export", "Lapsed", "-o", target],
            &[
                "check",
                "--db",
                "retail.db",
                "--baseline",
                target,
                "--update-baseline",
            ],
        ];
        for args in attempts {
            let out = seg(&project, args);
            assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
            assert!(out.stderr.contains("seg::E046"), "{args:?}: {}", out.stderr);
            assert_eq!(
                std::fs::read(project.join(target)).unwrap(),
                before,
                "{args:?}"
            );
        }
        // A segment file may take saved definitions (tests/repl.rs); nothing else may.
        if !target.ends_with(".seg") {
            let session = format!("segment Saved where city = 'Leeds'\n:save {target}\n");
            let out = common::seg_with_input(&project, &["repl"], session.as_bytes());
            assert!(out.stderr.contains("seg::E046"), "{target}: {}", out.stderr);
            assert_eq!(
                std::fs::read(project.join(target)).unwrap(),
                before,
                "{target}"
            );
        }
    }
    // Whatever the session read as segments is an input, whatever its name: a file the
    // manifest lists, a file a segment file imports. So are a database's journal files.
    std::fs::write(
        project.join("extra.txt"),
        "segment Extra where newsletter\n",
    )
    .unwrap();
    std::fs::write(
        project.join("shared.inc"),
        "segment Shared where newsletter\n",
    )
    .unwrap();
    std::fs::write(
        project.join("segments/uses.seg"),
        "import '../shared.inc'\n",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(project.join("seg.toml")).unwrap();
    std::fs::write(
        project.join("seg.toml"),
        manifest.replace(
            "segments = [\"segments\"]",
            "segments = [\"segments\", \"extra.txt\"]",
        ),
    )
    .unwrap();
    std::fs::write(project.join("retail.db-wal"), "").unwrap();
    for target in ["extra.txt", "shared.inc", "retail.db-wal"] {
        let before = std::fs::read(project.join(target)).unwrap();
        let out = seg(&project, &["export", "Lapsed", "-o", target]);
        assert_eq!(out.code, 2, "{target}: {}", out.stderr);
        assert!(out.stderr.contains("seg::E046"), "{target}: {}", out.stderr);
        let out = common::seg_with_input(
            &project,
            &["repl"],
            format!("segment Saved where city = 'Leeds'\n:save {target}\n").as_bytes(),
        );
        assert!(out.stderr.contains("seg::E046"), "{target}: {}", out.stderr);
        assert_eq!(
            std::fs::read(project.join(target)).unwrap(),
            before,
            "{target}"
        );
    }
    std::fs::write(project.join("seg.toml"), manifest).unwrap();
    std::fs::remove_file(project.join("retail.db-wal")).unwrap();

    // A new segment file or test would be read as one: not an export's to create.
    for target in ["segments/new.seg", "tests/new.test.toml"] {
        let out = seg(&project, &["export", "Lapsed", "-o", target]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(!project.join(target).exists());
    }
    // A database named in seg.toml that is one of the CSV sources is not rebuilt over it.
    let manifest = std::fs::read_to_string(project.join("seg.toml")).unwrap();
    std::fs::write(
        project.join("seg.toml"),
        manifest.replace("path = \"retail.db\"", "path = \"data/orders.csv\""),
    )
    .unwrap();
    let before = std::fs::read(project.join("data/orders.csv")).unwrap();
    let out = seg(&project, &["load"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("seg::E046"), "{}", out.stderr);
    assert_eq!(
        std::fs::read(project.join("data/orders.csv")).unwrap(),
        before
    );
}

/// Every file seg reads on a user's behalf is refused past its limit without being read
/// whole: a segment file or manifest over 1 MiB (seg::E061), a baseline over 16 MiB. The
/// segment tests' folder walk stays inside the project as the segment folders' does.
#[test]
fn files_are_read_within_limits_and_walks_stay_inside() {
    let project = example();
    let huge = format!("segment Big where city = '{}'\n", "x".repeat(2 << 20));
    std::fs::write(project.join("segments/huge.seg"), &huge).unwrap();
    let check = seg(&project, &["check", "--plain"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("seg::E061"), "{}", check.stderr);
    let named = seg(&project, &["check", "--plain", "segments/huge.seg"]);
    assert_eq!(named.code, 1, "{}", named.stderr);
    assert!(named.stderr.contains("seg::E061"), "{}", named.stderr);
    std::fs::remove_file(project.join("segments/huge.seg")).unwrap();

    let baseline = project.join("big.json");
    std::fs::write(&baseline, vec![b' '; 17 << 20]).unwrap();
    let out = seg(
        &project,
        &["check", "--db", "retail.db", "--baseline", "big.json"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("larger than"), "{}", out.stderr);

    std::os::unix::fs::symlink("/", project.join("tests/root")).unwrap();
    let test = seg(&project, &["test"]);
    assert_eq!(test.code, 1, "{}", test.stderr);
    assert!(test.stderr.contains("seg::E019"), "{}", test.stderr);
    assert!(test.stdout.contains("passed"), "{}", test.stdout);
    std::fs::remove_file(project.join("tests/root")).unwrap();

    // A path named that does not exist: the command could not run. A folder with nothing
    // to do is said so.
    for args in [
        &["check", "nowhere.seg"][..],
        &["fmt", "nowhere"],
        &["test", "nowhere"],
    ] {
        let out = seg(&project, args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("seg::E040"), "{args:?}: {}", out.stderr);
    }
    std::fs::create_dir(project.join("empty")).unwrap();
    for args in [&["fmt", "--check", "empty"][..], &["test", "empty"]] {
        let out = seg(&project, args);
        assert!(
            out.stderr.contains("warning: no segment"),
            "{args:?}: {}",
            out.stderr
        );
    }

    let manifest = std::fs::read_to_string(project.join("seg.toml")).unwrap();
    let padded = format!("{manifest}\n#{}\n", "x".repeat(2 << 20));
    std::fs::write(project.join("seg.toml"), padded).unwrap();
    let out = seg(&project, &["check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("seg::E061"), "{}", out.stderr);
}

/// Text from data or segment files never drives the terminal: in a table, control
/// characters are shown as escapes; into a pipe as CSV the data goes exactly as stored.
#[test]
fn control_characters_from_data_never_reach_a_terminal() {
    let project = copy_project("tests/fixtures/shop");
    let customers = project.join("data/customers.csv");
    let data = std::fs::read_to_string(&customers).unwrap();
    std::fs::write(&customers, data.replacen(",Ann,", ",\"Ann\x1b[2J\nX\",", 1)).unwrap();
    std::fs::write(
        project.join("segments/escape.seg"),
        "/// Clears \x1b[2J the screen\nsegment Escaped where city = 'London'\n",
    )
    .unwrap();
    let table = seg(&project, &["--as-of", "2025-06-30", "run", "-s", "Escaped"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table.stdout.contains("Ann\\u{1b}[2J\\nX"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains('\x1b'), "{}", table.stdout);
    let csv = seg(
        &project,
        &[
            "--as-of",
            "2025-06-30",
            "run",
            "-s",
            "Escaped",
            "--format",
            "csv",
        ],
    );
    assert!(csv.stdout.contains("Ann\x1b[2J\nX"), "{}", csv.stdout);

    // On a terminal, a doc comment's escape is shown, not obeyed.
    let mut command = Command::new(env!("CARGO_BIN_EXE_seg"));
    command
        .arg("list")
        .current_dir(&*project)
        .env("NO_COLOR", "1");
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    session.exp_string("Clears \\u{1b}[2J the screen").unwrap();
    session.exp_eof().unwrap();
}

/// A long `or` (or `and`) runs on every engine: the SQL groups it, so its depth grows
/// with the logarithm of its length (SQLite refuses expressions deeper than 1,000).
#[test]
fn a_long_or_runs_as_well_as_it_checks() {
    let project = copy_project("tests/fixtures/shop");
    let cities: Vec<String> = (0..1_500).map(|i| format!("city = 'c{i}'")).collect();
    std::fs::write(
        project.join("segments/many.seg"),
        format!(
            "segment Many where {} or city = 'London'\n",
            cities.join(" or ")
        ),
    )
    .unwrap();
    let out = seg(
        &project,
        &[
            "--as-of",
            "2025-06-30",
            "run",
            "-s",
            "Many",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // London: Ann, Cat, Fay and Ivy.
    assert_eq!(common::member_keys(&out.stdout).len(), 4, "{}", out.stdout);
}

/// What the third adversarial pass found at the edges of arguments and engines: a list of
/// more values than the engine binds is a coded error (seg::E064), the last day of the
/// calendar works, dates and repeated options are read by what they mean, a bad argument
/// is seg::E047, and a `seg.toml` that is not a file says so.
#[test]
fn arguments_and_engine_limits_have_clear_errors() {
    let project = copy_project("tests/fixtures/shop");
    let values: Vec<String> = (0..33_000).map(|i| format!("'c{i}'")).collect();
    std::fs::write(
        project.join("segments/big.seg"),
        format!("segment BigIn where city in [{}]\n", values.join(", ")),
    )
    .unwrap();
    assert_eq!(seg(&project, &["check"]).code, 0);
    let out = seg(&project, &["run", "-s", "BigIn", "--count"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("seg::E064"), "{}", out.stderr);
    std::fs::remove_file(project.join("segments/big.seg")).unwrap();

    std::fs::write(
        project.join("segments/soon.seg"),
        "segment Soon where anniversary(birthday) in next 14 days\n",
    )
    .unwrap();
    let last = seg(
        &project,
        &["--as-of", "9999-12-31", "run", "-s", "Soon", "--count"],
    );
    assert_eq!(last.code, 0, "{}", last.stderr);
    for wrong in ["2025-1-1", "0001-01-01"] {
        let out = seg(&project, &["--as-of", wrong, "run", "--count"]);
        assert_eq!(out.code, 2, "{wrong}: {}", out.stderr);
        assert!(out.stderr.contains("seg::E047"), "{wrong}: {}", out.stderr);
    }

    let dir = project.to_str().unwrap();
    let slashed = format!("{dir}/");
    for args in [
        &["-p", dir, "run", "-p", slashed.as_str(), "--count"][..],
        &["--timeout", "30", "run", "--timeout", "30s", "--count"],
        &[
            "--as-of",
            "2025-01-01",
            "run",
            "--as-of",
            "2025-01-01",
            "--count",
        ],
    ] {
        let out = seg(&project, args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    for args in [&["-p", dir, "-p", dir, "run"][..], &["run", "--bogus"]] {
        let out = seg(&project, args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("seg::E047"), "{args:?}: {}", out.stderr);
    }

    let odd = common::temp_dir("odd-manifest");
    std::fs::create_dir(odd.join("seg.toml")).unwrap();
    let out = seg(&odd, &["check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("seg::E040"), "{}", out.stderr);
}

/// Suggestions cost a bounded amount per check: a thousand long unknown names against a
/// thousand long candidates finishes (it took minutes when every pair was compared).
#[test]
fn many_long_misspelled_names_are_checked_quickly() {
    let project = copy_project("tests/fixtures/shop");
    let stem = "v".repeat(60);
    let mut text = String::new();
    for i in 0..1_000 {
        text.push_str(&format!("segment {stem}{i} where newsletter\n"));
    }
    for i in 0..1_000 {
        text.push_str(&format!("segment B{i} where {stem}x{i}\n"));
    }
    std::fs::write(project.join("segments/names.seg"), text).unwrap();
    let out = seg(&project, &["check", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("seg::E005"),
        "{}",
        &out.stdout[..out.stdout.len().min(500)]
    );
}

/// A condition that uses a metric of the project that failed to check (here, one computed
/// from itself) is an error in the REPL, not a panic; `seg check` names the cycle.
#[test]
fn a_condition_on_a_broken_metric_is_an_error_in_the_repl() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("segments/loop.seg"),
        "metric loop = loop + 1\nsegment UsesLoop where loop > 1\n",
    )
    .unwrap();
    let check = seg(&project, &["check", "--plain"]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(check.stderr.contains("seg::E008"), "{}", check.stderr);
    let repl = common::seg_with_input(&project, &["--plain", "repl"], b"loop > 1\nUsesLoop\n");
    assert!(!repl.stderr.contains("panicked"), "{}", repl.stderr);
    assert_ne!(repl.code, 101, "{}", repl.stderr);
    assert!(repl.stderr.contains("has problems"), "{}", repl.stderr);
}
