//! Loads checked rows into PostgreSQL tables: each table is dropped, created, filled with a
//! binary `COPY` (typed values, no text quoting) and indexed, inside the caller's
//! transaction, so a failure leaves the previous tables in place.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type as WireType};

use super::error::database_error;
use super::wire::Stored;
use crate::diagnostics::Diagnostic;
use crate::engine::TableRows;
use crate::engine::table_rows::checked_rows;
use crate::schema::Type;
use crate::sql::{Postgres, ddl};

/// Replaces `table` in the database of `transaction`.
pub(super) fn fill_table(
    transaction: &mut postgres::Transaction<'_>,
    table: &TableRows,
) -> Result<(), Diagnostic> {
    let (types, rows) = checked_rows(table)?;
    let columns: Vec<_> = table.columns.iter().cloned().zip(types.clone()).collect();
    let name = ddl::quoted(&Postgres, &table.table);
    let create = format!(
        "DROP TABLE IF EXISTS {name} CASCADE; {}",
        ddl::create_table(&Postgres, &table.table, &columns)
    );
    let failed = |what: &str, e: &postgres::Error| database_error(what, e, None);
    transaction
        .batch_execute(&create)
        .map_err(|e| failed(&format!("cannot create table {}", table.table), &e))?;

    let loading = format!("cannot load {}", table.origin);
    let sink = transaction
        .copy_in(format!("COPY {name} FROM STDIN (FORMAT binary)").as_str())
        .map_err(|e| failed(&loading, &e))?;
    let wire_types: Vec<WireType> = types.iter().map(|t| wire_type(*t)).collect();
    let mut writer = BinaryCopyInWriter::new(sink, &wire_types);
    for values in &rows {
        let stored: Vec<Stored<'_>> = values.iter().map(Stored).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            stored.iter().map(|s| s as &(dyn ToSql + Sync)).collect();
        writer.write(&refs).map_err(|e| failed(&loading, &e))?;
    }
    writer.finish().map_err(|e| failed(&loading, &e))?;
    for column in &table.indexes {
        transaction
            .batch_execute(&ddl::create_index(&Postgres, &table.table, column))
            .map_err(|e| failed(&format!("cannot index {}.{column}", table.table), &e))?;
    }
    Ok(())
}

/// The wire type of a column created with `Postgres::column_type(ty)`.
fn wire_type(ty: Option<Type>) -> WireType {
    match ty {
        Some(Type::Integer) => WireType::INT8,
        Some(Type::Bool) => WireType::BOOL,
        Some(Type::Decimal(_) | Type::Money) => WireType::NUMERIC,
        Some(Type::Date) => WireType::DATE,
        Some(Type::Timestamp) => WireType::TIMESTAMP,
        Some(Type::Text) | None => WireType::TEXT,
    }
}
