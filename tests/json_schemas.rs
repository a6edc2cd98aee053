//! Every command's machine output matches its published JSON Schema (`docs/schemas/`):
//! numbers are numbers, shares fractions, hidden counts `null` with a flag, keys without
//! spaces. Each command runs through the real `seg` on the loaded example.

mod common;

use std::path::Path;

use common::{TestDir, copy_project, seg};

/// The example, loaded and materialized as of two dates (so history and diff have runs).
fn example() -> TestDir {
    let project = copy_project("examples/retail");
    let earlier: &[&str] = &["--as-of", "2025-07-01", "materialize"];
    for args in [&["load"][..], earlier, &["materialize"]] {
        let out = seg(&project, args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    project
}

/// The JSON documents `args` prints: one, or one per line for JSON Lines.
fn documents(project: &Path, args: &[&str], lines: bool) -> Vec<serde_json::Value> {
    let out = seg(project, args);
    assert!(out.code <= 1, "{args:?}: {}", out.stderr);
    if lines {
        return out
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
    }
    vec![serde_json::from_str(&out.stdout).expect("a JSON document")]
}

fn validate(schema: &str, documents: &[serde_json::Value], args: &[&str]) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/schemas/{schema}.schema.json"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("the schema")).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    assert!(!documents.is_empty(), "{args:?} printed nothing");
    for document in documents {
        let errors: Vec<String> = validator
            .iter_errors(document)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{args:?} against {}: {errors:#?}",
            path.display()
        );
    }
}

#[test]
fn every_commands_json_matches_its_schema() {
    let project = example();
    // The same project before a change to `Lapsed`, for `seg diff --against`.
    let before = copy_project("examples/retail");
    let behavioral = before.join("segments/behavioral.seg");
    let text = std::fs::read_to_string(&behavioral).unwrap();
    std::fs::write(
        &behavioral,
        text.replace("last_order < 180 days ago", "last_order < 90 days ago"),
    )
    .unwrap();
    let against = before.to_str().expect("a UTF-8 path");
    let cases: &[(&str, &[&str], bool)] = &[
        ("check", &["check", "--format", "json"], false),
        ("compile", &["compile", "--format", "json"], true),
        ("compile", &["compile", "--batch", "--format", "json"], true),
        ("run-counts", &["run", "--count", "--format", "json"], false),
        (
            "run-members",
            &["run", "-s", "Lapsed", "--format", "json", "--limit", "20"],
            false,
        ),
        (
            "export",
            &[
                "export",
                "Lapsed",
                "--format",
                "jsonl",
                "--fields",
                "income,signup_date,newsletter",
            ],
            true,
        ),
        (
            "funnel",
            &["funnel", "HighValueNurses", "--format", "json"],
            false,
        ),
        (
            "overlap",
            &[
                "overlap",
                "Lapsed",
                "Champions",
                "SpringHoldout",
                "--format",
                "json",
                "--min-group-size",
                "400",
            ],
            false,
        ),
        (
            "breakdown",
            &["breakdown", "Lapsed", "--by", "income", "--format", "json"],
            false,
        ),
        (
            "breakdown",
            &["breakdown", "Lapsed", "--by", "city", "--format", "json"],
            false,
        ),
        (
            "breakdown",
            &[
                "breakdown",
                "Lapsed",
                "--by",
                "signup_date",
                "--format",
                "json",
            ],
            false,
        ),
        ("history", &["history", "Lapsed", "--format", "json"], false),
        ("diff", &["diff", "Lapsed", "--format", "json"], false),
        (
            "review",
            &["diff", "--against", against, "--format", "json"],
            false,
        ),
    ];
    for (schema, args, lines) in cases {
        let found = documents(&project, args, *lines);
        // A flat array is validated whole; JSON Lines one object at a time.
        validate(schema, &found, args);
    }
}

/// The schemas hold what they promise: a hidden count is `null` with its flag set, and the
/// flag is false beside a shown count.
#[test]
fn hidden_counts_are_null_with_a_flag() {
    let project = example();
    let pairs = &documents(
        &project,
        &[
            "overlap",
            "Lapsed",
            "SpringHoldout",
            "--format",
            "json",
            "--min-group-size",
            "400",
        ],
        false,
    )[0];
    let pair = &pairs[0];
    // Lapsed has 1,288 members, SpringHoldout fewer than 400.
    assert!(
        pair["a_members"].is_number() && pair["a_members_hidden"] == false,
        "{pair}"
    );
    assert!(
        pair["b_members"].is_null() && pair["b_members_hidden"] == true,
        "{pair}"
    );
}
