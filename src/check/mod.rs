//! Stage 2: syntax tree + schema → typed IR. Resolves every name (fields, metrics, sets,
//! occasions, segments), checks types, and reports *all* problems in *all* files in one run.
//! Knows nothing of SQL.

mod aggregate;
mod arithmetic;
mod condition;
mod cycles;
mod definitions;
pub mod ir;
pub(crate) mod literal;
mod operand;
pub(crate) use operand::RFM_SCORES;
mod scope;
mod sequence;
mod time;

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use crate::diagnostics::{Code, Diagnostic};
use crate::schema::Schema;
use crate::source::{Location, SourceId, Span};
use crate::syntax::ast;
use condition::ConditionChecker;
use definitions::{Definitions, SegmentBody, collect_definitions};
pub use scope::Imports;

/// Checks parsed files against the schema. Returns the segments that checked cleanly (with
/// everything they depend on) and every problem found.
pub fn check(
    files: &[(SourceId, ast::File)],
    imports: &Imports,
    schema: &Schema,
) -> (ir::Program, Vec<Diagnostic>) {
    crate::diagnostics::reset_suggestion_budget();
    let mut errors = imports.cycles();
    let visibility = imports.visibility(files.iter().map(|(id, _)| *id));
    let mut definitions = collect_definitions(files, schema, &mut errors);
    let program_rfm = rfm(schema);

    let context = |source: SourceId| Context {
        schema,
        rfm: program_rfm.as_ref(),
        visible: &visibility[&source],
        imports,
    };

    // Metrics first, each after the metrics it uses: segments use them.
    let mut pending: Vec<&str> = definitions.metrics.keys().copied().collect();
    let mut done: HashSet<&str> = HashSet::new();
    while !pending.is_empty() {
        let (ready, waiting): (Vec<&str>, Vec<&str>) = pending.iter().partition(|name| {
            let mut used = Vec::new();
            metrics_used(&definitions.metrics[**name].definition.expression, &mut used);
            used.iter()
                .all(|u| done.contains(u) || !definitions.metrics.contains_key(u))
        });
        if ready.is_empty() {
            for name in &waiting {
                let entry = &definitions.metrics[*name];
                errors.push(
                    Diagnostic::error(
                        Code::ReferenceCycle,
                        format!("metric `{name}` is computed from itself"),
                    )
                    .with_label(entry.source, entry.definition.name.span, "in a cycle")
                    .with_help(
                        "a metric may use only metrics that do not use it, directly or \
                         through others",
                    ),
                );
            }
            break;
        }
        let mut checked = Vec::new();
        for &name in &ready {
            let entry = &definitions.metrics[name];
            let mut checker = checker(context(entry.source), entry.source, &definitions);
            let expression = &entry.definition.expression;
            let result = match &expression.kind {
                // A lone aggregate may be of any type (`last(orders.ordered_at)`).
                ast::ExprKind::Operand(ast::Operand::Aggregate(aggregate)) => checker
                    .aggregate(aggregate)
                    .map(|a| ir::Expr::Operand(ir::Operand::Aggregate(Box::new(a)))),
                _ => checker.expression(expression).map(|(expr, _)| expr),
            };
            errors.append(&mut checker.errors);
            checked.push((name, result));
        }
        for (name, result) in checked {
            definitions
                .metrics
                .get_mut(name)
                .expect("metric collected")
                .checked = result;
            done.insert(name);
        }
        pending = waiting;
    }

    let mut checked: HashMap<&str, ir::Segment> = HashMap::new();
    let mut graph: IndexMap<&str, Vec<(String, Span)>> = IndexMap::new();
    let mut failed: HashSet<&str> = HashSet::new();
    for (&name, entry) in &definitions.segments {
        let mut checker = checker(context(entry.source), entry.source, &definitions);
        let condition = segment_condition(&mut checker, &entry.body);
        errors.append(&mut checker.errors);
        graph.insert(name, checker.references);
        match condition {
            Some(condition) => {
                let location = Location {
                    source: entry.source,
                    span: entry.name.span,
                };
                checked.insert(
                    name,
                    ir::Segment {
                        name: name.to_string(),
                        condition,
                        location,
                    },
                );
            }
            None => {
                failed.insert(name);
            }
        }
    }

    let sources: HashMap<&str, SourceId> = definitions
        .segments
        .iter()
        .map(|(n, e)| (*n, e.source))
        .collect();
    let order = cycles::order(&graph, &sources, &mut failed, &mut errors);
    let segments = order
        .into_iter()
        .filter_map(|name| checked.remove(name))
        .collect();

    dedup(&mut errors);
    let program = ir::Program {
        customer: ir::CustomerTable {
            table: schema.customer.table.clone(),
            key: schema.customer.key.clone(),
            display_columns: schema
                .customer
                .fields
                .iter()
                .filter(|f| f.via.is_none())
                .map(|f| (f.name.clone(), f.column.clone()))
                .collect(),
        },
        related: schema
            .related
            .iter()
            .map(|e| ir::RelatedTable {
                name: e.name.clone(),
                table: e.table.clone(),
                customer_key: e.customer_key.clone().unwrap_or_default(),
                key: (!e.key.is_empty()).then(|| e.key.clone()),
                time: e.time.clone(),
                time_required: e
                    .fields
                    .iter()
                    .any(|f| Some(&f.column) == e.time.as_ref() && f.required),
            })
            .collect(),
        segments,
        rfm: program_rfm,
    };
    (program, errors)
}

/// A segment's condition: as written, or for a split's bucket, its base and its hash range.
fn segment_condition(
    checker: &mut ConditionChecker<'_>,
    body: &SegmentBody<'_>,
) -> Option<ir::Condition> {
    match body {
        SegmentBody::Condition(condition) => checker.condition(condition),
        SegmentBody::Bucket { split, range } => {
            let base = ast::Condition {
                kind: ast::ConditionKind::Reference(split.base.clone()),
                span: split.base.span,
            };
            let base = checker.condition(&base);
            let (from, to) = (*range)?;
            let ast::LiteralKind::Text(seed) = &split.seed.kind else {
                unreachable!("grammar: a split's seed is a string")
            };
            Some(ir::Condition::And(vec![
                base?,
                ir::Condition::Bucket {
                    seed: seed.clone(),
                    from,
                    to,
                },
            ]))
        }
    }
}

/// What every checker of one file shares.
struct Context<'a> {
    schema: &'a Schema,
    rfm: Option<&'a ir::Rfm>,
    visible: &'a scope::Visible,
    imports: &'a Imports,
}

fn checker<'a>(
    context: Context<'a>,
    source: SourceId,
    definitions: &'a Definitions<'a>,
) -> ConditionChecker<'a> {
    ConditionChecker {
        schema: context.schema,
        definitions,
        rfm: context.rfm,
        source,
        visible: context.visible,
        imports: context.imports,
        errors: Vec::new(),
        references: Vec::new(),
        relation: None,
    }
}

fn rfm(schema: &Schema) -> Option<ir::Rfm> {
    let source = schema.rfm.as_ref()?;
    let table = ir::TableRef::Related(source.relation);
    let column = |f: &crate::schema::Field| ir::Column {
        table,
        name: f.column.clone(),
        ty: f.ty,
    };
    Some(ir::Rfm {
        relation: source.relation,
        date: column(&source.time),
        amount: column(&source.amount),
        scoring: source.scoring,
    })
}

/// One report per problem place: a bad value in a set used by several segments is reported once.
fn dedup(errors: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    errors.retain(|d| seen.insert((d.code, d.location(), d.message.clone())));
}

/// The names of the fields (maybe metrics) an expression reads, without an entity.
fn metrics_used<'e>(expr: &'e ast::Expr, out: &mut Vec<&'e str>) {
    match &expr.kind {
        ast::ExprKind::Operand(ast::Operand::Field(field)) if field.entity.is_none() => {
            out.push(&field.name.text);
        }
        ast::ExprKind::Binary(_, left, right) => {
            metrics_used(left, out);
            metrics_used(right, out);
        }
        ast::ExprKind::Parenthesised(inner) => metrics_used(inner, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
