//! The syntax tree back to text, in seglang's one canonical layout: lower-case keywords,
//! single spaces, `'…'` strings, parentheses only where precedence needs them. The formatter
//! uses it, and the lints use it to tell when two conditions are the same.

use super::ast::*;

/// Lines longer than this are broken at the top-level `and` / `or`.
pub const MAX_WIDTH: usize = 100;

/// A definition, without its doc comments, broken over lines if it is long.
pub fn definition(definition: &Definition) -> String {
    match definition {
        Definition::Import(import) => format!("import {}", quote(&import.path)),
        Definition::Set(set) => {
            let one_line = format!("set {} = {}", set.name.text, list(&set.values));
            if one_line.len() <= MAX_WIDTH {
                return one_line;
            }
            let items: Vec<String> = set
                .values
                .items
                .iter()
                .map(|i| format!("  {},", literal(i)))
                .collect();
            format!("set {} = [\n{}\n]", set.name.text, items.join("\n"))
        }
        Definition::Occasion(occasion) => format!(
            "occasion {} from {} to {}",
            occasion.name.text,
            month_day(&occasion.start),
            month_day(&occasion.end)
        ),
        Definition::Metric(metric) => format!(
            "metric {} = {}",
            metric.name.text,
            expression(&metric.expression)
        ),
        Definition::Split(split) => {
            let head = format!(
                "split {} seed {} into",
                split.base.text,
                literal(&split.seed)
            );
            let buckets: Vec<String> = split
                .buckets
                .iter()
                .map(|b| format!("{} {}%", b.name.text, b.share))
                .collect();
            let one_line = format!("{head} {}", buckets.join(", "));
            if one_line.len() <= MAX_WIDTH {
                return one_line;
            }
            format!("{head}\n  {}", buckets.join(",\n  "))
        }
        Definition::Segment(segment) => {
            let head = format!("segment {} where", segment.name.text);
            let one_line = format!("{head} {}", condition(&segment.condition));
            if one_line.len() <= MAX_WIDTH {
                return one_line;
            }
            let (parts, keyword) = match &segment.condition.kind {
                ConditionKind::And(parts) => (parts, "and"),
                ConditionKind::Or(parts) => (parts, "or"),
                _ => return one_line,
            };
            let mut out = head;
            for (i, part) in parts.iter().enumerate() {
                let text = nested(part, Some(keyword));
                if i == 0 {
                    out.push_str(&format!("\n  {text}"));
                } else {
                    out.push_str(&format!("\n  {keyword} {text}"));
                }
            }
            out
        }
    }
}

/// The `///` lines of a definition, if any.
pub fn doc_lines(definition: &Definition) -> Vec<String> {
    let doc = definition.doc();
    doc.map(|d| {
        d.lines()
            .map(|l| {
                if l.is_empty() {
                    "///".into()
                } else {
                    format!("/// {l}")
                }
            })
            .collect()
    })
    .unwrap_or_default()
}

/// A condition on one line.
pub fn condition(condition: &Condition) -> String {
    nested(condition, None)
}

/// A condition inside `parent` (`"and"`, `"or"`, `"not"`), parenthesised where needed.
fn nested(c: &Condition, parent: Option<&str>) -> String {
    match &c.kind {
        ConditionKind::Or(parts) => {
            let text = parts
                .iter()
                .map(|p| nested(p, Some("or")))
                .collect::<Vec<_>>()
                .join(" or ");
            if matches!(parent, Some("and" | "not")) {
                format!("({text})")
            } else {
                text
            }
        }
        ConditionKind::And(parts) => {
            let text = parts
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let text = nested(p, Some("and"));
                    // After `… ignoring case and`, a bare `spaces` would be read as part of
                    // the phrase: a segment of that name keeps its parentheses.
                    let after_ignoring = i > 0
                        && matches!(parts[i - 1].kind, ConditionKind::Ignoring { .. });
                    match &p.kind {
                        ConditionKind::Reference(name)
                            if after_ignoring
                                && ["case", "spaces"]
                                    .iter()
                                    .any(|w| name.text.eq_ignore_ascii_case(w)) =>
                        {
                            format!("({text})")
                        }
                        _ => text,
                    }
                })
                .collect::<Vec<_>>()
                .join(" and ");
            if parent == Some("not") {
                format!("({text})")
            } else {
                text
            }
        }
        ConditionKind::Not(inner) => match &inner.kind {
            ConditionKind::Reference(_) | ConditionKind::Any { .. } | ConditionKind::Not(_) => {
                format!("not {}", nested(inner, Some("not")))
            }
            ConditionKind::And(_) | ConditionKind::Or(_) => {
                format!("not {}", nested(inner, Some("not")))
            }
            _ => format!("not ({})", nested(inner, Some("not"))),
        },
        ConditionKind::Reference(name) => name.text.clone(),
        ConditionKind::Compare {
            operand: o,
            op,
            value: v,
        } => format!("{} {} {}", operand(o), op.symbol(), value(v)),
        ConditionKind::Window {
            operand: o,
            direction,
            amount,
            unit: u,
        } => {
            let direction = match direction {
                Direction::Last => "last",
                Direction::Next => "next",
            };
            format!(
                "{} in {direction} {} {}",
                operand(o),
                amount.text,
                unit(*u, &amount.text)
            )
        }
        ConditionKind::In {
            field: f,
            negated,
            values,
        } => {
            format!("{} {}in {}", field(f), not(*negated), in_values(values))
        }
        ConditionKind::Between {
            operand: o,
            negated,
            low,
            high,
        } => {
            format!(
                "{} {}between {} and {}",
                operand(o),
                not(*negated),
                value(low),
                value(high)
            )
        }
        ConditionKind::During {
            field: f,
            negated,
            occasion,
        } => {
            format!("{} {}during {}", field(f), not(*negated), occasion.text)
        }
        ConditionKind::Has {
            field: f,
            quantifier,
            values,
        } => {
            let quantifier = match quantifier {
                Quantifier::Any => "any",
                Quantifier::All => "all",
                Quantifier::None => "none",
            };
            format!("{} has {quantifier} of {}", field(f), in_values(values))
        }
        ConditionKind::Arithmetic { left, op, right } => {
            format!("{} {} {}", expression(left), op.symbol(), expression(right))
        }
        ConditionKind::ArithmeticBetween {
            expression: e,
            negated,
            low,
            high,
        } => format!(
            "{} {}between {} and {}",
            expression(e),
            not(*negated),
            expression(low),
            expression(high)
        ),
        ConditionKind::Sequence {
            first,
            absent,
            then,
            amount,
            unit: u,
            unless,
        } => {
            let unless = unless
                .as_ref()
                .map(|s| format!(" and not {} in between", step(s)))
                .unwrap_or_default();
            format!(
                "{} then {}{} within {} {}{unless}",
                step(first),
                not(*absent),
                step(then),
                amount.text,
                unit(*u, &amount.text)
            )
        }
        ConditionKind::Any { entity, filter } => match filter {
            Some(filter) => format!("any({} where {})", entity.text, condition(filter)),
            None => format!("any({})", entity.text),
        },
        ConditionKind::Known { field: f, known } => {
            format!(
                "{} is {}",
                field(f),
                if *known { "known" } else { "unknown" }
            )
        }
        ConditionKind::Contains { field: f, value } => {
            format!("{} contains {}", field(f), literal(value))
        }
        ConditionKind::StartsWith { field: f, value } => {
            format!("{} starts with {}", field(f), literal(value))
        }
        ConditionKind::EndsWith { field: f, value } => {
            format!("{} ends with {}", field(f), literal(value))
        }
        ConditionKind::Ignoring {
            test, normalize, ..
        } => format!("{} ignoring {}", condition(test), normalize.words()),
    }
}

/// Arithmetic as written, its parentheses kept.
pub fn expression(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Number(literal) => literal.text.clone(),
        ExprKind::Operand(o) => operand(o),
        ExprKind::Binary(op, left, right) => {
            format!("{} {} {}", expression(left), op.symbol(), expression(right))
        }
        ExprKind::Parenthesised(inner) => format!("({})", expression(inner)),
    }
}

/// `any(entity [where condition])`.
fn step(step: &Step) -> String {
    match &step.filter {
        Some(filter) => format!("any({} where {})", step.entity.text, condition(filter)),
        None => format!("any({})", step.entity.text),
    }
}

fn not(negated: bool) -> &'static str {
    if negated { "not " } else { "" }
}

/// A field, aggregate or function call.
pub fn operand(operand: &Operand) -> String {
    match operand {
        Operand::Field(f) => field(f),
        Operand::Aggregate(a) => aggregate(a),
        Operand::Function {
            function, field: f, ..
        } => {
            let name = match function {
                Function::Age => "age",
                Function::Anniversary => "anniversary",
            };
            format!("{name}({})", field(f))
        }
    }
}

fn aggregate(aggregate: &Aggregate) -> String {
    let distinct = if aggregate.distinct { "distinct " } else { "" };
    let filter = aggregate
        .filter
        .as_ref()
        .map(|f| format!(" where {}", condition(f)))
        .unwrap_or_default();
    format!(
        "{}({distinct}{}{filter})",
        aggregate.function.name(),
        field(&aggregate.target)
    )
}

fn field(field: &FieldRef) -> String {
    match &field.entity {
        Some(entity) => format!("{}.{}", entity.text, field.name.text),
        None => field.name.text.clone(),
    }
}

fn value(value: &ValueExpr) -> String {
    match value {
        ValueExpr::Literal(l) => literal(l),
        ValueExpr::Relative(RelativeDate { ago: None, .. }) => "today".into(),
        ValueExpr::Relative(RelativeDate {
            ago: Some((amount, u)),
            ..
        }) => {
            format!("{} {} ago", amount.text, unit(*u, &amount.text))
        }
    }
}

fn unit(unit: Unit, amount: &str) -> &'static str {
    let one = amount == "1";
    match (unit, one) {
        (Unit::Days, true) => "day",
        (Unit::Days, false) => "days",
        (Unit::Weeks, true) => "week",
        (Unit::Weeks, false) => "weeks",
        (Unit::Months, true) => "month",
        (Unit::Months, false) => "months",
        (Unit::Years, true) => "year",
        (Unit::Years, false) => "years",
    }
}

fn in_values(values: &InValues) -> String {
    match values {
        InValues::List(l) => list(l),
        InValues::Set(name) => name.text.clone(),
    }
}

fn list(list: &List) -> String {
    let items: Vec<String> = list.items.iter().map(literal).collect();
    format!("[{}]", items.join(", "))
}

/// A literal as canonical text.
pub fn literal(literal: &Literal) -> String {
    match &literal.kind {
        LiteralKind::Text(text) => quote(text),
        LiteralKind::Bool(b) => b.to_string(),
        _ => literal.text.clone(),
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `Dec 26`: a valid month as its three-letter name; anything else as written.
fn month_day(written: &MonthDay) -> String {
    let month = match written.month_number() {
        Some(n) => MONTH_NAMES[n as usize - 1][..3].to_string(),
        None => written.month.text.clone(),
    };
    let day = written.day.trim_start_matches('0');
    format!("{month} {}", if day.is_empty() { "0" } else { day })
}
