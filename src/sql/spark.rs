//! Spark SQL (<https://spark.apache.org/docs/latest/sql-ref.html>): backquoted names,
//! named `:pN` parameters (Spark 3.4+), `DIV`, `LIMIT`, and `CONV` to read hex.

use super::dialect::{Dialect, fixed_point_column_type, infix};
use super::writer::{ParamId, SqlWriter};
use crate::schema::Type;

/// The Spark SQL dialect.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spark;

impl Dialect for Spark {
    fn name(&self) -> &'static str {
        "spark"
    }

    /// <https://spark.apache.org/docs/latest/sql-ref-identifier.html>
    fn quote_ident(&self, out: &mut String, ident: &str) {
        out.push('`');
        out.push_str(&ident.replace('`', "``"));
        out.push('`');
    }

    /// <https://spark.apache.org/docs/latest/sql-ref-datatypes.html>: money to the cent,
    /// other decimals with ten places.
    fn column_type(&self, ty: Option<Type>) -> &'static str {
        fixed_point_column_type(ty, "STRING")
    }

    /// <https://spark.apache.org/docs/latest/sql-ref-syntax-aux-param.html>: named markers.
    fn placeholder(&self, out: &mut String, index: usize) {
        out.push_str(":p");
        out.push_str(&index.to_string());
    }

    fn integer_division(
        &self,
        w: &mut SqlWriter<'_>,
        numerator: &dyn Fn(&mut SqlWriter<'_>),
        denominator: &dyn Fn(&mut SqlWriter<'_>),
    ) {
        infix(w, numerator, " DIV ", denominator);
    }

    fn first_row_only(&self, w: &mut SqlWriter<'_>) {
        w.sql(" LIMIT 1");
    }

    fn limit(&self, w: &mut SqlWriter<'_>, rows: ParamId) {
        w.sql("LIMIT ").placeholder(rows);
    }

    /// <https://spark.apache.org/docs/latest/api/sql/#conv>: `CONV` reads hex.
    fn key_hash(&self, w: &mut SqlWriter<'_>, seed: ParamId, alias: &'static str, key: &str) {
        w.sql("CAST(CONV(SUBSTRING(MD5(CONCAT(").placeholder(seed);
        w.sql(", ':', CAST(")
            .column(alias, key)
            .sql(" AS STRING))), 1, 8), 16, 10) AS BIGINT)");
    }

    /// The text type is `STRING`, which compares by bytes.
    fn key_order(&self, w: &mut SqlWriter<'_>, key: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("CHAR_LENGTH(CAST(");
        key(w);
        w.sql(" AS STRING)), CAST(");
        key(w);
        w.sql(" AS STRING)");
    }

    /// <https://spark.apache.org/docs/latest/api/sql/#datediff>: the difference of two dates is not a number in Spark.
    fn day_number(&self, w: &mut SqlWriter<'_>, date: &dyn Fn(&mut SqlWriter<'_>)) {
        w.sql("DATEDIFF(");
        date(w);
        w.sql(", DATE '1970-01-01')");
    }
}
