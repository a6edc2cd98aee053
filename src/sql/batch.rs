//! Many segments in one query: every per-customer aggregate the segments need is computed
//! once, in one grouped pass over each related table (the "facts"), and every segment's
//! count is a column of one row.
//!
//! A segment's condition is written as for a single segment, except that an aggregate
//! found among the facts is read from its column, a referenced segment's condition is
//! written in place (so its aggregates are shared too), and the RFM scores are ranked from
//! the facts. Anything else (`first`/`last` of a value that needs the rows in order) keeps
//! its single-segment form, which reads the customer row the same way.

use chrono::NaiveDate;

use super::Query;
use super::aggregate::{RFM, sum_in_units, units};
use super::dialect::{self, Dialect};
use super::generate::{CUSTOMER, Generator, KEY, Plan, RELATED, from_customers, from_related};
use super::writer::SqlWriter;
use crate::check::ir::AggregateFn;
use crate::check::ir::{Aggregate, Column, Condition, Operand, Program};
use crate::schema::Type;

/// The per-customer aggregates of one batch, by related table.
#[derive(Clone)]
pub(super) struct Facts {
    /// For each related table (by index), the aggregates computed over its rows.
    by_relation: Vec<Vec<Aggregate>>,
    /// Whether RFM scores are ranked from them.
    ranked: bool,
    /// Whether they are read from columns kept beside each customer's own (a REPL
    /// session's facts, `sql/cache.rs`) rather than from the `WITH` entries joined in.
    kept: bool,
}

impl Facts {
    /// No facts yet, for the related tables of `program`.
    fn none(program: &Program) -> Facts {
        Facts {
            by_relation: vec![Vec::new(); program.related.len()],
            ranked: false,
            kept: false,
        }
    }

    /// The facts segment `name` reads (and the segments it refers to).
    pub(super) fn of_segment(program: &Program, name: &str) -> Facts {
        let mut facts = Facts::none(program);
        facts.gather(program, name);
        facts
    }

    /// Whether there are none.
    pub(super) fn is_empty(&self) -> bool {
        self.by_relation.iter().all(Vec::is_empty)
    }

    /// Whether RFM scores are ranked from them.
    pub(super) fn ranks(&self) -> bool {
        self.ranked
    }

    /// Whether these include every fact of `other`.
    pub(super) fn covers(&self, other: &Facts) -> bool {
        (self.ranked || !other.ranked)
            && other
                .by_relation
                .iter()
                .zip(&self.by_relation)
                .all(|(wanted, have)| wanted.iter().all(|a| have.contains(a)))
    }

    /// These facts followed by those of `other` they lack (the columns of these keep
    /// their names).
    pub(super) fn merged(&self, other: &Facts) -> Facts {
        let mut merged = self.clone();
        for aggregate in other.by_relation.iter().flatten() {
            merged.add(aggregate.clone());
        }
        merged.ranked |= other.ranked;
        merged
    }

    /// Each fact's related table (by index) and column name (`a<i>`).
    pub(super) fn columns(&self) -> impl Iterator<Item = (usize, String)> + '_ {
        self.by_relation
            .iter()
            .enumerate()
            .flat_map(|(relation, facts)| (0..facts.len()).map(move |i| (relation, format!("a{i}"))))
    }

    /// The same facts, read from the columns kept beside each customer's own.
    pub(super) fn kept(&self) -> Facts {
        Facts {
            kept: true,
            ..self.clone()
        }
    }

    /// The name of the kept column for fact `column` of facts table `table`.
    pub(super) fn kept_column(table: &str, column: &str) -> String {
        format!("{table}.{column}")
    }

    /// Adds the facts segment `name` reads (and the segments it refers to), and the totals
    /// RFM scores are ranked by if it uses them.
    fn gather(&mut self, program: &Program, name: &str) {
        if let Some(segment) = program.segment(name) {
            collect(program, &segment.condition, self);
        }
        if let (true, Some(rfm)) = (self.ranked, &program.rfm) {
            for aggregate in rfm_facts(rfm) {
                self.add(aggregate);
            }
        }
    }

    /// The `WITH` name (and alias) of a related table's facts.
    pub(super) fn table(&self, relation: usize, program: &Program) -> String {
        format!("facts:{}", program.related[relation].name)
    }

    /// The column name of a fact, if the batch computes it.
    pub(super) fn column(&self, aggregate: &Aggregate) -> Option<String> {
        let aggregate = canonical(aggregate);
        self.by_relation[aggregate.relation]
            .iter()
            .position(|a| *a == aggregate)
            .map(|i| format!("a{i}"))
    }

    fn add(&mut self, aggregate: Aggregate) {
        let aggregate = canonical(&aggregate);
        let facts = &mut self.by_relation[aggregate.relation];
        if !facts.contains(&aggregate) {
            facts.push(aggregate);
        }
    }
}

/// One query whose single row holds, for each named segment in order, its number of
/// members, in a column named after it. `None` if a name is not a segment.
pub fn counts_query(
    program: &Program,
    names: &[&str],
    dialect: &dyn Dialect,
    as_of: NaiveDate,
) -> Option<Query> {
    let segments = names
        .iter()
        .map(|name| program.segment(name))
        .collect::<Option<Vec<_>>>()?;
    let mut facts = Facts::none(program);
    for name in names {
        facts.gather(program, name);
    }
    let rfm = program.rfm.as_ref().filter(|_| facts.ranked);
    let generator = Generator {
        program,
        as_of,
        plan: Plan::Facts(&facts),
        slice: None,
    };
    let mut w = SqlWriter::new(dialect);
    let mut first = !generator.facts_entries(&mut w);
    if let Some(rfm) = rfm {
        w.sql(if first { "WITH " } else { ", " });
        first = false;
        w.ident(RFM).sql(" AS (");
        w.indented(|w| {
            w.newline();
            generator.rfm_scores(w, rfm);
        });
        w.newline().sql(")");
    }
    if !first {
        w.newline();
    }
    w.sql("SELECT");
    w.indented(|w| {
        for (i, segment) in segments.iter().enumerate() {
            w.sql(if i == 0 { "" } else { "," });
            w.newline().sql("COUNT(CASE WHEN ");
            generator.condition(w, &segment.condition);
            w.sql(" THEN 1 END) AS ").ident(&segment.name);
        }
    });
    let customer = &program.customer;
    from_customers(&mut w, &customer.table);
    generator.facts_joins(&mut w);
    Some(w.finish())
}

/// Estimated work, in tenths of a second on the benchmark (1M customers, 9.8M orders):
/// reading a related table in one grouped pass, one more fact per row, the RFM ranking,
/// one segment's test per customer.
const PASS: u64 = 10;
const FACT: u64 = 3;
const RANKING: u64 = 23;
const TEST: u64 = 1;

/// The estimated work of one batch of `segments` segments reading `facts`.
fn work(facts: &Facts, segments: usize) -> u64 {
    let mut total = TEST * segments as u64;
    for facts in &facts.by_relation {
        if !facts.is_empty() {
            total += PASS + FACT * facts.len() as u64;
        }
    }
    total + if facts.ranked { RANKING } else { 0 }
}

/// The cost model's estimate for counting `names` in one query, in tenths of a second on
/// the benchmark's data (so that `benches/cli.rs` can set it beside the measured time).
pub fn batch_cost(program: &Program, names: &[&str]) -> u64 {
    let mut facts = Facts::none(program);
    for name in names {
        facts.gather(program, name);
    }
    work(&facts, names.len())
}

/// Splits segments into at most `workers` batches that can run side by side on their own
/// connections, so that the slowest batch, which the user waits for, is as quick as the
/// model can make it. Segments are placed costliest first, each in the batch that keeps
/// the slowest batch quickest, counting a tenth of the work it adds (a segment sharing
/// facts with a batch adds only its new ones; work beside the slowest batch slows it a
/// little). So segments sharing costly facts (the RFM ranking) stay together, and a batch
/// of equal costs is split rather than run as one: four segments each reading its own
/// aggregate of the orders run 2 + 2 side by side.
pub fn split_batches<'n>(
    program: &Program,
    names: &[&'n str],
    workers: usize,
) -> Vec<Vec<&'n str>> {
    struct Batch<'n> {
        names: Vec<&'n str>,
        facts: Facts,
    }
    let cost = |batch: &Batch<'_>| work(&batch.facts, batch.names.len());
    let with = |batch: &Batch<'n>, name: &'n str| {
        let mut facts = batch.facts.clone();
        facts.gather(program, name);
        let mut names = batch.names.clone();
        names.push(name);
        Batch { names, facts }
    };
    let empty = || Batch {
        names: Vec::new(),
        facts: Facts::none(program),
    };
    let mut order: Vec<(u64, &'n str)> = names
        .iter()
        .map(|name| (batch_cost(program, &[name]), *name))
        .collect();
    order.sort_by_key(|(cost, _)| std::cmp::Reverse(*cost));
    let mut batches: Vec<Batch<'n>> = (0..workers.max(1)).map(|_| empty()).collect();
    for (_, name) in order {
        let costs: Vec<u64> = batches.iter().map(cost).collect();
        let mut grown: Vec<Batch<'n>> = batches.iter().map(|b| with(b, name)).collect();
        let best = (0..batches.len())
            .min_by_key(|&i| {
                let total = cost(&grown[i]);
                let slowest = costs
                    .iter()
                    .enumerate()
                    .map(|(j, &c)| if j == i { total } else { c })
                    .max()
                    .unwrap_or(total);
                // Work added beside the slowest batch still slows it a little (the
                // cores share memory and cache): a tenth of it, as measured.
                (slowest * 10 + (total - costs[i]), total)
            })
            .unwrap_or(0);
        batches[best] = grown.swap_remove(best);
    }
    batches
        .into_iter()
        .filter(|b| !b.names.is_empty())
        .map(|b| {
            let mut placed = b.names;
            placed.sort_by_key(|n| names.iter().position(|m| m == n));
            placed
        })
        .collect()
}

impl Generator<'_> {
    /// `SELECT r.ck AS customer_key, <fact> AS a0, … FROM related AS r GROUP BY r.ck`.
    fn facts_select(&self, w: &mut SqlWriter<'_>, relation: usize, aggregates: &[Aggregate]) {
        let related = &self.program.related[relation];
        w.newline()
            .sql("SELECT ")
            .column(RELATED, &related.customer_key)
            .sql(" AS ")
            .ident(KEY);
        for (i, aggregate) in aggregates.iter().enumerate() {
            w.sql(",");
            w.indented(|w| {
                w.newline();
                self.fact_expression(w, aggregate);
                w.sql(" AS ").ident(&format!("a{i}"));
            });
        }
        w.newline();
        from_related(w, related);
        w.newline()
            .sql("GROUP BY ")
            .column(RELATED, &related.customer_key);
    }

    /// One fact over a customer's rows, restricted to the aggregate's filter.
    fn fact_expression(&self, w: &mut SqlWriter<'_>, aggregate: &Aggregate) {
        let filter = |w: &mut SqlWriter<'_>| {
            if let Some(filter) = &aggregate.filter {
                self.condition(w, filter);
            }
        };
        let filter: Option<&dyn Fn(&mut SqlWriter<'_>)> =
            aggregate.filter.as_ref().map(|_| &filter as _);
        let column = aggregate.column.as_ref();
        let call =
            |w: &mut SqlWriter<'_>, open: &'static str, value: &dyn Fn(&mut SqlWriter<'_>)| {
                dialect::aggregate(w, open, Some(value), filter);
            };
        let raw = |w: &mut SqlWriter<'_>| {
            if let Some(column) = column {
                w.column(RELATED, &column.name);
            }
        };
        let in_units = |w: &mut SqlWriter<'_>| {
            if let Some(column) = column {
                units(w, column);
            }
        };
        match (aggregate.function, column) {
            (AggregateFn::Count, None) => dialect::aggregate(w, "COUNT(", None, filter),
            (AggregateFn::Count, Some(_)) if aggregate.distinct => call(w, "COUNT(DISTINCT ", &raw),
            (AggregateFn::Count, Some(_)) => call(w, "COUNT(", &raw),
            (AggregateFn::Sum, Some(column)) => sum_in_units(w, column, filter),
            (AggregateFn::Min, Some(_)) => call(w, "MIN(", &in_units),
            (AggregateFn::Max, Some(_)) => call(w, "MAX(", &in_units),
            (AggregateFn::First, Some(column)) => self.earliest_time(w, aggregate, column, filter),
            _ => unreachable!("batch: only facts are collected"),
        }
    }

    /// Whether this is a batch that computes the aggregate among its facts.
    pub(super) fn has_facts(&self, aggregate: &Aggregate) -> bool {
        let time = self.program.related[aggregate.relation].time.as_deref();
        let needed = facts_of(aggregate, time);
        self.facts().is_some_and(|facts| {
            !needed.is_empty() && needed.iter().all(|f| facts.column(f).is_some())
        })
    }

    /// `"facts:<table>"."a<i>"`: a fact as computed (unknown for customers without rows);
    /// kept facts are the customer's own column `c."facts:<table>.a<i>"`.
    pub(super) fn fact_column(&self, w: &mut SqlWriter<'_>, fact: &Aggregate) {
        let facts = self.facts().expect("batch: facts");
        let column = facts.column(fact).expect("batch: the fact was collected");
        if facts.kept {
            let table = facts.table(fact.relation, self.program);
            w.column(CUSTOMER, &Facts::kept_column(&table, &column));
            return;
        }
        self.facts_table(w, fact.relation);
        w.sql(".").ident(&column);
    }

    /// `WITH "facts:<table>" AS (…), …` for each related table with facts (the caller
    /// goes on with `, …` or a new line); whether anything was written.
    pub(super) fn facts_entries(&self, w: &mut SqlWriter<'_>) -> bool {
        let facts = self.facts().expect("batch: facts");
        let mut first = true;
        for (relation, aggregates) in facts.by_relation.iter().enumerate() {
            if aggregates.is_empty() {
                continue;
            }
            w.sql(if first { "WITH " } else { ", " });
            first = false;
            w.ident(&facts.table(relation, self.program)).sql(" AS (");
            w.indented(|w| self.facts_select(w, relation, aggregates));
            w.newline().sql(")");
        }
        !first
    }

    /// `LEFT JOIN "facts:<table>" … ON … = c.key` for each related table with facts.
    pub(super) fn facts_joins(&self, w: &mut SqlWriter<'_>) {
        let facts = self.facts().expect("batch: facts");
        let customer = &self.program.customer;
        for (relation, aggregates) in facts.by_relation.iter().enumerate() {
            if aggregates.is_empty() {
                continue;
            }
            let table = facts.table(relation, self.program);
            w.newline().sql("LEFT JOIN ").ident(&table).sql(" AS ");
            w.ident(&table)
                .sql(" ON ")
                .ident(&table)
                .sql(".")
                .ident(KEY);
            w.sql(" = ").column(CUSTOMER, &customer.key);
        }
    }

    /// `"facts:<table>"`, the name of a related table's facts.
    pub(super) fn facts_table(&self, w: &mut SqlWriter<'_>, relation: usize) {
        let facts = self.facts().expect("batch: facts");
        w.ident(&facts.table(relation, self.program));
    }

    /// A fact as a value: a count or sum of no rows is 0 (also for customers with no rows
    /// at all, whom the `LEFT JOIN` gives no facts).
    pub(super) fn fact_value(&self, w: &mut SqlWriter<'_>, fact: &Aggregate) {
        if matches!(fact.function, AggregateFn::Count | AggregateFn::Sum) {
            w.sql("COALESCE(");
            self.fact_column(w, fact);
            w.sql(", 0)");
        } else {
            self.fact_column(w, fact);
        }
    }
}

/// The sum and the count an average is compared through.
pub(super) fn average_parts(average: &Aggregate) -> [Aggregate; 2] {
    [
        Aggregate {
            function: AggregateFn::Sum,
            ..average.clone()
        },
        Aggregate {
            function: AggregateFn::Count,
            ty: Type::Integer,
            ..average.clone()
        },
    ]
}

/// The facts an aggregate test reads: itself, or for an average its sum and count.
pub(super) fn facts_of(aggregate: &Aggregate, time: Option<&str>) -> Vec<Aggregate> {
    match aggregate.function {
        AggregateFn::Avg => average_parts(aggregate).to_vec(),
        AggregateFn::First | AggregateFn::Last
            if aggregate.column.as_ref().map(|c| c.name.as_str()) != time =>
        {
            Vec::new()
        }
        _ => vec![aggregate.clone()],
    }
}

/// One form for facts that are the same: the latest time (only the time column reaches
/// here as `last`) is its maximum.
fn canonical(aggregate: &Aggregate) -> Aggregate {
    let mut aggregate = aggregate.clone();
    if aggregate.function == AggregateFn::Last {
        aggregate.function = AggregateFn::Max;
    }
    aggregate
}

/// The count of rows matching `filter`, as the fact that answers "has such a row".
pub(super) fn row_count(relation: usize, filter: Option<&Condition>) -> Aggregate {
    Aggregate {
        function: AggregateFn::Count,
        relation,
        column: None,
        distinct: false,
        filter: filter.cloned(),
        ty: Type::Integer,
    }
}

/// The three facts RFM scores are ranked by: latest date, purchases, amount spent.
pub(super) fn rfm_facts(rfm: &crate::check::ir::Rfm) -> [Aggregate; 3] {
    let window = super::aggregate::rfm_window(rfm);
    let over = |function, column: Option<&Column>, filter: Option<Condition>, ty| Aggregate {
        function,
        relation: rfm.relation,
        column: column.cloned(),
        distinct: false,
        filter,
        ty,
    };
    [
        over(AggregateFn::Max, Some(&rfm.date), None, rfm.date.ty),
        over(AggregateFn::Count, None, window.clone(), Type::Integer),
        over(AggregateFn::Sum, Some(&rfm.amount), window, rfm.amount.ty),
    ]
}

/// Walks a condition (and the segments it refers to) for the facts it reads.
fn collect(program: &Program, condition: &Condition, facts: &mut Facts) {
    match condition {
        Condition::Compare { operand, .. }
        | Condition::Between { operand, .. }
        | Condition::Window { operand, .. } => match operand {
            Operand::Aggregate(aggregate) => {
                let time = program.related[aggregate.relation].time.as_deref();
                for fact in facts_of(aggregate, time) {
                    facts.add(fact);
                }
            }
            Operand::Rfm(_) => facts.ranked = true,
            Operand::Column(_) => {}
        },
        Condition::Exists {
            relation,
            condition,
        } => facts.add(row_count(*relation, condition.as_deref())),
        Condition::Arithmetic { .. } => {
            for operand in condition.calculation_operands() {
                match operand {
                    Operand::Aggregate(aggregate) => {
                        let time = program.related[aggregate.relation].time.as_deref();
                        // The calculation reads the aggregate's value: itself as a fact,
                        // or an average's sum and count.
                        let needed = match aggregate.function {
                            AggregateFn::Avg => average_parts(aggregate).to_vec(),
                            _ => facts_of(aggregate, time),
                        };
                        for fact in needed {
                            facts.add(fact);
                        }
                    }
                    Operand::Rfm(_) => facts.ranked = true,
                    Operand::Column(_) => {}
                }
            }
        }
        Condition::And(parts) | Condition::Or(parts) => {
            for part in parts {
                collect(program, part, facts);
            }
        }
        Condition::Not(inner) => collect(program, inner, facts),
        Condition::Segment(name) => {
            if let Some(segment) = program.segment(name) {
                collect(program, &segment.condition, facts);
            }
        }
        _ => {}
    }
}
