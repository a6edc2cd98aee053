//! Time in conditions: windows (`in last 90 days`), relative dates (`90 days ago`, `today`),
//! ages, anniversaries and occasions.

use crate::normalize::Normalize;
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::schema::Type;
use crate::source::Span;
use crate::syntax::ast::{self, Direction, Function};
use crate::value::Value;

use super::condition::{ConditionChecker, Resolved, operator_mismatch, quantify};
use super::ir::{Bound, Column, Condition};
use super::literal::{Expected, article, to_value};
use super::scope::Lookup;

impl<'a> ConditionChecker<'a> {
    pub(super) fn window(
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

    pub(super) fn window_amount(&mut self, amount: &ast::Literal) -> Option<u32> {
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

    pub(super) fn bound(
        &mut self,
        value: &ast::ValueExpr,
        resolved: &Resolved<'_>,
    ) -> Option<Bound> {
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

    pub(super) fn age_column(&mut self, field: &ast::FieldRef, span: Span) -> Option<Column> {
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

    pub(super) fn age_years(&mut self, value: &ast::ValueExpr) -> Option<i64> {
        let expected = Expected {
            name: "age",
            ty: Type::Integer,
            values: None,
            normalize: Normalize::NONE,
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

    pub(super) fn occasion(&mut self, name: &ast::Name) -> Option<super::ir::Occasion> {
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
}
