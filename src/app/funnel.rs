//! `seg funnel SEGMENT`: attrition and what-if. The count after each top-level condition
//! of the segment in order, the share of the step before it keeps, and the count if that
//! one condition alone were dropped. Every count comes from one batch query.

use super::Failure;
use super::derived::Derived;
use super::session::Definitions;
use crate::check::ir::Condition;
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::Database;
use crate::engine::{Cell, Rows};
use crate::output::Shown;
use crate::syntax::ast;

/// The most steps a funnel shows: each step and each "without it" count is a derived
/// segment of up to that many conditions, so the query grows with the square.
const MOST_STEPS: usize = 64;

/// The funnel of segment `name`: its rows, then its members and all customers.
pub(crate) fn funnel(
    definitions: &Definitions<'_>,
    name: &str,
    database: &dyn Database,
    as_of: chrono::NaiveDate,
) -> Result<(Rows, u64, u64), Failure> {
    let segment = definitions.program.segment(name).expect("selected").clone();
    let parts = match &segment.condition {
        Condition::And(parts) => parts.clone(),
        other => vec![other.clone()],
    };
    if parts.len() > MOST_STEPS {
        return Err(Diagnostic::error(
            Code::FunnelTooLong,
            format!(
                "`{name}` is an `and` of {} conditions; a funnel shows at most {MOST_STEPS}",
                parts.len()
            ),
        )
        .with_help(
            "group the conditions into segments and refer to them, so the funnel has fewer steps",
        )
        .into());
    }
    let texts = condition_texts(definitions, name, &parts);

    let mut derived = Derived::new(definitions.program);
    for step in 0..parts.len() {
        derived.add(parts[..=step].to_vec(), segment.location);
    }
    if parts.len() > 1 {
        for dropped in 0..parts.len() {
            let rest = parts
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != dropped)
                .map(|(_, p)| p.clone())
                .collect();
            derived.add(rest, segment.location);
        }
    }
    let (counts, everyone) = derived.count(database, as_of)?;

    let mut rows = Rows {
        columns: ["step", "condition", "members", "kept", "without_it"]
            .map(String::from)
            .to_vec(),
        rows: vec![vec![
            Cell::Integer(0),
            Cell::Text("all customers".into()),
            Cell::Integer(everyone as i64),
            Cell::Null,
            Cell::Null,
        ]],
    };
    let mut previous = everyone;
    for (step, text) in texts.iter().enumerate() {
        let members = counts[step];
        let without = if parts.len() > 1 {
            counts[parts.len() + step]
        } else {
            everyone
        };
        rows.rows.push(vec![
            Cell::Integer(step as i64 + 1),
            Cell::Text(text.clone()),
            Cell::Integer(members as i64),
            share(members, previous),
            Cell::Integer(without as i64),
        ]);
        previous = members;
    }
    Ok((rows, previous, everyone))
}

/// The source text of each top-level condition of segment `name` (`and` parts), or for a
/// split's bucket what its parts are.
fn condition_texts(definitions: &Definitions<'_>, name: &str, parts: &[Condition]) -> Vec<String> {
    for (source, file) in definitions.files {
        for definition in &file.definitions {
            let ast::Definition::Segment(segment) = definition else {
                continue;
            };
            if segment.name.text != name {
                continue;
            }
            let text = &definitions.sources.get(*source).text;
            let snippet = |span: crate::source::Span| {
                let raw = &text[span.start as usize..span.end as usize];
                raw.split_whitespace().collect::<Vec<_>>().join(" ")
            };
            return match &segment.condition.kind {
                ast::ConditionKind::And(items) if items.len() == parts.len() => {
                    items.iter().map(|c| snippet(c.span)).collect()
                }
                _ => vec![snippet(segment.condition.span)],
            };
        }
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| match part {
            Condition::Segment(name) => name.clone(),
            Condition::Bucket { seed, from, to } => super::explain::bucket_label(seed, *from, *to),
            _ => format!("condition {}", i + 1),
        })
        .collect()
}

/// `kept` of `of` as a percentage with one decimal.
/// The fraction of `of` that `kept` is; unknown of none.
fn share(kept: u64, of: u64) -> Cell {
    if of == 0 {
        return Cell::Null;
    }
    Cell::Real(kept as f64 / of as f64)
}

/// How a funnel's columns are shown: counts grouped, the share kept as a percentage.
pub(crate) fn shown(column: &str) -> Shown {
    match column {
        "members" | "without_it" => Shown::Count,
        "kept" => Shown::Share,
        _ => Shown::Plain,
    }
}
