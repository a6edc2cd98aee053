//! What differs between SQL engines, in one trait.
//!
//! Policy (after PRQL): generate standard SQL; a dialect overrides a method only where the
//! standard form is missing or wrong for its engine. The code generator calls only these
//! methods: it never asks which dialect it is writing.

use super::writer::{ParamId, SqlWriter};
use crate::normalize;
use crate::schema::Type;
use crate::value::Value;

/// Column types for engines whose `DECIMAL` needs a precision: money to the cent, other
/// decimals to ten places; `text` names the engine's text type.
pub fn fixed_point_column_type(ty: Option<Type>, text: &'static str) -> &'static str {
    match ty {
        Some(Type::Integer) => "BIGINT",
        Some(Type::Money) => "DECIMAL(18, 2)",
        Some(Type::Decimal(_)) => "DECIMAL(38, 10)",
        Some(Type::Bool) => "BOOLEAN",
        Some(Type::Date) => "DATE",
        Some(Type::Timestamp) => "TIMESTAMP",
        Some(Type::Text) | None => text,
    }
}

/// An SQL dialect. Defaults are standard SQL.
pub trait Dialect {
    /// The name used on the command line (`sqlite`).
    fn name(&self) -> &'static str;

    /// Appends `ident` quoted, with embedded quotes doubled.
    fn quote_ident(&self, out: &mut String, ident: &str) {
        out.push('"');
        out.push_str(&ident.replace('"', "\"\""));
        out.push('"');
    }

    /// The column type that stores values of `ty` in the tables seglang creates (`None`: a
    /// column the manifest does not type and that is not all whole numbers: text).
    fn column_type(&self, ty: Option<Type>) -> &'static str {
        match ty {
            Some(Type::Integer) => "BIGINT",
            Some(Type::Bool) => "BOOLEAN",
            Some(Type::Decimal(_) | Type::Money) => "NUMERIC",
            Some(Type::Date) => "DATE",
            Some(Type::Timestamp) => "TIMESTAMP",
            Some(Type::Text) | None => "TEXT",
        }
    }

    /// The type of a column that holds customer keys of any type (whole numbers or text):
    /// text, which every engine compares with either.
    fn any_key_type(&self) -> &'static str {
        "TEXT"
    }

    /// What follows the column list of a table looked up only by its primary key.
    fn keyed_table_options(&self) -> &'static str {
        ""
    }

    /// The definition of a whole-number primary key the database numbers on insert.
    fn generated_key(&self) -> &'static str {
        "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    }

    /// What must exist before a table with a [`Dialect::generated_key`] is created (a
    /// sequence, where the engine numbers rows from one), as statements ending in `;`.
    fn generated_key_setup(&self) -> &'static str {
        ""
    }

    /// The schema that holds the connection's temporary tables. seg names its scratch
    /// tables through it (`temp.seg_new`), so that dropping or reading one can never reach
    /// a user's table of the same name.
    fn temporary_schema(&self) -> &'static str {
        "temp"
    }

    /// Appends the placeholder of the `index`th (1-based) parameter.
    fn placeholder(&self, out: &mut String, index: usize) {
        out.push('$');
        out.push_str(&index.to_string());
    }

    /// The calendar date of a timestamp (timestamps compare with dates by their date).
    fn date_of_timestamp(&self, w: &mut SqlWriter<'_>, timestamp: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("CAST(");
        timestamp(w);
        w.sql(" AS DATE)");
    }

    /// The least of a group's dates or timestamps, unknown when any of them is unknown
    /// (an unknown time sorts first, so the earliest is then unknown); over the rows
    /// `filter` keeps, if given.
    fn earliest_time(
        &self,
        w: &mut SqlWriter<'_>,
        time: &dyn Fn(&mut SqlWriter<'_>),
        filter: Option<&dyn Fn(&mut SqlWriter<'_>)>,
    ) {
        w.sql("CASE WHEN ");
        aggregate(w, "COUNT(", None, filter);
        w.sql(" = ");
        aggregate(w, "COUNT(", Some(time), filter);
        w.sql(" THEN ");
        aggregate(w, "MIN(", Some(time), filter);
        w.sql(" END");
    }

    /// `open value)` over the rows `filter` keeps (`value` `None`: `*`): standard
    /// `FILTER (WHERE …)` after the call, in SQLite since 3.30.
    fn filtered_aggregate(
        &self,
        w: &mut SqlWriter<'_>,
        open: &'static str,
        value: Option<&dyn Fn(&mut SqlWriter<'_>)>,
        filter: &dyn Fn(&mut SqlWriter<'_>),
    ) {
        aggregate(w, open, value, None);
        w.sql(" FILTER (WHERE ");
        filter(w);
        w.sql(")");
    }

    /// A month and day as [`Dialect::month_day`] writes them, for binding: `MMDD` as a number.
    fn month_day_value(&self, mmdd: u32) -> Value {
        Value::Integer(i64::from(mmdd))
    }

    /// A date column's month and day, ordered through the year (by default the number
    /// `MMDD`: 24 December is 1224).
    fn month_day(&self, w: &mut SqlWriter<'_>, alias: &'static str, column: &str) {
        w.sql("(");
        self.month(w, alias, column);
        w.sql(" * 100 + ");
        self.day(w, alias, column);
        w.sql(")");
    }

    /// The month (1–12) of a date or timestamp column.
    fn month(&self, w: &mut SqlWriter<'_>, alias: &'static str, column: &str) {
        w.sql("EXTRACT(MONTH FROM ").column(alias, column).sql(")");
    }

    /// The day of the month (1–31) of a date or timestamp column.
    fn day(&self, w: &mut SqlWriter<'_>, alias: &'static str, column: &str) {
        w.sql("EXTRACT(DAY FROM ").column(alias, column).sql(")");
    }

    /// `month_day(column) BETWEEN from AND to` (both `MMDD`, `from <= to`). By default the
    /// month is tested first on its own, which the engine computes cheaply, so that the
    /// day is read only in the months of the range (DuckDB, birthdays in the next 14 days
    /// of 1M customers: 28 ms tested at once, 18 ms month first); within one month, the
    /// day alone is compared, as a hand-written query does.
    fn month_day_between(
        &self,
        w: &mut SqlWriter<'_>,
        alias: &'static str,
        column: &str,
        from: u32,
        to: u32,
    ) {
        let (first_month, last_month) = (from / 100, to / 100);
        w.sql("(");
        self.month(w, alias, column);
        if first_month == last_month {
            w.sql(" = ");
            w.param(Value::Integer(i64::from(first_month)));
            w.sql(" AND ");
            self.day(w, alias, column);
            w.sql(" BETWEEN ");
            w.param(Value::Integer(i64::from(from % 100)));
            w.sql(" AND ");
            w.param(Value::Integer(i64::from(to % 100)));
        } else {
            w.sql(" BETWEEN ");
            w.param(Value::Integer(i64::from(first_month)));
            w.sql(" AND ");
            w.param(Value::Integer(i64::from(last_month)));
            w.sql(" AND ");
            month_day_in(w, alias, column, from, to);
        }
        w.sql(")");
    }

    /// True for slice `slice` of `one_in` slices of the customers (for estimates): each
    /// slice is a deterministic one in `one_in`, and a different slice is another sample.
    /// By default the key's hash ([`Dialect::key_hash`] under the seed `sample`) modulo
    /// `one_in` is `slice`: any key type, spread evenly.
    fn sample(
        &self,
        w: &mut SqlWriter<'_>,
        alias: &'static str,
        key: &str,
        one_in: ParamId,
        slice: ParamId,
    ) {
        let seed = w.bind(Value::Text(SAMPLE_SEED.into()));
        w.sql("MOD(");
        self.key_hash(w, seed, alias, key);
        w.sql(", ").placeholder(one_in).sql(") = ").placeholder(slice);
    }

    /// `numerator / denominator` for whole numbers of either sign, as a whole number: rounded
    /// toward zero (standard `/` on integers) or down; callers rely only on the remainder
    /// being smaller than the denominator. Exact for the engine's widest integer sums.
    fn integer_division(
        &self,
        w: &mut SqlWriter<'_>,
        numerator: &dyn Fn(&mut SqlWriter<'_>),
        denominator: &dyn Fn(&mut SqlWriter<'_>),
    ) {
        infix(w, numerator, " / ", denominator);
    }

    /// A sum of whole numbers (amounts in minor units, integer fields), written by `sum`,
    /// as the engine keeps it for comparing: by default as the engine sums them.
    fn whole_sum(&self, w: &mut SqlWriter<'_>, sum: &dyn Fn(&mut SqlWriter<'_>)) {
        sum(w);
    }

    /// The sum of a fixed-point column (`scale` places: money has 2) in whole units of its
    /// last place (cents), every value counted as rounded to that place, so the total
    /// cannot depend on the order rows are added (docs/semantics.md). `value` writes the
    /// column; `sum` writes `SUM(…)` (with the aggregate's filter) of what it is given. By
    /// default each value is rounded to a whole number of units ([`fixed_point_units`]),
    /// and those are summed as the engine keeps a sum of whole numbers
    /// ([`Dialect::whole_sum`]).
    fn fixed_point_sum(
        &self,
        w: &mut SqlWriter<'_>,
        scale: u32,
        value: &dyn Fn(&mut SqlWriter<'_>),
        sum: &SumOf<'_>,
    ) {
        self.whole_sum(w, &|w| sum(w, &|w| fixed_point_units(w, scale, value)));
    }

    /// The year of a date or timestamp column.
    fn year(&self, w: &mut SqlWriter<'_>, alias: &'static str, column: &str) {
        w.sql("EXTRACT(YEAR FROM ").column(alias, column).sql(")");
    }

    /// Keeps only the first row of an ordered subquery.
    fn first_row_only(&self, w: &mut SqlWriter<'_>) {
        w.sql(" FETCH FIRST 1 ROWS ONLY");
    }

    /// Keeps at most the parameter's number of rows.
    fn limit(&self, w: &mut SqlWriter<'_>, rows: ParamId) {
        w.sql("FETCH FIRST ").placeholder(rows).sql(" ROWS ONLY");
    }

    /// True when `text` contains the parameter's text (exact, case-sensitive; `%`, `_`
    /// and `\\` are plain characters).
    fn contains(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>), needle: ParamId) {
        w.sql("POSITION(").placeholder(needle).sql(" IN ");
        text(w);
        w.sql(") > 0");
    }

    /// True when `text` starts with the parameter's text (exact, case-sensitive).
    fn starts_with(
        &self,
        w: &mut SqlWriter<'_>,
        text: &dyn Fn(&mut SqlWriter<'_>),
        prefix: ParamId,
    ) {
        w.sql("SUBSTRING(");
        text(w);
        w.sql(" FROM 1 FOR CHAR_LENGTH(");
        w.placeholder(prefix).sql(")) = ").placeholder(prefix);
    }

    /// True when `text` ends with the parameter's text (exact, case-sensitive).
    fn ends_with(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>), suffix: ParamId) {
        w.sql("RIGHT(");
        text(w);
        w.sql(", CHAR_LENGTH(");
        w.placeholder(suffix).sql(")) = ").placeholder(suffix);
    }

    /// `text` with its letters folded as `ignoring case` folds them
    /// ([`crate::normalize::fold_case`]): by default `TRANSLATE` with seglang's table, bound
    /// as two parameters, so that neither the engine's locale nor its collation counts.
    fn fold_case(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        fold_case_by_table(w, text);
    }

    /// `text` with its white space read as `ignoring spaces` reads it
    /// ([`crate::normalize::collapse_spaces`]): by default every white-space character made a
    /// space with `TRANSLATE` (the set bound as a parameter), runs of spaces made one
    /// ([`Dialect::replace_runs_of_spaces`]), and spaces at either end trimmed
    /// ([`Dialect::trim_spaces`]).
    fn collapse_spaces(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        self.trim_spaces(w, &|w| {
            self.replace_runs_of_spaces(w, &|w| {
                w.sql("TRANSLATE(");
                text(w);
                w.sql(", ");
                w.param(Value::Text(normalize::WHITE_SPACE.into()));
                w.sql(", ");
                w.param(Value::Text(normalize::SPACES.into()));
                w.sql(")");
            })
        });
    }

    /// `text` with every run of spaces made one space: by default `REGEXP_REPLACE`, which
    /// replaces every match.
    fn replace_runs_of_spaces(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("REGEXP_REPLACE(");
        text(w);
        w.sql(", ' +', ' ')");
    }

    /// `text` without spaces (U+0020 only) at either end: standard `TRIM`.
    fn trim_spaces(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("TRIM(BOTH ' ' FROM ");
        text(w);
        w.sql(")");
    }

    /// A whole number wide enough that the products of a calculation do not overflow: by
    /// default a 38-digit decimal.
    fn wide_integer(&self, w: &mut SqlWriter<'_>, value: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("CAST(");
        value(w);
        w.sql(" AS DECIMAL(38, 0))");
    }

    /// Whole days from 1 January 1970 to a date: by default the standard difference of two
    /// dates, which is a whole number of days.
    fn day_number(&self, w: &mut SqlWriter<'_>, date: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("(");
        date(w);
        w.sql(" - DATE '1970-01-01')");
    }

    /// The `ORDER BY` terms that order customer keys the same way on every engine, to break
    /// ties (`NTILE` for RFM scores): the key as text, shorter first, then by its UTF-8
    /// bytes whatever the collation (for whole-number keys from 0 up, their order).
    fn key_order(&self, w: &mut SqlWriter<'_>, key: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("CHAR_LENGTH(CAST(");
        key(w);
        w.sql(" AS VARCHAR)), CAST(");
        key(w);
        w.sql(" AS VARCHAR)");
    }

    /// The first 32 bits of MD5(seed ':' key) as a whole number, 0 to 2^32 − 1
    /// ([`crate::split::key_hash`]), the key read as text. By default the MD5 function most
    /// engines have (lowercase hex), its first eight hex digits decoded with standard
    /// string functions, in 64-bit arithmetic.
    fn key_hash(&self, w: &mut SqlWriter<'_>, seed: ParamId, alias: &'static str, key: &str) {
        w.sql("(");
        for digit in 0..8u32 {
            if digit > 0 {
                w.sql(" + ");
            }
            w.sql("CAST(POSITION(SUBSTRING(MD5(").placeholder(seed);
            w.sql(" || ':' || CAST(")
                .column(alias, key)
                .sql(" AS VARCHAR))");
            w.sql(" FROM ").number(u64::from(digit) + 1);
            w.sql(" FOR 1) IN '0123456789abcdef') - 1 AS BIGINT) * ");
            w.number(16u64.pow(7 - digit));
        }
        w.sql(")");
    }

    /// The customer's split bucket, 0–9999 ([`crate::split::bucket`]): its key hash modulo
    /// 10,000.
    fn split_bucket(&self, w: &mut SqlWriter<'_>, seed: ParamId, alias: &'static str, key: &str) {
        w.sql("MOD(");
        self.key_hash(w, seed, alias, key);
        w.sql(", ")
            .number(u64::from(crate::split::BUCKETS))
            .sql(")");
    }
}

/// The seed of the key hash that picks sampled customers.
pub const SAMPLE_SEED: &str = "sample";

/// An aggregate call `open value)` (`value` `None`: `*`), over the rows `filter` keeps if
/// given, as the dialect restricts rows.
pub fn aggregate(
    w: &mut SqlWriter<'_>,
    open: &'static str,
    value: Option<&dyn Fn(&mut SqlWriter<'_>)>,
    filter: Option<&dyn Fn(&mut SqlWriter<'_>)>,
) {
    if let Some(filter) = filter {
        return w.dialect().filtered_aggregate(w, open, value, filter);
    }
    w.sql(open);
    match value {
        Some(value) => value(w),
        None => {
            w.sql("*");
        }
    }
    w.sql(")");
}

/// Writes `SUM(…)` (with its filter) of the value the second argument writes.
pub type SumOf<'a> = dyn Fn(&mut SqlWriter<'_>, &dyn Fn(&mut SqlWriter<'_>)) + 'a;

/// `CAST(ROUND(value * 10^scale) AS BIGINT)`: a fixed-point value in whole units of its
/// last place (64-bit: engines whose `INTEGER` is 32-bit would overflow past 21,474,836.47
/// in cents).
pub fn fixed_point_units(w: &mut SqlWriter<'_>, scale: u32, value: &dyn Fn(&mut SqlWriter<'_>)) {
    w.sql("CAST(ROUND(");
    value(w);
    w.sql(" * ").number(10u64.pow(scale)).sql(") AS BIGINT)");
}

/// `month_day(column) BETWEEN from AND to`, in the writer's dialect: the test
/// [`Dialect::month_day_between`] narrows.
pub fn month_day_in(w: &mut SqlWriter<'_>, alias: &'static str, column: &str, from: u32, to: u32) {
    let dialect = w.dialect();
    dialect.month_day(w, alias, column);
    w.sql(" BETWEEN ");
    w.param(dialect.month_day_value(from));
    w.sql(" AND ");
    w.param(dialect.month_day_value(to));
}

/// `TRANSLATE(text, upper, lower)` with seglang's case table, bound as two parameters: the
/// fold of [`crate::normalize::fold_case`] on any engine with `TRANSLATE`, whatever its
/// locale, but slow (the engine looks each character up in the 531 letters: about 12 s for
/// a million values on PostgreSQL and DuckDB).
pub fn fold_case_by_table(w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
    w.sql("TRANSLATE(");
    text(w);
    w.sql(", ");
    w.param(Value::Text(normalize::UPPER.into()));
    w.sql(", ");
    w.param(Value::Text(normalize::LOWER.into()));
    w.sql(")");
}

/// [`Dialect::fold_case`] for an engine whose own lowercase follows Unicode's simple
/// mapping within [`normalize::TABLE_RANGES`]: `lower` where `within` (the text lies in
/// those ranges) holds, the table ([`fold_case_by_table`]) elsewhere.
pub fn fold_case_within_ranges(
    w: &mut SqlWriter<'_>,
    text: &dyn Fn(&mut SqlWriter<'_>),
    within: &dyn Fn(&mut SqlWriter<'_>),
    lower: &dyn Fn(&mut SqlWriter<'_>),
) {
    w.sql("CASE WHEN ");
    within(w);
    w.sql(" THEN ");
    lower(w);
    w.sql(" ELSE ");
    fold_case_by_table(w, text);
    w.sql(" END");
}

/// The characters of [`normalize::TABLE_RANGES`] as a regular expression's bracket class
/// (`[…]`), each code point written by `escape`.
pub fn table_ranges_class(escape: fn(u32) -> String) -> String {
    let mut class = String::from("[");
    for &(first, last) in normalize::TABLE_RANGES {
        class.push_str(&escape(first));
        if last > first {
            class.push('-');
            class.push_str(&escape(last));
        }
    }
    class.push(']');
    class
}

/// [`Dialect::filtered_aggregate`] for engines without `FILTER`: the value only on the rows
/// kept, `CASE WHEN filter THEN value END` (1 for `*`), which aggregates skip elsewhere.
pub fn aggregate_of_case(
    w: &mut SqlWriter<'_>,
    open: &'static str,
    value: Option<&dyn Fn(&mut SqlWriter<'_>)>,
    filter: &dyn Fn(&mut SqlWriter<'_>),
) {
    w.sql(open).sql("CASE WHEN ");
    filter(w);
    w.sql(" THEN ");
    match value {
        Some(value) => value(w),
        None => {
            w.sql("1");
        }
    }
    w.sql(" END)");
}

/// `DIV(numerator, denominator)`: whole division as a function, for engines whose `/`
/// keeps a fraction.
pub fn div_function(
    w: &mut SqlWriter<'_>,
    numerator: &dyn Fn(&mut SqlWriter<'_>),
    denominator: &dyn Fn(&mut SqlWriter<'_>),
) {
    w.sql("DIV(");
    numerator(w);
    w.sql(", ");
    denominator(w);
    w.sql(")");
}

/// `(left) op (right)`: a binary operator between two parenthesised operands.
pub fn infix(
    w: &mut SqlWriter<'_>,
    left: &dyn Fn(&mut SqlWriter<'_>),
    op: &'static str,
    right: &dyn Fn(&mut SqlWriter<'_>),
) {
    w.sql("(");
    left(w);
    w.sql(")").sql(op).sql("(");
    right(w);
    w.sql(")");
}
