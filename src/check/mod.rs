//! Stage 2: syntax tree + schema → typed IR. Resolves every name (fields, sets, segments),
//! checks types, and reports *all* problems in *all* files in one run. Knows nothing of SQL.

mod condition;
mod cycles;
pub mod ir;
mod literal;

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use crate::diagnostics::{Code, Diagnostic};
use crate::schema::Schema;
use crate::source::{SourceId, Span};
use crate::syntax::ast::{self, LiteralKind};
use condition::ConditionChecker;

/// Every definition of the project by name (the first one wins a duplicate).
pub(crate) struct Definitions<'a> {
    segments: IndexMap<&'a str, (SourceId, &'a ast::SegmentDef)>,
    sets: IndexMap<&'a str, SetEntry<'a>>,
}

struct SetEntry<'a> {
    source: SourceId,
    definition: &'a ast::SetDef,
    /// Empty or mixed: reported once at the definition, not again at each use.
    broken: bool,
}

/// Checks parsed files against the schema. Returns the segments that checked cleanly (with
/// everything they depend on) and every problem found.
pub fn check(files: &[(SourceId, ast::File)], schema: &Schema) -> (ir::Program, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let definitions = collect_definitions(files, &mut errors);

    let mut checked: HashMap<&str, ir::Segment> = HashMap::new();
    let mut graph: IndexMap<&str, Vec<(String, Span)>> = IndexMap::new();
    let mut failed: HashSet<&str> = HashSet::new();
    for (&name, &(source, def)) in &definitions.segments {
        let mut checker = ConditionChecker {
            schema,
            definitions: &definitions,
            source,
            errors: Vec::new(),
            references: Vec::new(),
            uses_broken_set: false,
        };
        let condition = checker.condition(&def.condition);
        errors.append(&mut checker.errors);
        graph.insert(name, checker.references);
        match condition {
            Some(condition) => {
                let location = crate::source::Location {
                    source,
                    span: def.name.span,
                };
                checked.insert(
                    name,
                    ir::Segment {
                        name: name.to_string(),
                        doc: def.doc.clone(),
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
        .map(|(n, (s, _))| (*n, *s))
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
            })
            .collect(),
        segments,
    };
    (program, errors)
}

fn collect_definitions<'a>(
    files: &'a [(SourceId, ast::File)],
    errors: &mut Vec<Diagnostic>,
) -> Definitions<'a> {
    let mut definitions = Definitions {
        segments: IndexMap::new(),
        sets: IndexMap::new(),
    };
    let mut first_seen: HashMap<&str, (SourceId, Span)> = HashMap::new();
    for (source, file) in files {
        for definition in &file.definitions {
            let name = match definition {
                ast::Definition::Segment(s) => &s.name,
                ast::Definition::Set(s) => &s.name,
            };
            if let Some(&(first_source, first_span)) = first_seen.get(name.text.as_str()) {
                errors.push(
                    Diagnostic::error(
                        Code::DuplicateDefinition,
                        format!("`{}` is defined twice", name.text),
                    )
                    .with_label(*source, name.span, "defined again here")
                    .with_label(first_source, first_span, "first defined here")
                    .with_help("rename one of them; names are shared by all files of a project"),
                );
                continue;
            }
            first_seen.insert(&name.text, (*source, name.span));
            match definition {
                ast::Definition::Segment(s) => {
                    definitions.segments.insert(&s.name.text, (*source, s));
                }
                ast::Definition::Set(s) => {
                    let broken = !set_is_well_formed(s, *source, errors);
                    definitions.sets.insert(
                        &s.name.text,
                        SetEntry {
                            source: *source,
                            definition: s,
                            broken,
                        },
                    );
                }
            }
        }
    }
    definitions
}

/// A set must be non-empty and hold one kind of value (integers and decimals mix).
fn set_is_well_formed(set: &ast::SetDef, source: SourceId, errors: &mut Vec<Diagnostic>) -> bool {
    let items = &set.values.items;
    let Some(first) = items.first() else {
        errors.push(
            Diagnostic::error(Code::BadList, format!("set `{}` is empty", set.name.text))
                .with_label(source, set.values.span, "no values")
                .with_help("add at least one value"),
        );
        return false;
    };
    let kind = |l: &ast::Literal| match l.kind {
        LiteralKind::Text(_) => "text",
        LiteralKind::Integer | LiteralKind::Decimal => "number",
        LiteralKind::Date => "date",
        LiteralKind::Bool(_) => "boolean",
    };
    match items.iter().find(|item| kind(item) != kind(first)) {
        None => true,
        Some(odd) => {
            errors.push(
                Diagnostic::error(
                    Code::BadList,
                    format!(
                        "set `{}` mixes {} and {} values",
                        set.name.text,
                        kind(first),
                        kind(odd)
                    ),
                )
                .with_label(source, odd.span, format!("{} value", kind(odd)))
                .with_label(source, first.span, format!("{} value", kind(first)))
                .with_help("a set holds values of one type"),
            );
            false
        }
    }
}

/// One report per problem place: a bad value in a set used by several segments is reported once.
fn dedup(errors: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    errors.retain(|d| seen.insert((d.code, d.location(), d.message.clone())));
}

#[cfg(test)]
mod tests;
