//! Finding segment files (and segment tests) under a folder without leaving the project: a path or symbolic
//! link that leads out (`segments/root -> /`) is reported (`seg::E019`) and not followed, a loop of links is
//! walked once, and a folder that cannot be read is one problem among the others.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic};

/// Whether `target` lies inside `root`, both as written (no `..` climbing out, not
/// absolute elsewhere) and once symbolic links are followed; the reason if not. Nothing is
/// read from a target outside.
pub fn inside(root: &Path, target: &Path) -> Result<(), &'static str> {
    let roots = [lexically_absolute(root), root.canonicalize().ok()];
    let inside = |path: &Path| roots.iter().flatten().any(|root| path.starts_with(root));
    match lexically_absolute(target) {
        Some(written) if inside(&written) => {}
        _ => return Err("the path leads out of the project"),
    }
    match target.canonicalize() {
        Ok(real) if !inside(&real) => Err("a symbolic link leads out of the project"),
        _ => Ok(()),
    }
}

/// `path` made absolute with `.` and `..` resolved as written (links not followed); `None`
/// if `..` climbs above the file system's root.
fn lexically_absolute(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Which files a walk collects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Wanted {
    /// Segment files, `*.seg`.
    Segments,
    /// Segment tests, `*.test.toml`.
    Tests,
}

impl Wanted {
    fn matches(self, name: &str) -> bool {
        match self {
            Wanted::Segments => name.ends_with(".seg"),
            Wanted::Tests => name.ends_with(".test.toml"),
        }
    }
}

/// The wanted files at or under `path`, staying inside `root`, and the problems met.
pub(super) fn files_under(
    path: &Path,
    root: &Path,
    wanted: Wanted,
    out: &mut Vec<PathBuf>,
) -> Vec<Diagnostic> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut problems = Vec::new();
    // A file or folder the manifest names is held to the project as what is found in
    // the folders is (a path named on the command line is its own root).
    if let Err(reason) = inside(&root, path) {
        problems.push(leads_out(path, reason));
        return problems;
    }
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return problems;
    }
    match path.canonicalize() {
        Ok(real) => {
            let mut seen = HashSet::from([real]);
            walk(path, &root, wanted, &mut seen, out, &mut problems);
        }
        Err(error) => problems.push(super::unreadable(path, &error)),
    }
    problems
}

fn walk(
    dir: &Path,
    root: &Path,
    wanted: Wanted,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
    problems: &mut Vec<Diagnostic>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => return problems.push(super::unreadable(dir, &error)),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                problems.push(super::unreadable(dir, &error));
                continue;
            }
        };
        let child = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_wanted = wanted.matches(&name);
        let linked = entry.file_type().is_ok_and(|t| t.is_symlink());
        if linked && let Err(reason) = inside(root, &child) {
            if is_wanted || child.is_dir() {
                problems.push(leads_out(&child, reason));
            }
            continue;
        }
        if child.is_dir() {
            if name.starts_with('.') || name == "target" {
                continue;
            }
            let real = child.canonicalize().unwrap_or_else(|_| child.clone());
            if seen.insert(real) {
                walk(&child, root, wanted, seen, out, problems);
            }
        } else if is_wanted {
            out.push(child);
        }
    }
}

fn leads_out(path: &Path, reason: &str) -> Diagnostic {
    Diagnostic::error(
        Code::ImportOutsideProject,
        format!("{} is not read: {reason}", path.display()),
    )
    .with_help("segment files and tests stay inside the folder that holds seg.toml")
}
