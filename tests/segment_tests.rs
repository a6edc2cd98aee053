//! `seg test`: segment tests with fixture rows, run on in-memory databases.

mod common;

use common::{copy_project, seg};

#[test]
fn the_example_projects_tests_pass() {
    let out = seg(&copy_project("examples/retail"), &["test"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("test result: ok. 6 passed, 0 failed"),
        "{}",
        out.stdout
    );
}

#[test]
fn failures_show_a_diff_of_members_and_exit_1() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("shop.test.toml"),
        r#"
[[test]]
name = "londoners"
as_of = "2025-06-30"
[test.rows]
customers = [{ id = 1, city = "London" }, { id = 2, city = "Leeds" }, { id = 3 }]
[[test.expect]]
segment = "Londoners"
members = [1]
[[test.expect]]
segment = "NotLondon"
non_members = [3]

[[test]]
name = "a wrong expectation"
as_of = "2025-06-30"
[test.rows]
customers = [{ id = 1, city = "London" }, { id = 2, city = "London" }, { id = 3, city = "York" }]
[[test.expect]]
segment = "Londoners"
members = [1, 3]
[[test.expect]]
segment = "NotLondon"
non_members = [3]
"#,
    )
    .unwrap();
    let out = seg(&project, &["test"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn a_broken_test_file_is_e017_with_a_span() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(
        project.join("bad.test.toml"),
        "[[test]]\nname = \"x\"\nas_of = \"2025-06-30\"\n[test.rows]\ncustomer = [{ id = 1 }]\n[[test.expect]]\nsegment = \"Londoners\"\nmembers = []\n",
    )
    .unwrap();
    let out = seg(&project, &["--plain", "test"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("seg::E017") && out.stderr.contains("did you mean `customers`?"),
        "{}",
        out.stderr
    );
}

/// The steps of `examples/retail/.github/workflows/segments.yml` pass on the example.
#[test]
fn the_example_workflow_steps_pass() {
    let project = copy_project("examples/retail");
    let workflow = std::fs::read_to_string(project.join(".github/workflows/segments.yml")).unwrap();
    for step in [
        &["fmt", "--check"][..],
        &["check", "--deny", "warnings", "--format", "github"],
        &["test"],
    ] {
        assert!(
            workflow.contains(&format!("seg {}", step.join(" "))),
            "workflow runs seg {step:?}"
        );
        let out = seg(&project, step);
        assert_eq!(out.code, 0, "seg {step:?}: {}{}", out.stdout, out.stderr);
    }
}

/// A misspelt column in a fixture row is an error, not a column left out: the test would
/// otherwise pass for the wrong reason.
#[test]
fn a_fixture_row_with_an_unknown_column_is_an_error() {
    let project = copy_project("examples/retail");
    let path = project.join("tests/nurses.test.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "{ id = 4, occupation = \"teacher\" }",
            "{ id = 4, occupaton = \"teacher\" }",
            1,
        ),
    )
    .unwrap();
    let out = seg(&project, &["test", "--plain"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(said.contains("seg::E017"), "{said}");
    assert!(said.contains("no column `occupaton`"), "{said}");
    assert!(said.contains("did you mean `occupation`?"), "{said}");
}
