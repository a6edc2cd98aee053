//! Index advice: which indexes a program's queries need. Every query over a related table
//! looks up one customer's rows, so each related table wants an index that starts with its
//! customer key; when the index also holds every other column the segments read there
//! (the time first), SQLite answers from the index alone ("covering").

use std::collections::{BTreeMap, BTreeSet};

use super::Query;
use super::dialect::Dialect;
use super::writer::SqlWriter;
use crate::check::ir::AggregateFn;
use crate::check::ir::{Aggregate, Column, Condition, Operand, Program, TableRef};

/// An index one related table should have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexAdvice {
    /// The table.
    pub table: String,
    /// Its columns: the customer key, then the time, then the other columns segments read.
    pub columns: Vec<String>,
}

impl IndexAdvice {
    /// The name seglang gives the index.
    pub fn name(&self) -> String {
        format!("seg_{}_{}", self.table, self.columns.join("_"))
    }

    /// `CREATE INDEX IF NOT EXISTS … ON … (…)`.
    pub fn create(&self, dialect: &dyn Dialect) -> Query {
        let mut w = SqlWriter::new(dialect);
        w.sql("CREATE INDEX IF NOT EXISTS ")
            .ident(&self.name())
            .sql(" ON ")
            .ident(&self.table)
            .sql(" (");
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                w.sql(", ");
            }
            w.ident(column);
        }
        w.sql(")");
        w.finish()
    }
}

/// The indexes the program's segments need, one per related table they read.
pub fn advice(program: &Program) -> Vec<IndexAdvice> {
    let mut usage = Usage {
        program,
        used: BTreeMap::new(),
    };
    for segment in &program.segments {
        usage.condition(&segment.condition);
        if segment.condition.uses_rfm()
            && let Some(rfm) = &program.rfm
        {
            usage.add(rfm.relation, &rfm.date.name);
            usage.add(rfm.relation, &rfm.amount.name);
        }
    }
    usage
        .used
        .into_iter()
        .map(|(relation, mut columns)| {
            let related = &program.related[relation];
            columns.remove(&related.customer_key);
            let mut ordered = vec![related.customer_key.clone()];
            if let Some(time) = &related.time
                && columns.remove(time)
            {
                ordered.push(time.clone());
            }
            ordered.extend(columns);
            IndexAdvice {
                table: related.table.clone(),
                columns: ordered,
            }
        })
        .collect()
}

/// The related columns segments read, by relation.
struct Usage<'p> {
    program: &'p Program,
    used: BTreeMap<usize, BTreeSet<String>>,
}

impl Usage<'_> {
    fn add(&mut self, relation: usize, column: &str) {
        self.used
            .entry(relation)
            .or_default()
            .insert(column.to_string());
    }

    fn column(&mut self, column: &Column) {
        if let TableRef::Related(relation) = column.table {
            self.add(relation, &column.name);
        }
    }

    fn condition(&mut self, condition: &Condition) {
        match condition {
            Condition::And(parts) | Condition::Or(parts) => {
                parts.iter().for_each(|p| self.condition(p))
            }
            Condition::Not(inner) => self.condition(inner),
            Condition::Exists {
                relation,
                condition,
            } => {
                self.used.entry(*relation).or_default();
                if let Some(c) = condition {
                    self.condition(c);
                }
            }
            Condition::Compare { operand, .. }
            | Condition::Between { operand, .. }
            | Condition::Window { operand, .. } => match operand {
                Operand::Column(c) => self.column(c),
                Operand::Aggregate(a) => self.aggregate(a),
                Operand::Rfm(_) => {}
            },
            Condition::In { column, .. }
            | Condition::Known { column, .. }
            | Condition::Matches { column, .. }
            | Condition::IsTrue(column)
            | Condition::Anniversary { column, .. }
            | Condition::During { column, .. }
            | Condition::Age { column, .. } => self.column(column),
            Condition::Arithmetic { .. } => {
                for operand in condition.calculation_operands() {
                    match operand {
                        Operand::Column(c) => self.column(c),
                        Operand::Aggregate(a) => self.aggregate(a),
                        Operand::Rfm(_) => {}
                    }
                }
            }
            Condition::Sequence(sequence) => {
                let steps = [Some(&sequence.first), Some(&sequence.then)];
                for step in steps.into_iter().chain([sequence.unless.as_ref()]).flatten() {
                    self.column(&step.time);
                    if let Some(c) = &step.condition {
                        self.condition(c);
                    }
                }
            }
            Condition::Segment(_) | Condition::Bucket { .. } => {}
        }
    }

    fn aggregate(&mut self, aggregate: &Aggregate) {
        self.used.entry(aggregate.relation).or_default();
        if let Some(column) = &aggregate.column {
            self.column(column);
        }
        if let AggregateFn::First | AggregateFn::Last = aggregate.function {
            let related = &self.program.related[aggregate.relation];
            for ordering in [&related.time, &related.key].into_iter().flatten() {
                self.add(aggregate.relation, ordering);
            }
        }
        if let Some(filter) = &aggregate.filter {
            self.condition(filter);
        }
    }
}
