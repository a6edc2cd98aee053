//! The code generator: IR conditions to SQL through [`SqlWriter`]. Calls only [`Dialect`]
//! methods for anything engine-specific. Dates relative to the as-of date are computed here
//! (with [`crate::calendar`]) and bound as parameters, so every engine sees the same dates.

use chrono::NaiveDate;

use super::batch::Facts;
use super::dialect::Dialect;
use super::writer::{ParamId, SqlWriter};
use super::{Output, Query};
use crate::calendar;
use crate::check::ir::CompareOp;
use crate::check::ir::{
    Bound, Column, Condition, Normalize, Operand, Place, Program, RelatedTable, Segment, TableRef,
};
use crate::schema::Type;
use crate::value::Value;

/// The customer table's alias.
pub(super) const CUSTOMER: &str = "c";
/// A related table's alias inside its subquery.
pub(super) const RELATED: &str = "r";
/// The column name of a member's key in a segment's `WITH` entry.
pub(super) const KEY: &str = "customer_key";
/// The most tests one `AND`/`OR` list holds before it is split into parenthesized groups.
const JUNCTION_GROUP: usize = 32;

pub fn segment_query(
    program: &Program,
    name: &str,
    output: Output,
    dialect: &dyn Dialect,
    as_of: NaiveDate,
) -> Option<Query> {
    sliced_query(program, name, output, dialect, as_of, None)
}

/// [`segment_query`] over the customers whose key lies in `slice` when one is given (see
/// [`super::KeyRange`]): the slice is tested on the customers and on every related table
/// read in one pass, so each slice reads only its share. `None` if there is no such
/// segment, or when a slice is asked of a segment that reads RFM scores (they rank every
/// customer, so a slice cannot be scored alone).
pub fn sliced_query(
    program: &Program,
    name: &str,
    output: Output,
    dialect: &dyn Dialect,
    as_of: NaiveDate,
    slice: Option<super::KeyRange>,
) -> Option<Query> {
    let segment = program.segment(name)?;
    let mut w = SqlWriter::new(dialect);
    let mut generator = Generator {
        program,
        as_of,
        plan: Plan::Sets,
        slice: None,
    };
    // A range open at both ends is every customer: no test to write.
    if let Some(range) = slice.filter(|r| r.after.is_some() || r.upto.is_some()) {
        if !generator.sliceable(segment) {
            return None;
        }
        generator.slice = Some(KeySlice {
            after: range.after.map(|key| w.bind(Value::Integer(key))),
            upto: range.upto.map(|key| w.bind(Value::Integer(key))),
        });
    }
    if output == Output::Count
        && let Some(merged) = generator.merged(&segment.condition)
    {
        generator.with_clauses_of(&mut w, &merged.rest);
        generator.count_merged(&mut w, &merged);
        return Some(w.finish());
    }
    generator.with_clauses(&mut w, segment);
    generator.select(&mut w, segment, output);
    Some(w.finish())
}

/// The query listing segment `name`'s members, ordered by key: the key, then each
/// `(field, column)` of the customer table. `None` if there is no such segment.
pub fn fields_query(
    program: &Program,
    name: &str,
    fields: &[(String, String)],
    dialect: &dyn Dialect,
    as_of: NaiveDate,
) -> Option<Query> {
    let segment = program.segment(name)?;
    let mut w = SqlWriter::new(dialect);
    let generator = Generator {
        program,
        as_of,
        plan: Plan::Sets,
        slice: None,
    };
    generator.with_clauses(&mut w, segment);
    let customer = &program.customer;
    w.sql("SELECT ")
        .column(CUSTOMER, &customer.key)
        .sql(" AS ")
        .ident(KEY);
    for (field, column) in fields {
        w.sql(", ")
            .column(CUSTOMER, column)
            .sql(" AS ")
            .ident(field);
    }
    from_customers(&mut w, &customer.table);
    generator.where_clause(&mut w, segment);
    w.newline().sql("ORDER BY ").column(CUSTOMER, &customer.key);
    Some(w.finish())
}

/// Writes conditions of one program as of one date.
pub(super) struct Generator<'p> {
    pub(super) program: &'p Program,
    pub(super) as_of: NaiveDate,
    /// How aggregates over related rows are computed.
    pub(super) plan: Plan<'p>,
    /// The slice of customers counted, when a count is split by key range.
    pub(super) slice: Option<KeySlice>,
}

/// A range of customer keys, above `after` (when given) and up to `upto` inclusive (when
/// given), bound once and tested wherever the customers or a related table are read in
/// one pass. Open ends make the slices of a count cover every stored key between them.
#[derive(Clone, Copy)]
pub(super) struct KeySlice {
    after: Option<ParamId>,
    upto: Option<ParamId>,
}

/// How a query computes each customer's aggregates over related rows.
#[derive(Clone, Copy)]
pub(super) enum Plan<'p> {
    /// One segment over every customer: each aggregate test is a set of customers from one
    /// grouped pass over the related table; referenced segments are `WITH` entries.
    Sets,
    /// A batch of segments: aggregates are read from facts computed once for all of them;
    /// referenced segments are written in place.
    Facts(&'p Facts),
    /// A few customers (a sample): each aggregate is looked up per customer through the
    /// index on the customer key, so the cost follows the customers, not the table;
    /// referenced segments are written in place.
    Probes,
}

impl Generator<'_> {
    /// The batch's facts, if this is a batch.
    pub(super) fn facts(&self) -> Option<&Facts> {
        match self.plan {
            Plan::Facts(facts) => Some(facts),
            Plan::Sets | Plan::Probes => None,
        }
    }

    /// `WITH rfm AS (…), "segment:A" AS (…), … ` for what `segment` needs, then a new line;
    /// nothing if it needs nothing.
    pub(super) fn with_clauses(&self, w: &mut SqlWriter<'_>, segment: &Segment) {
        self.with_clauses_of(w, &[&segment.condition]);
    }

    /// [`Generator::with_clauses`] for what `conditions` need.
    pub(super) fn with_clauses_of(&self, w: &mut SqlWriter<'_>, conditions: &[&Condition]) {
        let dependencies = self.dependencies_of(conditions);
        let needs_rfm = conditions
            .iter()
            .copied()
            .chain(dependencies.iter().map(|s| &s.condition))
            .any(Condition::uses_rfm);
        let mut first = true;
        let mut with = |w: &mut SqlWriter<'_>, name: &str, body: &dyn Fn(&mut SqlWriter<'_>)| {
            w.sql(if first { "WITH " } else { ", " });
            first = false;
            w.ident(name).sql(" AS (");
            w.indented(|w| {
                w.newline();
                body(w);
            });
            w.newline().sql(")");
        };
        if let (true, Some(rfm)) = (needs_rfm, &self.program.rfm) {
            with(w, super::aggregate::RFM, &|w| self.rfm_scores(w, rfm));
        }
        for dependency in &dependencies {
            with(w, &cte_name(&dependency.name), &|w| {
                self.select(w, dependency, Output::Keys)
            });
        }
        if !first {
            w.newline();
        }
    }

    /// Whether a segment's members can be counted slice by slice: each customer's
    /// membership depends on that customer's rows alone, except through RFM scores, which
    /// rank everyone.
    fn sliceable(&self, segment: &Segment) -> bool {
        std::iter::once(segment)
            .chain(self.dependencies(segment))
            .all(|s| !s.condition.uses_rfm())
    }

    /// Every segment `segment` refers to, directly or not, dependencies first.
    pub(super) fn dependencies(&self, segment: &Segment) -> Vec<&Segment> {
        self.dependencies_of(&[&segment.condition])
    }

    /// Every segment `conditions` refer to, directly or not, dependencies first.
    fn dependencies_of(&self, conditions: &[&Condition]) -> Vec<&Segment> {
        let mut needed = Vec::new();
        let mut stack = Vec::new();
        for condition in conditions {
            condition.referenced_segments(&mut stack);
        }
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
        if let Output::Count = output
            && self.count_joined(w, &segment.condition)
        {
            return;
        }
        let customer = &self.program.customer;
        w.sql("SELECT ");
        match output {
            Output::Keys => {
                w.column(CUSTOMER, &customer.key).sql(" AS ").ident(KEY);
            }
            Output::Count => {
                w.sql("COUNT(*) AS ").ident("members");
            }
            Output::Members { .. } => self.member_columns(w),
            Output::Preview { .. } => {
                self.member_columns(w);
                w.sql(", COUNT(*) OVER () AS ")
                    .ident(super::PREVIEW_TOTAL);
            }
        }
        from_customers(w, &customer.table);
        self.where_clause(w, segment);
        let limit = match output {
            Output::Members { limit } => Some(limit),
            Output::Preview { limit } => Some(Some(limit)),
            Output::Keys | Output::Count => None,
        };
        if let Some(limit) = limit {
            w.newline().sql("ORDER BY ").column(CUSTOMER, &customer.key);
            if let Some(limit) = limit {
                w.newline();
                let rows = w.bind(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
                w.dialect().limit(w, rows);
            }
        }
    }

    /// `WHERE <condition>` on a new line, one top-level test per line (after the slice's
    /// test of the key, when counting a slice).
    pub(super) fn where_clause(&self, w: &mut SqlWriter<'_>, segment: &Segment) {
        w.newline().sql("WHERE ");
        if self.in_slice(w, CUSTOMER, &self.program.customer.key) {
            w.newline().sql("  AND (");
            self.condition(w, &segment.condition);
            w.sql(")");
            return;
        }
        match &segment.condition {
            Condition::And(parts) => self.lines(w, parts, "AND "),
            Condition::Or(parts) => self.lines(w, parts, "OR "),
            condition => self.condition(w, condition),
        }
    }

    /// `alias.key > after AND alias.key <= upto` (the ends the slice has) when counting a
    /// slice, and whether it wrote it.
    pub(super) fn in_slice(&self, w: &mut SqlWriter<'_>, alias: &'static str, key: &str) -> bool {
        let Some(slice) = self.slice else {
            return false;
        };
        if let Some(after) = slice.after {
            w.column(alias, key).sql(" > ").placeholder(after);
        }
        if let Some(upto) = slice.upto {
            if slice.after.is_some() {
                w.sql(" AND ");
            }
            w.column(alias, key).sql(" <= ").placeholder(upto);
        }
        slice.after.is_some() || slice.upto.is_some()
    }

    /// When counting a slice, `keyword` and the slice's test of `alias.key` ([`Self::in_slice`])
    /// on a new line, and whether it wrote them; nothing otherwise.
    pub(super) fn slice_line(
        &self,
        w: &mut SqlWriter<'_>,
        keyword: &'static str,
        alias: &'static str,
        key: &str,
    ) -> bool {
        if self.slice.is_none() {
            return false;
        }
        w.newline().sql(keyword);
        self.in_slice(w, alias, key)
    }

    /// `c.key AS customer_key, c.column AS field, …`: what a member list shows.
    pub(super) fn member_columns(&self, w: &mut SqlWriter<'_>) {
        let customer = &self.program.customer;
        w.column(CUSTOMER, &customer.key).sql(" AS ").ident(KEY);
        for (field, column) in &customer.display_columns {
            w.sql(", ")
                .column(CUSTOMER, column)
                .sql(" AS ")
                .ident(field);
        }
    }

    pub(super) fn condition(&self, w: &mut SqlWriter<'_>, condition: &Condition) {
        match condition {
            Condition::And(parts) => self.junction(w, parts, "AND "),
            Condition::Or(parts) => self.junction(w, parts, "OR "),
            Condition::Not(inner) => {
                // Unknown counts as "does not hold", so `not` is the plain complement.
                w.sql("(");
                self.condition(w, inner);
                w.sql(") IS NOT TRUE");
            }
            condition if is_rfm_test(condition) => self.rfm_set(w, &[condition]),
            Condition::Compare { operand, op, value } => self.compare(w, operand, *op, value),
            Condition::Between {
                operand,
                low,
                high,
                negated,
            } => self.between(w, operand, low, high, *negated),
            Condition::Window {
                operand,
                direction,
                amount,
                unit,
            } => {
                let (first, last) = calendar::window(self.as_of, *direction, *amount, *unit);
                let (first, last) = (
                    Bound::Value(Value::Date(first)),
                    Bound::Value(Value::Date(last)),
                );
                self.between(w, operand, &first, &last, false);
            }
            Condition::Anniversary {
                column,
                direction,
                amount,
                unit,
            } => {
                let (first, last) = calendar::window(self.as_of, *direction, *amount, *unit);
                self.month_day_ranges(w, column, &calendar::anniversary_ranges(first, last));
            }
            Condition::During {
                column,
                occasion,
                negated,
            } => {
                if *negated {
                    w.sql("NOT ");
                }
                self.month_day_ranges(
                    w,
                    column,
                    &calendar::yearly_ranges(occasion.start, occasion.end),
                );
            }
            Condition::Age { column, op, years } => self.age(w, column, *op, *years),
            Condition::In {
                column,
                values,
                negated,
                normalize,
            } => {
                if normalize.is_none() {
                    self.column(w, column);
                } else {
                    text_of(w, column, *normalize);
                }
                w.sql(if *negated { " NOT IN (" } else { " IN (" });
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        w.sql(", ");
                    }
                    w.param(value.clone());
                }
                w.sql(")");
            }
            Condition::Known { column, known } => {
                w.column(alias(column), &column.name);
                w.sql(if *known { " IS NOT NULL" } else { " IS NULL" });
            }
            Condition::Matches {
                column,
                place,
                text,
                normalize,
            } => {
                let piece = w.bind(Value::Text(text.clone()));
                let text = |w: &mut SqlWriter<'_>| text_of(w, column, *normalize);
                let dialect = w.dialect();
                match place {
                    Place::Anywhere => dialect.contains(w, &text, piece),
                    Place::Start => dialect.starts_with(w, &text, piece),
                    Place::End => dialect.ends_with(w, &text, piece),
                }
            }
            Condition::IsTrue(column) => {
                w.column(alias(column), &column.name).sql(" = TRUE");
            }
            Condition::Sequence(sequence) => self.sequence(w, sequence),
            Condition::Arithmetic { left, op, right } => self.arithmetic(w, left, *op, right),
            Condition::Bucket { seed, from, to } => {
                let seed = w.bind(Value::Text(seed.clone()));
                w.dialect()
                    .split_bucket(w, seed, CUSTOMER, &self.program.customer.key);
                w.sql(" BETWEEN ");
                w.param(Value::Integer(i64::from(*from)));
                w.sql(" AND ");
                w.param(Value::Integer(i64::from(*to) - 1));
            }
            Condition::Segment(name) if !matches!(self.plan, Plan::Sets) => {
                // A referenced segment is its condition, evaluated for the same customer.
                let segment = self.program.segment(name).expect("checker: defined");
                w.sql("(");
                self.condition(w, &segment.condition);
                w.sql(")");
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
            } => self.any_row(w, *relation, condition.as_deref(), true),
        }
    }

    fn junction(&self, w: &mut SqlWriter<'_>, parts: &[Condition], keyword: &'static str) {
        w.sql("(");
        self.lines(w, parts, keyword);
        w.sql(")");
    }

    /// `a`, then `keyword b` on the next (indented) line, and so on. Under `AND`, the RFM
    /// tests are gathered into one set of scored customers, written where the first was.
    /// A long list is written as parenthesized groups of at most [`JUNCTION_GROUP`] tests,
    /// so that the expression's depth grows with the logarithm of its length: engines
    /// parse `a OR b OR c …` as a chain as deep as it is long, and SQLite refuses one
    /// deeper than 1,000.
    fn lines(&self, w: &mut SqlWriter<'_>, parts: &[Condition], keyword: &'static str) {
        if parts.len() > JUNCTION_GROUP {
            let size = parts.len().div_ceil(JUNCTION_GROUP);
            w.indented(|w| {
                for (i, group) in parts.chunks(size).enumerate() {
                    if i > 0 {
                        w.newline().sql(keyword);
                    }
                    self.junction(w, group, keyword);
                }
            });
            return;
        }
        let rfm_tests: Vec<&Condition> = if keyword == "AND " {
            parts.iter().filter(|p| is_rfm_test(p)).collect()
        } else {
            Vec::new()
        };
        w.indented(|w| {
            let mut written = 0;
            for part in parts {
                let gathered = rfm_tests.len() > 1 && is_rfm_test(part);
                if gathered && !std::ptr::eq(part, rfm_tests[0]) {
                    continue;
                }
                if written > 0 {
                    w.newline().sql(keyword);
                }
                written += 1;
                if gathered {
                    self.rfm_set(w, &rfm_tests);
                } else {
                    self.condition(w, part);
                }
            }
        });
    }

    /// `SELECT … FROM related AS r WHERE r.customer_key = c.key [AND filter]`, on new lines.
    pub(super) fn related_rows(
        &self,
        w: &mut SqlWriter<'_>,
        relation: usize,
        filter: Option<&Condition>,
        select: impl FnOnce(&mut SqlWriter<'_>),
    ) {
        let related = &self.program.related[relation];
        w.newline();
        select(w);
        w.sql(" ");
        from_related(w, related);
        w.newline()
            .sql("WHERE ")
            .column(RELATED, &related.customer_key)
            .sql(" = ");
        w.column(CUSTOMER, &self.program.customer.key);
        if let Some(filter) = filter {
            w.indented(|w| {
                w.newline().sql("AND ");
                self.condition(w, filter);
            });
        }
    }

    fn compare(&self, w: &mut SqlWriter<'_>, operand: &Operand, op: CompareOp, value: &Bound) {
        match operand {
            Operand::Aggregate(aggregate) => self.compare_aggregate(w, aggregate, op, value),
            // Reached only through `condition`, which answers RFM tests from the scored set.
            Operand::Rfm(score) => {
                self.rfm_score(w, *score);
                w.sql(compare_op(op));
                w.param(self.value(value));
            }
            Operand::Column(column) => {
                let raw = |w: &mut SqlWriter<'_>| {
                    w.column(alias(column), &column.name);
                };
                compare_expression(w, &raw, column.ty, op, self.value(value));
            }
        }
    }

    fn between(
        &self,
        w: &mut SqlWriter<'_>,
        operand: &Operand,
        low: &Bound,
        high: &Bound,
        negated: bool,
    ) {
        if let Operand::Aggregate(aggregate) = operand {
            return self.between_aggregate(w, aggregate, low, high, negated);
        }
        if let Operand::Column(column) = operand {
            let raw = |w: &mut SqlWriter<'_>| {
                w.column(alias(column), &column.name);
            };
            return between_expression(
                w,
                &raw,
                column.ty,
                self.value(low),
                self.value(high),
                negated,
            );
        }
        self.operand(w, operand);
        between_values(w, self.value(low), self.value(high), negated);
    }

    /// A value as bound: relative dates resolved against the as-of date.
    pub(super) fn value(&self, bound: &Bound) -> Value {
        match bound {
            Bound::Value(value) => value.clone(),
            Bound::Ago { amount, unit } => {
                Value::Date(calendar::shift(self.as_of, -i64::from(*amount), *unit))
            }
        }
    }

    /// A non-aggregate operand as compared with a value.
    fn operand(&self, w: &mut SqlWriter<'_>, operand: &Operand) {
        match operand {
            Operand::Column(column) => self.column(w, column),
            Operand::Rfm(score) => self.rfm_score(w, *score),
            Operand::Aggregate(aggregate) => self.aggregate_scalar(w, aggregate),
        }
    }

    /// A column as compared with a value: timestamps compare by their date.
    pub(super) fn column(&self, w: &mut SqlWriter<'_>, column: &Column) {
        if column.ty == Type::Timestamp {
            w.dialect().date_of_timestamp(w, &|w| {
                w.column(alias(column), &column.name);
            });
        } else {
            w.column(alias(column), &column.name);
        }
    }

    /// `(md BETWEEN a AND b OR md BETWEEN c AND d)` for the column's month and day.
    fn month_day_ranges(&self, w: &mut SqlWriter<'_>, column: &Column, ranges: &[(u32, u32)]) {
        if ranges.is_empty() {
            // No day at all: nobody's date falls in it.
            w.sql("(1 = 0)");
            return;
        }
        w.sql("(");
        for (i, (from, to)) in ranges.iter().enumerate() {
            if i > 0 {
                w.sql(" OR ");
            }
            w.dialect()
                .month_day_between(w, alias(column), &column.name, *from, *to);
        }
        w.sql(")");
    }

    /// Age in whole years as a test of the birth date against dates computed from the as-of date.
    fn age(&self, w: &mut SqlWriter<'_>, column: &Column, op: CompareOp, years: i64) {
        // Born on or before `born_by(n)` ⇔ at least n years old.
        let at_least = |n: i64| Value::Date(calendar::born_by(self.as_of, n));
        let test = |w: &mut SqlWriter<'_>, sql_op: &'static str, value: Value| {
            self.column(w, column);
            w.sql(sql_op);
            w.param(value);
        };
        match op {
            CompareOp::Ge => test(w, " <= ", at_least(years)),
            CompareOp::Gt => test(w, " <= ", at_least(years + 1)),
            CompareOp::Lt => test(w, " > ", at_least(years)),
            CompareOp::Le => test(w, " > ", at_least(years + 1)),
            CompareOp::Eq | CompareOp::Ne => {
                let (inside, outside, joiner) = if op == CompareOp::Eq {
                    (" <= ", " > ", " AND ")
                } else {
                    (" > ", " <= ", " OR ")
                };
                w.sql("(");
                test(w, inside, at_least(years));
                w.sql(joiner);
                test(w, outside, at_least(years + 1));
                w.sql(")");
            }
        }
    }
}

/// `expression op value`. A timestamp compared with a date compares the stored ISO-8601 text
/// with the day's bounds (`date(t) <= d` is `t < d + 1 day`), the same test as comparing
/// its date, without a function call per row and with indexes usable.
pub(super) fn compare_expression(
    w: &mut SqlWriter<'_>,
    expression: &dyn Fn(&mut SqlWriter<'_>),
    ty: Type,
    op: CompareOp,
    value: Value,
) {
    let (Type::Timestamp, Value::Date(day)) = (ty, &value) else {
        expression(w);
        w.sql(compare_op(op));
        w.param(value);
        return;
    };
    let next = Value::Date(day.succ_opt().unwrap_or(*day));
    let day = Value::Date(*day);
    let test = |w: &mut SqlWriter<'_>, sql_op: &'static str, bound: Value| {
        expression(w);
        w.sql(sql_op);
        w.param(bound);
    };
    match op {
        CompareOp::Lt => test(w, " < ", day),
        CompareOp::Ge => test(w, " >= ", day),
        CompareOp::Le => test(w, " < ", next),
        CompareOp::Gt => test(w, " >= ", next),
        CompareOp::Eq | CompareOp::Ne => {
            let (first, joiner, second) = if op == CompareOp::Eq {
                (" >= ", " AND ", " < ")
            } else {
                (" < ", " OR ", " >= ")
            };
            w.sql("(");
            test(w, first, day);
            w.sql(joiner);
            test(w, second, next);
            w.sql(")");
        }
    }
}

/// `expression [NOT] BETWEEN low AND high`, with timestamps against dates as in
/// [`compare_expression`].
pub(super) fn between_expression(
    w: &mut SqlWriter<'_>,
    expression: &dyn Fn(&mut SqlWriter<'_>),
    ty: Type,
    low: Value,
    high: Value,
    negated: bool,
) {
    let (Type::Timestamp, Value::Date(_), Value::Date(_)) = (ty, &low, &high) else {
        expression(w);
        return between_values(w, low, high, negated);
    };
    let (low_op, high_op, joiner) = if negated {
        (CompareOp::Lt, CompareOp::Gt, " OR ")
    } else {
        (CompareOp::Ge, CompareOp::Le, " AND ")
    };
    w.sql("(");
    compare_expression(w, expression, ty, low_op, low);
    w.sql(joiner);
    compare_expression(w, expression, ty, high_op, high);
    w.sql(")");
}

/// ` [NOT] BETWEEN ?low AND ?high`.
pub(super) fn between_values(w: &mut SqlWriter<'_>, low: Value, high: Value, negated: bool) {
    w.sql(if negated {
        " NOT BETWEEN "
    } else {
        " BETWEEN "
    });
    w.param(low);
    w.sql(" AND ");
    w.param(high);
}

/// Writes `FROM <table> AS r`: every read of a related table goes through the one alias
/// that `RELATED` columns refer to.
/// `FROM "<table>" AS c` on a new line: the customers (or a table of one row per
/// customer) under the customer alias.
pub(super) fn from_customers(w: &mut SqlWriter<'_>, table: &str) {
    w.newline().sql("FROM ").ident(table).sql(" AS ").sql(CUSTOMER);
}

/// On a new line, `SELECT [DISTINCT] r.ck [AS customer_key] FROM related AS r`: the
/// customers of a set of related rows. `named` calls the key `customer_key`, for a set
/// joined to the customers.
pub(super) fn select_customer_keys(
    w: &mut SqlWriter<'_>,
    related: &RelatedTable,
    distinct: bool,
    named: bool,
) {
    w.newline()
        .sql(if distinct {
            "SELECT DISTINCT "
        } else {
            "SELECT "
        })
        .column(RELATED, &related.customer_key);
    if named {
        w.sql(" AS ").ident(KEY);
    }
    w.sql(" ");
    from_related(w, related);
}

pub(super) fn from_related(w: &mut SqlWriter<'_>, related: &RelatedTable) {
    w.sql("FROM ")
        .ident(&related.table)
        .sql(" AS ")
        .sql(RELATED);
}

/// Whether the condition tests an RFM score against values (the scores' own set answers it).
fn is_rfm_test(condition: &Condition) -> bool {
    matches!(
        condition,
        Condition::Compare {
            operand: Operand::Rfm(_),
            ..
        } | Condition::Between {
            operand: Operand::Rfm(_),
            ..
        }
    )
}

/// A text column as a test that ignores `normalize` reads it: folded first (where an
/// engine may write the column several times), then its spaces collapsed (the two commute).
fn text_of(w: &mut SqlWriter<'_>, column: &Column, normalize: Normalize) {
    let dialect = w.dialect();
    let stored = |w: &mut SqlWriter<'_>| {
        w.column(alias(column), &column.name);
    };
    let folded = |w: &mut SqlWriter<'_>| {
        if normalize.case {
            dialect.fold_case(w, &stored);
        } else {
            stored(w);
        }
    };
    if normalize.spaces {
        dialect.collapse_spaces(w, &folded);
    } else {
        folded(w);
    }
}

pub(super) fn alias(column: &Column) -> &'static str {
    match column.table {
        TableRef::Customer => CUSTOMER,
        TableRef::Related(_) => RELATED,
    }
}

pub(super) fn compare_op(op: CompareOp) -> &'static str {
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
