//! Finding segment files under a folder without leaving it: a symbolic link that leads out
//! (`segments/root -> /`) is reported (`seg::E019`) and not followed, a loop of links is
//! walked once, and a folder that cannot be read is one problem among the others.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic};

/// The `.seg` files at or under `path`, staying inside `root`, and the problems met.
pub(super) fn segment_files(path: &Path, root: &Path, out: &mut Vec<PathBuf>) -> Vec<Diagnostic> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut problems = Vec::new();
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return problems;
    }
    match path.canonicalize() {
        Ok(real) if real.starts_with(&root) => {
            let mut seen = HashSet::from([real]);
            walk(path, &root, &mut seen, out, &mut problems);
        }
        Ok(_) => problems.push(leads_out(path)),
        Err(error) => problems.push(super::unreadable(path, &error)),
    }
    problems
}

fn walk(
    dir: &Path,
    root: &Path,
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
        let is_segment = child.extension().is_some_and(|e| e == "seg");
        let linked = entry.file_type().is_ok_and(|t| t.is_symlink());
        let real = if linked {
            match child.canonicalize() {
                Ok(real) if !real.starts_with(root) => {
                    if is_segment || real.is_dir() {
                        problems.push(leads_out(&child));
                    }
                    continue;
                }
                Ok(real) => Some(real),
                // A dangling link named like a segment file is reported when it is read.
                Err(_) => None,
            }
        } else {
            None
        };
        if child.is_dir() {
            if name.starts_with('.') || name == "target" {
                continue;
            }
            let real = real.unwrap_or_else(|| child.canonicalize().unwrap_or(child.clone()));
            if seen.insert(real) {
                walk(&child, root, seen, out, problems);
            }
        } else if is_segment {
            out.push(child);
        }
    }
}

fn leads_out(path: &Path) -> Diagnostic {
    Diagnostic::error(
        Code::ImportOutsideProject,
        format!(
            "{} is a symbolic link that leads out of the project; it is not followed",
            path.display()
        ),
    )
    .with_help("segment files stay inside the folder that holds seg.toml")
}
