//! SQLite (<https://www.sqlite.org/lang.html>): numbered `?N` parameters, no `POSITION`
//! or `SUBSTRING … FROM … FOR`, dates stored as ISO-8601 text.

use super::dialect::{Dialect, aggregate};
use crate::normalize;
use super::writer::{ParamId, SqlWriter};
use crate::schema::Type;
use crate::value::Value;

/// The SQLite dialect.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    /// <https://www.sqlite.org/datatype3.html>: five storage classes; money and decimals
    /// as `NUMERIC` (whole values as integers), dates and times as ISO-8601 text.
    fn column_type(&self, ty: Option<Type>) -> &'static str {
        match ty {
            Some(Type::Integer | Type::Bool) => "INTEGER",
            Some(Type::Decimal(_) | Type::Money) => "NUMERIC",
            _ => "TEXT",
        }
    }

    /// <https://www.sqlite.org/datatype3.html#affinity_name_examples>: a column without a
    /// type keeps each value as inserted, so integer keys stay integers.
    fn any_key_type(&self) -> &'static str {
        ""
    }

    /// <https://www.sqlite.org/withoutrowid.html>: the rows are stored in key order.
    fn keyed_table_options(&self) -> &'static str {
        " WITHOUT ROWID"
    }

    /// <https://www.sqlite.org/lang_createtable.html#rowid>: an alias of the rowid.
    fn generated_key(&self) -> &'static str {
        "INTEGER PRIMARY KEY"
    }

    /// <https://www.sqlite.org/lang_expr.html#parameters>
    fn placeholder(&self, out: &mut String, index: usize) {
        out.push('?');
        out.push_str(&index.to_string());
    }

    /// <https://www.sqlite.org/lang_datefunc.html>: `date()` normalises any ISO-8601 text.
    fn date_of_timestamp(&self, w: &mut SqlWriter<'_>, timestamp: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("date(");
        timestamp(w);
        w.sql(")");
    }

    /// Times are text, and every number sorts before every text: an unknown time becomes
    /// 0, which is then the least, and a least 0 is unknown again. One aggregate per row
    /// instead of three.
    fn earliest_time(
        &self,
        w: &mut SqlWriter<'_>,
        time: &dyn Fn(&mut SqlWriter<'_>),
        filter: Option<&dyn Fn(&mut SqlWriter<'_>)>,
    ) {
        w.sql("NULLIF(");
        let unknown_as_zero = |w: &mut SqlWriter<'_>| {
            w.sql("IFNULL(");
            time(w);
            w.sql(", 0)");
        };
        aggregate(w, "MIN(", Some(&unknown_as_zero), filter);
        w.sql(", 0)");
    }

    /// Dates are `YYYY-MM-DD…` text: `MM-DD` is characters 6–10, and orders through the
    /// year as text, with no conversion per row.
    fn month_day(&self, w: &mut SqlWriter<'_>, alias: &'static str, column: &str) {
        w.sql("substr(").column(alias, column).sql(", 6, 5)");
    }

    /// At once: the month and day are one substring of the stored text, compared as text.
    fn month_day_between(
        &self,
        w: &mut SqlWriter<'_>,
        alias: &'static str,
        column: &str,
        from: u32,
        to: u32,
    ) {
        super::dialect::month_day_in(w, alias, column, from, to);
    }

    fn month_day_value(&self, mmdd: u32) -> Value {
        Value::Text(format!("{:02}-{:02}", mmdd / 100, mmdd % 100))
    }

    /// Every table `seg load` writes has a rowid, whatever the key's type
    /// (<https://www.sqlite.org/rowidtable.html>).
    fn sample(
        &self,
        w: &mut SqlWriter<'_>,
        alias: &'static str,
        _key: &str,
        one_in: ParamId,
        slice: ParamId,
    ) {
        w.sql(alias)
            .sql(".rowid % ")
            .placeholder(one_in)
            .sql(" = ")
            .placeholder(slice);
    }

    /// Dates are `YYYY-MM-DD…` text: the year is the first four characters.
    fn year(&self, w: &mut SqlWriter<'_>, alias: &'static str, column: &str) {
        w.sql("CAST(substr(")
            .column(alias, column)
            .sql(", 1, 4) AS INTEGER)");
    }

    /// SQLite has no MD5: seglang adds the function to every connection it opens
    /// (`add_functions` in `engine/sqlite/connection.rs`).
    fn key_hash(&self, w: &mut SqlWriter<'_>, seed: ParamId, alias: &'static str, key: &str) {
        w.sql(crate::split::SQL_FUNCTION).sql("(").placeholder(seed);
        w.sql(", ").column(alias, key).sql(")");
    }

    /// <https://www.sqlite.org/lang_expr.html#operators>: `%` (`mod()` is optional).
    fn split_bucket(&self, w: &mut SqlWriter<'_>, seed: ParamId, alias: &'static str, key: &str) {
        self.key_hash(w, seed, alias, key);
        w.sql(" % ").number(u64::from(crate::split::BUCKETS));
    }

    /// <https://www.sqlite.org/lang_select.html#the_limit_clause>
    fn first_row_only(&self, w: &mut SqlWriter<'_>) {
        w.sql(" LIMIT 1");
    }

    /// <https://www.sqlite.org/lang_select.html#the_limit_clause>
    fn limit(&self, w: &mut SqlWriter<'_>, rows: ParamId) {
        w.sql("LIMIT ").placeholder(rows);
    }

    /// <https://www.sqlite.org/lang_corefunc.html#instr>
    fn contains(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>), needle: ParamId) {
        w.sql("instr(");
        text(w);
        w.sql(", ").placeholder(needle).sql(") > 0");
    }

    /// `substr`/`length` count characters, so this is an exact prefix test (unlike `LIKE`,
    /// which ignores ASCII case in SQLite).
    fn starts_with(
        &self,
        w: &mut SqlWriter<'_>,
        text: &dyn Fn(&mut SqlWriter<'_>),
        prefix: ParamId,
    ) {
        w.sql("substr(");
        text(w);
        w.sql(", 1, length(").placeholder(prefix);
        w.sql(")) = ").placeholder(prefix);
    }

    /// The characters from `length(text) - length(suffix) + 1` on: the last
    /// `length(suffix)` ones, or (for a suffix longer than the text) fewer than the suffix
    /// has, which never equal it.
    fn ends_with(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>), suffix: ParamId) {
        w.sql("substr(");
        text(w);
        w.sql(", length(");
        text(w);
        w.sql(") - length(").placeholder(suffix);
        w.sql(") + 1) = ").placeholder(suffix);
    }

    /// SQLite's `lower()` folds ASCII only: seglang adds its own function
    /// ([`crate::normalize::FOLD_CASE_FUNCTION`]).
    fn fold_case(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql(normalize::FOLD_CASE_FUNCTION).sql("(");
        text(w);
        w.sql(")");
    }

    /// SQLite has no `REGEXP_REPLACE` and its `trim()` removes spaces only: seglang adds its
    /// own function ([`crate::normalize::COLLAPSE_SPACES_FUNCTION`]).
    fn collapse_spaces(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql(normalize::COLLAPSE_SPACES_FUNCTION).sql("(");
        text(w);
        w.sql(")");
    }

    /// SQLite has no `CHAR_LENGTH`; `length()` of text counts characters, and text
    /// compares by its bytes.
    fn key_order(&self, w: &mut SqlWriter<'_>, key: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("length(CAST(");
        key(w);
        w.sql(" AS TEXT)), CAST(");
        key(w);
        w.sql(" AS TEXT)");
    }

    /// <https://www.sqlite.org/lang_datefunc.html>: `julianday` counts days from 4714 BC at noon; 1970-01-01 is day 2440587.5.
    fn day_number(&self, w: &mut SqlWriter<'_>, date: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("CAST(julianday(");
        date(w);
        w.sql(") - 2440587.5 AS INTEGER)");
    }

    /// SQLite's integers are 64-bit and it has no wider exact type: a product past
    /// 9.2 × 10^18 becomes a floating-point number (docs/semantics.md, "Arithmetic").
    fn wide_integer(&self, w: &mut SqlWriter<'_>, value: &dyn Fn(&mut SqlWriter<'_>)) {
        value(w);
    }
}
