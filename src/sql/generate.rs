//! The code generator: IR conditions to SQL through [`SqlWriter`]. Calls only [`Dialect`]
//! methods for anything engine-specific.

use super::dialect::Dialect;
use super::writer::SqlWriter;
use super::{Output, Query};
use crate::check::ir::{Column, Condition, Program, Segment, TableRef};
use crate::schema::Type;
use crate::syntax::ast::CompareOp;
use crate::value::Value;

/// The customer table's alias.
const CUSTOMER: &str = "c";
/// A related table's alias inside its `EXISTS`.
const RELATED: &str = "r";
/// The column name of a member's key in a segment's `WITH` entry.
const KEY: &str = "customer_key";

pub fn segment_query(
    program: &Program,
    name: &str,
    output: Output,
    dialect: &dyn Dialect,
) -> Option<Query> {
    let segment = program.segment(name)?;
    let mut w = SqlWriter::new(dialect);
    let generator = Generator { program };
    let dependencies = generator.dependencies(segment);
    for (i, dependency) in dependencies.iter().enumerate() {
        w.sql(if i == 0 { "WITH " } else { ", " });
        w.ident(&cte_name(&dependency.name)).sql(" AS (");
        w.indented(|w| {
            w.newline();
            generator.select(w, dependency, Output::Keys);
        });
        w.newline().sql(")");
    }
    if !dependencies.is_empty() {
        w.newline();
    }
    generator.select(&mut w, segment, output);
    Some(w.finish())
}

struct Generator<'p> {
    program: &'p Program,
}

impl Generator<'_> {
    /// Every segment `segment` refers to, directly or not, dependencies first.
    fn dependencies(&self, segment: &Segment) -> Vec<&Segment> {
        let mut needed = Vec::new();
        let mut stack = Vec::new();
        segment.condition.referenced_segments(&mut stack);
        while let Some(name) = stack.pop() {
            if needed.contains(&name) {
                continue;
            }
            needed.push(name);
            if let Some(s) = self.program.segment(name) {
                s.condition.referenced_segments(&mut stack);
            }
        }
        // Program order puts dependencies first.
        self.program
            .segments
            .iter()
            .filter(|s| needed.contains(&s.name.as_str()))
            .collect()
    }

    fn select(&self, w: &mut SqlWriter<'_>, segment: &Segment, output: Output) {
        let customer = &self.program.customer;
        w.sql("SELECT ");
        match output {
            Output::Keys => {
                w.column(CUSTOMER, &customer.key).sql(" AS ").ident(KEY);
            }
            Output::Count => {
                w.sql("COUNT(*) AS ").ident("members");
            }
            Output::Members { .. } => {
                w.column(CUSTOMER, &customer.key).sql(" AS ").ident(KEY);
                for (field, column) in &customer.display_columns {
                    w.sql(", ")
                        .column(CUSTOMER, column)
                        .sql(" AS ")
                        .ident(field);
                }
            }
        }
        w.newline()
            .sql("FROM ")
            .ident(&customer.table)
            .sql(" AS ")
            .sql(CUSTOMER);
        w.newline().sql("WHERE ");
        match &segment.condition {
            // The top level needs no parentheses: one test per line.
            Condition::And(parts) => self.lines(w, parts, "AND "),
            Condition::Or(parts) => self.lines(w, parts, "OR "),
            condition => self.condition(w, condition),
        }
        if let Output::Members { limit } = output {
            w.newline().sql("ORDER BY ").column(CUSTOMER, &customer.key);
            if let Some(limit) = limit {
                w.newline().sql("LIMIT ");
                w.param(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
            }
        }
    }

    fn condition(&self, w: &mut SqlWriter<'_>, condition: &Condition) {
        match condition {
            Condition::And(parts) => self.junction(w, parts, "AND "),
            Condition::Or(parts) => self.junction(w, parts, "OR "),
            Condition::Not(inner) => {
                // Unknown counts as "does not hold", so `not` is the plain complement.
                w.sql("(");
                self.condition(w, inner);
                w.sql(") IS NOT TRUE");
            }
            Condition::Compare { column, op, value } => {
                self.operand(w, column);
                w.sql(compare_op(*op));
                w.param(value.clone());
            }
            Condition::In {
                column,
                values,
                negated,
            } => {
                self.operand(w, column);
                w.sql(if *negated { " NOT IN (" } else { " IN (" });
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        w.sql(", ");
                    }
                    w.param(value.clone());
                }
                w.sql(")");
            }
            Condition::Between {
                column,
                low,
                high,
                negated,
            } => {
                self.operand(w, column);
                w.sql(if *negated {
                    " NOT BETWEEN "
                } else {
                    " BETWEEN "
                });
                w.param(low.clone());
                w.sql(" AND ");
                w.param(high.clone());
            }
            Condition::Known { column, known } => {
                w.column(alias(column), &column.name);
                w.sql(if *known { " IS NOT NULL" } else { " IS NULL" });
            }
            Condition::Contains { column, text } => {
                let needle = w.bind(Value::Text(text.clone()));
                w.dialect().contains(w, alias(column), &column.name, needle);
            }
            Condition::StartsWith { column, prefix } => {
                let id = w.bind(Value::Text(prefix.clone()));
                w.dialect().starts_with(w, alias(column), &column.name, id);
            }
            Condition::IsTrue(column) => {
                w.column(alias(column), &column.name).sql(" = TRUE");
            }
            Condition::Segment(name) => {
                w.column(CUSTOMER, &self.program.customer.key)
                    .sql(" IN (SELECT ")
                    .ident(KEY);
                w.sql(" FROM ").ident(&cte_name(name)).sql(")");
            }
            Condition::Exists {
                relation,
                condition,
            } => self.exists(w, *relation, condition),
        }
    }

    fn junction(&self, w: &mut SqlWriter<'_>, parts: &[Condition], keyword: &'static str) {
        w.sql("(");
        self.lines(w, parts, keyword);
        w.sql(")");
    }

    /// `a`, then `keyword b` on the next (indented) line, and so on.
    fn lines(&self, w: &mut SqlWriter<'_>, parts: &[Condition], keyword: &'static str) {
        w.indented(|w| {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    w.newline().sql(keyword);
                }
                self.condition(w, part);
            }
        });
    }

    fn exists(&self, w: &mut SqlWriter<'_>, relation: usize, condition: &Condition) {
        let related = &self.program.related[relation];
        w.sql("EXISTS (");
        w.indented(|w| {
            w.newline()
                .sql("SELECT 1 FROM ")
                .ident(&related.table)
                .sql(" AS ")
                .sql(RELATED);
            w.newline()
                .sql("WHERE ")
                .column(RELATED, &related.customer_key)
                .sql(" = ");
            w.column(CUSTOMER, &self.program.customer.key);
            w.indented(|w| {
                w.newline().sql("AND ");
                self.condition(w, condition);
            });
        });
        w.newline().sql(")");
    }

    /// A column as compared with a value: timestamps compare by their date.
    fn operand(&self, w: &mut SqlWriter<'_>, column: &Column) {
        if column.ty == Type::Timestamp {
            w.dialect()
                .date_of_timestamp(w, alias(column), &column.name);
        } else {
            w.column(alias(column), &column.name);
        }
    }
}

fn alias(column: &Column) -> &'static str {
    match column.table {
        TableRef::Customer => CUSTOMER,
        TableRef::Related(_) => RELATED,
    }
}

fn compare_op(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => " = ",
        CompareOp::Ne => " <> ",
        CompareOp::Lt => " < ",
        CompareOp::Le => " <= ",
        CompareOp::Gt => " > ",
        CompareOp::Ge => " >= ",
    }
}

/// The `WITH` name of a referenced segment (prefixed so it cannot shadow a table).
fn cte_name(segment: &str) -> String {
    format!("segment:{segment}")
}
