//! BigQuery GoogleSQL (<https://cloud.google.com/bigquery/docs/reference/standard-sql>):
//! backquoted names, named `@pN` parameters (a parameter may be used twice), no `FILTER`
//! on aggregates, `STRPOS` / `STARTS_WITH` / `SUBSTR`, `DIV`, `LIMIT`, and `MD5` as bytes.
//! Compile-only: seglang writes it but does not run it.

use super::dialect::{self, Dialect, aggregate_of_case};
use super::writer::{ParamId, SqlWriter};

/// The BigQuery dialect.
#[derive(Clone, Copy, Debug, Default)]
pub struct BigQuery;

impl Dialect for BigQuery {
    fn name(&self) -> &'static str {
        "bigquery"
    }

    /// <https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#quoted_identifiers>
    fn quote_ident(&self, out: &mut String, ident: &str) {
        out.push('`');
        out.push_str(&ident.replace('\\', "\\\\").replace('`', "\\`"));
        out.push('`');
    }

    /// <https://cloud.google.com/bigquery/docs/parameterized-queries>: named parameters.
    fn placeholder(&self, out: &mut String, index: usize) {
        out.push_str("@p");
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
        dialect::div_function(w, numerator, denominator);
    }

    fn first_row_only(&self, w: &mut SqlWriter<'_>) {
        w.sql(" LIMIT 1");
    }

    fn limit(&self, w: &mut SqlWriter<'_>, rows: ParamId) {
        w.sql("LIMIT ").placeholder(rows);
    }

    fn contains(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>), needle: ParamId) {
        w.sql("STRPOS(");
        text(w);
        w.sql(", ").placeholder(needle).sql(") > 0");
    }

    fn starts_with(
        &self,
        w: &mut SqlWriter<'_>,
        text: &dyn Fn(&mut SqlWriter<'_>),
        prefix: ParamId,
    ) {
        w.sql("STARTS_WITH(");
        text(w);
        w.sql(", ").placeholder(prefix).sql(")");
    }

    fn ends_with(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>), suffix: ParamId) {
        w.sql("ENDS_WITH(");
        text(w);
        w.sql(", ").placeholder(suffix).sql(")");
    }

    /// <https://cloud.google.com/bigquery/docs/reference/standard-sql/string_functions#trim>:
    /// the characters to remove come second.
    fn trim_spaces(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("TRIM(");
        text(w);
        w.sql(", ' ')");
    }

    /// `MD5` gives bytes: their hex, the first eight digits read as a hex literal.
    fn key_hash(&self, w: &mut SqlWriter<'_>, seed: ParamId, alias: &'static str, key: &str) {
        w.sql("CAST(CONCAT('0x', SUBSTR(TO_HEX(MD5(CONCAT(")
            .placeholder(seed);
        w.sql(", ':', CAST(")
            .column(alias, key)
            .sql(" AS STRING)))), 1, 8)) AS INT64)");
    }

    /// The text type is `STRING`, which compares by bytes.
    fn key_order(&self, w: &mut SqlWriter<'_>, key: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("CHAR_LENGTH(CAST(");
        key(w);
        w.sql(" AS STRING)), CAST(");
        key(w);
        w.sql(" AS STRING)");
    }

    /// <https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions#date_diff>
    fn day_number(&self, w: &mut SqlWriter<'_>, date: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("DATE_DIFF(");
        date(w);
        w.sql(", DATE '1970-01-01', DAY)");
    }
}
