//! Segments made up for one command (funnel steps, overlaps of two segments), counted
//! together in one batch query so they share their aggregates.

use super::Failure;
use crate::check::ir::{Condition, Program, Segment};
use crate::engine::Cell;
use crate::engine::Database;
use crate::source::Location;
use crate::sql;

/// The project's program plus the made-up segments.
pub struct Derived {
    program: Program,
    names: Vec<String>,
}

impl Derived {
    /// No made-up segments yet.
    pub fn new(program: &Program) -> Derived {
        Derived {
            program: program.clone(),
            names: Vec::new(),
        }
    }

    /// Adds a segment with this condition (an `and` of `parts`); its count will be at the
    /// returned position.
    pub fn add(&mut self, parts: Vec<Condition>, location: Location) -> usize {
        let condition = match parts.len() {
            1 => parts.into_iter().next().expect("one part"),
            _ => Condition::And(parts),
        };
        // Not an identifier, so it cannot clash with a user's segment.
        let name = format!("<derived {}>", self.names.len());
        self.program.segments.push(Segment {
            name: name.clone(),
            condition,
            location,
        });
        self.names.push(name);
        self.names.len() - 1
    }

    /// Every made-up segment's count, in the order added, and the number of customers.
    pub fn count(
        &self,
        database: &dyn Database,
        as_of: chrono::NaiveDate,
    ) -> Result<(Vec<u64>, u64), Failure> {
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        let everyone = database.count(&sql::population_query(&self.program, database.dialect()))?;
        if names.is_empty() {
            return Ok((Vec::new(), everyone));
        }
        let query = sql::compile_counts(&self.program, &names, database.dialect(), as_of)
            .expect("made-up segments exist");
        let fetched = database.fetch(&query)?;
        let counts = fetched
            .rows
            .first()
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Cell::Integer(n) => (*n).max(0) as u64,
                        _ => 0,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok((counts, everyone))
    }
}
