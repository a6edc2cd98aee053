//! Pest pairs to the syntax tree: one function per grammar rule, named after it.
//!
//! A rule mismatch here is a grammar/builder bug, not a user error, so `expect("grammar: …")`
//! is allowed in this file and nowhere else.

use pest::iterators::Pair;

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
            other => unreachable!("grammar: unexpected {other:?} in file"),
        })
        .collect()
}

struct Builder {
    offset: usize,
}

impl Builder {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        Span::from(pair.as_span()).shifted(self.offset)
    }

    fn segment_def(&self, pair: Pair<'_, Rule>) -> SegmentDef {
        let span = self.span(&pair);
        let mut docs = Vec::new();
        let mut name = None;
        let mut condition = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::doc_comment => docs.push(doc_comment(part)),
                Rule::ident => name = Some(self.name(part)),
                Rule::condition => condition = Some(self.condition(part)),
                _ => {}
            }
        }
        SegmentDef {
            doc: join_docs(docs),
            name: name.expect("grammar: segment name"),
            condition: condition.expect("grammar: segment condition"),
            span,
        }
    }

    fn set_def(&self, pair: Pair<'_, Rule>) -> SetDef {
        let span = self.span(&pair);
        let mut docs = Vec::new();
        let mut name = None;
        let mut values = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::doc_comment => docs.push(doc_comment(part)),
                Rule::ident => name = Some(self.name(part)),
                Rule::list => values = Some(self.list(part)),
                _ => {}
            }
        }
        SetDef {
            doc: join_docs(docs),
            name: name.expect("grammar: set name"),
            values: values.expect("grammar: set values"),
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
        let mut parts = pair.into_inner().peekable();
        let kind = match rule {
            Rule::reference => {
                ConditionKind::Reference(self.name(parts.next().expect("grammar: name")))
            }
            Rule::comparison => {
                let field = self.field(parts.next().expect("grammar: field"));
                let op = compare_op(parts.next().expect("grammar: operator"));
                let value = self.literal(parts.next().expect("grammar: value"));
                ConditionKind::Compare { field, op, value }
            }
            Rule::in_test => {
                let field = self.field(parts.next().expect("grammar: field"));
                let negated = parts.next_if(|p| p.as_rule() == Rule::negation).is_some();
                parts.next().expect("grammar: `in`");
                let target = parts.next().expect("grammar: in target");
                let values = match target.as_rule() {
                    Rule::list => InValues::List(self.list(target)),
                    _ => InValues::Set(self.name(target)),
                };
                ConditionKind::In {
                    field,
                    negated,
                    values,
                }
            }
            Rule::between_test => {
                let field = self.field(parts.next().expect("grammar: field"));
                let negated = parts.next_if(|p| p.as_rule() == Rule::negation).is_some();
                let mut literals = parts.filter(|p| !is_keyword(p.as_rule()));
                let low = self.literal(literals.next().expect("grammar: low bound"));
                let high = self.literal(literals.next().expect("grammar: high bound"));
                ConditionKind::Between {
                    field,
                    negated,
                    low,
                    high,
                }
            }
            Rule::known_test => {
                let field = self.field(parts.next().expect("grammar: field"));
                let known = parts.any(|p| p.as_rule() == Rule::kw_known);
                ConditionKind::Known { field, known }
            }
            Rule::contains_test => {
                let field = self.field(parts.next().expect("grammar: field"));
                let value = self.literal(parts.last().expect("grammar: value"));
                ConditionKind::Contains { field, value }
            }
            Rule::starts_test => {
                let field = self.field(parts.next().expect("grammar: field"));
                let value = self.literal(parts.last().expect("grammar: value"));
                ConditionKind::StartsWith { field, value }
            }
            other => unreachable!("grammar: unexpected {other:?} in condition"),
        };
        Condition { kind, span }
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

fn doc_comment(pair: Pair<'_, Rule>) -> String {
    let text = pair.into_inner().next().map_or("", |p| p.as_str());
    text.strip_prefix(' ')
        .unwrap_or(text)
        .trim_end()
        .to_string()
}

fn join_docs(lines: Vec<String>) -> Option<String> {
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn is_keyword(rule: Rule) -> bool {
    matches!(rule, Rule::kw_between | Rule::kw_and | Rule::negation)
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
