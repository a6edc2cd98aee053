//! Sequences: `any(A) then [not] any(B) within N days [and not any(C) in between]`, each
//! step the rows of a related entity with a time, the window in days.

use crate::diagnostics::{Code, Diagnostic};
use crate::syntax::ast::{self, Unit};

use super::condition::ConditionChecker;
use super::ir::{Column, Condition, Sequence, Step, TableRef};

/// The longest window, in days: a hundred years.
const MOST_DAYS: u32 = 36_525;

impl ConditionChecker<'_> {
    /// Checks a sequence written at `span`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sequence(
        &mut self,
        span: crate::source::Span,
        first: &ast::Step,
        absent: bool,
        then: &ast::Step,
        amount: &ast::Literal,
        unit: Unit,
        unless: Option<&ast::Step>,
    ) -> Option<Condition> {
        if self.relation.is_some() {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    "a sequence tests a customer's rows, so it cannot be inside a row condition",
                )
                .with_label(self.source, span, "inside a row condition"),
            );
        }
        if let (true, Some(unless)) = (absent, unless) {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    "`in between` needs a row that comes, and `then not` asks for one that does not",
                )
                .with_label(self.source, unless.span, "nothing to be between")
                .with_help("use `then any(…) … and not any(…) in between`, or drop the `in between` part"),
            );
        }
        let per_unit = match unit {
            Unit::Days => 1,
            Unit::Weeks => 7,
            Unit::Months | Unit::Years => {
                return self.fail(
                    Diagnostic::error(
                        Code::InvalidLiteral,
                        "a sequence's window is in days or weeks",
                    )
                    .with_label(self.source, amount.span, "months and years vary in length")
                    .with_help("write it in days: `within 30 days`, `within 365 days`"),
                );
            }
        };
        let days = amount
            .text
            .parse::<u32>()
            .ok()
            .and_then(|n| n.checked_mul(per_unit))
            .filter(|d| *d <= MOST_DAYS);
        let steps = (self.step(first), self.step(then), unless.map(|s| self.step(s)));
        let Some(days) = days else {
            return self.fail(
                Diagnostic::error(
                    Code::InvalidLiteral,
                    format!("{} is not a window of 0 to {MOST_DAYS} days", amount.text),
                )
                .with_label(self.source, amount.span, "not a whole number of days in range"),
            );
        };
        let (first, then) = (steps.0?, steps.1?);
        let unless = match steps.2 {
            Some(step) => Some(step?),
            None => None,
        };
        Some(Condition::Sequence(Box::new(Sequence {
            first,
            then,
            absent,
            days,
            unless,
        })))
    }

    /// One step: an entity with a time, and the condition on its rows.
    fn step(&mut self, step: &ast::Step) -> Option<Step> {
        let relation = self.related_entity(&step.entity)?;
        let entity = &self.schema.related[relation];
        let time = entity
            .time
            .as_ref()
            .and_then(|column| entity.fields.iter().find(|f| f.column == *column));
        let Some(time) = time else {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "a sequence needs the time of each {} row, and seg.toml gives none",
                        entity.name
                    ),
                )
                .with_label(self.source, step.span, "no order in time")
                .with_help(format!(
                    "add `time = \"<date column>\"` under [related.{}] in seg.toml",
                    entity.name
                )),
            );
        };
        let time = Column {
            table: TableRef::Related(relation),
            name: time.column.clone(),
            ty: time.ty,
        };
        let condition = match &step.filter {
            Some(filter) => Some(self.in_relation(relation, filter.span, |c| c.condition(filter))?),
            None => None,
        };
        Some(Step {
            relation,
            time,
            condition,
        })
    }
}
