//! Pest pairs to the syntax tree: one function per grammar rule, named after it.
//!
//! A rule mismatch here is a grammar/builder bug, not a user error, so `expect("grammar: …")`
//! is allowed in this file and nowhere else.

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::parser::Rule;
use crate::source::Span;

/// Builds definitions from a parsed `file` pair whose text began `offset` bytes into the file.
pub fn file(pair: Pair<'_, Rule>, offset: usize) -> Vec<Definition> {
    debug_assert_eq!(pair.as_rule(), Rule::file);
    let b = Builder { offset };
    pair.into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| match p.as_rule() {
            Rule::segment_def => Definition::Segment(b.segment_def(p)),
            Rule::set_def => Definition::Set(b.set_def(p)),
            Rule::occasion_def => Definition::Occasion(b.occasion_def(p)),
            Rule::metric_def => Definition::Metric(b.metric_def(p)),
            Rule::import_def => Definition::Import(b.import_def(p)),
            Rule::split_def => Definition::Split(b.split_def(p)),
            other => unreachable!("grammar: unexpected {other:?} in file"),
        })
        .collect()
}

/// Builds a condition parsed from a text of its own (spans from its start).
pub fn condition(pair: Pair<'_, Rule>) -> Condition {
    Builder { offset: 0 }.condition(pair)
}

struct Builder {
    offset: usize,
}

/// The parts every definition starts with: doc lines, then (after a keyword) its name.
struct Head {
    doc: Option<String>,
    name: Name,
}

impl Builder {
    /// The pair's span, without the whitespace and comments pest may include at its end.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let start = pair.as_span().start();
        Span::new(start, start + super::code_length(pair.as_str())).shifted(self.offset)
    }

    /// Reads doc comments, skips the keyword, reads the name; leaves the rest in `parts`.
    fn head(&self, parts: &mut std::iter::Peekable<Pairs<'_, Rule>>) -> Head {
        let mut docs = Vec::new();
        while let Some(doc) = parts.next_if(|p| p.as_rule() == Rule::doc_comment) {
            docs.push(doc_comment(doc));
        }
        parts.next().expect("grammar: definition keyword");
        let name = self.name(parts.next().expect("grammar: definition name"));
        Head {
            doc: (!docs.is_empty()).then(|| docs.join("\n")),
            name,
        }
    }

    fn segment_def(&self, pair: Pair<'_, Rule>) -> SegmentDef {
        let span = self.span(&pair);
        let mut parts = pair.into_inner().peekable();
        let Head { doc, name } = self.head(&mut parts);
        let condition = parts
            .find(|p| p.as_rule() == Rule::condition)
            .expect("grammar: condition");
        SegmentDef {
            doc,
            name,
            condition: self.condition(condition),
            span,
        }
    }

    fn set_def(&self, pair: Pair<'_, Rule>) -> SetDef {
        let span = self.span(&pair);
        let mut parts = pair.into_inner().peekable();
        let Head { doc, name } = self.head(&mut parts);
        let list = parts
            .find(|p| p.as_rule() == Rule::list)
            .expect("grammar: set values");
        SetDef {
            doc,
            name,
            values: self.list(list),
            span,
        }
    }

    fn occasion_def(&self, pair: Pair<'_, Rule>) -> OccasionDef {
        let span = self.span(&pair);
        let mut parts = pair.into_inner().peekable();
        let Head { doc, name } = self.head(&mut parts);
        let mut days = parts
            .filter(|p| p.as_rule() == Rule::month_day)
            .map(|p| self.month_day(p));
        let start = days.next().expect("grammar: occasion start");
        let end = days.next().expect("grammar: occasion end");
        OccasionDef {
            doc,
            name,
            start,
            end,
            span,
        }
    }

    fn split_def(&self, pair: Pair<'_, Rule>) -> SplitDef {
        let span = self.span(&pair);
        let mut parts = pair.into_inner().peekable();
        let Head { doc, name: base } = self.head(&mut parts);
        parts.next().expect("grammar: seed keyword");
        let seed = self.literal(parts.next().expect("grammar: seed"));
        let buckets = parts
            .filter(|p| p.as_rule() == Rule::split_bucket)
            .map(|p| {
                let mut inner = p.into_inner();
                let name = self.name(inner.next().expect("grammar: bucket name"));
                let share = inner.next().expect("grammar: bucket share");
                SplitBucket {
                    name,
                    share: share.as_str().trim_end_matches('%').to_string(),
                    share_span: self.span(&share),
                }
            })
            .collect();
        SplitDef {
            doc,
            base,
            seed,
            buckets,
            span,
        }
    }

    fn month_day(&self, pair: Pair<'_, Rule>) -> MonthDay {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let month = parts.next().expect("grammar: month");
        let day = parts.next().expect("grammar: day");
        MonthDay {
            month: Name {
                text: month.as_str().to_string(),
                span: self.span(&month),
            },
            day: day.as_str().to_string(),
            span,
        }
    }

    fn metric_def(&self, pair: Pair<'_, Rule>) -> MetricDef {
        let span = self.span(&pair);
        let mut parts = pair.into_inner().peekable();
        let Head { doc, name } = self.head(&mut parts);
        let expression = parts
            .find(|p| p.as_rule() == Rule::expression)
            .expect("grammar: metric value");
        MetricDef {
            doc,
            name,
            expression: self.expression(expression),
            span,
        }
    }

    fn import_def(&self, pair: Pair<'_, Rule>) -> ImportDef {
        let span = self.span(&pair);
        let path = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::string)
            .expect("grammar: import path");
        let path_span = self.span(&path);
        let LiteralKind::Text(text) = self.literal(path).kind else {
            unreachable!("grammar: import path is a string")
        };
        ImportDef {
            path: text,
            path_span,
            span,
        }
    }

    fn condition(&self, pair: Pair<'_, Rule>) -> Condition {
        debug_assert_eq!(pair.as_rule(), Rule::condition);
        let span = self.span(&pair);
        let parts: Vec<Condition> = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::and_expr)
            .map(|p| self.and_expr(p))
            .collect();
        flatten(parts, span, ConditionKind::Or)
    }

    fn and_expr(&self, pair: Pair<'_, Rule>) -> Condition {
        let span = self.span(&pair);
        let parts: Vec<Condition> = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::not_expr)
            .map(|p| self.not_expr(p))
            .collect();
        flatten(parts, span, ConditionKind::And)
    }

    fn not_expr(&self, pair: Pair<'_, Rule>) -> Condition {
        let mut nots = Vec::new();
        let mut inner = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_not => nots.push(self.span(&part)),
                Rule::close_paren => {}
                _ => inner = Some(self.primary(part)),
            }
        }
        let mut condition = inner.expect("grammar: operand of not");
        for not_span in nots.into_iter().rev() {
            let span = not_span.join(condition.span);
            condition = Condition {
                kind: ConditionKind::Not(Box::new(condition)),
                span,
            };
        }
        condition
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Condition {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        if rule == Rule::condition {
            return self.condition(pair);
        }
        // `… ignoring case` wraps the test before it; the test's span ends where its last
        // part does.
        let ignoring = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::ignoring)
            .map(|p| (self.span(&p), ignored(p)));
        let test_end = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() != Rule::ignoring)
            .last()
            .map_or(span.end, |p| self.span(&p).end);
        // Keywords carry no information beyond the rule itself, except the ones matched here.
        let mut parts = pair
            .into_inner()
            .filter(|p| p.as_rule() != Rule::ignoring)
            .filter(|p| {
                !matches!(
                    p.as_rule(),
                    Rule::kw_in
                        | Rule::kw_between
                        | Rule::kw_and
                        | Rule::kw_is
                        | Rule::kw_contains
                        | Rule::kw_starts
                        | Rule::kw_ends
                        | Rule::kw_with
                        | Rule::kw_during
                        | Rule::kw_has
                        | Rule::kw_of
                        | Rule::kw_where
                        | Rule::close_paren
                )
            })
            .peekable();
        let mut next = || parts.next().expect("grammar: part of a condition");
        let kind = match rule {
            Rule::reference => ConditionKind::Reference(self.name(next())),
            Rule::comparison => ConditionKind::Compare {
                operand: self.operand(next()),
                op: compare_op(next()),
                value: self.value(next()),
            },
            Rule::window_test => ConditionKind::Window {
                operand: self.operand(next()),
                direction: if next().as_rule() == Rule::kw_last {
                    Direction::Last
                } else {
                    Direction::Next
                },
                amount: self.literal(next()),
                unit: unit(next()),
            },
            Rule::in_test => {
                let field = self.field(next());
                let negated = parts.next_if(|p| p.as_rule() == Rule::negation).is_some();
                ConditionKind::In {
                    field,
                    negated,
                    values: self.in_values(parts.next().expect("grammar: values")),
                }
            }
            Rule::between_test => {
                let operand = self.operand(next());
                let negated = parts.next_if(|p| p.as_rule() == Rule::negation).is_some();
                let low = self.value(parts.next().expect("grammar: low bound"));
                let high = self.value(parts.next().expect("grammar: high bound"));
                ConditionKind::Between {
                    operand,
                    negated,
                    low,
                    high,
                }
            }
            Rule::during_test => {
                let field = self.field(next());
                let negated = parts.next_if(|p| p.as_rule() == Rule::negation).is_some();
                ConditionKind::During {
                    field,
                    negated,
                    occasion: self.name(parts.next().expect("grammar: occasion")),
                }
            }
            Rule::has_test => {
                let field = self.field(next());
                let quantifier = match next().as_rule() {
                    Rule::kw_any => Quantifier::Any,
                    Rule::kw_all => Quantifier::All,
                    _ => Quantifier::None,
                };
                ConditionKind::Has {
                    field,
                    quantifier,
                    values: self.in_values(next()),
                }
            }
            Rule::any_test => {
                next(); // `any`
                let entity = self.name(next());
                let filter = parts.next().map(|c| Box::new(self.condition(c)));
                ConditionKind::Any { entity, filter }
            }
            Rule::arithmetic_test => {
                let left = self.expression(next());
                match parts.next().expect("grammar: an operator") {
                    op if op.as_rule() == Rule::compare_op => ConditionKind::Arithmetic {
                        left,
                        op: compare_op(op),
                        right: self.expression(parts.next().expect("grammar: a right side")),
                    },
                    after => {
                        let negated = after.as_rule() == Rule::negation;
                        let mut bounds = parts.filter(|p| p.as_rule() == Rule::expression);
                        let low = if negated {
                            bounds.next().expect("grammar: a low bound")
                        } else {
                            after
                        };
                        ConditionKind::ArithmeticBetween {
                            expression: left,
                            negated,
                            low: self.expression(low),
                            high: self.expression(bounds.next().expect("grammar: a high bound")),
                        }
                    }
                }
            }
            Rule::sequence_test => {
                let (mut steps, mut absent, mut amount, mut window) = (Vec::new(), false, None, None);
                for part in parts {
                    match part.as_rule() {
                        Rule::any_test => steps.push(self.step(part)),
                        Rule::negation => absent = true,
                        Rule::integer => amount = Some(self.literal(part)),
                        Rule::unit => window = Some(unit(part)),
                        _ => {} // `then`, `within`, `not`
                    }
                }
                let mut steps = steps.into_iter();
                ConditionKind::Sequence {
                    first: steps.next().expect("grammar: a first step"),
                    absent,
                    then: steps.next().expect("grammar: a second step"),
                    amount: amount.expect("grammar: an amount"),
                    unit: window.expect("grammar: a unit"),
                    unless: steps.next(),
                }
            }
            Rule::known_test => {
                let field = self.field(next());
                ConditionKind::Known {
                    field,
                    known: next().as_rule() == Rule::kw_known,
                }
            }
            Rule::contains_test => ConditionKind::Contains {
                field: self.field(next()),
                value: self.literal(next()),
            },
            Rule::starts_test => ConditionKind::StartsWith {
                field: self.field(next()),
                value: self.literal(next()),
            },
            Rule::ends_test => ConditionKind::EndsWith {
                field: self.field(next()),
                value: self.literal(next()),
            },
            other => unreachable!("grammar: unexpected {other:?} in condition"),
        };
        let Some((ignoring_span, normalize)) = ignoring else {
            return Condition { kind, span };
        };
        let test = Condition {
            kind,
            span: Span {
                start: span.start,
                end: test_end,
            },
        };
        Condition {
            kind: ConditionKind::Ignoring {
                test: Box::new(test),
                normalize,
                span: ignoring_span,
            },
            span,
        }
    }

    /// `product (+|- product)*` or `factor (*|/ factor)*`, left to right.
    fn expression(&self, pair: Pair<'_, Rule>) -> Expr {
        let mut parts = pair.into_inner();
        let first = parts.next().expect("grammar: a first term");
        let mut left = self.term(first);
        while let (Some(op), Some(right)) = (parts.next(), parts.next()) {
            let op = match op.as_str() {
                "+" => ArithOp::Add,
                "-" => ArithOp::Sub,
                "*" => ArithOp::Mul,
                _ => ArithOp::Div,
            };
            let right = self.term(right);
            let span = left.span.join(right.span);
            left = Expr {
                kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
                span,
            };
        }
        left
    }

    /// A product (of factors) or a factor.
    fn term(&self, pair: Pair<'_, Rule>) -> Expr {
        match pair.as_rule() {
            Rule::product => self.expression(pair),
            _ => self.factor(pair),
        }
    }

    fn factor(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let inner = pair
            .into_inner()
            .find(|p| p.as_rule() != Rule::close_paren)
            .expect("grammar: a factor");
        let kind = match inner.as_rule() {
            Rule::expression => ExprKind::Parenthesised(Box::new(self.expression(inner))),
            Rule::date | Rule::decimal | Rule::integer => ExprKind::Number(self.literal(inner)),
            Rule::aggregate => ExprKind::Operand(Operand::Aggregate(self.aggregate(inner))),
            _ => ExprKind::Operand(Operand::Field(self.field(inner))),
        };
        Expr { kind, span }
    }

    /// `any(entity [where condition])` as a step of a sequence.
    fn step(&self, pair: Pair<'_, Rule>) -> Step {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| {
            !matches!(
                p.as_rule(),
                Rule::kw_any | Rule::kw_where | Rule::close_paren
            )
        });
        let entity = self.name(inner.next().expect("grammar: an entity"));
        let filter = inner.next().map(|c| Box::new(self.condition(c)));
        Step {
            entity,
            filter,
            span,
        }
    }

    fn in_values(&self, pair: Pair<'_, Rule>) -> InValues {
        match pair.as_rule() {
            Rule::list => InValues::List(self.list(pair)),
            _ => InValues::Set(self.name(pair)),
        }
    }

    fn operand(&self, pair: Pair<'_, Rule>) -> Operand {
        debug_assert_eq!(pair.as_rule(), Rule::operand);
        let inner = pair.into_inner().next().expect("grammar: operand");
        match inner.as_rule() {
            Rule::field => Operand::Field(self.field(inner)),
            Rule::aggregate => Operand::Aggregate(self.aggregate(inner)),
            Rule::function_call => {
                let span = self.span(&inner);
                let mut parts = inner.into_inner();
                let function = match parts.next().expect("grammar: function").as_rule() {
                    Rule::kw_age => Function::Age,
                    _ => Function::Anniversary,
                };
                Operand::Function {
                    function,
                    field: self.field(parts.next().expect("grammar: argument")),
                    span,
                }
            }
            other => unreachable!("grammar: unexpected {other:?} as operand"),
        }
    }

    fn aggregate(&self, pair: Pair<'_, Rule>) -> Aggregate {
        debug_assert_eq!(pair.as_rule(), Rule::aggregate);
        let span = self.span(&pair);
        let mut parts = pair.into_inner().peekable();
        let function_pair = parts.next().expect("grammar: aggregate function");
        let function = match function_pair
            .into_inner()
            .next()
            .expect("grammar: function word")
            .as_rule()
        {
            Rule::kw_count => AggregateFn::Count,
            Rule::kw_sum => AggregateFn::Sum,
            Rule::kw_avg => AggregateFn::Avg,
            Rule::kw_min => AggregateFn::Min,
            Rule::kw_max => AggregateFn::Max,
            Rule::kw_first => AggregateFn::First,
            _ => AggregateFn::Last,
        };
        let distinct = parts.next_if(|p| p.as_rule() == Rule::distinct).is_some();
        let target = self.field(parts.next().expect("grammar: aggregate target"));
        let filter = parts
            .find(|p| p.as_rule() == Rule::condition)
            .map(|c| Box::new(self.condition(c)));
        Aggregate {
            function,
            distinct,
            target,
            filter,
            span,
        }
    }

    fn value(&self, pair: Pair<'_, Rule>) -> ValueExpr {
        if pair.as_rule() != Rule::relative_date {
            return ValueExpr::Literal(self.literal(pair));
        }
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let first = parts.next().expect("grammar: relative date");
        let ago = match first.as_rule() {
            Rule::kw_today => None,
            _ => Some((
                self.literal(first),
                unit(parts.next().expect("grammar: unit")),
            )),
        };
        ValueExpr::Relative(RelativeDate { ago, span })
    }

    fn field(&self, pair: Pair<'_, Rule>) -> FieldRef {
        debug_assert_eq!(pair.as_rule(), Rule::field);
        let span = self.span(&pair);
        let mut names: Vec<Name> = pair.into_inner().map(|p| self.name(p)).collect();
        let name = names.pop().expect("grammar: field name");
        FieldRef {
            entity: names.pop(),
            name,
            span,
        }
    }

    fn list(&self, pair: Pair<'_, Rule>) -> List {
        debug_assert_eq!(pair.as_rule(), Rule::list);
        let span = self.span(&pair);
        let items = pair
            .into_inner()
            .filter(|p| !matches!(p.as_rule(), Rule::comma | Rule::close_bracket))
            .map(|p| self.literal(p))
            .collect();
        List { items, span }
    }

    fn literal(&self, pair: Pair<'_, Rule>) -> Literal {
        let span = self.span(&pair);
        let text = pair.as_str().to_string();
        let kind = match pair.as_rule() {
            Rule::string => {
                let inner = pair.into_inner().next().expect("grammar: string body");
                LiteralKind::Text(inner.as_str().replace("''", "'"))
            }
            Rule::integer => LiteralKind::Integer,
            Rule::decimal => LiteralKind::Decimal,
            Rule::date => LiteralKind::Date,
            Rule::boolean => {
                let word = pair.into_inner().next().expect("grammar: boolean word");
                LiteralKind::Bool(word.as_rule() == Rule::kw_true)
            }
            other => unreachable!("grammar: unexpected {other:?} as literal"),
        };
        Literal { kind, text, span }
    }

    fn name(&self, pair: Pair<'_, Rule>) -> Name {
        debug_assert_eq!(pair.as_rule(), Rule::ident);
        Name {
            text: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }
}

fn compare_op(pair: Pair<'_, Rule>) -> CompareOp {
    match pair.as_str() {
        "=" => CompareOp::Eq,
        "!=" => CompareOp::Ne,
        "<" => CompareOp::Lt,
        "<=" => CompareOp::Le,
        ">" => CompareOp::Gt,
        ">=" => CompareOp::Ge,
        other => unreachable!("grammar: operator {other}"),
    }
}

fn unit(pair: Pair<'_, Rule>) -> Unit {
    match pair
        .into_inner()
        .next()
        .expect("grammar: unit word")
        .as_rule()
    {
        Rule::kw_days => Unit::Days,
        Rule::kw_weeks => Unit::Weeks,
        Rule::kw_months => Unit::Months,
        _ => Unit::Years,
    }
}

fn doc_comment(pair: Pair<'_, Rule>) -> String {
    let text = pair.into_inner().next().map_or("", |p| p.as_str());
    text.strip_prefix(' ')
        .unwrap_or(text)
        .trim_end()
        .to_string()
}

/// One operand stays itself; several become an `And`/`Or` node.
fn flatten(
    mut parts: Vec<Condition>,
    span: Span,
    make: fn(Vec<Condition>) -> ConditionKind,
) -> Condition {
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    Condition {
        kind: make(parts),
        span,
    }
}

/// What `ignoring case [and spaces]` names.
fn ignored(pair: Pair<'_, Rule>) -> Normalize {
    let mut normalize = Normalize::NONE;
    for word in pair.into_inner() {
        match word.as_rule() {
            Rule::ignored_case => normalize.case = true,
            Rule::ignored_spaces => normalize.spaces = true,
            _ => {}
        }
    }
    normalize
}
