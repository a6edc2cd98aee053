//! `seg diff --rev REV` in a real git repository: which segments a change redefines, adds
//! or removes, and how many members each gains and loses on the current database.

mod common;

use std::process::Command;

use common::{copy_project, seg};

fn git(dir: &std::path::Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// Londoners (Ann, Cat, Fay, Ivy) widened to Leeds gains Bob and Eve; Quoted (Jon, of
/// O'Fallon) is removed; a new segment Leeds has Bob and Eve.
#[test]
fn diff_against_a_revision_shows_gains_and_losses() {
    let project = copy_project("tests/fixtures/shop");
    std::fs::write(project.join(".gitignore"), "*.db\n").unwrap();
    git(&project, &["init", "-q"]);
    git(&project, &["add", "."]);
    git(&project, &["commit", "-q", "-m", "segments"]);
    let file = project.join("segments/shop.seg");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "segment Londoners where city = 'London'",
            "segment Londoners where city = 'London' or city = 'Leeds'",
        )
        .replace("segment Quoted where city = 'O''Fallon'\n", "")
            + "segment Leeds where city = 'Leeds'\n",
    )
    .unwrap();
    let out = seg(
        &project,
        &[
            "--as-of",
            "2025-06-30",
            "diff",
            "--rev",
            "HEAD",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "segment,change,before,after,gained,lost\n\
         Londoners,redefined,4,6,2,0\n\
         Leeds,added,,2,2,0\n\
         Quoted,removed,1,,0,1\n"
    );
    let markdown = seg(
        &project,
        &[
            "--as-of",
            "2025-06-30",
            "diff",
            "--rev",
            "HEAD",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    insta::assert_snapshot!(markdown.stdout);

    let bad = seg(&project, &["--plain", "diff", "--rev", "no-such-branch"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("seg::E040") && bad.stderr.contains("no-such-branch"),
        "{}",
        bad.stderr
    );
}
