//! Resolving what a condition tests: a customer field, a related entity's field, a metric
//! or an RFM score, and the aggregates that operands may be.

use crate::normalize::Normalize;
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::schema::{Entity, Field, Type};
use crate::syntax::ast::{self, AggregateFn, Function};

use super::condition::{ConditionChecker, Resolved};
use super::ir::{Aggregate, Column, Expr, Operand, RfmScore, TableRef};
use super::scope::Lookup;

impl<'a> ConditionChecker<'a> {
    /// A field, metric or aggregate; `age(…)` and `anniversary(…)` are handled by their tests.
    pub(super) fn operand(&mut self, operand: &ast::Operand) -> Option<Resolved<'a>> {
        match operand {
            ast::Operand::Field(field) => self.field(field),
            ast::Operand::Aggregate(aggregate) => {
                let checked = self.aggregate(aggregate)?;
                Some(self.aggregate_operand(checked, &aggregate_text(aggregate)))
            }
            ast::Operand::Function { function, span, .. } => {
                let (name, use_) = match function {
                    Function::Age => ("age", "compare it with whole years: `age(birthday) >= 30`"),
                    Function::Anniversary => (
                        "anniversary",
                        "use it with a window: `anniversary(birthday) in next 14 days`",
                    ),
                };
                self.fail(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        format!("`{name}(…)` cannot be used this way"),
                    )
                    .with_label(self.source, *span, "not allowed here")
                    .with_help(use_),
                )
            }
        }
    }

    pub(super) fn aggregate_operand(&self, aggregate: Aggregate, name: &str) -> Resolved<'a> {
        let values = match (aggregate.function, &aggregate.column) {
            (AggregateFn::Count | AggregateFn::Sum | AggregateFn::Avg, _) | (_, None) => None,
            (_, Some(column)) => self.schema.related[aggregate.relation]
                .fields
                .iter()
                .find(|f| f.column == column.name)
                .and_then(|f| f.values.as_deref()),
        };
        Resolved {
            ty: aggregate.ty,
            operand: Operand::Aggregate(Box::new(aggregate)),
            name: name.to_string(),
            values,
            normalize: Normalize::NONE,
            quantified_over: None,
        }
    }

    /// A field for tests that need a plain column (`in`, `contains`, `is known`, …).
    pub(super) fn column_field(
        &mut self,
        field: &ast::FieldRef,
        test: &str,
    ) -> Option<Resolved<'a>> {
        let resolved = self.field(field)?;
        if resolved.column().is_none() {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "`{test}` applies to fields, and `{}` is a computed value",
                        resolved.name
                    ),
                )
                .with_label(self.source, field.span, "a metric or score")
                .with_help("compare it instead, as in `ltv > 500`"),
            );
        }
        Some(resolved)
    }

    /// A customer field (or a related entity's with `entity.field`), a metric, or an RFM score.
    pub(super) fn field(&mut self, field: &ast::FieldRef) -> Option<Resolved<'a>> {
        let schema = self.schema;
        let (entity, relation) = match &field.entity {
            None => (self.entity(), self.relation),
            Some(entity) if entity.text == schema.customer.name && self.relation.is_none() => {
                (&schema.customer, None)
            }
            Some(name) => {
                let relation = self.related_entity(name)?;
                if self.relation.is_some_and(|r| r != relation) {
                    return self.fail(
                        Diagnostic::error(
                            Code::UnknownEntity,
                            format!(
                                "inside a condition on {} rows, `{}` is another entity",
                                self.entity().name,
                                name.text
                            ),
                        )
                        .with_label(self.source, name.span, "not the rows being tested")
                        .with_help("a row filter can test only the fields of the rows it filters"),
                    );
                }
                (&schema.related[relation], Some(relation))
            }
        };
        if let Some(found) = entity.field(&field.name.text) {
            return Some(self.resolve(found, relation));
        }
        if field.entity.is_none() && self.relation.is_none() {
            match self.metric_or_score(&field.name) {
                Lookup::Found(resolved) => return Some(resolved),
                Lookup::Hidden => return None,
                Lookup::Missing => {}
            }
        }
        let mut candidates: Vec<&str> = entity.fields.iter().map(|f| f.name.as_str()).collect();
        if self.relation.is_none() && field.entity.is_none() {
            candidates.extend(self.definitions.metrics.keys().copied());
            if self.rfm.is_some() {
                candidates.extend(RFM_SCORES.iter().map(|(n, _)| *n));
            }
        }
        let help =
            did_you_mean(&field.name.text, candidates.iter().copied(), "`").unwrap_or_else(|| {
                if RFM_SCORES.iter().any(|(n, _)| *n == field.name.text) {
                    "RFM scores need `[rfm]` in seg.toml (see docs/manifest.md)".into()
                } else {
                    format!("fields of {}: {}", entity.name, candidates.join(", "))
                }
            });
        self.fail(
            Diagnostic::error(
                Code::UnknownField,
                format!("unknown field `{}` on {}", field.name.text, entity.name),
            )
            .with_label(self.source, field.name.span, "no such field")
            .with_help(help),
        )
    }

    pub(super) fn metric_or_score(&mut self, name: &ast::Name) -> Lookup<Resolved<'a>> {
        match self.lookup(&self.definitions.metrics, &name.text, name.span, "metric") {
            Lookup::Found(metric) => {
                return match &metric.checked {
                    Some(Expr::Operand(Operand::Aggregate(aggregate))) => {
                        Lookup::Found(self.aggregate_operand((**aggregate).clone(), &name.text))
                    }
                    Some(_) => {
                        self.errors.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                format!(
                                    "metric `{}` is a calculation, compared with `=`, `!=`, `<`, `<=`, `>`, `>=` or `between`",
                                    name.text
                                ),
                            )
                            .with_label(self.source, name.span, "a calculated metric")
                            .with_help(format!("as in `{} > 20`", name.text)),
                        );
                        Lookup::Hidden
                    }
                    None => Lookup::Hidden,
                };
            }
            Lookup::Hidden => return Lookup::Hidden,
            Lookup::Missing => {}
        }
        match (self.rfm, RFM_SCORES.iter().find(|(n, _)| *n == name.text)) {
            (Some(_), Some((score_name, score))) => Lookup::Found(Resolved {
                operand: Operand::Rfm(*score),
                name: score_name.to_string(),
                ty: Type::Integer,
                values: None,
                normalize: Normalize::NONE,
                quantified_over: None,
            }),
            _ => Lookup::Missing,
        }
    }

    pub(super) fn resolve(&self, field: &'a Field, relation: Option<usize>) -> Resolved<'a> {
        // Inside a row filter the rows are the relation's own: no quantifier.
        let relation = relation.or(field.via);
        let table = relation.map_or(TableRef::Customer, TableRef::Related);
        Resolved {
            operand: Operand::Column(Column {
                table,
                name: field.column.clone(),
                ty: field.ty,
            }),
            name: field.name.clone(),
            ty: field.ty,
            values: field.values.as_deref(),
            normalize: field.normalize,
            quantified_over: if self.relation.is_some() {
                None
            } else {
                relation
            },
        }
    }

    pub(super) fn related_entity(&mut self, name: &ast::Name) -> Option<usize> {
        if let Some((index, _)) = self.schema.related_entity(&name.text) {
            return Some(index);
        }
        let names = self.schema.related.iter().map(|e| e.name.as_str());
        let related: Vec<&str> = names.clone().collect();
        let help = did_you_mean(&name.text, names, "`").unwrap_or_else(|| {
            if related.is_empty() {
                "seg.toml declares no related entities".into()
            } else {
                format!("related entities: {}", related.join(", "))
            }
        });
        self.fail(
            Diagnostic::error(
                Code::UnknownEntity,
                format!("unknown entity `{}`", name.text),
            )
            .with_label(self.source, name.span, "not a related entity")
            .with_help(help),
        )
    }

    /// The entity whose fields bare names refer to here.
    pub(super) fn entity(&self) -> &'a Entity {
        match self.relation {
            Some(index) => &self.schema.related[index],
            None => &self.schema.customer,
        }
    }
}

/// The built-in RFM score names.
pub(crate) const RFM_SCORES: &[(&str, RfmScore)] = &[
    ("recency_score", RfmScore::Recency),
    ("frequency_score", RfmScore::Frequency),
    ("monetary_score", RfmScore::Monetary),
];

/// `sum(orders.amount)` as written (without the filter), for messages.
fn aggregate_text(aggregate: &ast::Aggregate) -> String {
    let target = match &aggregate.target.entity {
        Some(entity) => format!("{}.{}", entity.text, aggregate.target.name.text),
        None => aggregate.target.name.text.clone(),
    };
    let distinct = if aggregate.distinct { "distinct " } else { "" };
    format!("{}({distinct}{target})", aggregate.function.name())
}
