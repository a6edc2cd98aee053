//! DuckDB (<https://duckdb.org/docs/sql/introduction>): standard SQL with `$n` parameters,
//! but `/` on integers gives a fraction.

use super::dialect::{self, Dialect, SumOf, fixed_point_column_type, infix};
use std::sync::LazyLock;

use super::writer::SqlWriter;
use crate::schema::Type;

/// The DuckDB dialect.
#[derive(Clone, Copy, Debug, Default)]
pub struct DuckDb;

impl Dialect for DuckDb {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    /// <https://duckdb.org/docs/sql/data_types/numeric#fixed-point-decimals>: a bare
    /// `NUMERIC` keeps only three places, so money and decimals name their precision.
    fn column_type(&self, ty: Option<Type>) -> &'static str {
        fixed_point_column_type(ty, "VARCHAR")
    }

    /// <https://duckdb.org/docs/sql/statements/create_sequence>: DuckDB has no identity
    /// columns; run ids come from a sequence.
    fn generated_key(&self) -> &'static str {
        "BIGINT PRIMARY KEY DEFAULT nextval('seg_run_ids')"
    }

    fn generated_key_setup(&self) -> &'static str {
        "CREATE SEQUENCE IF NOT EXISTS seg_run_ids;\n"
    }

    /// Back to `BIGINT`: DuckDB sums `BIGINT` values into a 128-bit `HUGEINT`, whose
    /// division and comparison are slow (the exact average of SmallBaskets: 465 ms in
    /// process, 327 ms as `BIGINT`). A sum beyond 64 bits is an error, as SQLite's `SUM`
    /// of integers is.
    fn whole_sum(&self, w: &mut SqlWriter<'_>, sum: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("CAST(");
        sum(w);
        w.sql(" AS BIGINT)");
    }

    /// Each value as `DECIMAL(18, s)` — what `seg load` writes money as, so that nothing
    /// is done per row for money; a decimal field (stored wider), a Parquet file's
    /// `DOUBLE` or longer decimal is rounded to `s` places there, half away from zero as
    /// `ROUND` does — summed exactly as a decimal,
    /// and the sum turned into whole units once per group. Rounding every row to an
    /// integer cost as much as the rest of the arithmetic: SmallBaskets (1M customers,
    /// 9.8M orders) 281 → 259 ms in process. A sum beyond 18 digits (10^16 for money, in
    /// whole currency) stops the query.
    fn fixed_point_sum(
        &self,
        w: &mut SqlWriter<'_>,
        scale: u32,
        value: &dyn Fn(&mut SqlWriter<'_>),
        sum: &SumOf<'_>,
    ) {
        let decimal = |w: &mut SqlWriter<'_>| {
            w.sql("DECIMAL(18, ").number(u64::from(scale)).sql(")");
        };
        w.sql("CAST(CAST(");
        sum(w, &|w| {
            w.sql("CAST(");
            value(w);
            w.sql(" AS ");
            decimal(w);
            w.sql(")");
        });
        w.sql(" AS ");
        decimal(w);
        w.sql(") * ").number(10u64.pow(scale)).sql(" AS BIGINT)");
    }

    /// <https://duckdb.org/docs/sql/functions/date#monthdate>: `month(x)`, which DuckDB
    /// computes faster than `EXTRACT(MONTH FROM x)` (birthdays in the next 14 days of 1M
    /// customers: 14 ms against 17).
    fn month(&self, w: &mut SqlWriter<'_>, alias: &'static str, column: &str) {
        w.sql("month(").column(alias, column).sql(")");
    }

    /// `day(x)`, as [`DuckDb::month`].
    fn day(&self, w: &mut SqlWriter<'_>, alias: &'static str, column: &str) {
        w.sql("day(").column(alias, column).sql(")");
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

    /// <https://duckdb.org/docs/sql/functions/regular_expressions>: without the `g` option only the first match is replaced.
    fn replace_runs_of_spaces(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("REGEXP_REPLACE(");
        text(w);
        w.sql(", ' +', ' ', 'g')");
    }

    /// <https://duckdb.org/docs/sql/functions/text#lowerstring>: DuckDB's `lower()` is
    /// Unicode's simple mapping (`İ` is `i`; `Σ` is `σ`, at a word's end too), so text made
    /// only of [`crate::normalize::TABLE_RANGES`] is folded by it, and other text by the
    /// table: a million Cyrillic values in 0.11 s rather than 15 s (timed as SQL,
    /// docs/semantics.md).
    fn fold_case(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        // A constant of seglang's, made once: no text from a segment file.
        static CLASS: LazyLock<String> =
            LazyLock::new(|| dialect::table_ranges_class(|c| format!("\\x{{{c:x}}}")));
        let within = |w: &mut SqlWriter<'_>| {
            w.sql("regexp_full_match(");
            text(w);
            w.sql(", '").sql(CLASS.as_str()).sql("*')");
        };
        let lower = |w: &mut SqlWriter<'_>| {
            w.sql("lower(");
            text(w);
            w.sql(")");
        };
        dialect::fold_case_within_ranges(w, text, &within, &lower);
    }
}
