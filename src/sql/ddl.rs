//! The statements that create what seglang writes (loaded tables, their indexes, membership
//! history), in any dialect: every name quoted by the dialect, every type named by it.

use super::Dialect;
use crate::schema::Type;

/// `ident` quoted by `dialect`.
pub fn quoted(dialect: &dyn Dialect, ident: &str) -> String {
    let mut out = String::new();
    dialect.quote_ident(&mut out, ident);
    out
}

/// `"id" BIGINT, "name" TEXT, …`: each column with the dialect's type for its field type.
pub fn column_list(dialect: &dyn Dialect, columns: &[(String, Option<Type>)]) -> String {
    columns
        .iter()
        .map(|(name, ty)| format!("{} {}", quoted(dialect, name), dialect.column_type(*ty)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE TABLE "orders" ("id" BIGINT, …)`.
pub fn create_table(
    dialect: &dyn Dialect,
    table: &str,
    columns: &[(String, Option<Type>)],
) -> String {
    format!(
        "CREATE TABLE {} ({})",
        quoted(dialect, table),
        column_list(dialect, columns)
    )
}

/// `CREATE INDEX "orders_customer_id" ON "orders" ("customer_id")`.
pub fn create_index(dialect: &dyn Dialect, table: &str, column: &str) -> String {
    format!(
        "CREATE INDEX {} ON {} ({})",
        quoted(dialect, &format!("{table}_{column}")),
        quoted(dialect, table),
        quoted(dialect, column)
    )
}

/// `INSERT INTO "orders" VALUES ($1, $2, …)` for a row of `width` values.
pub fn insert_row(dialect: &dyn Dialect, table: &str, width: usize) -> String {
    let mut placeholders = String::new();
    for i in 1..=width {
        if i > 1 {
            placeholders.push_str(", ");
        }
        dialect.placeholder(&mut placeholders, i);
    }
    format!(
        "INSERT INTO {} VALUES ({placeholders})",
        quoted(dialect, table)
    )
}

/// The names of the membership history tables: seglang's own, never a user's data.
pub const MEMBERSHIP_TABLES: &[&str] = &["seg_runs", "seg_members"];

/// The membership history tables: every materialized run (`seg_runs`) and its members
/// (`seg_members`, keys of any type, one row per run and key). Their fixed lower-case names
/// are written as SQL.
pub fn membership_tables(dialect: &dyn Dialect) -> String {
    format!(
        "{}CREATE TABLE IF NOT EXISTS seg_runs (\n  run_id {},\n  segment TEXT NOT NULL,\n  \
         as_of TEXT NOT NULL,\n  definition TEXT NOT NULL,\n  computed_at TEXT NOT NULL,\n  \
         members BIGINT NOT NULL\n);\n\
         CREATE TABLE IF NOT EXISTS seg_members (\n  run_id BIGINT NOT NULL REFERENCES seg_runs (run_id),\n  \
         customer_key {} NOT NULL,\n  PRIMARY KEY (run_id, customer_key)\n){};",
        dialect.generated_key_setup(),
        dialect.generated_key(),
        dialect.any_key_type(),
        dialect.keyed_table_options(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Postgres, Spark, Sqlite};

    #[test]
    fn every_name_is_quoted_by_the_dialect() {
        let columns = [
            ("a\"b".to_string(), Some(Type::Integer)),
            ("x`y z".to_string(), None),
        ];
        assert_eq!(
            create_table(&Sqlite, "t\"1", &columns),
            r#"CREATE TABLE "t""1" ("a""b" INTEGER, "x`y z" TEXT)"#
        );
        assert_eq!(
            create_table(&Postgres, "t\"1", &columns),
            r#"CREATE TABLE "t""1" ("a""b" BIGINT, "x`y z" TEXT)"#
        );
        assert_eq!(
            column_list(&Spark, &columns),
            "`a\"b` BIGINT, `x``y z` STRING"
        );
        assert_eq!(
            create_index(&Postgres, "é t", "k\""),
            r#"CREATE INDEX "é t_k""" ON "é t" ("k""")"#
        );
        assert_eq!(
            insert_row(&Sqlite, "t", 3),
            r#"INSERT INTO "t" VALUES (?1, ?2, ?3)"#
        );
    }
}
