//! Aggregates over a customer's related rows: which functions fit which fields, and row
//! conditions (`count(orders where …)`) checked against the related entity.

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::schema::{Entity, Field, Type};
use crate::source::Span;
use crate::syntax::ast::{self, AggregateFn};

use super::condition::ConditionChecker;
use super::ir::{Aggregate, Column, TableRef};
use super::literal::article;

impl<'a> ConditionChecker<'a> {
    /// Checks an aggregate; its filter tests the related entity's rows.
    pub fn aggregate(&mut self, aggregate: &ast::Aggregate) -> Option<Aggregate> {
        let function = aggregate.function;
        if self.relation.is_some() {
            return self.fail(
                Diagnostic::error(Code::TypeMismatch, "aggregates cannot be nested")
                    .with_label(self.source, aggregate.span, "inside another aggregate")
                    .with_help(
                        "define the inner value as a metric and compare it at the customer level",
                    ),
            );
        }
        let target = &aggregate.target;
        let (relation, field) = match &target.entity {
            None => match self.schema.related_entity(&target.name.text) {
                Some((index, _)) => (index, None),
                None => {
                    return self.fail(
                        Diagnostic::error(
                            Code::UnknownEntity,
                            format!(
                                "`{}(…)` needs a related entity, as in `{}(orders)`",
                                function.name(),
                                function.name()
                            ),
                        )
                        .with_label(self.source, target.span, "not a related entity")
                        .with_optional_help(did_you_mean(
                            &target.name.text,
                            self.schema.related.iter().map(|e| e.name.as_str()),
                            "`",
                        )),
                    );
                }
            },
            Some(entity) => {
                let relation = self.related_entity(entity)?;
                let related = &self.schema.related[relation];
                let Some(field) = related.field(&target.name.text) else {
                    let help = did_you_mean(
                        &target.name.text,
                        related.fields.iter().map(|f| f.name.as_str()),
                        "`",
                    );
                    return self.fail(
                        Diagnostic::error(
                            Code::UnknownField,
                            format!("unknown field `{}` on {}", target.name.text, related.name),
                        )
                        .with_label(self.source, target.name.span, "no such field")
                        .with_optional_help(help),
                    );
                };
                (relation, Some(field))
            }
        };
        let ty = self.aggregate_type(aggregate, relation, field)?;
        let filter = match &aggregate.filter {
            Some(filter) => Some(self.in_relation(relation, filter.span, |c| c.condition(filter))?),
            None => None,
        };
        Some(Aggregate {
            function,
            relation,
            column: field.map(|f| Column {
                table: TableRef::Related(relation),
                name: f.column.clone(),
                ty: f.ty,
            }),
            distinct: aggregate.distinct,
            filter,
            ty,
        })
    }

    /// The type of an aggregate's result, or why the function does not apply.
    pub(super) fn aggregate_type(
        &mut self,
        aggregate: &ast::Aggregate,
        relation: usize,
        field: Option<&Field>,
    ) -> Option<Type> {
        let function = aggregate.function;
        let entity = &self.schema.related[relation];
        let Some(field) = field else {
            if function == AggregateFn::Count && !aggregate.distinct {
                return Some(Type::Integer);
            }
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "`{}` needs a field of {}, as in `{}({}.amount)`",
                        function.name(),
                        entity.name,
                        function.name(),
                        entity.name
                    ),
                )
                .with_label(
                    self.source,
                    aggregate.target.span,
                    "an entity, not a field",
                ),
            );
        };
        let misuse = |what: &str| {
            Diagnostic::error(
                Code::TypeMismatch,
                format!(
                    "`{}` needs {what}, but `{}.{}` is {}",
                    function.name(),
                    entity.name,
                    field.name,
                    article(field.ty)
                ),
            )
            .with_label(
                self.source,
                aggregate.target.span,
                format!("{} field", field.ty),
            )
        };
        match function {
            AggregateFn::Count => Some(Type::Integer),
            AggregateFn::Sum if field.ty.is_numeric() => Some(field.ty),
            AggregateFn::Sum => self.fail(misuse("a number")),
            AggregateFn::Avg if field.ty == Type::Money => Some(Type::Money),
            AggregateFn::Avg if field.ty.is_numeric() => Some(Type::Decimal(Some(AVERAGE_SCALE))),
            AggregateFn::Avg => self.fail(misuse("a number")),
            AggregateFn::Min | AggregateFn::Max if field.ty.is_ordered() => Some(field.ty),
            AggregateFn::Min | AggregateFn::Max => self.fail(misuse("a number or a date")),
            AggregateFn::First | AggregateFn::Last if entity_time(entity).is_some() => {
                Some(field.ty)
            }
            AggregateFn::First | AggregateFn::Last => self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "`{}` needs the time of each {} row, and seg.toml gives none",
                        function.name(),
                        entity.name
                    ),
                )
                .with_label(self.source, aggregate.span, "no order in time")
                .with_help(format!(
                    "add `time = \"<date column>\"` under [related.{}] in seg.toml",
                    entity.name
                )),
            ),
        }
    }

    /// Runs `check` with conditions testing the rows of `relation`.
    pub(super) fn in_relation<T>(
        &mut self,
        relation: usize,
        span: Span,
        check: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        if self.relation.is_some() {
            return self.fail(
                Diagnostic::error(Code::TypeMismatch, "row conditions cannot be nested")
                    .with_label(self.source, span, "inside another row condition"),
            );
        }
        let references_before = self.references.len();
        self.relation = Some(relation);
        let result = check(self);
        self.relation = None;
        debug_assert_eq!(
            self.references.len(),
            references_before,
            "no segment references in row filters"
        );
        result
    }
}

/// The column that orders an entity's rows in time, if declared.
fn entity_time(entity: &Entity) -> Option<&str> {
    entity.time.as_deref()
}

/// Digits after the point an average of integers or decimals is compared to.
const AVERAGE_SCALE: u32 = 6;
