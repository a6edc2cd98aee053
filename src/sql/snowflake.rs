//! Snowflake (<https://docs.snowflake.com/en/sql-reference>): numbered `:N` bind variables,
//! no `FILTER` on aggregates, `STARTSWITH`, `/` giving a decimal, and hex read with
//! `TO_NUMBER`. Compile-only: seglang writes it but does not run it.

use super::dialect::{Dialect, aggregate_of_case, infix};
use super::writer::{ParamId, SqlWriter};

/// The Snowflake dialect.
#[derive(Clone, Copy, Debug, Default)]
pub struct Snowflake;

impl Dialect for Snowflake {
    fn name(&self) -> &'static str {
        "snowflake"
    }

    /// <https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests#using-bind-variables-in-a-statement>
    fn placeholder(&self, out: &mut String, index: usize) {
        out.push(':');
        out.push_str(&index.to_string());
    }

    fn filtered_aggregate(
        &self,
        w: &mut SqlWriter<'_>,
        open: &'static str,
        value: Option<&dyn Fn(&mut SqlWriter<'_>)>,
        filter: &dyn Fn(&mut SqlWriter<'_>),
    ) {
        aggregate_of_case(w, open, value, filter);
    }

    fn integer_division(
        &self,
        w: &mut SqlWriter<'_>,
        numerator: &dyn Fn(&mut SqlWriter<'_>),
        denominator: &dyn Fn(&mut SqlWriter<'_>),
    ) {
        w.sql("FLOOR(");
        infix(w, numerator, " / ", denominator);
        w.sql(")");
    }

    fn starts_with(
        &self,
        w: &mut SqlWriter<'_>,
        text: &dyn Fn(&mut SqlWriter<'_>),
        prefix: ParamId,
    ) {
        w.sql("STARTSWITH(");
        text(w);
        w.sql(", ").placeholder(prefix).sql(")");
    }

    fn ends_with(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>), suffix: ParamId) {
        w.sql("ENDSWITH(");
        text(w);
        w.sql(", ").placeholder(suffix).sql(")");
    }

    /// <https://docs.snowflake.com/en/sql-reference/functions/trim>: the characters to
    /// remove come second.
    fn trim_spaces(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("TRIM(");
        text(w);
        w.sql(", ' ')");
    }

    /// <https://docs.snowflake.com/en/sql-reference/functions/to_decimal>: `X` reads hex.
    fn key_hash(&self, w: &mut SqlWriter<'_>, seed: ParamId, alias: &'static str, key: &str) {
        w.sql("TO_NUMBER(SUBSTR(MD5(").placeholder(seed);
        w.sql(" || ':' || CAST(")
            .column(alias, key)
            .sql(" AS VARCHAR)), 1, 8), 'XXXXXXXX')");
    }

    /// <https://docs.snowflake.com/en/sql-reference/functions/length>: `LENGTH` counts
    /// characters; text without a collation compares by its bytes.
    fn key_order(&self, w: &mut SqlWriter<'_>, key: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("LENGTH(CAST(");
        key(w);
        w.sql(" AS VARCHAR)), CAST(");
        key(w);
        w.sql(" AS VARCHAR)");
    }

    /// <https://docs.snowflake.com/en/sql-reference/functions/datediff>
    fn day_number(&self, w: &mut SqlWriter<'_>, date: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("DATEDIFF(day, DATE '1970-01-01', ");
        date(w);
        w.sql(")");
    }
}
