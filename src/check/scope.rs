//! Which definitions a file sees: its own and those of the files it imports, directly or
//! through other imports. Import cycles are errors.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use super::ConditionChecker;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceId, Span};

/// The resolved `import` statements of a project: which file imports which, and where.
#[derive(Clone, Debug, Default)]
pub struct Imports {
    /// (importing file, span of the quoted path, imported file).
    pub edges: Vec<(SourceId, Span, SourceId)>,
    /// Each file's name as shown to users (relative to the project root), for suggestions.
    pub names: HashMap<SourceId, String>,
}

/// The outcome of looking up a defined name from one file.
pub enum Lookup<T> {
    /// Defined and visible here.
    Found(T),
    /// Defined in a file this one does not import (already reported).
    Hidden,
    /// Not defined anywhere.
    Missing,
}

/// A definition that knows which file it is in.
pub trait Defined {
    /// Its file.
    fn source(&self) -> SourceId;
    /// Where its name is.
    fn name_span(&self) -> Span;
}

impl Imports {
    /// For each file, the files whose definitions it sees (including itself).
    pub fn visibility(
        &self,
        files: impl Iterator<Item = SourceId>,
    ) -> HashMap<SourceId, HashSet<SourceId>> {
        files
            .map(|file| {
                let mut seen = HashSet::from([file]);
                let mut stack = vec![file];
                while let Some(current) = stack.pop() {
                    for (from, _, to) in &self.edges {
                        if *from == current && seen.insert(*to) {
                            stack.push(*to);
                        }
                    }
                }
                (file, seen)
            })
            .collect()
    }

    /// One diagnostic per import cycle, labelling each `import` on it.
    pub fn cycles(&self) -> Vec<Diagnostic> {
        let mut reported: HashSet<Vec<SourceId>> = HashSet::new();
        let mut errors = Vec::new();
        for &(start, _, _) in &self.edges {
            let Some(path) = self.path_back_to(start) else {
                continue;
            };
            let mut key: Vec<SourceId> = path.iter().map(|(from, _, _)| *from).collect();
            key.sort();
            if !reported.insert(key) {
                continue;
            }
            let names: Vec<&str> = path
                .iter()
                .map(|(from, _, _)| self.name(*from))
                .chain([self.name(start)])
                .collect();
            let mut diagnostic = Diagnostic::error(
                Code::ImportCycle,
                format!("files import each other in a cycle: {}", names.join(" → ")),
            )
            .with_help("move the shared definitions into a file that both import");
            for (from, span, to) in &path {
                diagnostic =
                    diagnostic.with_label(*from, *span, format!("imports {}", self.name(*to)));
            }
            errors.push(diagnostic);
        }
        errors
    }

    /// The import edges of a shortest cycle from `start` back to itself, if any.
    fn path_back_to(&self, start: SourceId) -> Option<Vec<(SourceId, Span, SourceId)>> {
        let mut previous: HashMap<SourceId, (SourceId, Span, SourceId)> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut visited = HashSet::new();
        while let Some(current) = queue.pop_front() {
            for edge @ &(from, _, to) in &self.edges {
                if from != current {
                    continue;
                }
                if to == start {
                    let mut path = vec![*edge];
                    let mut at = from;
                    while at != start {
                        let back = previous[&at];
                        path.push(back);
                        at = back.0;
                    }
                    path.reverse();
                    return Some(path);
                }
                if visited.insert(to) {
                    previous.insert(to, *edge);
                    queue.push_back(to);
                }
            }
        }
        None
    }

    fn name(&self, source: SourceId) -> &str {
        self.names.get(&source).map_or("?", String::as_str)
    }

    /// The path to write in `import '…'` in `from` to reach `to`.
    pub fn import_path(&self, from: SourceId, to: SourceId) -> String {
        relative_path(self.name(from), self.name(to))
    }
}

/// `to` relative to the directory of `from` (both `/`-separated, relative to one root).
fn relative_path(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from
        .split('/')
        .collect::<Vec<_>>()
        .split_last()
        .map_or(vec![], |(_, d)| d.to_vec());
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let ups = std::iter::repeat_n("..", from_dir.len() - common);
    ups.chain(to_parts[common..].iter().copied())
        .collect::<Vec<_>>()
        .join("/")
}

impl<'a> ConditionChecker<'a> {
    /// Looks `name` up in one kind of definition, reporting a definition the file cannot see.
    pub fn lookup<T: Defined>(
        &mut self,
        map: &'a IndexMap<&'a str, T>,
        name: &str,
        span: Span,
        kind: &str,
    ) -> Lookup<&'a T> {
        let Some(entry) = map.get(name) else {
            return Lookup::Missing;
        };
        if self.visible.contains(&entry.source()) {
            return Lookup::Found(entry);
        }
        let path = self.imports.import_path(self.source, entry.source());
        self.errors.push(
            Diagnostic::error(
                Code::NotImported,
                format!("{kind} `{name}` is defined in {path}, which this file does not import"),
            )
            .with_label(self.source, span, "not visible here")
            .with_label(entry.source(), entry.name_span(), "defined here")
            .with_help(format!("add `import '{path}'` at the top of this file")),
        );
        Lookup::Hidden
    }
}

#[cfg(test)]
mod tests {
    use super::relative_path;

    #[test]
    fn import_paths_are_relative_to_the_importing_file() {
        assert_eq!(
            relative_path("segments/a.seg", "segments/sets.seg"),
            "sets.seg"
        );
        assert_eq!(
            relative_path("a.seg", "segments/sets.seg"),
            "segments/sets.seg"
        );
        assert_eq!(
            relative_path("segments/x/a.seg", "shared/o.seg"),
            "../../shared/o.seg"
        );
    }
}
