//! One segment's condition to IR: resolve each field, set and segment name, and check that
//! every operator and value fits the field's type.

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::schema::{Entity, Field, Schema, Type};
use crate::source::{SourceId, Span};
use crate::syntax::ast::{self, ConditionKind, InValues};

use super::Definitions;
use super::ir::{Column, Condition, TableRef};
use super::literal::{article, to_value};

/// Checks segment conditions in one file, collecting every problem.
pub struct ConditionChecker<'a> {
    pub schema: &'a Schema,
    pub definitions: &'a Definitions<'a>,
    pub source: SourceId,
    pub errors: Vec<Diagnostic>,
    /// Segment names referenced, with where.
    pub references: Vec<(String, Span)>,
    /// Set when a referenced set is itself broken (already reported there).
    pub uses_broken_set: bool,
}

/// A resolved field: where its values live and how to reach them.
struct Resolved<'a> {
    field: &'a Field,
    column: Column,
    /// The related entity to quantify over, for fields with one value per related row.
    relation: Option<usize>,
}

impl<'a> ConditionChecker<'a> {
    /// Checks one condition; `None` if any part of it is wrong (the problems are in `errors`).
    pub fn condition(&mut self, condition: &ast::Condition) -> Option<Condition> {
        match &condition.kind {
            ConditionKind::And(parts) => self.all(parts).map(Condition::And),
            ConditionKind::Or(parts) => self.all(parts).map(Condition::Or),
            ConditionKind::Not(inner) => self.condition(inner).map(|c| Condition::Not(Box::new(c))),
            ConditionKind::Reference(name) => self.reference(name),
            ConditionKind::Compare { field, op, value } => {
                let resolved = self.field(field)?;
                if op.is_ordering() && !resolved.field.ty.is_ordered() {
                    return self.fail(operator_mismatch(
                        op.symbol(),
                        resolved.field,
                        field.span,
                        self.source,
                    ));
                }
                let value = self.value(value, resolved.field)?;
                Some(quantify(
                    &resolved,
                    Condition::Compare {
                        column: resolved.column.clone(),
                        op: *op,
                        value,
                    },
                ))
            }
            ConditionKind::In {
                field,
                negated,
                values,
            } => {
                let resolved = self.field(field)?;
                if resolved.field.ty == Type::Bool {
                    return self.fail(operator_mismatch(
                        "in",
                        resolved.field,
                        field.span,
                        self.source,
                    ));
                }
                let values = self.in_values(values, resolved.field, field.span)?;
                Some(quantify(
                    &resolved,
                    Condition::In {
                        column: resolved.column.clone(),
                        values,
                        negated: *negated,
                    },
                ))
            }
            ConditionKind::Between {
                field,
                negated,
                low,
                high,
            } => {
                let resolved = self.field(field)?;
                if !resolved.field.ty.is_ordered() {
                    return self.fail(operator_mismatch(
                        "between",
                        resolved.field,
                        field.span,
                        self.source,
                    ));
                }
                let low = self.value(low, resolved.field);
                let high = self.value(high, resolved.field);
                let (low, high) = (low?, high?);
                Some(quantify(
                    &resolved,
                    Condition::Between {
                        column: resolved.column.clone(),
                        low,
                        high,
                        negated: *negated,
                    },
                ))
            }
            ConditionKind::Known { field, known } => {
                let resolved = self.field(field)?;
                Some(quantify(
                    &resolved,
                    Condition::Known {
                        column: resolved.column.clone(),
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
                let resolved = self.field(field)?;
                if resolved.field.ty != Type::Text {
                    return self.fail(operator_mismatch(
                        word,
                        resolved.field,
                        field.span,
                        self.source,
                    ));
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
                let column = resolved.column.clone();
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

    fn value(&mut self, literal: &ast::Literal, field: &Field) -> Option<crate::value::Value> {
        to_value(literal, self.source, field)
            .map_err(|d| self.errors.push(d))
            .ok()
    }

    fn reference(&mut self, name: &ast::Name) -> Option<Condition> {
        if self.definitions.segments.contains_key(name.text.as_str()) {
            self.references.push((name.text.clone(), name.span));
            return Some(Condition::Segment(name.text.clone()));
        }
        let customer = &self.schema.customer;
        if let Some(field) = customer.field(&name.text) {
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
            let resolved = self.resolve(field, None);
            return Some(quantify(
                &resolved,
                Condition::IsTrue(resolved.column.clone()),
            ));
        }
        let candidates = self.definitions.segments.keys().copied().chain(
            customer
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

    fn field(&mut self, field: &ast::FieldRef) -> Option<Resolved<'a>> {
        let schema = self.schema;
        let (entity, relation) = match &field.entity {
            None => (&schema.customer, None),
            Some(entity) if entity.text == schema.customer.name => (&schema.customer, None),
            Some(entity) => match schema.related_entity(&entity.text) {
                Some((index, related)) => (related, Some(index)),
                None => {
                    let names = schema
                        .related
                        .iter()
                        .map(|e| e.name.as_str())
                        .chain([schema.customer.name.as_str()]);
                    let help = did_you_mean(&entity.text, names, "`")
                        .unwrap_or_else(|| format!("related entities: {}", entity_names(schema)));
                    return self.fail(
                        Diagnostic::error(
                            Code::UnknownEntity,
                            format!("unknown entity `{}`", entity.text),
                        )
                        .with_label(self.source, entity.span, "not in the schema")
                        .with_help(help),
                    );
                }
            },
        };
        let Some(found) = entity.field(&field.name.text) else {
            let help = did_you_mean(
                &field.name.text,
                entity.fields.iter().map(|f| f.name.as_str()),
                "`",
            )
            .unwrap_or_else(|| format!("fields of {}: {}", entity.name, field_names(entity)));
            return self.fail(
                Diagnostic::error(
                    Code::UnknownField,
                    format!("unknown field `{}` on {}", field.name.text, entity.name),
                )
                .with_label(self.source, field.name.span, "no such field")
                .with_help(help),
            );
        };
        Some(self.resolve(found, relation))
    }

    fn resolve(&self, field: &'a Field, relation: Option<usize>) -> Resolved<'a> {
        let relation = relation.or(field.via);
        let table = relation.map_or(TableRef::Customer, TableRef::Related);
        Resolved {
            field,
            column: Column {
                table,
                name: field.column.clone(),
                ty: field.ty,
            },
            relation,
        }
    }

    fn in_values(
        &mut self,
        values: &InValues,
        field: &Field,
        field_span: Span,
    ) -> Option<Vec<crate::value::Value>> {
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
                    .map(|item| self.value(item, field))
                    .collect();
                values.into_iter().collect()
            }
            InValues::Set(name) => {
                let Some(set) = self.definitions.sets.get(name.text.as_str()) else {
                    let help = did_you_mean(&name.text, self.definitions.sets.keys().copied(), "`")
                        .unwrap_or_else(|| format!("define it: `set {} = ['…']`", name.text));
                    return self.fail(
                        Diagnostic::error(Code::UnknownSet, format!("unknown set `{}`", name.text))
                            .with_label(self.source, name.span, "no such set")
                            .with_help(help),
                    );
                };
                if set.broken {
                    self.uses_broken_set = true;
                    return None;
                }
                let mut values = Vec::new();
                let mut ok = true;
                for item in &set.definition.values.items {
                    match to_value(item, set.source, field) {
                        Ok(value) => values.push(value),
                        Err(mut diagnostic) => {
                            ok = false;
                            diagnostic = diagnostic.with_label(
                                self.source,
                                field_span.join(name.span),
                                format!("set `{}` used with `{}` here", name.text, field.name),
                            );
                            self.errors.push(diagnostic);
                        }
                    }
                }
                ok.then_some(values)
            }
        }
    }
}

/// A test on a field with one value per related row holds when it holds for some row.
fn quantify(resolved: &Resolved<'_>, test: Condition) -> Condition {
    match resolved.relation {
        Some(relation) => Condition::Exists {
            relation,
            condition: Box::new(test),
        },
        None => test,
    }
}

fn operator_mismatch(op: &str, field: &Field, span: Span, source: SourceId) -> Diagnostic {
    let fits = match field.ty {
        Type::Text => "text fields take `=`, `!=`, `in`, `contains` and `starts with`",
        Type::Bool => "boolean fields take `=` and `!=`, or stand alone as a condition",
        _ => "number and date fields take comparisons, `in` and `between`",
    };
    Diagnostic::error(
        Code::TypeMismatch,
        format!(
            "`{op}` does not apply to `{}`, which is {}",
            field.name,
            article(field.ty)
        ),
    )
    .with_label(source, span, format!("{} field", field.ty))
    .with_help(fits)
}

fn field_names(entity: &Entity) -> String {
    entity
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn entity_names(schema: &Schema) -> String {
    let names: Vec<&str> = schema.related.iter().map(|e| e.name.as_str()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
