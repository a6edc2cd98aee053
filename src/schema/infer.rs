//! A starting `seg.toml` from what a database holds: the customer table is the one most
//! other tables point at (or is named like customers), related entities are the tables with
//! a key to it, and field types come from the stored values.

use std::fmt::Write;

use super::{ColumnInfo, Shape, TableInfo};
use crate::diagnostics::{Code, Diagnostic};

/// Writes a manifest for `tables`, which live in the database at `database` (as written
/// into `[database] path`).
pub fn manifest(tables: &[TableInfo], database: &str) -> Result<String, Diagnostic> {
    let Some(customer) = customer_table(tables) else {
        return Err(
            Diagnostic::error(Code::SchemaInfer, "the database has no tables to describe")
                .with_help("load data first, or write seg.toml by hand (see docs/manifest.md)"),
        );
    };
    let key = key_column(customer)
        .or(customer.columns.first().map(|c| c.name.as_str()))
        .unwrap_or("id");

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Inferred by `seg schema infer`; review the types and allowed values."
    );
    let _ = writeln!(out, "[database]\npath = {}\n", toml_string(database));
    let _ = writeln!(
        out,
        "[customer]\ntable = {}\nkey = {}\n",
        toml_string(&customer.name),
        toml_string(key)
    );
    let _ = writeln!(out, "[customer.fields]");
    for column in customer.columns.iter().filter(|c| c.name != key) {
        let _ = writeln!(out, "{}", field_line(column));
    }
    for table in tables.iter().filter(|t| t.name != customer.name) {
        let Some(link) = customer_key(table, customer) else {
            continue;
        };
        let _ = writeln!(out, "\n[related.{}]", toml_key(&table.name));
        let key = key_column(table).filter(|k| *k != link);
        if let Some(key) = key {
            let _ = writeln!(out, "key = {}", toml_string(key));
        }
        let _ = writeln!(out, "customer_key = {}", toml_string(link));
        let _ = writeln!(out, "\n[related.{}.fields]", toml_key(&table.name));
        for column in table
            .columns
            .iter()
            .filter(|c| c.name != link && Some(c.name.as_str()) != key)
        {
            let _ = writeln!(out, "{}", field_line(column));
        }
    }
    Ok(out)
}

/// The declared primary key, or a column named `id`.
fn key_column(table: &TableInfo) -> Option<&str> {
    table
        .columns
        .iter()
        .find(|c| c.primary_key)
        .or_else(|| {
            table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case("id"))
        })
        .map(|c| c.name.as_str())
}

/// The table other tables point at most, then one named like customers, then the first.
fn customer_table(tables: &[TableInfo]) -> Option<&TableInfo> {
    const NAMES: &[&str] = &[
        "customers",
        "customer",
        "users",
        "accounts",
        "clients",
        "people",
    ];
    let pointed_at = |t: &TableInfo| {
        tables
            .iter()
            .filter(|other| {
                other
                    .foreign_keys
                    .iter()
                    .any(|(_, target)| *target == t.name)
            })
            .count()
    };
    tables
        .iter()
        .max_by_key(|t| {
            let named = NAMES
                .iter()
                .position(|n| t.name.eq_ignore_ascii_case(n))
                .map_or(0, |p| NAMES.len() - p);
            (pointed_at(t), named)
        })
        .filter(|t| pointed_at(t) > 0 || NAMES.iter().any(|n| t.name.eq_ignore_ascii_case(n)))
        .or(tables.first())
}

/// The column of `table` that holds a customer's key: a declared foreign key, or a column
/// named `<customer>_id` / `customer_id`.
fn customer_key<'a>(table: &'a TableInfo, customer: &TableInfo) -> Option<&'a str> {
    if let Some((column, _)) = table
        .foreign_keys
        .iter()
        .find(|(_, target)| *target == customer.name)
    {
        return Some(column);
    }
    let singular = customer.name.strip_suffix('s').unwrap_or(&customer.name);
    let candidates = [format!("{singular}_id"), "customer_id".to_string()];
    table
        .columns
        .iter()
        .find(|c| {
            candidates
                .iter()
                .any(|name| c.name.eq_ignore_ascii_case(name))
        })
        .map(|c| c.name.as_str())
}

fn field_line(column: &ColumnInfo) -> String {
    let name = toml_key(&column.name);
    let ty = match column.shape {
        Shape::Boolean => "bool",
        Shape::Integer => "integer",
        Shape::Decimal(scale) if scale <= 2 && looks_like_money(&column.name) => "money",
        Shape::Decimal(_) => "decimal",
        Shape::Date => "date",
        Shape::Timestamp => "timestamp",
        Shape::Empty => match column.declared.as_str() {
            d if d.contains("INT") => "integer",
            d if d.contains("REAL") || d.contains("NUM") || d.contains("DEC") => "decimal",
            _ => "text",
        },
        Shape::Text => "text",
    };
    match &column.distinct {
        Some(values) if !values.is_empty() => {
            let list: Vec<String> = values.iter().map(|v| toml_string(v)).collect();
            format!(
                "{name} = {{ type = \"{ty}\", values = [{}] }}",
                list.join(", ")
            )
        }
        _ => format!("{name} = \"{ty}\""),
    }
}

fn looks_like_money(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "amount", "price", "total", "revenue", "spend", "ltv", "value", "income", "cost",
    ];
    let lower = name.to_ascii_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        name.to_string()
    } else {
        toml_string(name)
    }
}
