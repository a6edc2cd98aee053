//! `seg breakdown SEGMENT --by FIELD`: how a segment's members spread over a field's
//! values (text, booleans), equal-width buckets (numbers, money) or years (dates), with
//! each group's share. Groups under the project's minimum group size are hidden.

use super::Failure;
use crate::check::ir::{Column, TableRef};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::engine::{Cell, Rows};
use crate::output::{Shown, thousands};
use crate::schema::{Field, Type};
use crate::sql::breakdown::{Grouping, breakdown_query, range_query};
use crate::sql::{self, Output};

/// About ten buckets for a numeric field.
const BUCKETS: i64 = 10;

/// A breakdown as shown: a title line and one row per group.
pub(crate) struct Breakdown {
    /// What is broken down, as of when, and what is hidden.
    pub title: String,
    /// Group, its range (buckets and years), members (hidden under the minimum group size),
    /// share.
    pub rows: Rows,
    /// Groups under this many members are hidden.
    smallest: u64,
    /// The field broken down by, as the user named it.
    by: String,
}

impl Breakdown {
    /// The rows for people: the group column titled with the field (tools get `group`).
    pub(crate) fn rows_for_people(&self) -> Rows {
        let mut rows = self.rows.clone();
        rows.columns[0] = self.by.clone();
        rows
    }

    /// How a column is shown.
    pub(crate) fn shown(&self, column: &str) -> Shown {
        match column {
            "range.from" | "range.to" => Shown::MachineNumber,
            "members" => Shown::HiddenUnder(self.smallest),
            "share" => Shown::Share,
            _ => Shown::Plain,
        }
    }
}

/// The breakdown of segment `name` of `program` (titled `label`) by field `by`, hiding
/// groups under `smallest` customers.
#[allow(clippy::too_many_arguments)]
pub(crate) fn breakdown(
    program: &crate::check::ir::Program,
    schema: &crate::schema::Schema,
    name: &str,
    label: &str,
    by: &str,
    smallest: u64,
    database: &dyn crate::engine::Database,
    as_of: chrono::NaiveDate,
) -> Result<Breakdown, Failure> {
    let (field, column) = resolve(schema, by)?;
    let members = database.count(
        &sql::compile(program, name, Output::Count, database.dialect(), as_of).expect("a segment"),
    )?;
    let scale = match field.ty {
        Type::Money => Some(2),
        Type::Integer => Some(0),
        Type::Decimal(Some(scale)) if scale <= 6 => Some(scale),
        _ => None,
    };
    let dated = matches!(field.ty, Type::Date | Type::Timestamp);
    let grouping = if dated || scale.is_some() {
        let range = database.fetch(
            &range_query(program, name, &column, database.dialect(), as_of).expect("a segment"),
        )?;
        let bound = |i: usize| match range.rows.first().and_then(|r| r.get(i)) {
            Some(Cell::Integer(n)) => Some(*n),
            _ => None,
        };
        let unit = if dated {
            1
        } else {
            10i64.pow(scale.unwrap_or(0))
        };
        match buckets(bound(0), bound(1), unit) {
            Grouping::Buckets { low, width } if dated => Grouping::Years { low, width },
            grouping => grouping,
        }
    } else {
        Grouping::Values
    };
    let groups = database.fetch(
        &breakdown_query(program, name, &column, grouping, database.dialect(), as_of)
            .expect("a segment"),
    )?;

    let mut rows = Rows {
        columns: ["group", "range.from", "range.to", "members", "share"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    for group in &groups.rows {
        let count = match group.get(1) {
            Some(Cell::Integer(n)) => (*n).max(0) as u64,
            _ => 0,
        };
        let group_text = group_label(&group[0], field.ty, grouping, scale.unwrap_or(0));
        let (from, to) = match group_range(&group[0], grouping, scale.unwrap_or(0)) {
            Some((from, to)) => (Cell::Text(from), Cell::Text(to)),
            None => (Cell::Null, Cell::Null),
        };
        if count < smallest {
            rows.rows.push(vec![
                Cell::Text(group_text),
                from,
                to,
                Cell::Null,
                Cell::Null,
            ]);
            continue;
        }
        let share = if members == 0 {
            Cell::Null
        } else {
            Cell::Real(count as f64 / members as f64)
        };
        rows.rows.push(vec![
            Cell::Text(group_text),
            from,
            to,
            Cell::Integer(count as i64),
            share,
        ]);
    }
    if grouping == Grouping::Values {
        // Largest groups first; hidden ones last.
        rows.rows.sort_by_key(|row| match row[3] {
            Cell::Integer(n) => -n,
            _ => 1,
        });
    }
    let title = format!(
        "{label} by {by}, as of {as_of}: {} members{}{}",
        thousands(members),
        if field.via.is_some() || matches!(column.table, TableRef::Related(_)) {
            "; a member counts under each value of its rows"
        } else {
            ""
        },
        if smallest > 1 {
            format!("; groups under {smallest} hidden")
        } else {
            String::new()
        }
    );
    Ok(Breakdown {
        title,
        rows,
        smallest,
        by: by.to_string(),
    })
}

/// The field named `by` (a customer field or `entity.field`) and its column.
fn resolve(schema: &crate::schema::Schema, by: &str) -> Result<(Field, Column), Failure> {
    let found = match by.split_once('.') {
        Some((entity, name)) => schema
            .related_entity(entity)
            .and_then(|(i, e)| e.field(name).map(|f| (f.clone(), TableRef::Related(i)))),
        None => schema.customer.field(by).map(|f| {
            let table = f.via.map_or(TableRef::Customer, TableRef::Related);
            (f.clone(), table)
        }),
    };
    let Some((field, table)) = found else {
        let names = schema.customer.fields.iter().map(|f| f.name.as_str());
        let help = did_you_mean(by, names, "`")
            .unwrap_or_else(|| "`seg schema` lists the fields (or `:schema` in the REPL)".into());
        return Err(Diagnostic::error(
            Code::UnknownField,
            format!("unknown field `{by}` to break down by"),
        )
        .with_help(help)
        .into());
    };
    let column = Column {
        table,
        name: field.column.clone(),
        ty: field.ty,
    };
    Ok((field, column))
}

/// About [`BUCKETS`] buckets of a round width (1, 2 or 5 × a power of ten, in minor units,
/// at least one whole unit) from a multiple of the width at or below the least value.
fn buckets(least: Option<i64>, most: Option<i64>, unit: i64) -> Grouping {
    let (Some(least), Some(most)) = (least, most) else {
        return Grouping::Buckets {
            low: 0,
            width: unit,
        };
    };
    let wanted = ((most - least) / BUCKETS).max(unit);
    let mut width = unit;
    'search: for power in 0..18 {
        for step in [1, 2, 5] {
            let candidate = step * 10i64.saturating_pow(power);
            if candidate >= wanted {
                width = candidate;
                break 'search;
            }
        }
    }
    Grouping::Buckets {
        low: least.div_euclid(width) * width,
        width,
    }
}

/// A bucket's or a span of years' bounds `[from, to)` as exact decimals in the field's
/// units; `None` for a value.
fn group_range(cell: &Cell, grouping: Grouping, scale: u32) -> Option<(String, String)> {
    let Cell::Integer(n) = cell else { return None };
    let (low, width, scale) = match grouping {
        Grouping::Buckets { low, width } => (low, width, scale),
        Grouping::Years { low, width } => (low, width, 0),
        Grouping::Values => return None,
    };
    let from = low + n * width;
    let decimal = |units: i64| {
        crate::value::Decimal {
            units: i128::from(units),
            scale,
        }
        .to_string()
    };
    Some((decimal(from), decimal(from + width)))
}

/// A group as shown: a value, a bucket `[from, to)` in the field's units, or a year.
fn group_label(cell: &Cell, ty: Type, grouping: Grouping, scale: u32) -> String {
    let units = |n: i64| -> String {
        let unit = 10i64.pow(scale);
        // Plain digits, as values are written in segment files (and no comma in CSV).
        if scale == 0 {
            n.to_string()
        } else {
            let sign = if n < 0 { "-" } else { "" };
            format!(
                "{sign}{}.{:0width$}",
                n.unsigned_abs() / unit as u64,
                n.unsigned_abs() % unit as u64,
                width = scale as usize
            )
        }
    };
    match (cell, grouping) {
        (Cell::Null, _) => "(unknown)".into(),
        (Cell::Integer(n), Grouping::Buckets { low, width }) => {
            let from = low + n * width;
            format!("{} to under {}", units(from), units(from + width))
        }
        (Cell::Integer(n), Grouping::Years { low, width }) => {
            let from = low + n * width;
            if width == 1 {
                from.to_string()
            } else {
                format!("{from}–{}", from + width - 1)
            }
        }
        (Cell::Integer(n), _) if ty == Type::Bool => (*n != 0).to_string(),
        (Cell::Integer(n), _) => n.to_string(),
        (Cell::Real(r), _) => r.to_string(),
        (Cell::Text(t), _) => t.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_have_round_widths_from_a_multiple_below_the_least() {
        // Money 0.00 … 1,200.00: 120.00 wanted, 200.00 is the round width.
        assert_eq!(
            buckets(Some(0), Some(120_000), 100),
            Grouping::Buckets {
                low: 0,
                width: 20_000
            }
        );
        // Integers 3 … 30: (30 − 3) ÷ 10 = 2 wanted, and 2 is round.
        assert_eq!(
            buckets(Some(3), Some(30), 1),
            Grouping::Buckets { low: 2, width: 2 }
        );
        assert_eq!(
            buckets(Some(-7), Some(7), 1),
            Grouping::Buckets { low: -7, width: 1 }
        );
        assert_eq!(
            group_label(
                &Cell::Integer(2),
                Type::Money,
                buckets(Some(0), Some(120_000), 100),
                2
            ),
            "400.00 to under 600.00"
        );
    }
}
