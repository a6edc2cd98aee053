//! `seg check` for CI: every output format (snapshots), SARIF validated against the SARIF
//! 2.1.0 schema, `--deny warnings`, and the data-aware lints with a baseline file.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_project, seg};

/// The shop fixture plus a file with one error and two warnings.
fn project_with_problems() -> common::TestDir {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("segments/problems.seg"),
        "import 'shop.seg'\n\
         set spare = ['York']\n\
         segment Broken where ocupation = 'nurse'\n\
         segment Impossible where visits > 50 and visits < 3\n",
    )
    .unwrap();
    project
}

/// `seg check` of the problem file in `format`; it must fail, since the file has an error.
fn check_problems(format: &str) -> common::Output {
    let out = seg(
        &project_with_problems(),
        &["check", "segments/problems.seg", "--format", format],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    out
}

#[test]
fn json_output_follows_the_documented_schema() {
    let out = check_problems("json");
    insta::assert_snapshot!(out.stdout);
    let document: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(document["version"], 1);
    assert_eq!(document["summary"]["errors"], 1);
    assert_eq!(document["summary"]["warnings"], 2);
    let first = &document["diagnostics"][0];
    for key in [
        "code",
        "severity",
        "message",
        "help",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "span",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn github_output_is_workflow_annotations() {
    let out = check_problems("github");
    insta::assert_snapshot!(out.stdout);
    assert!(
        out.stdout
            .lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning "))
    );
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let out = check_problems("sarif");
    insta::assert_snapshot!(out.stdout);
    let log: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sarif_schema()).unwrap()).unwrap();
    // The published schema's `language` patterns are not valid regexes (a stray `]`);
    // replace them with what they evidently mean, so the schema compiles. seg sets no language.
    let fixed = replace_strings(
        &mut schema,
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
    );
    assert!(
        fixed > 0,
        "the schema's erratum is gone: drop this workaround"
    );
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output violates the schema:\n{}",
        errors.join("\n")
    );
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 3);
    // The validator does reject a broken log.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(validator.iter_errors(&broken).next().is_some());
}

/// Replaces every string `from` in `value` with `to`; returns how many.
fn replace_strings(value: &mut serde_json::Value, from: &str, to: &str) -> usize {
    match value {
        serde_json::Value::String(s) if s == from => {
            *s = to.to_string();
            1
        }
        serde_json::Value::Array(items) => {
            items.iter_mut().map(|v| replace_strings(v, from, to)).sum()
        }
        serde_json::Value::Object(map) => {
            map.values_mut().map(|v| replace_strings(v, from, to)).sum()
        }
        _ => 0,
    }
}

/// The SARIF 2.1.0 schema as shipped in the `serde-sarif` crate (a dev-dependency), found
/// through `cargo metadata`.
fn sarif_schema() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
    let package = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .expect("serde-sarif is a dev-dependency");
    let manifest = Path::new(package["manifest_path"].as_str().unwrap());
    let schema = manifest.parent().unwrap().join("src/schema.json");
    assert!(schema.is_file(), "{} is missing", schema.display());
    schema
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(project.join("segments/spare.seg"), "set spare = ['York']\n").unwrap();
    let out = seg(&project, &["check", "segments/spare.seg"]);
    assert_eq!(out.code, 0, "warnings alone pass: {}", out.stderr);
    assert!(out.stderr.contains("seg::W005"));
    let out = seg(
        &project,
        &["check", "segments/spare.seg", "--deny", "warnings"],
    );
    assert_eq!(out.code, 1);
}

#[test]
fn lint_levels_come_from_the_manifest() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(project.join("segments/spare.seg"), "set spare = ['York']\n").unwrap();
    let manifest = std::fs::read_to_string(project.join("seg.toml")).unwrap();
    std::fs::write(
        project.join("seg.toml"),
        format!("{manifest}\n[lints]\nunused-definition = \"deny\"\n"),
    )
    .unwrap();
    let out = seg(&project, &["--plain", "check", "segments/spare.seg"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("seg::W005") && out.stderr.contains("× set `spare` is never used"),
        "{}",
        out.stderr
    );
    std::fs::write(
        project.join("seg.toml"),
        format!("{manifest}\n[lints]\nunused-definition = \"allow\"\n"),
    )
    .unwrap();
    let out = seg(&project, &["check", "segments/spare.seg"]);
    assert!(!out.stderr.contains("seg::W005"), "{}", out.stderr);
    std::fs::write(
        project.join("seg.toml"),
        format!("{manifest}\n[lints]\nunused-definitons = \"allow\"\n"),
    )
    .unwrap();
    let out = seg(&project, &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `unused-definition`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn data_lints_report_empty_segments_and_size_changes_against_a_baseline() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("segments/extra.seg"),
        "segment Nobody where city = 'Atlantis'\n",
    )
    .unwrap();
    let args = [
        "--as-of",
        "2025-06-30",
        "--plain",
        "check",
        "--db",
        "--baseline",
        "sizes.json",
    ];
    let update = seg(&project, &[&args[..], &["--update-baseline"]].concat());
    assert!(project.join("sizes.json").exists(), "{}", update.stderr);
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(project.join("sizes.json")).unwrap())
            .unwrap();
    // Counted by hand in tests/semantics.rs: 4 Londoners, 2 high-value nurses.
    assert_eq!(baseline["segments"]["Londoners"], 4);
    assert_eq!(baseline["segments"]["HighValueNurses"], 2);

    // The data changes: Ann moves from London to Leeds.
    let db = rusqlite::Connection::open(project.join("shop.db")).unwrap();
    db.execute("UPDATE customers SET city = 'Leeds' WHERE id = 1", [])
        .unwrap();
    drop(db);
    let out = seg(&project, &args);
    assert!(
        out.stderr.contains("seg::W007") && out.stderr.contains("segment `Nobody` has no members"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("segment `Londoners` has 3 members, 4 in the baseline (-25%, beyond 20%)"),
        "{}",
        out.stderr
    );
    // 5 → 4 subscribers-free Leeds… only segments beyond 20% are reported.
    assert!(
        !out.stderr.contains("segment `Everyone` has"),
        "{}",
        out.stderr
    );
    let denied = seg(&project, &[&args[..], &["--deny", "warnings"]].concat());
    assert_eq!(denied.code, 1);
}

#[test]
fn data_lint_messages() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("segments/extra.seg"),
        "segment Nobody where city = 'Atlantis'\n",
    )
    .unwrap();
    std::fs::write(project.join("sizes.json"), "{\"version\": 1, \"as_of\": \"2025-06-30\", \"segments\": {\"Londoners\": 8, \"NoOrders\": 0}}\n")
        .unwrap();
    let out = seg(
        &project,
        &[
            "--as-of",
            "2025-06-30",
            "--plain",
            "check",
            "--db",
            "--baseline",
            "sizes.json",
        ],
    );
    assert_eq!(out.code, 0, "warnings only");
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn fmt_check_lists_unformatted_files_and_fmt_rewrites_them_keeping_comments() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("segments/messy.seg"),
        "// Leeds people.\nSEGMENT   Leeds WHERE city='Leeds'   // by city\nset  s=['a','b']\n",
    )
    .unwrap();
    let check = seg(&project, &["fmt", "--check"]);
    assert_eq!(check.code, 1);
    assert!(
        check.stdout.contains("segments/messy.seg"),
        "{}",
        check.stdout
    );
    let before = std::fs::read_to_string(project.join("segments/messy.seg")).unwrap();
    assert!(
        before.contains("SEGMENT   Leeds"),
        "--check changes nothing"
    );

    let rewrite = seg(&project, &["fmt"]);
    assert_eq!(rewrite.code, 0, "{}", rewrite.stderr);
    let after = std::fs::read_to_string(project.join("segments/messy.seg")).unwrap();
    assert_eq!(
        after,
        "// Leeds people.\nsegment Leeds where city = 'Leeds' // by city\n\nset s = ['a', 'b']\n"
    );
    assert_eq!(seg(&project, &["fmt", "--check"]).code, 0);
}
