//! The `seg` commands, run as a user would: the real binary on copies of the bundled
//! example and the shop fixture.

mod common;

use std::collections::{HashMap, HashSet};

use common::{compiled_sql, copy_project, seg, temp_dir};

/// The README's first command, on a fresh copy of the example: builds the database from the
/// CSV files and counts every segment. HighValueNurses's count is recomputed here straight
/// from the CSV files.
#[test]
fn readme_command_counts_high_value_nurses_on_the_example() {
    let project = copy_project("examples/retail");
    // As in the README: `seg run <project directory>` from the directory above it.
    let name = project.file_name().unwrap().to_str().unwrap();
    let out = seg(project.parent().unwrap(), &["run", name]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("loading 4 CSV files into retail.db"),
        "{}",
        out.stderr
    );
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("HighValueNurses "))
        .expect("HighValueNurses row");
    let printed: u64 = line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    let expected = high_value_nurses_from_csv(&project);
    assert!(expected > 0);
    assert_eq!(printed, expected);
}

/// `occupation = 'nurse' and ltv > 500 and occasion in holidays`, evaluated directly on the
/// CSV files, with `ltv` the sum of the customer's order amounts (in cents, so no float is
/// involved).
fn high_value_nurses_from_csv(project: &std::path::Path) -> u64 {
    let holidays: HashSet<&str> = [
        "christmas",
        "easter",
        "halloween",
        "valentines",
        "mothers_day",
        "fathers_day",
    ]
    .into();
    let cents = |text: &str| -> i64 {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
        whole.parse::<i64>().unwrap() * 100 + format!("{fraction:0<2}")[..2].parse::<i64>().unwrap()
    };
    let mut holiday_buyers = HashSet::new();
    let mut spent: HashMap<String, i64> = HashMap::new();
    let mut orders = csv::Reader::from_path(project.join("data/orders.csv")).unwrap();
    let headers = orders.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (customer, occasion, amount) =
        (column("customer_id"), column("occasion"), column("amount"));
    for row in orders.records() {
        let row = row.unwrap();
        if holidays.contains(&row[occasion]) {
            holiday_buyers.insert(row[customer].to_string());
        }
        *spent.entry(row[customer].to_string()).or_default() += cents(&row[amount]);
    }
    let mut customers = csv::Reader::from_path(project.join("data/customers.csv")).unwrap();
    let headers = customers.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, occupation) = (column("id"), column("occupation"));
    let mut count = 0;
    for row in customers.records() {
        let row = row.unwrap();
        let rich = spent.get(&row[id]).is_some_and(|c| *c > 50_000);
        if &row[occupation] == "nurse" && rich && holiday_buyers.contains(&row[id]) {
            count += 1;
        }
    }
    count
}

#[test]
fn check_accepts_the_example_and_the_fixture() {
    for project in ["examples/retail", "tests/fixtures/shop"] {
        let out = seg(&copy_project(project), &["check"]);
        assert_eq!(out.code, 0, "{project}: {}", out.stderr);
        assert!(out.stdout.contains("no errors"), "{}", out.stdout);
    }
}

#[test]
fn check_reports_three_broken_segments_with_codes_spans_and_help() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("segments/broken.seg"),
        "segment A where ocupation = 'nurse'\n\
         segment B where ltv > 'lots'\n\
         segment C where occupation = 'nruse'\n",
    )
    .unwrap();
    let out = seg(&project, &["--plain", "check", "segments/broken.seg"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!(out.stderr);
    let codes: Vec<&str> = ["seg::E003", "seg::E006", "seg::E007"].into();
    for code in codes {
        assert_eq!(out.stderr.matches(code).count(), 1, "{code} once");
    }
    assert_eq!(out.stderr.matches("help:").count(), 3);
    assert_eq!(out.stderr.matches("╭─[segments/broken.seg:").count(), 3);
}

#[test]
fn check_of_one_file_reports_only_that_file() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("segments/broken.seg"),
        "segment A where nope = 1\n",
    )
    .unwrap();
    std::fs::write(
        project.join("good.seg"),
        "import 'segments/shop.seg'\nsegment G where HighValueNurses and city = 'Leeds'\n",
    )
    .unwrap();
    let out = seg(&project, &["check", "good.seg"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("1 file checked"), "{}", out.stdout);
    let out = seg(&project, &["check", "segments/broken.seg"]);
    assert_eq!(out.code, 1);
}

#[test]
fn compile_prints_sql_with_parameters_and_no_literal_values() {
    let project = copy_project("examples/retail");
    let out = seg(&project, &["compile", "--segment", "HighValueNurses"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
    let sql = compiled_sql(&out.stdout);
    for literal in ["nurse", "500", "christmas", "'"] {
        assert!(!sql.contains(literal), "{literal} in SQL text:\n{sql}");
    }
}

#[test]
fn list_shows_segments_with_their_docs() {
    let out = seg(&copy_project("examples/retail"), &["list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn run_lists_members_as_table_csv_and_json() {
    let project = copy_project("tests/fixtures/shop");
    let table = seg(&project, &["run", "--segment", "HighValueNurses"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    insta::assert_snapshot!("members_table", table.stdout);
    let json = seg(
        &project,
        &["run", "--segment", "HighValueNurses", "--format", "json"],
    );
    let members: Vec<HashMap<String, serde_json::Value>> =
        serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0]["customer_key"], serde_json::json!(1));
    // Money is a JSON number with its exact digits.
    assert!(members[0]["ltv"].is_number());
    assert_eq!(members[0]["ltv"].to_string(), "620.00");
    assert_eq!(members[0]["income"], serde_json::Value::Null);
    assert_eq!(members[1]["newsletter"], serde_json::json!(false));
    let count = seg(
        &project,
        &["run", "--segment", "HighValueNurses", "--count"],
    );
    assert_eq!(
        count.stdout,
        "segment          members\nHighValueNurses        2\n"
    );
    let limited = seg(
        &project,
        &[
            "run",
            "--segment",
            "Everyone",
            "--limit",
            "3",
            "--format",
            "csv",
        ],
    );
    assert_eq!(common::member_keys(&limited.stdout), [1, 2, 3]);
}

/// `seg run` counts in batches side by side; however many, each segment's count is the
/// one its own query gives.
#[test]
fn run_counts_the_same_in_one_batch_or_several() {
    let project = copy_project("examples/retail");
    let one = seg(&project, &["run", "--threads", "1", "--format", "csv"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    for threads in ["2", "3", "8"] {
        let several = seg(&project, &["run", "--threads", threads, "--format", "csv"]);
        assert_eq!(several.code, 0, "{}", several.stderr);
        assert_eq!(several.stdout, one.stdout, "--threads {threads}");
    }
    for line in one.stdout.lines().skip(1) {
        let (name, _) = line.split_once(',').unwrap();
        let alone = seg(
            &project,
            &["run", "--segment", name, "--count", "--format", "csv"],
        );
        assert_eq!(alone.code, 0, "{}", alone.stderr);
        assert_eq!(alone.stdout.lines().nth(1), Some(line), "{name}");
    }
}

#[test]
fn run_does_not_modify_the_database() {
    let project = copy_project("tests/fixtures/shop");
    assert_eq!(seg(&project, &["load"]).code, 0);
    let before = std::fs::read(project.join("shop.db")).unwrap();
    assert_eq!(seg(&project, &["run"]).code, 0);
    assert_eq!(seg(&project, &["run", "--segment", "Everyone"]).code, 0);
    assert_eq!(std::fs::read(project.join("shop.db")).unwrap(), before);
}

#[test]
fn schema_infer_writes_a_manifest_that_checks() {
    let project = copy_project("tests/fixtures/shop");
    assert_eq!(seg(&project, &["load"]).code, 0);
    let out = seg(&project, &["schema", "infer", "--db", "shop.db"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);

    let inferred = temp_dir("inferred");
    std::fs::copy(project.join("shop.db"), inferred.join("shop.db")).unwrap();
    std::fs::write(inferred.join("seg.toml"), &out.stdout).unwrap();
    std::fs::write(
        inferred.join("s.seg"),
        "segment S where occupation = 'nurse' and ltv > 500 and orders.occasion = 'christmas'\n",
    )
    .unwrap();
    let run = seg(&inferred, &["run", "--segment", "S", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Ann is the only nurse with ltv over 500 and a christmas order.
    assert_eq!(common::member_keys(&run.stdout), [1]);
}

#[test]
fn project_is_found_from_a_subdirectory() {
    let project = copy_project("tests/fixtures/shop");
    let out = seg(&project.join("segments"), &["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// The B2B example: accounts instead of consumers, same language. ApacManufacturing is
/// recomputed here from the CSV file.
#[test]
fn b2b_example_runs_with_accounts_as_customers() {
    let project = copy_project("examples/b2b");
    assert_eq!(seg(&project, &["check"]).code, 0);
    let out = seg(
        &project,
        &["run", "--segment", "ApacManufacturing", "--format", "csv"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut accounts = csv::Reader::from_path(project.join("data/accounts.csv")).unwrap();
    let headers = accounts.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, industry, region, revenue) = (
        column("id"),
        column("industry"),
        column("region"),
        column("annual_revenue"),
    );
    let expected: Vec<i64> = accounts
        .records()
        .map(|r| r.unwrap())
        .filter(|r| {
            let rich = r[revenue]
                .split('.')
                .next()
                .and_then(|w| w.parse::<i64>().ok())
                .is_some_and(|w| w >= 10_000_000)
                && r[revenue] != *"10000000.00";
            &r[industry] == "manufacturing" && &r[region] == "APAC" && rich
        })
        .map(|r| r[id].parse().unwrap())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(common::member_keys(&out.stdout), expected);
}

/// An import never reads a file outside the project's folder (a pull request's segment file
/// must not make `seg check` print `/etc/passwd`); links that stay inside keep working.
#[test]
fn imports_stay_inside_the_project() {
    let outside = temp_dir("outside");
    let secret = outside.join("secret.seg");
    std::fs::write(&secret, "SECRET-MARKER is not a segment\n").unwrap();
    let project = copy_project("tests/fixtures/shop");
    let segments = project.join("segments");
    std::os::unix::fs::symlink(&secret, segments.join("link_out.seg")).unwrap();
    std::fs::write(
        project.join("shared.seg"),
        "set shared_cities = ['London']\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(project.join("shared.seg"), outside.join("back_in.seg")).unwrap();
    let climb = format!(
        "{}/secret.seg",
        "../".repeat(project.components().count() + 2) + &outside.to_string_lossy()
    );
    for import in [
        secret.to_string_lossy().into_owned(),
        "/proc/self/environ".to_string(),
        "/etc/passwd".to_string(),
        climb,
        "link_out.seg".to_string(),
        outside.join("back_in.seg").to_string_lossy().into_owned(),
    ] {
        std::fs::write(segments.join("probe.seg"), format!("import '{import}'\n")).unwrap();
        let out = seg(&project, &["check", "--plain", "segments/probe.seg"]);
        assert_eq!(out.code, 1, "{import}: {}", out.stderr);
        assert!(out.stderr.contains("seg::E019"), "{import}: {}", out.stderr);
        assert!(
            !out.stderr.contains("SECRET-MARKER"),
            "{import}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("root:"), "{import}: {}", out.stderr);
    }
    // The link in the segments folder is refused as a project file too.
    let out = seg(&project, &["check", "--plain"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("link_out.seg"), "{}", out.stderr);
    assert!(!out.stderr.contains("SECRET-MARKER"), "{}", out.stderr);
    std::fs::remove_file(segments.join("link_out.seg")).unwrap();
    std::os::unix::fs::symlink(project.join("shared.seg"), segments.join("link_in.seg")).unwrap();
    std::fs::write(
        segments.join("probe.seg"),
        "import 'link_in.seg'\nimport '../shared.seg'\nsegment Probe where city in shared_cities\n",
    )
    .unwrap();
    let out = seg(&project, &["check", "--plain", "segments/probe.seg"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// A FIFO, a file that is not UTF-8 and a file that starts with a byte-order mark, side by
/// side with a broken segment: the FIFO is never opened (it would block), the bad file is one
/// problem among the others in every format, and the byte-order mark is no problem at all.
#[test]
fn odd_files_are_problems_among_the_others_and_never_block() {
    let project = copy_project("tests/fixtures/shop");
    let segments = project.join("segments");
    let fifo = segments.join("pipe.seg");
    common::mkfifo(&fifo);
    std::fs::write(
        segments.join("latin1.seg"),
        b"segment Caf\xe9 where city = 'x'\n",
    )
    .unwrap();
    std::fs::write(
        segments.join("bom.seg"),
        "\u{feff}segment WithMark where city = 'London'\n",
    )
    .unwrap();
    std::fs::write(
        segments.join("broken.seg"),
        "segment Broken where ocupation = 'x'\n",
    )
    .unwrap();
    let human = seg(&project, &["check", "--plain"]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    for expected in [
        "pipe.seg",
        "not a regular file",
        "latin1.seg",
        "UTF-8 text",
        "seg::E003",
    ] {
        assert!(
            human.stderr.contains(expected),
            "{expected}: {}",
            human.stderr
        );
    }
    assert!(!human.stderr.contains("bom.seg"), "{}", human.stderr);
    let json = seg(&project, &["check", "--format", "json"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON on stdout");
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("a list of diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| **c == "seg::E040").count(),
        2,
        "{codes:?}"
    );
    assert!(codes.contains(&"seg::E003"), "{codes:?}");
    // The bad byte has a place, in JSON as in every format.
    assert!(
        report["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["code"] == "seg::E040"
                && d["file"]
                    .as_str()
                    .is_some_and(|f| f.ends_with("latin1.seg"))
                && d["column"] == 12
        }),
        "{report}"
    );
    let run = seg(&project, &["run", "-s", "WithMark", "--count"]);
    assert_eq!(run.code, 1, "problems stop a run: {}", run.stderr);
}

/// A diagnostic far along a very long line (miette panics past column 65,535) is drawn
/// around its span, in `seg check` and in the REPL.
#[test]
fn a_diagnostic_on_a_very_long_line_is_drawn_clipped() {
    let project = copy_project("tests/fixtures/shop");
    let line = format!(
        "segment Long where city = '{}' and ocupation = 'x'",
        "x".repeat(70_000)
    );
    std::fs::write(project.join("segments/long.seg"), format!("{line}\n")).unwrap();
    for args in [&["check", "--plain"][..], &["check"]] {
        let out = seg(&project, args);
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(out.stderr.contains("seg::E003"), "{}", out.stderr);
        assert!(out.stderr.contains("ocupation"), "{}", out.stderr);
        assert!(out.stderr.len() < 5_000, "{} bytes", out.stderr.len());
    }
    std::fs::remove_file(project.join("segments/long.seg")).unwrap();
    let condition = format!("city = '{}' and ocupation = 'x'\n", "x".repeat(70_000));
    let out = common::seg_with_input(&project, &["repl"], condition.as_bytes());
    let stderr = out.stderr;
    assert_eq!(out.code, 0, "{stderr}");
    assert!(stderr.contains("seg::E003"), "{stderr}");
    assert!(stderr.len() < 5_000, "{} bytes", stderr.len());
}

/// Several selectors, as dbt users select models: names repeated, patterns, files and tags;
/// each picks segments (in definition order), and one that picks nothing is E041.
#[test]
fn segments_are_selected_by_name_pattern_file_and_tag() {
    let project = copy_project("examples/retail");
    let behavioral = project.join("segments/behavioral.seg");
    let text = std::fs::read_to_string(&behavioral).unwrap();
    std::fs::write(
        &behavioral,
        text.replace(
            "segment Lapsed where",
            "/// tags: retention, email\nsegment Lapsed where",
        ),
    )
    .unwrap();
    let names = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["run", "--count", "--format", "csv"];
        full.extend_from_slice(args);
        let out = seg(&project, &full);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stdout
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&["-s", "NeverOrdered", "-s", "Lapsed"]),
        ["Lapsed", "NeverOrdered"]
    );
    assert_eq!(
        names(&["-s", "Spring*"]),
        ["SpringCampaign", "SpringHoldout"]
    );
    assert_eq!(names(&["--tag", "Retention"]), ["Lapsed"]);
    assert_eq!(names(&["--file", "segments/behavioral.seg"]).len(), 15);
    assert_eq!(
        names(&["--tag", "email", "-s", "Spring*"]),
        ["Lapsed", "SpringCampaign", "SpringHoldout"]
    );
    // One segment named plainly lists its members; a pattern counts.
    let members = seg(&project, &["run", "-s", "Lapsed", "--format", "csv"]);
    assert!(
        members.stdout.starts_with("customer_key,"),
        "{}",
        members.stdout
    );
    for (args, expected) in [
        (&["run", "-s", "Lapsd"][..], "did you mean `Lapsed`?"),
        (&["run", "-s", "Autumn*"], "no segment matches `Autumn*`"),
        (&["run", "--tag", "retension"], "did you mean `retention`?"),
        (
            &["run", "--file", "seg.toml"],
            "no segment of the project is defined in",
        ),
        (
            &["compile", "--tag", "nothing"],
            "no segment is tagged `nothing`",
        ),
        (
            &["materialize", "-s", "Nope*"],
            "no segment matches `Nope*`",
        ),
    ] {
        let out = seg(&project, args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("seg::E041") && out.stderr.contains(expected),
            "{args:?}: {}",
            out.stderr
        );
    }
    let compiled = seg(&project, &["compile", "--tag", "email", "--count"]);
    assert_eq!(compiled.code, 0, "{}", compiled.stderr);
    assert!(compiled.stdout.contains("Lapsed"), "{}", compiled.stdout);
}

/// What a segment file holds never drives the terminal, and a huge token quoted in a
/// message is cut: escape sequences in a literal are drawn as `?`, a 70,000-digit number
/// does not fill the screen.
#[test]
fn diagnostics_show_control_characters_and_huge_tokens_tamely() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("segments/odd.seg"),
        "segment E where city = '\u{1b}]0;PWNED\u{7}\u{1b}[2J' and ocupation = 'x'\n",
    )
    .unwrap();
    let out = seg(&project, &["check", "--plain"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains('\u{1b}'), "{:?}", out.stderr);
    assert!(!out.stderr.contains('\u{7}'), "{:?}", out.stderr);
    assert!(out.stderr.contains("seg::E003"), "{}", out.stderr);
    // The label still points at `ocupation`: column 45, as each control is one `?`.
    assert!(out.stderr.contains("odd.seg:1:45"), "{}", out.stderr);
    std::fs::write(
        project.join("segments/odd.seg"),
        format!("segment N where visits > {}\n", "9".repeat(70_000)),
    )
    .unwrap();
    for args in [&["check", "--plain"][..], &["check", "--format", "json"]] {
        let out = seg(&project, args);
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(
            out.stderr.len() + out.stdout.len() < 5_000,
            "{args:?}: {} bytes",
            out.stderr.len() + out.stdout.len()
        );
        assert!(format!("{}{}", out.stdout, out.stderr).contains("seg::E011"));
    }
}
