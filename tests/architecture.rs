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

/// Where the names of backends and their dialects (`Sqlite`, `Postgres`, `DuckDb`, `Spark`) may
/// appear in code: the dialects, each backend's own folder, and three places that name
/// every backend — the manifest's `[database]` settings (`project/manifest.rs`), `Location`
/// (`project/location.rs`, a setting to where the data is) and `engine/mod.rs` (a location
/// to its engine). docs/architecture.md states this list; CONTRIBUTING.md's "Adding an
/// engine" follows it.
const BACKEND_HOMES: &[&str] = &[
    "src/sql/",
    "src/engine/sqlite/",
    "src/engine/postgres/",
    "src/engine/duckdb/",
    "src/engine/spark/",
    "src/project/manifest", // manifest.rs and its tests
    "src/project/location.rs",
    "src/engine/mod.rs",
];

const BACKEND_NAMES: &[&str] = &["Sqlite", "Postgres", "DuckDb", "Spark"];

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

/// The code of a file, line by line, without string literals and comments (messages and
/// doc comments name other stages and engines freely).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, String)> + '_ {
    text.lines().enumerate().map(|(i, line)| {
        let code = without_strings(line);
        let code = code.split("//").next().unwrap_or("").to_string();
        (i + 1, code)
    })
}

/// The top-level modules of the crate that `code` names, each with the offset where it is
/// named: `crate::x`, and each `x` of `crate::{x, y::z}` (over several lines too).
fn crate_modules_at(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at + "crate::".len();
        from = start;
        let rest = &code[start..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push((start, first_segment(&item)));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            found.push((start, first_segment(&item)));
        } else {
            found.push((start, first_segment(rest)));
        }
    }
    found.retain(|(_, m)| !m.is_empty());
    found
}

fn crate_modules(code: &str) -> Vec<String> {
    crate_modules_at(code).into_iter().map(|(_, m)| m).collect()
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
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
        let relative = file.strip_prefix(&root).unwrap().display();
        let lines: Vec<(usize, String)> = code_lines(&text).collect();
        for (number, code) in &lines {
            if code.contains("super::super") {
                problems.push(format!(
                    "{relative}:{number}: reaches out of its module with `super::super`; name it from `crate::`"
                ));
            }
        }
        // The whole file at once: a grouped import may span lines.
        let code: String = lines.iter().map(|(_, c)| format!("{c}\n")).collect();
        for (at, used) in crate_modules_at(&code) {
            if forbidden.contains(&used.as_str()) {
                let number = code[..at].matches('\n').count() + 1;
                problems.push(format!(
                    "{relative}:{number}: `{module}` uses `crate::{used}` ({why})"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
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
            let words = code.split(|c: char| !(c.is_alphanumeric() || c == '_'));
            for word in words {
                if BACKEND_NAMES.contains(&word) {
                    problems.push(format!(
                        "{relative}:{number}: names the backend `{word}` outside its folder"
                    ));
                }
            }
            if code.contains("Location::File") {
                problems.push(format!(
                    "{relative}:{number}: names the SQLite backend (`Location::File`) outside its folder"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_import_check_sees_grouped_imports() {
    assert_eq!(
        crate_modules("use crate::{cli, sql::{self, Query}, app::session::Session};"),
        ["cli", "sql", "app"]
    );
    assert_eq!(crate_modules("let x = crate::repl::run;"), ["repl"]);
    assert_eq!(
        crate_modules("use crate::{\n    app::Context,\n    repl,\n};\n"),
        ["app", "repl"]
    );
    assert!(
        code_lines("let s = \"crate::cli\"; // crate::repl")
            .all(|(_, code)| crate_modules(&code).is_empty())
    );
}
