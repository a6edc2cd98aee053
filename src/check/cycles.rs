//! Segment references form a graph: find cycles (each reported once, spelled out) and order
//! the segments so that every segment comes after the ones it refers to.

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
    order
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
