//! The reference evaluator: decides membership straight from the checked IR over in-memory
//! rows, following docs/semantics.md, with no SQL. It exists to be compared with the
//! engines (tests/differential.rs): any difference is a bug in one of them. It is written
//! for clarity, not speed, and computes ages and anniversaries its own way rather than with
//! the SQL generator's date bounds.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use crate::calendar;
use crate::check::ir::{
    Aggregate, ArithOp, Bound, Column, Condition, Direction, Expr, Operand, Place, Program,
    RfmMethod, RfmScore, RfmScoring, Sequence, Step, TableRef,
};
use crate::split;
use crate::syntax::ast::{AggregateFn, CompareOp};
use crate::value::{Decimal, Value};

/// A stored value.
#[derive(Clone, Debug, PartialEq)]
pub enum Datum {
    /// Text.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// An exact decimal (money included).
    Decimal(Decimal),
    /// A date.
    Date(NaiveDate),
    /// A date and time.
    Timestamp(NaiveDateTime),
    /// True or false.
    Bool(bool),
}

/// A row: column name to value; a missing column is unknown.
pub type Row = HashMap<String, Datum>;

/// The customer rows and, for each related table of the program (same order), its rows.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// Customer rows.
    pub customers: Vec<Row>,
    /// Related rows, indexed like [`Program::related`].
    pub related: Vec<Vec<Row>>,
}

/// The keys of the members of segment `name`, sorted.
pub fn members(program: &Program, name: &str, data: &Dataset, as_of: NaiveDate) -> BTreeSet<Key> {
    let evaluator = Evaluator {
        program,
        data,
        as_of,
        rfm: rfm_scores(program, data, as_of),
    };
    let Some(segment) = program.segment(name) else {
        return BTreeSet::new();
    };
    data.customers
        .iter()
        .filter(|c| evaluator.holds(&segment.condition, c, None))
        .filter_map(|c| c.get(&program.customer.key).map(key_of))
        .collect()
}

/// A comparable form of a value: numbers as exact fractions, timestamps as their date.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// A number `numerator / denominator` (denominator > 0).
    Number(Fraction),
    /// A date.
    Date(NaiveDate),
    /// Text, compared byte by byte.
    Text(String),
    /// A boolean.
    Bool(bool),
}

/// An exact fraction, ordered by value.
#[derive(Clone, Copy, Debug)]
pub struct Fraction {
    numerator: i128,
    denominator: i128,
}

impl PartialEq for Fraction {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Fraction {}
impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Fraction {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.numerator * other.denominator).cmp(&(other.numerator * self.denominator))
    }
}

fn decimal(d: Decimal) -> Fraction {
    Fraction {
        numerator: d.units,
        denominator: 10i128.pow(d.scale),
    }
}

/// The comparable form of a stored value (as members are reported).
pub fn key_of(datum: &Datum) -> Key {
    match datum {
        Datum::Text(t) => Key::Text(t.clone()),
        Datum::Integer(n) => Key::Number(Fraction {
            numerator: i128::from(*n),
            denominator: 1,
        }),
        Datum::Decimal(d) => Key::Number(decimal(*d)),
        Datum::Date(d) => Key::Date(*d),
        Datum::Timestamp(t) => Key::Date(t.date()),
        Datum::Bool(b) => Key::Bool(*b),
    }
}

struct Evaluator<'a> {
    program: &'a Program,
    data: &'a Dataset,
    as_of: NaiveDate,
    /// Recency, frequency and monetary scores by customer key.
    rfm: BTreeMap<Key, [i64; 3]>,
}

impl Evaluator<'_> {
    /// Whether `condition` holds for `customer` (and, inside a row test, `row`).
    fn holds(&self, condition: &Condition, customer: &Row, row: Option<&Row>) -> bool {
        let value = |column: &Column| self.column(column, customer, row);
        match condition {
            Condition::And(parts) => parts.iter().all(|p| self.holds(p, customer, row)),
            Condition::Or(parts) => parts.iter().any(|p| self.holds(p, customer, row)),
            Condition::Not(inner) => !self.holds(inner, customer, row),
            Condition::Compare {
                operand,
                op,
                value: bound,
            } => {
                if let Operand::Aggregate(aggregate) = operand
                    && aggregate.function == AggregateFn::Avg
                {
                    return self
                        .average(aggregate, customer)
                        .is_some_and(|avg| compare(&avg, *op, &self.bound(bound)));
                }
                self.operand(operand, customer, row)
                    .is_some_and(|v| compare(&v, *op, &self.bound(bound)))
            }
            Condition::Between {
                operand,
                low,
                high,
                negated,
            } => {
                let v = match operand {
                    Operand::Aggregate(a) if a.function == AggregateFn::Avg => {
                        self.average(a, customer)
                    }
                    _ => self.operand(operand, customer, row),
                };
                v.is_some_and(|v| {
                    let inside = v >= self.bound(low) && v <= self.bound(high);
                    inside != *negated
                })
            }
            Condition::In {
                column,
                values,
                negated,
                normalize,
            } => value(column).is_some_and(|v| {
                let v = match v {
                    Key::Text(t) => Key::Text(normalize.apply(&t)),
                    other => other,
                };
                let found = values.iter().any(|x| key_of_value(x) == v);
                found != *negated
            }),
            Condition::Known { column, known } => value(column).is_some() == *known,
            Condition::Matches {
                column,
                place,
                text,
                normalize,
            } => match value(column) {
                Some(Key::Text(t)) => {
                    let t = normalize.apply(&t);
                    match place {
                        Place::Anywhere => t.contains(text.as_str()),
                        Place::Start => t.starts_with(text.as_str()),
                        Place::End => t.ends_with(text.as_str()),
                    }
                }
                _ => false,
            },
            Condition::IsTrue(column) => value(column) == Some(Key::Bool(true)),
            Condition::Window {
                operand,
                direction,
                amount,
                unit,
            } => {
                let (first, last) = calendar::window(self.as_of, *direction, *amount, *unit);
                matches!(self.operand(operand, customer, row), Some(Key::Date(d)) if d >= first && d <= last)
            }
            Condition::Anniversary {
                column,
                direction,
                amount,
                unit,
            } => {
                let Some(Key::Date(date)) = value(column) else {
                    return false;
                };
                let (first, last) = calendar::window(self.as_of, *direction, *amount, *unit);
                first
                    .iter_days()
                    .take_while(|d| *d <= last)
                    .any(|day| is_anniversary(date, day))
            }
            Condition::During {
                column,
                occasion,
                negated,
            } => {
                let Some(Key::Date(date)) = value(column) else {
                    return false;
                };
                let day = (date.month(), date.day());
                let inside = if occasion.start <= occasion.end {
                    day >= occasion.start && day <= occasion.end
                } else {
                    day >= occasion.start || day <= occasion.end
                };
                inside != *negated
            }
            Condition::Age { column, op, years } => {
                let Some(Key::Date(born)) = value(column) else {
                    return false;
                };
                let age = age_on(born, self.as_of);
                compare_ord(age.cmp(years), *op)
            }
            Condition::Bucket { seed, from, to } => {
                let key = match customer.get(&self.program.customer.key) {
                    Some(Datum::Text(text)) => text.clone(),
                    Some(Datum::Integer(n)) => n.to_string(),
                    _ => return false,
                };
                (*from..*to).contains(&split::bucket(seed, &key))
            }
            Condition::Segment(name) => {
                let segment = self.program.segment(name).expect("checked reference");
                self.holds(&segment.condition, customer, None)
            }
            Condition::Exists {
                relation,
                condition,
            } => self.rows(*relation, customer).any(|r| {
                condition
                    .as_deref()
                    .is_none_or(|c| self.holds(c, customer, Some(r)))
            }),
            Condition::Sequence(sequence) => self.sequence(sequence, customer),
            Condition::Arithmetic { left, op, right } => {
                match (
                    self.expression(left, customer, row),
                    self.expression(right, customer, row),
                ) {
                    (Some(l), Some(r)) => compare(&Key::Number(l), *op, &Key::Number(r)),
                    _ => false,
                }
            }
        }
    }

    /// The customer's rows of a step that hold its condition and have a known date, each
    /// with the row itself (so that a row is never its own successor).
    fn step_rows<'r>(&'r self, step: &'r Step, customer: &'r Row) -> Vec<(&'r Row, NaiveDate)> {
        self.rows(step.relation, customer)
            .filter(|r| {
                step.condition
                    .as_ref()
                    .is_none_or(|c| self.holds(c, customer, Some(r)))
            })
            .filter_map(|r| match self.column(&step.time, customer, Some(r)) {
                Some(Key::Date(d)) => Some((r, d)),
                _ => None,
            })
            .collect()
    }

    /// docs/semantics.md, "Sequences": some first row, then another row of the second
    /// step on its date or up to `days` later (with no row of `unless` strictly between);
    /// or, `absent`, a first row whose window has ended by the as-of date with none.
    fn sequence(&self, sequence: &Sequence, customer: &Row) -> bool {
        let firsts = self.step_rows(&sequence.first, customer);
        let thens = self.step_rows(&sequence.then, customer);
        let unless = sequence
            .unless
            .as_ref()
            .map(|s| self.step_rows(s, customer))
            .unwrap_or_default();
        let days = chrono::Days::new(u64::from(sequence.days));
        firsts.iter().any(|&(first, start)| {
            let end = start.checked_add_days(days).unwrap_or(NaiveDate::MAX);
            let mut following = thens.iter().filter(|&&(then, date)| {
                !std::ptr::eq(then, first) && date >= start && date <= end
            });
            if sequence.absent {
                return end <= self.as_of && following.next().is_none();
            }
            following.any(|&(_, date)| {
                !unless
                    .iter()
                    .any(|&(_, between)| between > start && between < date)
            })
        })
    }

    fn column(&self, column: &Column, customer: &Row, row: Option<&Row>) -> Option<Key> {
        let source = match column.table {
            TableRef::Customer => customer,
            TableRef::Related(_) => row?,
        };
        source.get(&column.name).map(key_of)
    }

    fn bound(&self, bound: &Bound) -> Key {
        match bound {
            Bound::Value(value) => key_of_value(value),
            Bound::Ago { amount, unit } => {
                Key::Date(calendar::shift(self.as_of, -i64::from(*amount), *unit))
            }
        }
    }

    fn operand(&self, operand: &Operand, customer: &Row, row: Option<&Row>) -> Option<Key> {
        match operand {
            Operand::Column(column) => self.column(column, customer, row),
            Operand::Aggregate(aggregate) => self.aggregate(aggregate, customer),
            Operand::Rfm(score) => {
                let key = key_of(customer.get(&self.program.customer.key)?);
                let index = match score {
                    RfmScore::Recency => 0,
                    RfmScore::Frequency => 1,
                    RfmScore::Monetary => 2,
                };
                self.rfm.get(&key).map(|scores| number(scores[index]))
            }
        }
    }

    /// The customer's rows of a related table.
    fn rows<'r>(
        &'r self,
        relation: usize,
        customer: &'r Row,
    ) -> impl Iterator<Item = &'r Row> + 'r {
        let related = &self.program.related[relation];
        let key = customer.get(&self.program.customer.key).map(key_of);
        self.data.related[relation]
            .iter()
            .filter(move |r| key.is_some() && r.get(&related.customer_key).map(key_of) == key)
    }

    fn matching<'r>(&'r self, aggregate: &'r Aggregate, customer: &'r Row) -> Vec<&'r Row> {
        self.rows(aggregate.relation, customer)
            .filter(|r| {
                aggregate
                    .filter
                    .as_ref()
                    .is_none_or(|f| self.holds(f, customer, Some(r)))
            })
            .collect()
    }

    fn aggregate(&self, aggregate: &Aggregate, customer: &Row) -> Option<Key> {
        let rows = self.matching(aggregate, customer);
        let values = || -> Vec<Key> {
            let column = aggregate
                .column
                .as_ref()
                .expect("checked aggregate has a column");
            rows.iter()
                .filter_map(|r| r.get(&column.name).map(key_of))
                .collect()
        };
        match aggregate.function {
            AggregateFn::Count if aggregate.column.is_none() => Some(number(rows.len() as i64)),
            AggregateFn::Count if aggregate.distinct => Some(number(
                values().into_iter().collect::<BTreeSet<_>>().len() as i64,
            )),
            AggregateFn::Count => Some(number(values().len() as i64)),
            AggregateFn::Sum => Some(Key::Number(sum(&values()))),
            AggregateFn::Avg => self.average(aggregate, customer),
            AggregateFn::Min => values().into_iter().min(),
            AggregateFn::Max => values().into_iter().max(),
            AggregateFn::First | AggregateFn::Last => {
                let related = &self.program.related[aggregate.relation];
                let order = |r: &Row| {
                    let time = related.time.as_ref().and_then(|t| r.get(t)).map(time_key);
                    let key = related.key.as_ref().and_then(|k| r.get(k)).map(key_of);
                    (time, key)
                };
                let mut sorted = rows.clone();
                // Unknown sorts first, as in SQL.
                sorted.sort_by_key(|r| order(r));
                let chosen = if aggregate.function == AggregateFn::First {
                    sorted.first()
                } else {
                    sorted.last()
                };
                let column = aggregate
                    .column
                    .as_ref()
                    .expect("checked aggregate has a column");
                chosen.and_then(|r| r.get(&column.name)).map(key_of)
            }
        }
    }

    /// The exact average of the known values, unknown over none.
    /// A calculation's exact value; unknown when an operand is, or a divisor is zero.
    fn expression(&self, expr: &Expr, customer: &Row, row: Option<&Row>) -> Option<Fraction> {
        let value = match expr {
            Expr::Number(value) => key_of_value(value),
            Expr::Operand(Operand::Aggregate(aggregate))
                if aggregate.function == AggregateFn::Avg =>
            {
                self.average(aggregate, customer)?
            }
            Expr::Operand(operand) => self.operand(operand, customer, row)?,
            Expr::Binary(op, left, right) => {
                let (a, b) = (
                    self.expression(left, customer, row)?,
                    self.expression(right, customer, row)?,
                );
                let (n, d) = match op {
                    ArithOp::Add => (
                        a.numerator * b.denominator + b.numerator * a.denominator,
                        a.denominator * b.denominator,
                    ),
                    ArithOp::Sub => (
                        a.numerator * b.denominator - b.numerator * a.denominator,
                        a.denominator * b.denominator,
                    ),
                    ArithOp::Mul => (a.numerator * b.numerator, a.denominator * b.denominator),
                    ArithOp::Div if b.numerator == 0 => return None,
                    ArithOp::Div if b.numerator < 0 => {
                        (-a.numerator * b.denominator, a.denominator * -b.numerator)
                    }
                    ArithOp::Div => (a.numerator * b.denominator, a.denominator * b.numerator),
                };
                return Some(reduced(n, d));
            }
        };
        match value {
            Key::Number(fraction) => Some(fraction),
            _ => None,
        }
    }

    fn average(&self, aggregate: &Aggregate, customer: &Row) -> Option<Key> {
        let column = aggregate
            .column
            .as_ref()
            .expect("checked aggregate has a column");
        let values: Vec<Key> = self
            .matching(aggregate, customer)
            .iter()
            .filter_map(|r| r.get(&column.name).map(key_of))
            .collect();
        if values.is_empty() {
            return None;
        }
        let total = sum(&values);
        Some(Key::Number(reduced(
            total.numerator,
            total.denominator * values.len() as i128,
        )))
    }
}

/// Timestamps order by their full value; other values by their key.
fn time_key(datum: &Datum) -> (Option<NaiveDateTime>, Key) {
    match datum {
        Datum::Timestamp(t) => (Some(*t), Key::Date(t.date())),
        other => (None, key_of(other)),
    }
}

fn number(n: i64) -> Key {
    Key::Number(Fraction {
        numerator: i128::from(n),
        denominator: 1,
    })
}

fn sum(values: &[Key]) -> Fraction {
    values.iter().fold(
        Fraction {
            numerator: 0,
            denominator: 1,
        },
        |total, v| match v {
            Key::Number(f) => reduced(
                total.numerator * f.denominator + f.numerator * total.denominator,
                total.denominator * f.denominator,
            ),
            _ => total,
        },
    )
}

/// `numerator / denominator` in lowest terms.
fn reduced(numerator: i128, denominator: i128) -> Fraction {
    let (mut a, mut b) = (numerator.abs(), denominator.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let divisor = a.max(1);
    Fraction {
        numerator: numerator / divisor,
        denominator: denominator / divisor,
    }
}

fn key_of_value(value: &Value) -> Key {
    match value {
        Value::Text(t) => Key::Text(t.clone()),
        Value::Integer(n) => number(*n),
        Value::Decimal(d) => Key::Number(decimal(*d)),
        Value::Date(d) => Key::Date(*d),
        Value::Bool(b) => Key::Bool(*b),
    }
}

fn compare(left: &Key, op: CompareOp, right: &Key) -> bool {
    compare_ord(left.cmp(right), op)
}

fn compare_ord(ordering: Ordering, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
    }
}

/// Whether `day` is an anniversary of `date`: same month and day, with 29 February falling
/// on 28 February in common years.
fn is_anniversary(date: NaiveDate, day: NaiveDate) -> bool {
    let (month, dom) = (date.month(), date.day());
    if month == 2 && dom == 29 && NaiveDate::from_ymd_opt(day.year(), 2, 29).is_none() {
        return day.month() == 2 && day.day() == 28;
    }
    day.month() == month && day.day() == dom
}

/// Whole years from `born` to `on`, counting a 29 February birthday on 28 February in
/// common years.
fn age_on(born: NaiveDate, on: NaiveDate) -> i64 {
    let birthday_this_year = if born.month() == 2
        && born.day() == 29
        && NaiveDate::from_ymd_opt(on.year(), 2, 29).is_none()
    {
        (2, 28)
    } else {
        (born.month(), born.day())
    };
    let had_birthday = (on.month(), on.day()) >= birthday_this_year;
    i64::from(on.year() - born.year()) - i64::from(!had_birthday)
}

/// Scores from 1 to the number of buckets for each customer with rows in the RFM relation
/// (docs/semantics.md, "RFM scores").
fn rfm_scores(program: &Program, data: &Dataset, as_of: NaiveDate) -> BTreeMap<Key, [i64; 3]> {
    let Some(rfm) = &program.rfm else {
        return BTreeMap::new();
    };
    let related = &program.related[rfm.relation];
    let window = rfm
        .scoring
        .window
        .map(|(amount, unit)| calendar::window(as_of, Direction::Last, amount, unit));
    let mut totals: BTreeMap<Key, (Option<NaiveDate>, i64, Option<Fraction>)> = BTreeMap::new();
    for row in &data.related[rfm.relation] {
        let Some(customer) = row.get(&related.customer_key).map(key_of) else {
            continue;
        };
        let entry = totals.entry(customer).or_insert((None, 0, None));
        let date = match row.get(&rfm.date.name).map(key_of) {
            Some(Key::Date(d)) => Some(d),
            _ => None,
        };
        if let Some(d) = date {
            entry.0 = Some(entry.0.map_or(d, |e| e.max(d)));
        }
        // Frequency and monetary count the rows in the window, if there is one.
        if let Some((first, last)) = window
            && !date.is_some_and(|d| d >= first && d <= last)
        {
            continue;
        }
        entry.1 += 1;
        if let Some(Key::Number(amount)) = row.get(&rfm.amount.name).map(key_of) {
            entry.2 = Some(sum(&[
                Key::Number(entry.2.unwrap_or(Fraction {
                    numerator: 0,
                    denominator: 1,
                })),
                Key::Number(amount),
            ]));
        }
    }
    let keys: Vec<&Key> = totals.keys().collect();
    let recency = bucket_scores(&keys, |k| totals[k].0, rfm.scoring);
    let frequency = bucket_scores(&keys, |k| totals[k].1, rfm.scoring);
    let monetary = bucket_scores(&keys, |k| totals[k].2, rfm.scoring);
    keys.iter()
        .enumerate()
        .map(|(i, k)| ((*k).clone(), [recency[i], frequency[i], monetary[i]]))
        .collect()
}

/// Each key's bucket (1 to `scoring.buckets`, in the order of `keys`) by its value, lowest
/// first (unknown lowest of all).
fn bucket_scores<T: Ord>(
    keys: &[&Key],
    value: impl Fn(&Key) -> T,
    scoring: RfmScoring,
) -> Vec<i64> {
    let n = keys.len() as i64;
    let buckets = i64::from(scoring.buckets);
    match scoring.method {
        // RANK(): one plus the number of customers with a smaller value.
        RfmMethod::Rank => keys
            .iter()
            .map(|k| {
                let v = value(k);
                let rank = 1 + keys.iter().filter(|other| value(other) < v).count() as i64;
                1 + buckets * (rank - 1) / n
            })
            .collect(),
        // NTILE(): the customers in order of value, ties by key read as text (shorter
        // first, then by UTF-8 bytes), in buckets of ⌊n / b⌋ with the first n mod b one
        // larger.
        RfmMethod::Ntile => {
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by(|&a, &b| {
                value(keys[a])
                    .cmp(&value(keys[b]))
                    .then_with(|| shortlex(keys[a]).cmp(&shortlex(keys[b])))
            });
            let (size, larger) = (n / buckets, n % buckets);
            let mut scores = vec![0; keys.len()];
            for (position, &i) in order.iter().enumerate() {
                let position = position as i64;
                scores[i] = if position < larger * (size + 1) {
                    position / (size + 1) + 1
                } else {
                    larger + (position - larger * (size + 1)) / size + 1
                };
            }
            scores
        }
    }
}

/// A customer key in the order NTILE breaks ties by: its text, shorter first, then by bytes.
fn shortlex(key: &Key) -> (usize, Vec<u8>) {
    let text = match key {
        Key::Number(f) if f.denominator == 1 => f.numerator.to_string(),
        Key::Text(t) => t.clone(),
        other => format!("{other:?}"),
    };
    (text.chars().count(), text.into_bytes())
}
