//! `seg overlap A B C …`: how much segments overlap. Each segment's size, and for each pair
//! the customers in both and the Jaccard index (both ÷ either), as a matrix and as one row
//! per pair (the front end picks). Counts below the project's minimum group size are hidden.

use super::Failure;
use super::derived::Derived;
use crate::check::ir::Condition;
use crate::engine::{Cell, Rows};
use crate::output::{Shown, thousands};

/// How much some segments overlap, in two shapes of the same counts.
pub(crate) struct Overlap {
    /// What the counts are, as of when, and what is hidden.
    pub(crate) title: String,
    /// A row and a column per segment: its size on the diagonal, the customers in both
    /// (with the Jaccard index) elsewhere; for people.
    pub(crate) matrix: Rows,
    /// One row per pair: both sizes, the customers in both and the Jaccard index; for tools.
    pub(crate) pairs: Rows,
    /// Counts under this are hidden.
    smallest: u64,
}

impl Overlap {
    /// How a column of either shape is shown.
    pub(crate) fn shown(&self, column: &str) -> Shown {
        match column {
            "a_members" | "b_members" | "both" => Shown::HiddenUnder(self.smallest),
            "a" | "b" | "jaccard" | "" => Shown::Plain,
            // The matrix's diagonal holds sizes; its other cells are text.
            _ => Shown::HiddenUnder(self.smallest),
        }
    }
}

/// The overlaps of the named segments (at least two) of `program`; counts under
/// `smallest` hidden.
pub(crate) fn overlap(
    program: &crate::check::ir::Program,
    names: &[String],
    smallest: u64,
    database: &dyn crate::engine::Database,
    as_of: chrono::NaiveDate,
) -> Result<Overlap, Failure> {
    let location = program.segment(&names[0]).expect("a segment").location;
    let mut derived = Derived::new(program);
    let reference = |name: &String| Condition::Segment(name.clone());
    for name in names {
        derived.add(vec![reference(name)], location);
    }
    let mut pairs = Vec::new();
    for (i, a) in names.iter().enumerate() {
        for (j, b) in names.iter().enumerate().skip(i + 1) {
            let at = derived.add(vec![reference(a), reference(b)], location);
            pairs.push((i, j, at));
        }
    }
    let (counts, everyone) = derived.count(database, as_of)?;
    let size = |i: usize| counts[i];
    // Hidden counts are unknown (NULL): shown as `<k` to people, flagged to tools.
    let shown = |n: u64| -> Cell {
        if n > 0 && n < smallest {
            Cell::Null
        } else {
            Cell::Integer(n as i64)
        }
    };
    let jaccard = |a: u64, b: u64, both: u64| -> Cell {
        let either = a + b - both;
        if (both > 0 && both < smallest) || either == 0 {
            Cell::Null
        } else {
            Cell::Real(both as f64 / either as f64)
        }
    };

    let title = format!(
        "customers in both segments (Jaccard index: in both ÷ in either), as of {as_of}; {} customers{}",
        thousands(everyone),
        if smallest > 1 {
            format!("; counts under {smallest} hidden")
        } else {
            String::new()
        }
    );
    let matrix = {
        let mut columns = vec![String::new()];
        columns.extend(names.iter().cloned());
        let mut rows = Rows {
            columns,
            rows: Vec::new(),
        };
        for (i, a) in names.iter().enumerate() {
            let mut row = vec![Cell::Text(a.clone())];
            for j in 0..names.len() {
                if i == j {
                    row.push(shown(size(i)));
                    continue;
                }
                let (x, y) = (i.min(j), i.max(j));
                let &(_, _, at) = pairs
                    .iter()
                    .find(|(p, q, _)| (*p, *q) == (x, y))
                    .expect("every pair");
                let both = counts[at];
                let cell = match (shown(both), jaccard(size(i), size(j), both)) {
                    (Cell::Integer(n), Cell::Real(j)) => {
                        Cell::Text(format!("{} ({j:.2})", thousands(n as u64)))
                    }
                    (Cell::Null, _) => Cell::Text(format!("<{smallest}")),
                    (shown, _) => shown,
                };
                row.push(cell);
            }
            rows.rows.push(row);
        }
        rows
    };
    let pairs = {
        let mut rows = Rows {
            columns: ["a", "b", "a_members", "b_members", "both", "jaccard"]
                .map(String::from)
                .to_vec(),
            rows: Vec::new(),
        };
        for &(i, j, at) in &pairs {
            let both = counts[at];
            rows.rows.push(vec![
                Cell::Text(names[i].clone()),
                Cell::Text(names[j].clone()),
                shown(size(i)),
                shown(size(j)),
                shown(both),
                jaccard(size(i), size(j), both),
            ]);
        }
        rows
    };
    Ok(Overlap {
        title,
        matrix,
        pairs,
        smallest,
    })
}
