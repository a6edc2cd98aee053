//! The pipeline's one-way flow, enforced: each module of `src/` names only the modules it may
//! know (docs/architecture.md has the table), and every backend is named only in its own
//! folder under `src/engine/` and in the one place that picks a backend.

use std::path::{Path, PathBuf};

/// What each module must not import (`crate::<name>`), and why.
const FORBIDDEN: &[(&str, &[&str], &str)] = &[
    (
        "syntax",
        &["check", "sql", "engine", "app", "cli", "repl", "project"],
        "the parser knows no schema, SQL or database",
    ),
    (
        "check",
        &["sql", "engine", "app", "cli", "repl"],
        "the checker knows no SQL or database",
    ),
    (
        "sql",
        &["syntax", "engine", "app", "cli", "repl"],
        "code generation reads the IR, never the syntax tree, and opens no connection",
    ),
    (
        "engine",
        &["syntax", "check", "app", "cli", "repl", "lint", "format"],
        "the engine takes queries and rows, never the AST or the IR",
    ),
    (
        "project",
        &["engine", "app", "cli", "repl"],
        "the project reads files; it never opens a database",
    ),
    (
        "app",
        &["cli", "repl"],
        "the application layer is under both front ends",
    ),
    ("cli", &["repl"], "the front ends do not import each other"),
    ("repl", &["cli"], "the front ends do not import each other"),
    (
        "output",
        &["app", "cli", "repl"],
        "printing rows is a leaf both front ends use",
    ),
];

/// Where the names of backends and their dialects (`Sqlite`, `Postgres`, `Spark`) may
/// appear in code: the dialects, each backend's own folder, and three places that name
/// every backend — the manifest's `[database]` settings (`project/manifest.rs`), `Location`
/// (`project/location.rs`, a setting to where the data is) and `engine/mod.rs` (a location
/// to its engine). docs/architecture.md states this list; CONTRIBUTING.md's "Adding an
/// engine" follows it.
const BACKEND_HOMES: &[&str] = &[
    "src/sql/",
    "src/engine/sqlite/",
    "src/engine/postgres/",
    "src/engine/spark/",
    "src/project/manifest.rs",
    "src/project/location.rs",
    "src/engine/mod.rs",
];

const BACKEND_NAMES: &[&str] = &["Sqlite", "Postgres", "Spark"];

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file of `src/` belongs to (`src/sql/batch.rs` → `sql`, `src/output.rs` →
/// `output`).
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root.join("src")).expect("under src");
    let first = relative.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The code of a file without its comments (doc comments name other stages freely).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.split("//").next().unwrap_or("")))
}

fn all_files() -> (PathBuf, Vec<PathBuf>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    source_files(&root.join("src"), &mut files);
    files.sort();
    (root, files)
}

#[test]
fn no_stage_imports_a_later_stage_or_a_front_end() {
    let (root, files) = all_files();
    let mut problems = Vec::new();
    for file in &files {
        let module = module_of(&root, file);
        let Some((_, forbidden, why)) = FORBIDDEN.iter().find(|(m, _, _)| *m == module) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable source");
        for (number, code) in code_lines(&text) {
            for name in *forbidden {
                let pattern = format!("crate::{name}");
                let mut rest = code;
                while let Some(at) = rest.find(&pattern) {
                    let after = rest[at + pattern.len()..].chars().next();
                    if !after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        problems.push(format!(
                            "{}:{number}: `{module}` uses `{pattern}` ({why})",
                            file.strip_prefix(&root).unwrap().display()
                        ));
                    }
                    rest = &rest[at + pattern.len()..];
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `code` with its string literals emptied (messages may name engines).
fn without_strings(code: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in code.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                out.push(c);
            }
        } else {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
        }
    }
    out
}

#[test]
fn backends_are_named_only_in_their_folders_and_where_one_is_picked() {
    let (root, files) = all_files();
    let mut problems = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if BACKEND_HOMES.iter().any(|home| relative.starts_with(home)) {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("readable source");
        for (number, code) in code_lines(&text) {
            let code = without_strings(code);
            let words = code.split(|c: char| !(c.is_alphanumeric() || c == '_'));
            for word in words {
                if BACKEND_NAMES.contains(&word) {
                    problems.push(format!(
                        "{relative}:{number}: names the backend `{word}` outside its folder"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
