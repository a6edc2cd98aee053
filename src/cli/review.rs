//! `seg diff --rev REV` (or `--against DIR`): what a change to the segment files does, for
//! a pull request review. Both versions are checked with their own manifests and run on
//! the current database; for every segment added, removed or redefined, its members
//! before and after and how many it gains and loses.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::check::ir::Program;
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::Database;
use crate::engine::{Cell, Rows};
use crate::output::{Format, Shown, outln, print_rows, thousands};
use crate::sql::{self, Output};

/// The version to compare with.
pub enum Base {
    /// A git revision of the repository holding the project.
    Revision(String),
    /// Another copy of the project.
    Directory(PathBuf),
}

pub fn run(context: &Context, base: Base, format: Format) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    // The checkout is deleted when `checkout` goes out of scope, after the files are read.
    let (old_root, checkout) = match &base {
        Base::Revision(rev) => {
            let dir = checkout(&session.project.root, rev)?;
            (dir.path().to_path_buf(), Some(dir))
        }
        Base::Directory(dir) => (dir.clone(), None),
    };
    let old_context = Context {
        project: Some(old_root),
        ..context.clone()
    };
    let old = Session::open(&old_context, &[]);
    drop(checkout);
    let old = old?;
    let database = session.open_database(context, None)?;

    let mut names: Vec<&str> = session
        .program
        .segments
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    for segment in &old.program.segments {
        if !names.contains(&segment.name.as_str()) {
            names.push(&segment.name);
        }
    }
    let mut rows = Rows {
        columns: ["segment", "change", "before", "after", "gained", "lost"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    let mut unchanged = 0;
    for name in names {
        let before = old.program.segment(name).is_some();
        let after = session.program.segment(name).is_some();
        if before
            && after
            && super::materialize::definition(&old.program, name)
                == super::materialize::definition(&session.program, name)
        {
            unchanged += 1;
            continue;
        }
        let members = |program: &Program, present: bool| -> Result<BTreeSet<String>, Failure> {
            if !present {
                return Ok(BTreeSet::new());
            }
            keys(&*database, program, name, session.as_of)
        };
        let (old_members, new_members) = (
            members(&old.program, before)?,
            members(&session.program, after)?,
        );
        let change = match (before, after) {
            (false, _) => "added",
            (_, false) => "removed",
            _ if old_members == new_members => "redefined, same members",
            _ => "redefined",
        };
        let count = |n: usize| Cell::Integer(n as i64);
        rows.rows.push(vec![
            Cell::Text(name.to_string()),
            Cell::Text(change.into()),
            if before {
                count(old_members.len())
            } else {
                Cell::Null
            },
            if after {
                count(new_members.len())
            } else {
                Cell::Null
            },
            count(new_members.difference(&old_members).count()),
            count(old_members.difference(&new_members).count()),
        ]);
    }
    let against = match &base {
        Base::Revision(rev) => format!("`{rev}`"),
        Base::Directory(dir) => dir.display().to_string(),
    };
    match format {
        Format::Table => outln!(
            "segments changed against {against}, on the current database as of {}: {} changed, {} unchanged",
            session.as_of,
            rows.rows.len(),
            thousands(unchanged)
        )?,
        Format::Markdown => outln!(
            "### Segment changes against {against}\n\nMembers on the current database as of {}; {} segments unchanged.\n",
            session.as_of,
            unchanged
        )?,
        _ => {}
    }
    print_rows(&rows, format, |column| match column {
        "before" | "after" | "gained" | "lost" => Shown::Count,
        _ => Shown::Plain,
    })?;
    Ok(0)
}

/// The members' keys of segment `name` of `program`, as text.
fn keys(
    database: &dyn Database,
    program: &Program,
    name: &str,
    as_of: chrono::NaiveDate,
) -> Result<BTreeSet<String>, Failure> {
    let query =
        sql::compile(program, name, Output::Keys, database.dialect(), as_of).expect("present");
    let rows = database.fetch(&query)?;
    Ok(rows
        .rows
        .iter()
        .map(|row| match &row[0] {
            Cell::Integer(n) => n.to_string(),
            Cell::Real(r) => r.to_string(),
            Cell::Text(t) => t.clone(),
            Cell::Null => String::new(),
        })
        .collect())
}

/// The project's files as they are at `rev`, in a new temporary directory.
fn checkout(project: &Path, rev: &str) -> Result<tempfile::TempDir, Failure> {
    // A revision never reaches git as an option (`--output=…`).
    if rev.starts_with('-') {
        return Err(unreadable(rev, "a revision cannot start with `-`"));
    }
    let git = |args: &[&str], dir: &Path| -> Result<Vec<u8>, Failure> {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| unreadable(rev, &format!("cannot run git: {e}")))?;
        if !output.status.success() {
            let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(unreadable(rev, &message));
        }
        Ok(output.stdout)
    };
    let top = String::from_utf8_lossy(&git(&["rev-parse", "--show-toplevel"], project)?)
        .trim()
        .to_string();
    let top = PathBuf::from(top);
    let root = project
        .canonicalize()
        .unwrap_or_else(|_| project.to_path_buf());
    let relative = root
        .strip_prefix(top.canonicalize().unwrap_or(top.clone()))
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let pathspec = if relative.as_os_str().is_empty() {
        ".".to_string()
    } else {
        format!("{}/", relative.display())
    };
    let listing = git(
        &["ls-tree", "-r", "--name-only", rev, "--", &pathspec],
        &top,
    )?;
    let checkout = tempfile::Builder::new()
        .prefix("seglang-review-")
        .tempdir()
        .map_err(|e| unreadable(rev, &format!("cannot make a temporary directory: {e}")))?;
    let target = checkout.path();
    for path in String::from_utf8_lossy(&listing).lines() {
        let wanted = path.ends_with(".seg") || path.ends_with("seg.toml");
        if !wanted {
            continue;
        }
        let text = git(&["show", &format!("{rev}:{path}")], &top)?;
        let inside = Path::new(path)
            .strip_prefix(&relative)
            .unwrap_or(Path::new(path));
        let file = target.join(inside);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| unreadable(rev, &format!("cannot write {}: {e}", parent.display())))?;
        }
        std::fs::write(&file, text)
            .map_err(|e| unreadable(rev, &format!("cannot write {}: {e}", file.display())))?;
    }
    if !target.join("seg.toml").exists() {
        return Err(unreadable(
            rev,
            "the project has no seg.toml at that revision",
        ));
    }
    Ok(checkout)
}

fn unreadable(rev: &str, message: &str) -> Failure {
    Diagnostic::error(
        Code::FileUnreadable,
        format!("cannot read the segment files at `{rev}`: {message}"),
    )
    .with_help("name a commit, branch or tag of the repository that holds the project")
    .into()
}
