//! Loads CSV files into PostgreSQL tables, all or nothing: the tables are dropped,
//! created, filled (with `COPY`) and indexed in one transaction, so a failure leaves the
//! previous tables in place. Values are checked exactly as for SQLite first.

use rusqlite::types::Value as SqlValue;

use super::load::{
    LoadSummary, TableLoad, TableRows, checked_rows, create_statement, index_statement, quote,
    read_csv,
};
use super::postgres::{database_error, write};
use crate::diagnostics::{Code, Diagnostic};
use crate::schema::Type;
use crate::value::Decimal;

/// Replaces the tables of `tables` in the PostgreSQL database at `url`.
pub fn load(url: &str, tables: &[TableLoad]) -> Result<LoadSummary, Diagnostic> {
    let contents = tables.iter().map(read_csv).collect::<Result<Vec<_>, _>>()?;
    load_rows(url, &contents)
}

/// Replaces the tables of `tables` (rows already read) in the PostgreSQL database at `url`.
pub fn load_rows(url: &str, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
    write(url, |transaction| {
        let mut summary = Vec::new();
        for table in tables {
            fill_table(transaction, table)?;
            summary.push((table.table.clone(), table.rows.len()));
        }
        Ok(summary)
    })
}

fn fill_table(
    transaction: &mut postgres::Transaction<'_>,
    table: &TableRows,
) -> Result<(), Diagnostic> {
    let (types, rows) = checked_rows(table)?;
    let mut create = String::from("DROP TABLE IF EXISTS ");
    quote(&mut create, &table.table);
    create.push_str(" CASCADE; ");
    create.push_str(&create_statement(table, &types, storage_type));
    transaction
        .batch_execute(&create)
        .map_err(|e| database_error(&format!("cannot create table {}", table.table), &e))?;

    // CSV for COPY: unknown is an empty unquoted field, every value is quoted (so an empty
    // text stays an empty text), decimals keep their exact digits.
    let mut data = String::new();
    for ((_, cells), values) in table.rows.iter().zip(&rows) {
        for (i, ((cell, value), ty)) in cells.iter().zip(values).zip(&types).enumerate() {
            if i > 0 {
                data.push(',');
            }
            if let Some(text) = copy_text(cell.as_deref(), value, *ty) {
                data.push('"');
                data.push_str(&text.replace('"', "\"\""));
                data.push('"');
            }
        }
        data.push('\n');
    }
    let mut copy = String::from("COPY ");
    quote(&mut copy, &table.table);
    copy.push_str(" FROM STDIN (FORMAT csv)");
    let mut writer = transaction
        .copy_in(copy.as_str())
        .map_err(|e| database_error(&format!("cannot load {}", table.origin), &e))?;
    std::io::Write::write_all(&mut writer, data.as_bytes())
        .map_err(|e| copy_error(table, &e.to_string()))?;
    writer
        .finish()
        .map_err(|e| database_error(&format!("cannot load {}", table.origin), &e))?;
    for column in &table.indexes {
        transaction
            .batch_execute(&index_statement(&table.table, column))
            .map_err(|e| database_error(&format!("cannot index {}.{column}", table.table), &e))?;
    }
    Ok(())
}

/// A checked value as `COPY` reads it (`None`: unknown).
fn copy_text(cell: Option<&str>, value: &SqlValue, ty: Option<Type>) -> Option<String> {
    Some(match (value, ty) {
        (SqlValue::Null | SqlValue::Blob(_), _) => return None,
        (_, Some(Type::Decimal(_) | Type::Money)) => Decimal::parse(cell?.trim())?.to_string(),
        (SqlValue::Integer(n), Some(Type::Bool)) => (*n != 0).to_string(),
        (SqlValue::Integer(n), _) => n.to_string(),
        (SqlValue::Real(r), _) => r.to_string(),
        (SqlValue::Text(t), _) => t.clone(),
    })
}

/// The PostgreSQL column type for a field type; undeclared columns were sniffed.
fn storage_type(ty: Option<Type>) -> &'static str {
    match ty {
        Some(Type::Integer) => "BIGINT",
        Some(Type::Bool) => "BOOLEAN",
        Some(Type::Decimal(_) | Type::Money) => "NUMERIC",
        Some(Type::Date) => "DATE",
        Some(Type::Timestamp) => "TIMESTAMP",
        Some(Type::Text) | None => "TEXT",
    }
}

fn copy_error(table: &TableRows, error: &str) -> Diagnostic {
    Diagnostic::error(
        Code::DataLoad,
        format!("cannot prepare {} for loading: {error}", table.origin),
    )
}
