//! `seg explain SEGMENT --customer KEY`: why a customer is or is not a member. The
//! segment's condition tree, each node with its truth for that customer and, for a test,
//! the value it looked at; a failing numeric test says how far the value is from passing.

use super::session::Definitions;
use chrono::NaiveDate;

use crate::check::ir::Condition;
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::Cell;
use crate::engine::Database;
use crate::source::Span;
use crate::sql::explain::{Dates, Node, ValueKind, explain_query};
use crate::syntax::ast::{self, CompareOp};
use crate::value::Value;

/// Whether the customers' key column holds numbers, as the database's catalog says.
fn numeric_keys(
    definitions: &Definitions<'_>,
    database: &dyn Database,
) -> Result<bool, Diagnostic> {
    let customer = &definitions.program.customer;
    Ok(database
        .columns()?
        .get(&customer.table)
        .and_then(|columns| columns.iter().find(|c| c.name == customer.key))
        .is_some_and(|c| {
            matches!(
                c.stored,
                crate::schema::Stored::Integer
                    | crate::schema::Stored::Numeric
                    | crate::schema::Stored::Float
            )
        }))
}

/// The explanation of segment `name` (headed `label`) for the customer with key
/// `customer`, as printed.
pub(crate) fn explanation(
    definitions: &Definitions<'_>,
    name: &str,
    label: &str,
    customer: &str,
    database: &dyn Database,
    as_of: NaiveDate,
) -> Result<String, Diagnostic> {
    let not_found = || {
        Diagnostic::error(
            Code::CustomerNotFound,
            format!("no customer with key `{customer}`"),
        )
        .with_help("`seg run --segment NAME` lists members with their keys")
    };
    let key = match customer.parse::<i64>() {
        Ok(n) => Value::Integer(n),
        // Some engines convert text to a number to compare it with a numeric key (DuckDB
        // rounds `3.5` to 4): a key that is not a whole number matches no numeric key.
        Err(_) if numeric_keys(definitions, database)? => return Err(not_found()),
        Err(_) => Value::Text(customer.to_string()),
    };
    let (query, nodes) = explain_query(definitions.program, name, key, database.dialect(), as_of)
        .expect("a segment");
    let rows = database.fetch(&query)?;
    let Some(row) = rows.rows.first() else {
        return Err(not_found());
    };
    let texts = node_texts(definitions, name, &nodes);
    let holds = |i: usize| matches!(row.get(2 * i), Some(Cell::Integer(1)));
    let mut out = format!(
        "{label} for customer {customer}, as of {as_of}: {}\n",
        if holds(0) {
            "member ✓"
        } else {
            "not a member ✗"
        }
    );
    let width = nodes
        .iter()
        .zip(&texts)
        .map(|(n, t)| 2 * n.depth + t.chars().count())
        .max()
        .unwrap_or(0);
    for (i, (node, text)) in nodes.iter().zip(&texts).enumerate() {
        let mark = if holds(i) { "✓" } else { "✗" };
        let indented = format!("{}{text}", "  ".repeat(node.depth));
        let value = row.get(2 * i + 1).cloned().unwrap_or(Cell::Null);
        let detail = match node.value {
            None => String::new(),
            Some(kind) => {
                let shown = show(&value, kind);
                let gap = if holds(i) {
                    None
                } else {
                    gap(&node.condition, &value, kind)
                };
                match gap {
                    Some(gap) => format!("  value {shown}; {gap}"),
                    None => format!("  value {shown}"),
                }
            }
        };
        let window = match node.dates {
            Some(Dates::Window(first, last)) => format!("  ({first} to {last})"),
            Some(Dates::Day(day)) => format!("  ({day})"),
            None => String::new(),
        };
        let line = format!("{mark} {indented:width$}{detail}{window}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    Ok(out)
}

/// Each node's text: the source of the matching part of the segment's definition where
/// the checked tree has the written shape, else a description.
fn node_texts(definitions: &Definitions<'_>, name: &str, nodes: &[Node]) -> Vec<String> {
    let definition = definitions.files.iter().find_map(|(source, file)| {
        file.definitions.iter().find_map(|d| match d {
            ast::Definition::Segment(s) if s.name.text == name => Some((*source, s)),
            _ => None,
        })
    });
    let mut texts = Vec::new();
    if let Some((source, segment)) = definition {
        let text = &definitions.sources.get(source).text;
        let snippet = |span: Span| {
            text[span.start as usize..span.end as usize]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        walk(
            &segment.condition,
            &nodes[0].condition,
            &snippet,
            &mut texts,
        );
    }
    // Nodes the written text has no part for (a checked expansion) get a plain label.
    while texts.len() < nodes.len() {
        texts.push(label(&nodes[texts.len()].condition));
    }
    texts.truncate(nodes.len());
    texts
}

/// Pre-order texts for `checked`, following `written` while the shapes agree.
fn walk(
    written: &ast::Condition,
    checked: &Condition,
    snippet: &dyn Fn(Span) -> String,
    out: &mut Vec<String>,
) {
    match (&written.kind, checked) {
        (ast::ConditionKind::And(w), Condition::And(c))
        | (ast::ConditionKind::Or(w), Condition::Or(c))
            if w.len() == c.len() =>
        {
            out.push(label(checked));
            for (w, c) in w.iter().zip(c) {
                walk(w, c, snippet, out);
            }
        }
        (ast::ConditionKind::Not(w), Condition::Not(c)) => {
            out.push("not".into());
            walk(w, c, snippet, out);
        }
        _ => {
            out.push(snippet(written.span));
            // The checked form may have parts the text does not show separately.
            let mut inner = Vec::new();
            push_parts(checked, &mut inner);
            out.extend(inner.into_iter().skip(1));
        }
    }
}

fn push_parts(condition: &Condition, out: &mut Vec<String>) {
    out.push(label(condition));
    match condition {
        Condition::And(parts) | Condition::Or(parts) => {
            parts.iter().for_each(|p| push_parts(p, out));
        }
        Condition::Not(inner) => push_parts(inner, out),
        _ => {}
    }
}

fn label(condition: &Condition) -> String {
    match condition {
        Condition::And(_) => "all of".into(),
        Condition::Or(_) => "any of".into(),
        Condition::Not(_) => "not".into(),
        Condition::Segment(name) => format!("segment {name}"),
        Condition::Bucket { seed, from, to } => bucket_label(seed, *from, *to),
        _ => "test".into(),
    }
}

/// How a split's bucket test reads: its range of hash buckets, inclusive, and its seed.
pub(super) fn bucket_label(seed: &str, from: u32, to: u32) -> String {
    format!("split bucket {from} to {} (seed '{seed}')", to - 1)
}

/// A value as the reader knows it: money with two places, unknown as `unknown`.
fn show(cell: &Cell, kind: ValueKind) -> String {
    match (cell, kind) {
        (Cell::Null, _) => "unknown".into(),
        (Cell::Integer(n), ValueKind::MinorUnits(scale)) => minor(*n, scale),
        (Cell::Integer(n), ValueKind::Stored(crate::schema::Type::Bool)) => (*n != 0).to_string(),
        (Cell::Integer(n), ValueKind::Stored(crate::schema::Type::Money)) => format!("{n}.00"),
        (Cell::Real(r), ValueKind::Stored(crate::schema::Type::Money)) => format!("{r:.2}"),
        (Cell::Real(r), ValueKind::Average) => format!("{r:.2}"),
        (Cell::Integer(n), _) => n.to_string(),
        (Cell::Real(r), _) => r.to_string(),
        (Cell::Text(t), _) => format!("'{t}'"),
    }
}

fn minor(units: i64, scale: u32) -> String {
    if scale == 0 {
        return units.to_string();
    }
    let unit = 10u64.pow(scale);
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    format!(
        "{sign}{}.{:0w$}",
        abs / unit,
        abs % unit,
        w = scale as usize
    )
}

/// For a failing `value op number`, how far the value is from passing.
fn gap(condition: &Condition, value: &Cell, kind: ValueKind) -> Option<String> {
    let Condition::Compare {
        op, value: bound, ..
    } = condition
    else {
        return None;
    };
    let crate::check::ir::Bound::Value(bound) = bound else {
        return None;
    };
    use crate::schema::Type;
    let (actual, scale) = match (value, kind) {
        (Cell::Integer(n), ValueKind::MinorUnits(scale)) => (i128::from(*n), scale),
        // Stored money is NUMERIC: a whole amount comes back as an integer.
        (Cell::Integer(n), ValueKind::Stored(Type::Money)) => (i128::from(*n) * 100, 2),
        (Cell::Real(r), ValueKind::Stored(Type::Money)) => ((r * 100.0).round() as i128, 2),
        (Cell::Integer(n), ValueKind::Number | ValueKind::Stored(Type::Integer)) => {
            (i128::from(*n), 0)
        }
        _ => return None,
    };
    let target = match bound {
        Value::Integer(n) => i128::from(*n) * 10i128.pow(scale),
        Value::Decimal(d) => d.with_min_scale(scale).units,
        _ => return None,
    };
    let step = 1; // the smallest difference at this scale
    let (needed, direction) = match op {
        CompareOp::Gt => (target + step - actual, "more"),
        CompareOp::Ge => (target - actual, "more"),
        CompareOp::Lt => (actual - target + step, "less"),
        CompareOp::Le => (actual - target, "less"),
        _ => return None,
    };
    (needed > 0).then(|| {
        let amount = i64::try_from(needed).unwrap_or(i64::MAX);
        format!("{} {direction} would pass", minor(amount, scale))
    })
}
