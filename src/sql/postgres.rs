//! PostgreSQL (<https://www.postgresql.org/docs/current/sql.html>): standard SQL with `$n`
//! parameters, so it overrides almost nothing; the engine sends each parameter as the type
//! the server infers for it (see `engine/postgres/wire.rs`).

use super::dialect::{self, Dialect};
use std::sync::LazyLock;

use super::writer::SqlWriter;

/// The PostgreSQL dialect.
#[derive(Clone, Copy, Debug, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    /// <https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-SEARCH-PATH>:
    /// `pg_temp` names the session's temporary schema.
    fn temporary_schema(&self) -> &'static str {
        "pg_temp"
    }

    /// <https://www.postgresql.org/docs/current/functions-math.html>: `/` divides a
    /// `NUMERIC` (a sum of integers, a year) exactly, with a fraction; `DIV` truncates.
    fn integer_division(
        &self,
        w: &mut SqlWriter<'_>,
        numerator: &dyn Fn(&mut SqlWriter<'_>),
        denominator: &dyn Fn(&mut SqlWriter<'_>),
    ) {
        dialect::div_function(w, numerator, denominator);
    }

    /// <https://www.postgresql.org/docs/current/functions-matching.html#FUNCTIONS-POSIX-REGEXP>: without the `g` flag only the first match is replaced.
    fn replace_runs_of_spaces(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("REGEXP_REPLACE(");
        text(w);
        w.sql(", ' +', ' ', 'g')");
    }

    /// <https://www.postgresql.org/docs/current/collation.html#COLLATION-MANAGING-STANDARD>:
    /// `lower()` follows the collation, so seglang names ICU's root collation (`und-x-icu`,
    /// in every PostgreSQL built with ICU), which is Unicode's mapping except that `İ`
    /// becomes two characters and `Σ` ends a word as `ς`: those two are made `i` and `σ`
    /// first. Text made only of [`crate::normalize::TABLE_RANGES`] is folded so, other text
    /// by the table: a million Cyrillic values in 0.4 s rather than 12 s (timed as SQL,
    /// docs/semantics.md).
    fn fold_case(&self, w: &mut SqlWriter<'_>, text: &dyn Fn(&mut SqlWriter<'_>)) {
        // A constant of seglang's, made once: no text from a segment file.
        static CLASS: LazyLock<String> =
            LazyLock::new(|| dialect::table_ranges_class(|c| format!("\\u{c:04x}")));
        let within = |w: &mut SqlWriter<'_>| {
            text(w);
            w.sql(" ~ '^").sql(CLASS.as_str()).sql("*$'");
        };
        let lower = |w: &mut SqlWriter<'_>| {
            w.sql("lower(TRANSLATE(");
            text(w);
            w.sql(", 'İΣ', 'iσ') COLLATE \"und-x-icu\")");
        };
        dialect::fold_case_within_ranges(w, text, &within, &lower);
    }

    /// <https://www.postgresql.org/docs/current/collation.html>: text sorts by the
    /// database's collation unless told `COLLATE "C"`, which is byte order.
    fn key_order(&self, w: &mut SqlWriter<'_>, key: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("CHAR_LENGTH(CAST(");
        key(w);
        w.sql(" AS TEXT)), CAST(");
        key(w);
        w.sql(" AS TEXT) COLLATE \"C\"");
    }
}
