//! Every `seg` command line in the README's code blocks runs as written, on a copy of the
//! examples: it exits 0, and where the README shows output, the first line it shows is the
//! first line seg prints. (The README's first command, `cargo run -- run examples/retail`,
//! has its own test in tests/cli.rs; the PostgreSQL and Spark blocks run here on SQLite —
//! the command lines are the same on every engine.)

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One command line of the README, with what the README shows after it.
#[derive(Debug)]
struct Example {
    line: usize,
    command: String,
    /// `seg>` lines typed into a REPL.
    input: Vec<String>,
    /// The first line of output shown, if any.
    first_output: Option<String>,
}

fn examples() -> Vec<Example> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("the README");
    let mut found: Vec<Example> = Vec::new();
    let mut in_block = false;
    // A shell block (```sh) holds commands without `$`; other blocks only after `$ `.
    let mut shell = false;
    // Whether the line before was a `$ seg …` command, whose output may follow.
    let mut after_prompt = false;
    for (i, line) in readme.lines().enumerate() {
        if let Some(language) = line.strip_prefix("```") {
            in_block = !in_block;
            shell = in_block && language == "sh";
            after_prompt = false;
            continue;
        }
        if !in_block {
            continue;
        }
        let prompted = line.strip_prefix("$ ");
        let command = prompted.unwrap_or(line);
        if command.starts_with("seg ") && (prompted.is_some() || shell) {
            found.push(Example {
                line: i + 1,
                command: command.to_string(),
                input: Vec::new(),
                first_output: None,
            });
            after_prompt = prompted.is_some();
            continue;
        }
        let Some(last) = found.last_mut() else {
            continue;
        };
        if let Some(typed) = line.strip_prefix("seg> ") {
            last.input.push(typed.to_string());
        } else if after_prompt && !line.trim().is_empty() {
            last.first_output = Some(line.trim_end().to_string());
        }
        after_prompt = false;
    }
    found
}

/// Splits a command line into words: whitespace-separated, `'…'` and `"…"` quoted, a
/// trailing `# comment` dropped.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, '#') if !started => break,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// A copy of the examples in a git repository (branch `main`), loaded.
fn workspace() -> common::TestDir {
    let root = common::temp_dir("readme");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    copy_tree(&examples, &root.join("examples"));
    for project in ["examples/retail", "examples/b2b"] {
        let out = common::seg(&root.join(project), &["load"]);
        assert_eq!(out.code, 0, "{project}: {}", out.stderr);
    }
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(&*root)
            .env("GIT_AUTHOR_NAME", "seg")
            .env("GIT_AUTHOR_EMAIL", "seg@example.com")
            .env("GIT_COMMITTER_NAME", "seg")
            .env("GIT_COMMITTER_EMAIL", "seg@example.com")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "examples"]);
    root
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else if entry.path().extension().is_none_or(|e| e != "db") {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn every_command_line_in_the_readme_runs_as_written() {
    let examples = examples();
    assert!(examples.len() >= 20, "{examples:#?}");
    let root = workspace();
    let retail: PathBuf = root.join("examples/retail");
    for example in &examples {
        for part in example.command.split("&&") {
            let words = words(part);
            let names_a_project = words
                .windows(2)
                .any(|w| w[0] == "-p" || w[0] == "--project")
                || words.iter().any(|w| w.starts_with("examples/"));
            let dir: &Path = if names_a_project { &root } else { &retail };
            let mut child = Command::new(env!("CARGO_BIN_EXE_seg"))
                .args(&words[1..])
                .current_dir(dir)
                .env("NO_COLOR", "1")
                .env("SEGLANG_HISTORY", root.join("history.txt"))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("seg starts");
            let mut stdin = child.stdin.take().expect("stdin");
            for typed in &example.input {
                writeln!(stdin, "{typed}").unwrap();
            }
            drop(stdin);
            let out = child.wait_with_output().expect("seg ends");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(0),
                "README line {}: {part}\n{stdout}{stderr}",
                example.line
            );
            if let Some(first) = &example.first_output {
                let printed = stdout.lines().next().unwrap_or("").trim_end();
                assert_eq!(printed, first, "README line {}: {part}", example.line);
            }
        }
    }
}
