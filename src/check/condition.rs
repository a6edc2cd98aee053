//! One condition to IR: resolve each field, metric, set, occasion and segment name, and check
//! that every operator and value fits the type of what it tests.

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::schema::{Schema, Type};
use crate::source::{SourceId, Span};
use crate::syntax::ast::{self, CompareOp, ConditionKind, Function, InValues, Quantifier};
use crate::value::Value;

use super::Definitions;
use super::ir::{Bound, Column, Condition, Normalize, Operand, Place};
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
    pub visible: &'a super::scope::Visible,
    /// The project's imports, for suggesting one.
    pub imports: &'a super::Imports,
    pub errors: Vec<Diagnostic>,
    /// Segment names referenced, with where.
    pub references: Vec<(String, Span)>,
    /// Inside `count(orders where …)`: conditions test that entity's rows.
    pub relation: Option<usize>,
}

/// A resolved field or value: how SQL reaches it, its type, and how to describe it.
pub(super) struct Resolved<'a> {
    pub(super) operand: Operand,
    /// How the user wrote it, for messages.
    pub(super) name: String,
    pub(super) ty: Type,
    pub(super) values: Option<&'a [String]>,
    /// What a text test on it ignores (the field's `normalize`, plus `ignoring …`).
    pub(super) normalize: Normalize,
    /// For a field with one value per related row, seen from the customer: that relation.
    pub(super) quantified_over: Option<usize>,
}

impl Resolved<'_> {
    pub(super) fn expected(&self) -> Expected<'_> {
        Expected {
            name: &self.name,
            ty: self.ty,
            values: self.values,
            normalize: self.normalize,
        }
    }

    pub(super) fn column(&self) -> Option<Column> {
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
            ConditionKind::Compare { operand, op, value } => {
                self.compare(operand, *op, value, None)
            }
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
            } => self.in_test(field, *negated, values, None),
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
            } => self.has(field, *quantifier, values, None),
            ConditionKind::Arithmetic { left, op, right } => self.arithmetic(left, *op, right),
            ConditionKind::ArithmeticBetween {
                expression,
                negated,
                low,
                high,
            } => self.arithmetic_between(expression, *negated, low, high),
            ConditionKind::Sequence {
                first,
                absent,
                then,
                amount,
                unit,
                unless,
            } => self.sequence(
                condition.span,
                first,
                *absent,
                then,
                amount,
                *unit,
                unless.as_ref(),
            ),
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
            ConditionKind::Contains { field, value } => {
                self.matches(field, Place::Anywhere, value, None)
            }
            ConditionKind::StartsWith { field, value } => {
                self.matches(field, Place::Start, value, None)
            }
            ConditionKind::EndsWith { field, value } => self.matches(field, Place::End, value, None),
            ConditionKind::Ignoring {
                test,
                normalize,
                span,
            } => self.ignoring(
                test,
                Ignoring {
                    normalize: *normalize,
                    span: *span,
                },
            ),
        }
    }

    /// A text test followed by `ignoring …` (the grammar allows it after no other).
    fn ignoring(&mut self, test: &ast::Condition, ignoring: Ignoring) -> Option<Condition> {
        let some = Some(ignoring);
        match &test.kind {
            ConditionKind::Compare {
                operand: operand @ ast::Operand::Field(_),
                op,
                value,
            } => self.compare(operand, *op, value, some),
            ConditionKind::Compare { operand, .. } => {
                let name = format!("`{}`", crate::syntax::print::operand(operand));
                self.fail(not_text(&ignoring, &name, "a computed value", self.source))
            }
            ConditionKind::In {
                field,
                negated,
                values,
            } => self.in_test(field, *negated, values, some),
            ConditionKind::Has {
                field,
                quantifier,
                values,
            } => self.has(field, *quantifier, values, some),
            ConditionKind::Contains { field, value } => {
                self.matches(field, Place::Anywhere, value, some)
            }
            ConditionKind::StartsWith { field, value } => {
                self.matches(field, Place::Start, value, some)
            }
            ConditionKind::EndsWith { field, value } => self.matches(field, Place::End, value, some),
            _ => self.fail(not_text(&ignoring, "this test", "not a test of a field's text", self.source)),
        }
    }

    /// What a text test on `resolved` ignores: the field's own `normalize` and what
    /// `ignoring …` adds (recorded in `resolved`, so its literals are read the same way);
    /// an error when `ignoring` follows a test of anything but a text field.
    fn normalization(
        &mut self,
        resolved: &mut Resolved<'_>,
        ignoring: Option<Ignoring>,
    ) -> Option<Normalize> {
        let Some(ignoring) = ignoring else {
            return Some(resolved.normalize);
        };
        if resolved.column().is_none() {
            let name = format!("`{}`", resolved.name);
            return self.fail(not_text(&ignoring, &name, "a computed value", self.source));
        }
        if resolved.ty != Type::Text {
            let name = format!("`{}`", resolved.name);
            return self.fail(not_text(&ignoring, &name, &article(resolved.ty), self.source));
        }
        resolved.normalize = resolved.normalize.union(ignoring.normalize);
        Some(resolved.normalize)
    }

    fn in_test(
        &mut self,
        field: &ast::FieldRef,
        negated: bool,
        values: &InValues,
        ignoring: Option<Ignoring>,
    ) -> Option<Condition> {
        let mut resolved = self.column_field(field, "in")?;
        if resolved.ty == Type::Bool {
            return self.fail(operator_mismatch("in", &resolved, field.span, self.source));
        }
        let normalize = self.normalization(&mut resolved, ignoring)?;
        let values = self.in_values(values, &resolved, field.span)?;
        let column = resolved.column()?;
        Some(quantify(
            &resolved,
            Condition::In {
                column,
                values,
                negated,
                normalize,
            },
        ))
    }

    /// `contains`, `starts with`, `ends with`.
    fn matches(
        &mut self,
        field: &ast::FieldRef,
        place: Place,
        value: &ast::Literal,
        ignoring: Option<Ignoring>,
    ) -> Option<Condition> {
        let word = place.words();
        let mut resolved = self.column_field(field, word)?;
        if resolved.ty != Type::Text {
            return self.fail(operator_mismatch(word, &resolved, field.span, self.source));
        }
        let normalize = self.normalization(&mut resolved, ignoring)?;
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
        Some(quantify(
            &resolved,
            Condition::Matches {
                column,
                place,
                text: normalize.piece(text),
                normalize,
            },
        ))
    }

    fn all(&mut self, parts: &[ast::Condition]) -> Option<Vec<Condition>> {
        let checked: Vec<Option<Condition>> = parts.iter().map(|p| self.condition(p)).collect();
        checked.into_iter().collect()
    }

    pub(super) fn fail<T>(&mut self, diagnostic: Diagnostic) -> Option<T> {
        self.errors.push(diagnostic);
        None
    }

    fn compare(
        &mut self,
        operand: &ast::Operand,
        op: CompareOp,
        value: &ast::ValueExpr,
        ignoring: Option<Ignoring>,
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
        if let Some(metric) = self.calculated_metric_side(operand) {
            let number = self.number_side(value)?;
            return self.arithmetic(&metric, op, &number);
        }
        let mut resolved = self.operand(operand)?;
        if op.is_ordering() && !resolved.ty.is_ordered() {
            return self.fail(operator_mismatch(
                op.symbol(),
                &resolved,
                operand.span(),
                self.source,
            ));
        }
        let normalize = self.normalization(&mut resolved, ignoring)?;
        let value = self.bound(value, &resolved)?;
        if let (false, Some(column), Bound::Value(value)) =
            (normalize.is_none(), resolved.column(), &value)
        {
            // A text `=` read through a normalization is the one-value `in`, which carries it.
            return Some(quantify(
                &resolved,
                Condition::In {
                    column,
                    values: vec![value.clone()],
                    negated: op == CompareOp::Ne,
                    normalize,
                },
            ));
        }
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
        if let Some(metric) = self.calculated_metric_side(operand) {
            let (low, high) = (self.number_side(low), self.number_side(high));
            let (low, high) = (low?, high?);
            return self.arithmetic_between(&metric, negated, &low, &high);
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

    fn has(
        &mut self,
        field: &ast::FieldRef,
        quantifier: Quantifier,
        values: &InValues,
        ignoring: Option<Ignoring>,
    ) -> Option<Condition> {
        let mut resolved = self.column_field(field, "has")?;
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
        let normalize = self.normalization(&mut resolved, ignoring)?;
        let values = self.in_values(values, &resolved, field.span)?;
        let column = resolved.column()?;
        let exists = |values: Vec<Value>| Condition::Exists {
            relation,
            condition: Some(Box::new(Condition::In {
                column: column.clone(),
                values,
                negated: false,
                normalize,
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
        let suggestion = did_you_mean(&name.text, candidates, "`");
        if self.relation.is_some() {
            let help = suggestion.unwrap_or_else(|| {
                format!(
                    "a row condition tests {} fields; compare the customer's fields outside it",
                    entity.name
                )
            });
            return self.fail(
                Diagnostic::error(
                    Code::UnknownField,
                    format!("unknown field `{}` on {}", name.text, entity.name),
                )
                .with_label(self.source, name.span, "not a boolean field of these rows")
                .with_help(help),
            );
        }
        let help = suggestion.unwrap_or_else(|| {
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

/// A test on a field with one value per related row holds when it holds for some row.
pub(super) fn quantify(resolved: &Resolved<'_>, test: Condition) -> Condition {
    match resolved.quantified_over {
        Some(relation) => Condition::Exists {
            relation,
            condition: Some(Box::new(test)),
        },
        None => test,
    }
}

pub(super) fn operator_mismatch(
    op: &str,
    resolved: &Resolved<'_>,
    span: Span,
    source: SourceId,
) -> Diagnostic {
    let fits = match resolved.ty {
        Type::Text => {
            "text fields take `=`, `!=`, `in`, `contains`, `starts with` and `ends with`, each \
             optionally `ignoring case` or `ignoring spaces`"
        }
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

impl ConditionChecker<'_> {
    /// `operand` as the side of a calculation, if it names a metric defined by one.
    fn calculated_metric_side(&mut self, operand: &ast::Operand) -> Option<ast::Expr> {
        let ast::Operand::Field(field) = operand else {
            return None;
        };
        self.calculated_metric(field)?;
        Some(ast::Expr {
            kind: ast::ExprKind::Operand(operand.clone()),
            span: field.span,
        })
    }

    /// A number compared with a calculated metric, as the other side of the calculation.
    fn number_side(&mut self, value: &ast::ValueExpr) -> Option<ast::Expr> {
        match value {
            ast::ValueExpr::Literal(literal)
                if matches!(
                    literal.kind,
                    ast::LiteralKind::Integer | ast::LiteralKind::Decimal
                ) =>
            {
                Some(ast::Expr {
                    kind: ast::ExprKind::Number(literal.clone()),
                    span: literal.span,
                })
            }
            ast::ValueExpr::Literal(literal) => self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "a calculated metric is a number, but {} is {}",
                        literal.text,
                        literal.kind.describe()
                    ),
                )
                .with_label(self.source, literal.span, "expected a number"),
            ),
            ast::ValueExpr::Relative(relative) => self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    "a calculated metric is a number, not a date",
                )
                .with_label(self.source, relative.span, "a date"),
            ),
        }
    }
}

/// `ignoring …` after a test, and where it is written.
#[derive(Clone, Copy)]
struct Ignoring {
    normalize: Normalize,
    span: Span,
}

/// `ignoring …` after a test of something that is not a text field.
fn not_text(ignoring: &Ignoring, name: &str, what: &str, source: SourceId) -> Diagnostic {
    Diagnostic::error(
        Code::TypeMismatch,
        format!(
            "`ignoring {}` applies to tests of text fields, but {name} is {what}",
            ignoring.normalize.words()
        ),
    )
    .with_label(source, ignoring.span, "only for text")
    .with_help(
        "write it after `=`, `!=`, `in`, `has`, `contains`, `starts with` or `ends with` on a \
         text field",
    )
}
