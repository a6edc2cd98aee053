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

/// The files one file sees, by source id.
#[derive(Clone, Debug)]
pub struct Visible(Vec<bool>);

impl Visible {
    /// Whether definitions in `source` are visible.
    pub fn contains(&self, source: &SourceId) -> bool {
        self.0.get(source.0 as usize).copied().unwrap_or(false)
    }
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
    pub fn visibility(&self, files: impl Iterator<Item = SourceId>) -> HashMap<SourceId, Visible> {
        let targets = self.targets();
        let size = self
            .edges
            .iter()
            .map(|(f, _, t)| f.0.max(t.0) as usize + 1)
            .max()
            .unwrap_or(0);
        files
            .map(|file| {
                let mut seen = vec![false; size.max(file.0 as usize + 1)];
                seen[file.0 as usize] = true;
                let mut stack = vec![file];
                while let Some(current) = stack.pop() {
                    for (_, to) in targets.get(&current).into_iter().flatten() {
                        if !seen[to.0 as usize] {
                            seen[to.0 as usize] = true;
                            stack.push(*to);
                        }
                    }
                }
                (file, Visible(seen))
            })
            .collect()
    }

    /// Each file's imports: (span of the path, imported file).
    fn targets(&self) -> HashMap<SourceId, Vec<(Span, SourceId)>> {
        let mut targets: HashMap<SourceId, Vec<(Span, SourceId)>> = HashMap::new();
        for (from, span, to) in &self.edges {
            targets.entry(*from).or_default().push((*span, *to));
        }
        targets
    }

    /// One diagnostic per import cycle, labelling each `import` on it.
    pub fn cycles(&self) -> Vec<Diagnostic> {
        let targets = self.targets();
        let mut reported: HashSet<Vec<SourceId>> = HashSet::new();
        let mut errors = Vec::new();
        let mut starts: Vec<SourceId> = in_cycles(&targets);
        starts.sort();
        for start in starts {
            let Some(path) = path_back_to(&targets, start) else {
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

    fn name(&self, source: SourceId) -> &str {
        self.names.get(&source).map_or("?", String::as_str)
    }

    /// The path to write in `import '…'` in `from` to reach `to`.
    pub fn import_path(&self, from: SourceId, to: SourceId) -> String {
        relative_path(self.name(from), self.name(to))
    }
}

/// The files that lie on some import cycle: those in a strongly connected component of more
/// than one file, or importing themselves (Tarjan's algorithm, iteratively).
fn in_cycles(targets: &HashMap<SourceId, Vec<(Span, SourceId)>>) -> Vec<SourceId> {
    let mut index: HashMap<SourceId, (usize, usize)> = HashMap::new(); // (index, lowlink)
    let mut on_stack: HashSet<SourceId> = HashSet::new();
    let mut stack: Vec<SourceId> = Vec::new();
    let mut result = Vec::new();
    let mut counter = 0;
    let mut nodes: Vec<SourceId> = targets.keys().copied().collect();
    nodes.sort();
    for root in nodes {
        if index.contains_key(&root) {
            continue;
        }
        // Each frame: the node and how many of its edges were visited.
        let mut frames: Vec<(SourceId, usize)> = vec![(root, 0)];
        index.insert(root, (counter, counter));
        counter += 1;
        stack.push(root);
        on_stack.insert(root);
        while let Some(&mut (node, ref mut next)) = frames.last_mut() {
            let edges = targets.get(&node).map_or(&[][..], Vec::as_slice);
            if let Some(&(_, to)) = edges.get(*next) {
                *next += 1;
                if let Some(&(to_index, _)) = index.get(&to) {
                    if on_stack.contains(&to) {
                        let low = index[&node].1.min(to_index);
                        index.get_mut(&node).expect("visited").1 = low;
                    }
                } else {
                    index.insert(to, (counter, counter));
                    counter += 1;
                    stack.push(to);
                    on_stack.insert(to);
                    frames.push((to, 0));
                }
                continue;
            }
            frames.pop();
            let (node_index, low) = index[&node];
            if let Some(&(parent, _)) = frames.last() {
                let parent_low = index[&parent].1.min(low);
                index.get_mut(&parent).expect("visited").1 = parent_low;
            }
            if low == node_index {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack.remove(&member);
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                let self_loop = edges.iter().any(|(_, to)| *to == node);
                if component.len() > 1 || self_loop {
                    result.extend(component);
                }
            }
        }
    }
    result
}

/// The import edges of a shortest cycle from `start` back to itself, if any.
fn path_back_to(
    targets: &HashMap<SourceId, Vec<(Span, SourceId)>>,
    start: SourceId,
) -> Option<Vec<(SourceId, Span, SourceId)>> {
    let mut previous: HashMap<SourceId, (SourceId, Span, SourceId)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut visited = HashSet::new();
    while let Some(current) = queue.pop_front() {
        for &(span, to) in targets.get(&current).into_iter().flatten() {
            let edge = (current, span, to);
            if to == start {
                let mut path = vec![edge];
                let mut at = current;
                while at != start {
                    let back = previous[&at];
                    path.push(back);
                    at = back.0;
                }
                path.reverse();
                return Some(path);
            }
            if visited.insert(to) {
                previous.insert(to, edge);
                queue.push_back(to);
            }
        }
    }
    None
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
    use super::*;

    fn imports(edges: &[(u32, u32)]) -> Imports {
        let mut imports = Imports::default();
        for &(from, to) in edges {
            imports.edges.push((
                SourceId(from),
                Span::new(from as usize, to as usize),
                SourceId(to),
            ));
            imports.names.insert(SourceId(from), format!("f{from}.seg"));
            imports.names.insert(SourceId(to), format!("f{to}.seg"));
        }
        imports
    }

    #[test]
    fn each_import_cycle_is_reported_once() {
        // 0 → 1 → 2 → 0 is a cycle; 3 imports itself; 4 → 0 only leads into the cycle.
        let errors = imports(&[(0, 1), (1, 2), (2, 0), (3, 3), (4, 0)]).cycles();
        let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "files import each other in a cycle: f0.seg → f1.seg → f2.seg → f0.seg",
                "files import each other in a cycle: f3.seg → f3.seg",
            ]
        );
        assert_eq!(errors[0].labels.len(), 3);
    }

    #[test]
    fn visibility_follows_imports_transitively() {
        let visibility =
            imports(&[(0, 1), (1, 2)]).visibility([0, 1, 2, 5].map(SourceId).into_iter());
        assert!(visibility[&SourceId(0)].contains(&SourceId(2)));
        assert!(!visibility[&SourceId(2)].contains(&SourceId(0)));
        assert!(visibility[&SourceId(5)].contains(&SourceId(5)));
        assert!(!visibility[&SourceId(5)].contains(&SourceId(0)));
    }

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
