//! One condition to IR: resolve each field, metric, set, occasion and segment name, and check
//! that every operator and value fits the type of what it tests.

use std::collections::HashSet;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::schema::{Entity, Field, Schema, Type};
use crate::source::{SourceId, Span};
use crate::syntax::ast::{
    self, AggregateFn, CompareOp, ConditionKind, Direction, Function, InValues, Quantifier,
};
use crate::value::Value;

use super::Definitions;
use super::ir::{Aggregate, Bound, Column, Condition, Operand, RfmScore, TableRef};
use super::literal::{Expected, article, to_value};
use super::scope::Lookup;

/// Checks conditions written in one file, collecting every problem.
pub struct ConditionChecker<'a> {
    pub schema: &'a Schema,
    pub definitions: &'a Definitions<'a>,
    pub rfm: Option<&'a super::ir::Rfm>,
    /// The file being checked.
    pub source: SourceId,
    /// The files whose definitions this file sees (itself and what it imports).
    pub visible: &'a HashSet<SourceId>,
    /// The project's imports, for suggesting one.
    pub imports: &'a super::Imports,
    pub errors: Vec<Diagnostic>,
    /// Segment names referenced, with where.
    pub references: Vec<(String, Span)>,
    /// Inside `count(orders where …)`: conditions test that entity's rows.
    pub relation: Option<usize>,
}

/// A resolved field or value: how SQL reaches it, its type, and how to describe it.
struct Resolved<'a> {
    operand: Operand,
    /// How the user wrote it, for messages.
    name: String,
    ty: Type,
    values: Option<&'a [String]>,
    /// For a field with one value per related row, seen from the customer: that relation.
    quantified_over: Option<usize>,
}

impl Resolved<'_> {
    fn expected(&self) -> Expected<'_> {
        Expected {
            name: &self.name,
            ty: self.ty,
            values: self.values,
        }
    }

    fn column(&self) -> Option<Column> {
        match &self.operand {
            Operand::Column(column) => Some(column.clone()),
            _ => None,
        }
    }
}

impl<'a> ConditionChecker<'a> {
    /// Checks one condition; `None` if any part of it is wrong (the problems are in `errors`).
    pub fn condition(&mut self, condition: &ast::Condition) -> Option<Condition> {
        match &condition.kind {
            ConditionKind::And(parts) => self.all(parts).map(Condition::And),
            ConditionKind::Or(parts) => self.all(parts).map(Condition::Or),
            ConditionKind::Not(inner) => self.condition(inner).map(|c| Condition::Not(Box::new(c))),
            ConditionKind::Reference(name) => self.reference(name),
            ConditionKind::Compare { operand, op, value } => self.compare(operand, *op, value),
            ConditionKind::Between {
                operand,
                negated,
                low,
                high,
            } => self.between(operand, *negated, low, high),
            ConditionKind::Window {
                operand,
                direction,
                amount,
                unit,
            } => self.window(operand, *direction, amount, *unit),
            ConditionKind::In {
                field,
                negated,
                values,
            } => {
                let resolved = self.column_field(field, "in")?;
                if resolved.ty == Type::Bool {
                    return self.fail(operator_mismatch("in", &resolved, field.span, self.source));
                }
                let values = self.in_values(values, &resolved, field.span)?;
                let column = resolved.column()?;
                Some(quantify(
                    &resolved,
                    Condition::In {
                        column,
                        values,
                        negated: *negated,
                    },
                ))
            }
            ConditionKind::During {
                field,
                negated,
                occasion,
            } => {
                let resolved = self.column_field(field, "during")?;
                if !matches!(resolved.ty, Type::Date | Type::Timestamp) {
                    return self.fail(operator_mismatch(
                        "during",
                        &resolved,
                        field.span,
                        self.source,
                    ));
                }
                let occasion = self.occasion(occasion)?;
                let column = resolved.column()?;
                Some(quantify(
                    &resolved,
                    Condition::During {
                        column,
                        occasion,
                        negated: *negated,
                    },
                ))
            }
            ConditionKind::Has {
                field,
                quantifier,
                values,
            } => self.has(field, *quantifier, values),
            ConditionKind::Any { entity, filter } => {
                let relation = self.related_entity(entity)?;
                let condition = match filter {
                    Some(filter) => {
                        Some(Box::new(self.in_relation(relation, filter.span, |c| {
                            c.condition(filter)
                        })?))
                    }
                    None => None,
                };
                Some(Condition::Exists {
                    relation,
                    condition,
                })
            }
            ConditionKind::Known { field, known } => {
                let resolved = self.column_field(field, "is known")?;
                let column = resolved.column()?;
                Some(quantify(
                    &resolved,
                    Condition::Known {
                        column,
                        known: *known,
                    },
                ))
            }
            ConditionKind::Contains { field, value }
            | ConditionKind::StartsWith { field, value } => {
                let word = if matches!(condition.kind, ConditionKind::Contains { .. }) {
                    "contains"
                } else {
                    "starts with"
                };
                let resolved = self.column_field(field, word)?;
                if resolved.ty != Type::Text {
                    return self.fail(operator_mismatch(word, &resolved, field.span, self.source));
                }
                let ast::LiteralKind::Text(text) = &value.kind else {
                    return self.fail(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            format!(
                                "`{word}` needs a text value, but {} is {}",
                                value.text,
                                value.kind.describe()
                            ),
                        )
                        .with_label(self.source, value.span, "expected text")
                        .with_help(format!("quote it: '{}'", value.text)),
                    );
                };
                let column = resolved.column()?;
                let test = match condition.kind {
                    ConditionKind::Contains { .. } => Condition::Contains {
                        column,
                        text: text.clone(),
                    },
                    _ => Condition::StartsWith {
                        column,
                        prefix: text.clone(),
                    },
                };
                Some(quantify(&resolved, test))
            }
        }
    }

    fn all(&mut self, parts: &[ast::Condition]) -> Option<Vec<Condition>> {
        let checked: Vec<Option<Condition>> = parts.iter().map(|p| self.condition(p)).collect();
        checked.into_iter().collect()
    }

    fn fail<T>(&mut self, diagnostic: Diagnostic) -> Option<T> {
        self.errors.push(diagnostic);
        None
    }

    fn compare(
        &mut self,
        operand: &ast::Operand,
        op: CompareOp,
        value: &ast::ValueExpr,
    ) -> Option<Condition> {
        if let ast::Operand::Function {
            function: Function::Age,
            field,
            span,
        } = operand
        {
            let column = self.age_column(field, *span)?;
            let years = self.age_years(value)?;
            return Some(Condition::Age { column, op, years });
        }
        let resolved = self.operand(operand)?;
        if op.is_ordering() && !resolved.ty.is_ordered() {
            return self.fail(operator_mismatch(
                op.symbol(),
                &resolved,
                operand.span(),
                self.source,
            ));
        }
        let value = self.bound(value, &resolved)?;
        let operand = resolved.operand.clone();
        Some(quantify(
            &resolved,
            Condition::Compare { operand, op, value },
        ))
    }

    fn between(
        &mut self,
        operand: &ast::Operand,
        negated: bool,
        low: &ast::ValueExpr,
        high: &ast::ValueExpr,
    ) -> Option<Condition> {
        if let ast::Operand::Function {
            function: Function::Age,
            field,
            span,
        } = operand
        {
            let column = self.age_column(field, *span)?;
            let (low, high) = (self.age_years(low), self.age_years(high));
            let (low, high) = (low?, high?);
            let age = |op, years| Condition::Age {
                column: column.clone(),
                op,
                years,
            };
            return Some(if negated {
                Condition::Or(vec![age(CompareOp::Lt, low), age(CompareOp::Gt, high)])
            } else {
                Condition::And(vec![age(CompareOp::Ge, low), age(CompareOp::Le, high)])
            });
        }
        let resolved = self.operand(operand)?;
        if !resolved.ty.is_ordered() {
            return self.fail(operator_mismatch(
                "between",
                &resolved,
                operand.span(),
                self.source,
            ));
        }
        let (low, high) = (self.bound(low, &resolved), self.bound(high, &resolved));
        let (low, high) = (low?, high?);
        let operand = resolved.operand.clone();
        Some(quantify(
            &resolved,
            Condition::Between {
                operand,
                low,
                high,
                negated,
            },
        ))
    }

    fn window(
        &mut self,
        operand: &ast::Operand,
        direction: Direction,
        amount: &ast::Literal,
        unit: ast::Unit,
    ) -> Option<Condition> {
        let count = self.window_amount(amount)?;
        if let ast::Operand::Function {
            function: Function::Anniversary,
            field,
            ..
        } = operand
        {
            let resolved = self.column_field(field, "anniversary")?;
            if !matches!(resolved.ty, Type::Date | Type::Timestamp) {
                return self.fail(operator_mismatch(
                    "anniversary",
                    &resolved,
                    field.span,
                    self.source,
                ));
            }
            let column = resolved.column()?;
            return Some(quantify(
                &resolved,
                Condition::Anniversary {
                    column,
                    direction,
                    amount: count,
                    unit,
                },
            ));
        }
        let resolved = self.operand(operand)?;
        if !matches!(resolved.ty, Type::Date | Type::Timestamp) {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "a time window needs a date, but `{}` is {}",
                        resolved.name,
                        article(resolved.ty)
                    ),
                )
                .with_label(self.source, operand.span(), "not a date")
                .with_help("windows such as `in last 90 days` apply to date and timestamp fields"),
            );
        }
        let operand = resolved.operand.clone();
        Some(quantify(
            &resolved,
            Condition::Window {
                operand,
                direction,
                amount: count,
                unit,
            },
        ))
    }

    fn window_amount(&mut self, amount: &ast::Literal) -> Option<u32> {
        match amount.text.parse::<u32>() {
            Ok(n) if n >= 1 => Some(n),
            _ => self.fail(
                Diagnostic::error(
                    Code::InvalidLiteral,
                    format!("a window of {} is empty or too long", amount.text),
                )
                .with_label(self.source, amount.span, "expected a whole number from 1")
                .with_help("write for example `in last 90 days`"),
            ),
        }
    }

    fn has(
        &mut self,
        field: &ast::FieldRef,
        quantifier: Quantifier,
        values: &InValues,
    ) -> Option<Condition> {
        let resolved = self.column_field(field, "has")?;
        let Some(relation) = resolved.quantified_over else {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "`has … of` needs a field with many values per customer; `{}` has one",
                        resolved.name
                    ),
                )
                .with_label(self.source, field.span, "one value per customer")
                .with_help(format!(
                    "use `{} in [...]` for a field with one value",
                    resolved.name
                )),
            );
        };
        let values = self.in_values(values, &resolved, field.span)?;
        let column = resolved.column()?;
        let exists = |values: Vec<Value>| Condition::Exists {
            relation,
            condition: Some(Box::new(Condition::In {
                column: column.clone(),
                values,
                negated: false,
            })),
        };
        Some(match quantifier {
            Quantifier::Any => exists(values),
            Quantifier::None => Condition::Not(Box::new(exists(values))),
            Quantifier::All => {
                Condition::And(values.into_iter().map(|v| exists(vec![v])).collect())
            }
        })
    }

    fn reference(&mut self, name: &ast::Name) -> Option<Condition> {
        if self.relation.is_none() {
            match self.lookup(&self.definitions.segments, &name.text, name.span, "segment") {
                Lookup::Found(_) => {
                    self.references.push((name.text.clone(), name.span));
                    return Some(Condition::Segment(name.text.clone()));
                }
                Lookup::Hidden => return None,
                Lookup::Missing => {}
            }
        }
        let entity = self.entity();
        if let Some(field) = entity.field(&name.text) {
            let resolved = self.resolve(field, self.relation);
            if field.ty != Type::Bool {
                return self.fail(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        format!("`{}` is {}, not a condition", field.name, article(field.ty)),
                    )
                    .with_label(self.source, name.span, "not true or false")
                    .with_help(format!(
                        "compare it, as in `{} = …`, or test `{} is known`",
                        field.name, field.name
                    )),
                );
            }
            let column = resolved.column()?;
            return Some(quantify(&resolved, Condition::IsTrue(column)));
        }
        let segments: Vec<&str> = if self.relation.is_none() {
            self.definitions.segments.keys().copied().collect()
        } else {
            Vec::new()
        };
        let candidates = segments.into_iter().chain(
            entity
                .fields
                .iter()
                .filter(|f| f.ty == Type::Bool)
                .map(|f| f.name.as_str()),
        );
        let help = did_you_mean(&name.text, candidates, "`").unwrap_or_else(|| {
            "a bare name must be a segment or a boolean field; to test a field, compare it".into()
        });
        self.fail(
            Diagnostic::error(
                Code::UnknownName,
                format!("unknown segment `{}`", name.text),
            )
            .with_label(self.source, name.span, "not a segment or boolean field")
            .with_help(help),
        )
    }

    /// The entity whose fields bare names refer to here.
    fn entity(&self) -> &'a Entity {
        match self.relation {
            Some(index) => &self.schema.related[index],
            None => &self.schema.customer,
        }
    }

    /// A field, metric or aggregate; `age(…)` and `anniversary(…)` are handled by their tests.
    fn operand(&mut self, operand: &ast::Operand) -> Option<Resolved<'a>> {
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

    fn aggregate_operand(&self, aggregate: Aggregate, name: &str) -> Resolved<'a> {
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
            quantified_over: None,
        }
    }

    /// A field for tests that need a plain column (`in`, `contains`, `is known`, …).
    fn column_field(&mut self, field: &ast::FieldRef, test: &str) -> Option<Resolved<'a>> {
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
    fn field(&mut self, field: &ast::FieldRef) -> Option<Resolved<'a>> {
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

    fn metric_or_score(&mut self, name: &ast::Name) -> Lookup<Resolved<'a>> {
        match self.lookup(&self.definitions.metrics, &name.text, name.span, "metric") {
            Lookup::Found(metric) => {
                return match &metric.checked {
                    Some(aggregate) => {
                        Lookup::Found(self.aggregate_operand(aggregate.clone(), &name.text))
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
                quantified_over: None,
            }),
            _ => Lookup::Missing,
        }
    }

    fn resolve(&self, field: &'a Field, relation: Option<usize>) -> Resolved<'a> {
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
            quantified_over: if self.relation.is_some() {
                None
            } else {
                relation
            },
        }
    }

    fn related_entity(&mut self, name: &ast::Name) -> Option<usize> {
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
    fn aggregate_type(
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
            AggregateFn::Avg if field.ty.is_numeric() => Some(Type::Decimal(None)),
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
                        "`{}` needs to know which {} row came first",
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
    fn in_relation<T>(
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

    fn bound(&mut self, value: &ast::ValueExpr, resolved: &Resolved<'_>) -> Option<Bound> {
        match value {
            ast::ValueExpr::Literal(literal) => to_value(literal, self.source, resolved.expected())
                .map(Bound::Value)
                .map_err(|d| self.errors.push(d))
                .ok(),
            ast::ValueExpr::Relative(relative) => {
                if !matches!(resolved.ty, Type::Date | Type::Timestamp) {
                    return self.fail(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            format!(
                                "`{}` is {}, but a relative date is a date",
                                resolved.name,
                                article(resolved.ty)
                            ),
                        )
                        .with_label(self.source, relative.span, "a date")
                        .with_help(
                            "relative dates (`today`, `90 days ago`) compare with date fields",
                        ),
                    );
                }
                match &relative.ago {
                    None => Some(Bound::Ago {
                        amount: 0,
                        unit: ast::Unit::Days,
                    }),
                    Some((amount, unit)) => {
                        let amount = match amount.text.parse::<u32>() {
                            Ok(n) => n,
                            Err(_) => {
                                return self.fail(
                                    Diagnostic::error(
                                        Code::InvalidLiteral,
                                        format!("{} is out of range", amount.text),
                                    )
                                    .with_label(
                                        self.source,
                                        amount.span,
                                        "too large",
                                    ),
                                );
                            }
                        };
                        Some(Bound::Ago {
                            amount,
                            unit: *unit,
                        })
                    }
                }
            }
        }
    }

    fn age_column(&mut self, field: &ast::FieldRef, span: Span) -> Option<Column> {
        let resolved = self.column_field(field, "age")?;
        if resolved.ty != Type::Date || resolved.quantified_over.is_some() {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "`age` needs a date field of the customer, but `{}` is {}",
                        resolved.name,
                        article(resolved.ty)
                    ),
                )
                .with_label(self.source, span, "not a date of birth"),
            );
        }
        resolved.column()
    }

    fn age_years(&mut self, value: &ast::ValueExpr) -> Option<i64> {
        let expected = Expected {
            name: "age",
            ty: Type::Integer,
            values: None,
        };
        match value {
            ast::ValueExpr::Literal(literal) => match to_value(literal, self.source, expected) {
                Ok(Value::Integer(years)) if (0..=200).contains(&years) => Some(years),
                Ok(_) => self.fail(
                    Diagnostic::error(
                        Code::InvalidLiteral,
                        format!("{} is not an age", literal.text),
                    )
                    .with_label(
                        self.source,
                        literal.span,
                        "expected whole years from 0 to 200",
                    ),
                ),
                Err(d) => self.fail(d),
            },
            ast::ValueExpr::Relative(relative) => self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    "an age is a number of years, not a date",
                )
                .with_label(self.source, relative.span, "a date")
                .with_help("write for example `age(birthday) >= 30`"),
            ),
        }
    }

    fn occasion(&mut self, name: &ast::Name) -> Option<super::ir::Occasion> {
        match self.lookup(
            &self.definitions.occasions,
            &name.text,
            name.span,
            "occasion",
        ) {
            Lookup::Found(entry) => entry.checked,
            Lookup::Hidden => None,
            Lookup::Missing => {
                let help =
                    did_you_mean(&name.text, self.definitions.occasions.keys().copied(), "`")
                        .unwrap_or_else(|| {
                            format!("define it: `occasion {} from Dec 1 to Dec 26`", name.text)
                        });
                self.fail(
                    Diagnostic::error(
                        Code::UnknownOccasion,
                        format!("unknown occasion `{}`", name.text),
                    )
                    .with_label(self.source, name.span, "no such occasion")
                    .with_help(help),
                )
            }
        }
    }

    fn in_values(
        &mut self,
        values: &InValues,
        resolved: &Resolved<'_>,
        field_span: Span,
    ) -> Option<Vec<Value>> {
        match values {
            InValues::List(list) => {
                if list.items.is_empty() {
                    return self.fail(
                        Diagnostic::error(Code::BadList, "empty list after `in`")
                            .with_label(self.source, list.span, "no values")
                            .with_help(
                                "an empty list matches no one; remove the condition or add values",
                            ),
                    );
                }
                let values: Vec<_> = list
                    .items
                    .iter()
                    .map(|item| {
                        to_value(item, self.source, resolved.expected())
                            .map_err(|d| self.errors.push(d))
                            .ok()
                    })
                    .collect();
                values.into_iter().collect()
            }
            InValues::Set(name) => {
                let set = match self.lookup(&self.definitions.sets, &name.text, name.span, "set") {
                    Lookup::Found(set) => set,
                    Lookup::Hidden => return None,
                    Lookup::Missing => {
                        let help =
                            did_you_mean(&name.text, self.definitions.sets.keys().copied(), "`")
                                .unwrap_or_else(|| {
                                    format!("define it: `set {} = ['…']`", name.text)
                                });
                        return self.fail(
                            Diagnostic::error(
                                Code::UnknownSet,
                                format!("unknown set `{}`", name.text),
                            )
                            .with_label(self.source, name.span, "no such set")
                            .with_help(help),
                        );
                    }
                };
                if set.broken {
                    return None;
                }
                let mut values = Vec::new();
                let mut ok = true;
                for item in &set.definition.values.items {
                    match to_value(item, set.source, resolved.expected()) {
                        Ok(value) => values.push(value),
                        Err(diagnostic) => {
                            ok = false;
                            self.errors.push(diagnostic.with_label(
                                self.source,
                                field_span.join(name.span),
                                format!("set `{}` used with `{}` here", name.text, resolved.name),
                            ));
                        }
                    }
                }
                ok.then_some(values)
            }
        }
    }
}

/// The built-in RFM score names.
const RFM_SCORES: &[(&str, RfmScore)] = &[
    ("recency_score", RfmScore::Recency),
    ("frequency_score", RfmScore::Frequency),
    ("monetary_score", RfmScore::Monetary),
];

/// The column that orders an entity's rows in time, if declared.
fn entity_time(entity: &Entity) -> Option<&str> {
    entity.time.as_deref()
}

/// `sum(orders.amount)` as written (without the filter), for messages.
fn aggregate_text(aggregate: &ast::Aggregate) -> String {
    let target = match &aggregate.target.entity {
        Some(entity) => format!("{}.{}", entity.text, aggregate.target.name.text),
        None => aggregate.target.name.text.clone(),
    };
    let distinct = if aggregate.distinct { "distinct " } else { "" };
    format!("{}({distinct}{target})", aggregate.function.name())
}

/// A test on a field with one value per related row holds when it holds for some row.
fn quantify(resolved: &Resolved<'_>, test: Condition) -> Condition {
    match resolved.quantified_over {
        Some(relation) => Condition::Exists {
            relation,
            condition: Some(Box::new(test)),
        },
        None => test,
    }
}

fn operator_mismatch(
    op: &str,
    resolved: &Resolved<'_>,
    span: Span,
    source: SourceId,
) -> Diagnostic {
    let fits = match resolved.ty {
        Type::Text => "text fields take `=`, `!=`, `in`, `contains` and `starts with`",
        Type::Bool => "boolean fields take `=` and `!=`, or stand alone as a condition",
        Type::Date | Type::Timestamp => {
            "dates take comparisons, `in`, `between`, windows and `during`"
        }
        _ => "numbers take comparisons, `in` and `between`",
    };
    Diagnostic::error(
        Code::TypeMismatch,
        format!(
            "`{op}` does not apply to `{}`, which is {}",
            resolved.name,
            article(resolved.ty)
        ),
    )
    .with_label(source, span, format!("{} value", resolved.ty))
    .with_help(fits)
}
