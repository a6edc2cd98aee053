//! Lints: warnings about segments that check but are risky or probably wrong. They read the
//! syntax tree and the schema (never SQL); the data-aware ones ([`data`]) take member counts
//! that the CLI fetched. Each lint has a `seg::W0xx` code and a level in `[lints]`.

mod bounds;
mod config;
pub mod data;
mod facts;

use std::collections::HashSet;

use indexmap::IndexMap;

pub use config::{Level, LintConfig};

use crate::diagnostics::{Code, Diagnostic};
use crate::schema::{Entity, Schema};
use crate::source::{SourceId, Span};
use crate::syntax::ast::{
    self, ConditionKind, Definition, InValues, Operand,
};
use crate::syntax::print;

/// Every lint that needs no database, over all files of the project.
pub fn lint(files: &[(SourceId, ast::File)], schema: &Schema) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    for (source, file) in files {
        for definition in &file.definitions {
            match definition {
                Definition::Segment(segment) => {
                    let mut walker = Walker {
                        schema,
                        source: *source,
                        out: &mut out,
                        used: &mut used,
                    };
                    walker.condition(&segment.condition, None);
                    sensitive(segment, *source, schema, &mut out);
                    shadowed(segment, *source, schema, &mut out);
                }
                Definition::Metric(metric) => {
                    let mut walker = Walker {
                        schema,
                        source: *source,
                        out: &mut out,
                        used: &mut used,
                    };
                    let mut operands = Vec::new();
                    metric.expression.operands(&mut operands);
                    operands.into_iter().for_each(|o| walker.operand(o));
                }
                _ => {}
            }
        }
    }
    unused(files, &used, &mut out);
    out
}

/// Walks conditions: notes which names are used, and checks every `and` / `or` group.
/// Places of a repeated condition shown beyond the first two.
const MOST_REPEATS_SHOWN: usize = 6;

struct Walker<'a> {
    schema: &'a Schema,
    source: SourceId,
    out: &'a mut Vec<Diagnostic>,
    used: &'a mut HashSet<String>,
}

impl Walker<'_> {
    /// `relation`: inside a row condition on that related entity.
    fn condition(&mut self, condition: &ast::Condition, relation: Option<usize>) {
        match &condition.kind {
            ConditionKind::And(parts) => {
                self.duplicates(parts);
                let entity = relation.map_or(&self.schema.customer, |r| &self.schema.related[r]);
                if let Some(diagnostic) = facts::contradiction(parts, entity, self.source) {
                    self.out.push(diagnostic);
                }
                parts.iter().for_each(|p| self.condition(p, relation));
            }
            ConditionKind::Or(parts) => {
                self.duplicates(parts);
                self.tautology(condition, parts);
                parts.iter().for_each(|p| self.condition(p, relation));
            }
            ConditionKind::Not(inner) => self.condition(inner, relation),
            ConditionKind::Reference(name) => {
                self.used.insert(name.text.clone());
            }
            ConditionKind::Compare { operand, .. } | ConditionKind::Between { operand, .. } => {
                self.operand(operand);
                if let Some(diagnostic) = bounds::check(condition, self.schema, self.source) {
                    self.out.push(diagnostic);
                }
            }
            ConditionKind::Window { operand, .. } => self.operand(operand),
            ConditionKind::Arithmetic { .. } | ConditionKind::ArithmeticBetween { .. } => {
                for operand in condition.kind.calculation_operands() {
                    self.operand(operand);
                }
            }
            ConditionKind::In { field, values, .. } | ConditionKind::Has { field, values, .. } => {
                self.field(field);
                if let InValues::Set(name) = values {
                    self.used.insert(name.text.clone());
                }
            }
            ConditionKind::During {
                field, occasion, ..
            } => {
                self.field(field);
                self.used.insert(occasion.text.clone());
            }
            ConditionKind::Any { entity, filter } => {
                if let (Some(filter), Some((index, _))) =
                    (filter, self.schema.related_entity(&entity.text))
                {
                    self.condition(filter, Some(index));
                }
            }
            ConditionKind::Sequence {
                first,
                then,
                unless,
                ..
            } => {
                for step in [Some(first), Some(then), unless.as_ref()].into_iter().flatten() {
                    if let (Some(filter), Some((index, _))) =
                        (&step.filter, self.schema.related_entity(&step.entity.text))
                    {
                        self.condition(filter, Some(index));
                    }
                }
            }
            ConditionKind::Known { field, .. }
            | ConditionKind::Contains { field, .. }
            | ConditionKind::StartsWith { field, .. }
            | ConditionKind::EndsWith { field, .. } => self.field(field),
            ConditionKind::Ignoring { test, .. } => self.condition(test, relation),
        }
    }

    fn operand(&mut self, operand: &Operand) {
        match operand {
            Operand::Field(field) | Operand::Function { field, .. } => self.field(field),
            Operand::Aggregate(aggregate) => self.aggregate(aggregate),
        }
    }

    fn aggregate(&mut self, aggregate: &ast::Aggregate) {
        let entity = aggregate
            .target
            .entity
            .as_ref()
            .unwrap_or(&aggregate.target.name);
        if let (Some(filter), Some((index, _))) =
            (&aggregate.filter, self.schema.related_entity(&entity.text))
        {
            self.condition(filter, Some(index));
        }
    }

    /// A bare name may be a metric.
    fn field(&mut self, field: &ast::FieldRef) {
        if field.entity.is_none() {
            self.used.insert(field.name.text.clone());
        }
    }

    /// The same condition twice in one group.
    fn duplicates(&mut self, parts: &[ast::Condition]) {
        let printed: Vec<String> = parts.iter().map(print::condition).collect();
        // Each repeated condition once, however often it repeats: where it first appears and
        // where it appears again (the first few places).
        let mut places: IndexMap<&str, Vec<usize>> = IndexMap::new();
        for (i, text) in printed.iter().enumerate() {
            places.entry(text).or_default().push(i);
        }
        for (text, at) in places.into_iter().filter(|(_, at)| at.len() > 1) {
            let times = match at.len() {
                2 => "twice".to_string(),
                n => format!("{n} times"),
            };
            let mut diagnostic =
                Diagnostic::warning(Code::DuplicateCondition, format!("`{text}` appears {times}"))
                    .with_label(self.source, parts[at[1]].span, "repeated here")
                    .with_label(self.source, parts[at[0]].span, "first here");
            for &i in at.iter().skip(2).take(MOST_REPEATS_SHOWN) {
                diagnostic = diagnostic.with_label(self.source, parts[i].span, "and here");
            }
            self.out.push(diagnostic.with_help(if at.len() == 2 {
                "remove one of them"
            } else {
                "keep one of them"
            }));
        }
    }

    /// `C or not C`, or `f is known or f is unknown`: always holds.
    fn tautology(&mut self, whole: &ast::Condition, parts: &[ast::Condition]) {
        let printed: HashSet<String> = parts.iter().map(print::condition).collect();
        let complement = |c: &ast::Condition| match &c.kind {
            ConditionKind::Not(inner) => Some(print::condition(inner)),
            ConditionKind::Known { field, known } => {
                let mut flipped = c.clone();
                flipped.kind = ConditionKind::Known {
                    field: field.clone(),
                    known: !known,
                };
                Some(print::condition(&flipped))
            }
            _ => None,
        };
        if parts
            .iter()
            .any(|p| complement(p).is_some_and(|c| printed.contains(&c)))
        {
            self.out.push(
                Diagnostic::warning(Code::Tautology, "this condition always holds")
                    .with_label(self.source, whole.span, "true for every customer")
                    .with_help("a condition or its opposite is everyone; remove it, or check what was meant"),
            );
        }
    }
}

/// A segment that targets customers by a field marked `sensitive`, with no
/// `/// justification: …` line in its documentation.
fn sensitive(
    segment: &ast::SegmentDef,
    source: SourceId,
    schema: &Schema,
    out: &mut Vec<Diagnostic>,
) {
    let justified = segment.doc.as_deref().is_some_and(|doc| {
        doc.lines().any(|line| {
            let line = line.trim().to_lowercase();
            line.strip_prefix("justification:")
                .is_some_and(|rest| !rest.trim().is_empty())
        })
    });
    if justified {
        return;
    }
    let mut uses = Vec::new();
    sensitive_uses(&segment.condition, &schema.customer, schema, &mut uses);
    if let Some((field, span)) = uses.first() {
        out.push(
            Diagnostic::warning(
                Code::SensitiveAttribute,
                format!("segment `{}` targets customers by the sensitive attribute `{field}`", segment.name.text),
            )
            .with_label(source, *span, "sensitive")
            .with_help(
                "if this use is fair and lawful, say why in a `/// justification: …` line above the segment; \
                 otherwise remove the condition",
            ),
        );
    }
}

/// Field references to sensitive fields, with their spans, seen from `entity`.
fn sensitive_uses(
    condition: &ast::Condition,
    entity: &Entity,
    schema: &Schema,
    out: &mut Vec<(String, Span)>,
) {
    let mut field = |f: &ast::FieldRef, entity: &Entity| sensitive_field(f, entity, schema, out);
    match &condition.kind {
        ConditionKind::And(parts) | ConditionKind::Or(parts) => {
            parts
                .iter()
                .for_each(|p| sensitive_uses(p, entity, schema, out));
        }
        ConditionKind::Not(inner) => sensitive_uses(inner, entity, schema, out),
        ConditionKind::Arithmetic { .. } | ConditionKind::ArithmeticBetween { .. } => {
            for operand in condition.kind.calculation_operands() {
                sensitive_operand(operand, entity, schema, out);
            }
        }
        ConditionKind::Compare { operand, .. }
        | ConditionKind::Between { operand, .. }
        | ConditionKind::Window { operand, .. } => sensitive_operand(operand, entity, schema, out),
        ConditionKind::In { field: f, .. }
        | ConditionKind::Has { field: f, .. }
        | ConditionKind::During { field: f, .. }
        | ConditionKind::Known { field: f, .. }
        | ConditionKind::Contains { field: f, .. }
        | ConditionKind::StartsWith { field: f, .. }
        | ConditionKind::EndsWith { field: f, .. } => field(f, entity),
        ConditionKind::Ignoring { test, .. } => sensitive_uses(test, entity, schema, out),
        ConditionKind::Any {
            entity: name,
            filter,
        } => {
            if let (Some(filter), Some((_, related))) = (filter, schema.related_entity(&name.text))
            {
                sensitive_uses(filter, related, schema, out);
            }
        }
        ConditionKind::Sequence {
            first,
            then,
            unless,
            ..
        } => {
            for step in [Some(first), Some(then), unless.as_ref()].into_iter().flatten() {
                if let (Some(filter), Some((_, related))) =
                    (&step.filter, schema.related_entity(&step.entity.text))
                {
                    sensitive_uses(filter, related, schema, out);
                }
            }
        }
        ConditionKind::Reference(_) => {}
    }
}

/// A sensitive field that `operand` reads, directly or in an aggregate's row condition.
fn sensitive_operand(
    operand: &Operand,
    entity: &Entity,
    schema: &Schema,
    out: &mut Vec<(String, Span)>,
) {
    match operand {
        Operand::Field(f) | Operand::Function { field: f, .. } => {
            sensitive_field(f, entity, schema, out)
        }
        Operand::Aggregate(aggregate) => {
            sensitive_field(&aggregate.target, entity, schema, out);
            let related = schema.related_entity(
                &aggregate
                    .target
                    .entity
                    .as_ref()
                    .unwrap_or(&aggregate.target.name)
                    .text,
            );
            if let (Some(filter), Some((_, related))) = (&aggregate.filter, related) {
                sensitive_uses(filter, related, schema, out);
            }
        }
    }
}

/// `f` (of `entity`, or of the related entity it names), if it is marked sensitive.
fn sensitive_field(f: &ast::FieldRef, entity: &Entity, schema: &Schema, out: &mut Vec<(String, Span)>) {
    let target = match &f.entity {
        Some(name) => schema
            .related_entity(&name.text)
            .map(|(_, e)| e)
            .unwrap_or(entity),
        None => entity,
    };
    if target
        .field(&f.name.text)
        .is_some_and(|field| field.sensitive)
    {
        out.push((f.name.text.clone(), f.span));
    }
}

/// A segment named like a customer field: a bare name would mean the segment.
fn shadowed(
    segment: &ast::SegmentDef,
    source: SourceId,
    schema: &Schema,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(field) = schema.customer.field(&segment.name.text) {
        out.push(
            Diagnostic::warning(
                Code::ShadowedField,
                format!(
                    "segment `{}` has the name of a customer field",
                    segment.name.text
                ),
            )
            .with_label(source, segment.name.span, "segment")
            .with_label(field.location.source, field.location.span, "field")
            .with_help("a bare name now means the segment, never the field; rename the segment"),
        );
    }
}

/// Sets, occasions and metrics that no segment or metric uses.
fn unused(files: &[(SourceId, ast::File)], used: &HashSet<String>, out: &mut Vec<Diagnostic>) {
    for (source, file) in files {
        for definition in &file.definitions {
            let kind = match definition {
                Definition::Set(_) => "set",
                Definition::Occasion(_) => "occasion",
                Definition::Metric(_) => "metric",
                _ => continue,
            };
            let Some(name) = definition.names().pop() else {
                continue;
            };
            if !used.contains(&name.text) {
                out.push(
                    Diagnostic::warning(
                        Code::UnusedDefinition,
                        format!("{kind} `{}` is never used", name.text),
                    )
                    .with_label(*source, name.span, "defined here")
                    .with_help(format!("remove the {kind}, or use it in a segment")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
