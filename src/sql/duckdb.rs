//! DuckDB (<https://duckdb.org/docs/sql/introduction>): standard SQL with `$n` parameters,
//! but `/` on integers gives a fraction.

use super::dialect::{Dialect, infix};
use super::writer::SqlWriter;

/// The DuckDB dialect.
#[derive(Clone, Copy, Debug, Default)]
pub struct DuckDb;

impl Dialect for DuckDb {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    /// <https://duckdb.org/docs/sql/functions/numeric#-integer-division>: `//`.
    fn integer_division(
        &self,
        w: &mut SqlWriter<'_>,
        numerator: &dyn Fn(&mut SqlWriter<'_>),
        denominator: &dyn Fn(&mut SqlWriter<'_>),
    ) {
        infix(w, numerator, " // ", denominator);
    }
}
