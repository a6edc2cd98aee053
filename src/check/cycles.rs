//! Segment references form a graph: find cycles (each reported once, spelled out), refuse
//! references deeper or wider than the limits, and order the segments so that every segment
//! comes after the ones it refers to.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceId, Span};

/// Orders the segments of `graph` (name → references with spans) dependencies first.
/// Segments in a cycle, or depending on a failed one, are added to `failed` and left out.
pub fn order<'a>(
    graph: &IndexMap<&'a str, Vec<(String, Span)>>,
    sources: &HashMap<&str, SourceId>,
    failed: &mut HashSet<&'a str>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<&'a str> {
    let mut state: HashMap<&str, State> = HashMap::new();
    let mut order = Vec::new();
    for &name in graph.keys() {
        let mut path = Vec::new();
        visit(
            name, graph, sources, &mut state, &mut path, &mut order, failed, errors,
        );
    }
    order.retain(|name| !failed.contains(name));
    within_limits(&order, graph, sources, failed, errors);
    order.retain(|name| !failed.contains(name));
    order
}

/// The longest chain of references a segment may stand on: a segment is compiled with the
/// ones it refers to written into it, so the SQL grows with the chain.
pub const DEEPEST_REFERENCES: usize = 100;

/// The most segment references a segment may stand on once each is written out (through
/// every path of the graph: a diamond counts its shared base twice).
pub const MOST_EXPANDED_REFERENCES: u64 = 10_000;

/// Refuses (`seg::E063`) each segment, in dependency order, whose chain of references is
/// deeper than [`DEEPEST_REFERENCES`] or whose written-out references exceed
/// [`MOST_EXPANDED_REFERENCES`]; segments that refer to a refused one are left out quietly.
fn within_limits<'a>(
    order: &[&'a str],
    graph: &IndexMap<&'a str, Vec<(String, Span)>>,
    sources: &HashMap<&str, SourceId>,
    failed: &mut HashSet<&'a str>,
    errors: &mut Vec<Diagnostic>,
) {
    let mut depth: HashMap<&str, usize> = HashMap::new();
    let mut expanded: HashMap<&str, u64> = HashMap::new();
    for &name in order {
        let references = &graph[name];
        if references.iter().any(|(t, _)| failed.contains(t.as_str())) {
            failed.insert(name);
            continue;
        }
        let own_depth = references
            .iter()
            .filter_map(|(t, _)| depth.get(t.as_str()))
            .map(|d| d + 1)
            .max()
            .unwrap_or(0);
        let own_expanded = references
            .iter()
            .map(|(t, _)| 1 + expanded.get(t.as_str()).copied().unwrap_or(0))
            .fold(0u64, u64::saturating_add);
        if own_depth > DEEPEST_REFERENCES || own_expanded > MOST_EXPANDED_REFERENCES {
            let (_, span) = references[0];
            let message = if own_depth > DEEPEST_REFERENCES {
                format!(
                    "`{name}` stands on a chain of segment references {own_depth} deep; the \
                     limit is {DEEPEST_REFERENCES}"
                )
            } else {
                format!(
                    "`{name}` stands on {own_expanded} segment references once each is written \
                     out; the limit is {MOST_EXPANDED_REFERENCES}"
                )
            };
            errors.push(too_deep(message, sources[name], span));
            failed.insert(name);
            continue;
        }
        depth.insert(name, own_depth);
        expanded.insert(name, own_expanded);
    }
}

/// `seg::E063` at the reference a segment stands on.
fn too_deep(message: String, source: SourceId, span: Span) -> Diagnostic {
    Diagnostic::error(Code::ReferencesTooDeep, message)
        .with_label(source, span, "refers to a segment too far down")
        .with_help(
            "refer to fewer layers of segments: define this one on its own fields, or \
             materialize a base segment and refer to fewer layers",
        )
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    InProgress,
    Done,
}

#[allow(clippy::too_many_arguments)] // a recursive walk over one shared context
fn visit<'a>(
    name: &'a str,
    graph: &IndexMap<&'a str, Vec<(String, Span)>>,
    sources: &HashMap<&str, SourceId>,
    state: &mut HashMap<&'a str, State>,
    path: &mut Vec<(&'a str, Span)>,
    order: &mut Vec<&'a str>,
    failed: &mut HashSet<&'a str>,
    errors: &mut Vec<Diagnostic>,
) {
    match state.get(name) {
        Some(State::Done) => return,
        Some(State::InProgress) => {
            report_cycle(name, path, sources, errors);
            let start = path.iter().position(|(n, _)| *n == name).unwrap_or(0);
            failed.extend(path[start..].iter().map(|(n, _)| *n));
            return;
        }
        None => {}
    }
    state.insert(name, State::InProgress);
    let Some((&key, references)) = graph.get_key_value(name) else {
        return;
    };
    // The walk goes no deeper than the limit allows (so a chain of any length cannot
    // exhaust the stack); [`within_limits`] reports the segment.
    if path.len() > DEEPEST_REFERENCES {
        let reported = errors.iter().any(|e| e.code == Code::ReferencesTooDeep);
        if let Some(&(top, span)) = path.first().filter(|_| !reported) {
            let message = format!(
                "`{top}` stands on a chain of segment references more than \
                 {DEEPEST_REFERENCES} deep"
            );
            errors.push(too_deep(message, sources[top], span));
        }
        failed.insert(key);
        state.insert(key, State::Done);
        order.push(key);
        return;
    }
    for (target, span) in references {
        let Some((&target, _)) = graph.get_key_value(target.as_str()) else {
            continue;
        };
        path.push((key, *span));
        visit(target, graph, sources, state, path, order, failed, errors);
        path.pop();
        if failed.contains(target) {
            failed.insert(key);
        }
    }
    state.insert(key, State::Done);
    order.push(key);
}

/// `path` ends with the edge back to `name`; each entry is (segment, span of its reference).
fn report_cycle(
    name: &str,
    path: &[(&str, Span)],
    sources: &HashMap<&str, SourceId>,
    errors: &mut Vec<Diagnostic>,
) {
    let start = path.iter().position(|(n, _)| *n == name).unwrap_or(0);
    let cycle = &path[start..];
    let spelled: Vec<&str> = cycle.iter().map(|(n, _)| *n).chain([name]).collect();
    let message = if cycle.len() == 1 {
        format!("segment `{name}` refers to itself")
    } else {
        format!(
            "segments refer to each other in a cycle: {}",
            spelled.join(" → ")
        )
    };
    let mut diagnostic = Diagnostic::error(Code::ReferenceCycle, message).with_help(
        "a segment cannot be defined in terms of itself; break the cycle by removing one reference",
    );
    for (i, (segment, span)) in cycle.iter().enumerate() {
        let next = spelled[i + 1];
        diagnostic = diagnostic.with_label(
            sources[segment],
            *span,
            format!("`{segment}` refers to `{next}`"),
        );
    }
    errors.push(diagnostic);
}
