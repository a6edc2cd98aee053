//! Schema drift: the manifest names a table or column the database does not have, or a
//! column holds values of another type than its field's (a money field over a text column
//! compares as text, silently wrong). Reported before any query runs, with the place in
//! seg.toml, rather than as an SQL error or a wrong answer later.

use std::collections::HashMap;

use super::{Entity, Field, Schema, Stored, StoredColumn, Type, ValueKind};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};

/// One error per table or column of `schema` missing from `database`, and per field whose
/// column is declared with an incompatible type.
pub fn check(schema: &Schema, database: &HashMap<String, Vec<StoredColumn>>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for entity in std::iter::once(&schema.customer).chain(&schema.related) {
        entity_drift(entity, database, &mut out);
    }
    if out.is_empty() {
        out.extend(key_drift(schema, database));
    }
    out
}

/// One error per related table whose customer-key column holds keys of another kind than
/// the customer key's (text against whole numbers joins by accident, or fails).
fn key_drift(schema: &Schema, database: &HashMap<String, Vec<StoredColumn>>) -> Vec<Diagnostic> {
    let column = |table: &str, name: &str| {
        database
            .get(table)
            .and_then(|columns| columns.iter().find(|c| c.name == name))
    };
    let kind = |stored: Stored| match stored {
        Stored::Integer | Stored::Numeric | Stored::Float => Some("number"),
        Stored::Text => Some("text"),
        _ => None,
    };
    let customer = &schema.customer;
    let Some(key) = column(&customer.table, &customer.key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entity in &schema.related {
        let Some(name) = &entity.customer_key else {
            continue;
        };
        let Some(related) = column(&entity.table, name) else {
            continue;
        };
        if let (Some(a), Some(b)) = (kind(key.stored), kind(related.stored))
            && a != b
        {
            out.push(
                Diagnostic::error(
                    Code::SchemaDrift,
                    format!(
                        "column `{name}` of table `{}` is {}, but the customer key `{}` of table `{}` is {}",
                        entity.table,
                        related.declared.to_lowercase(),
                        customer.key,
                        customer.table,
                        key.declared.to_lowercase()
                    ),
                )
                .with_label(
                    entity.location.source,
                    entity.location.span,
                    format!("entity `{}`", entity.name),
                )
                .with_help("store the keys alike in both tables (seg load does); joined as they are, keys match by accident or not at all"),
            );
        }
    }
    out
}

fn entity_drift(
    entity: &Entity,
    database: &HashMap<String, Vec<StoredColumn>>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(stored) = database.get(&entity.table) else {
        let help = did_you_mean(&entity.table, database.keys().map(String::as_str), "`")
            .unwrap_or_else(|| "check `table` in seg.toml, or load the data".into());
        out.push(
            Diagnostic::error(
                Code::SchemaDrift,
                format!("table `{}` is not in the database", entity.table),
            )
            .with_label(
                entity.location.source,
                entity.location.span,
                format!("entity `{}`", entity.name),
            )
            .with_help(help),
        );
        return;
    };
    let columns: Vec<String> = stored.iter().map(|c| c.name.clone()).collect();
    // `also` is another name worth suggesting: a field's own name, when a column has it.
    let mut missing =
        |column: &str, also: Option<&str>, location: crate::source::Location, what: &str| {
            if columns.iter().any(|c| c == column) {
                return;
            }
            let help = did_you_mean(column, columns.iter().map(String::as_str), "`")
                .or_else(|| {
                    also.filter(|a| columns.iter().any(|c| c == a))
                        .map(|a| format!("did you mean `{a}`?"))
                })
                .unwrap_or_else(|| format!("columns of {}: {}", entity.table, columns.join(", ")));
            out.push(
                Diagnostic::error(
                    Code::SchemaDrift,
                    format!(
                        "column `{column}` of table `{}` is not in the database",
                        entity.table
                    ),
                )
                .with_label(location.source, location.span, what.to_string())
                .with_help(help),
            );
        };
    for key in [
        Some(&entity.key).filter(|k| !k.is_empty()),
        entity.customer_key.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        missing(key, None, entity.location, "a key of this entity");
    }
    let mut mistyped = Vec::new();
    for field in entity.fields.iter().filter(|f| f.via.is_none()) {
        missing(
            &field.column,
            Some(&field.name),
            field.location,
            &format!("field `{}`", field.name),
        );
        if let Some(column) = stored.iter().find(|c| c.name == field.column)
            && !fits(field.ty, column.stored)
        {
            mistyped.push(type_drift(
                entity,
                field,
                &format!("has the type `{}`", column.declared.to_lowercase()),
            ));
        }
    }
    out.extend(mistyped);
}

/// Whether a column the catalog describes as `stored` can hold a field of type `ty`.
fn fits(ty: Type, stored: Stored) -> bool {
    use Stored::*;
    match ty {
        Type::Text => !matches!(stored, Bool | Date | Timestamp),
        Type::Integer | Type::Decimal(_) | Type::Money => {
            matches!(stored, Integer | Numeric | Float | Anything)
        }
        Type::Bool => matches!(stored, Bool | Integer | Numeric | Anything),
        Type::Date | Type::Timestamp => matches!(stored, Date | Timestamp | Text | Anything),
    }
}

/// The fields of `entity` stored in `table` whose values an engine's sample should show
/// (numbers, booleans and dates; text holds anything): their columns.
pub fn sampled_columns<'s>(schema: &'s Schema, table: &str) -> Vec<&'s Field> {
    std::iter::once(&schema.customer)
        .chain(&schema.related)
        .filter(|e| e.table == table)
        .flat_map(|e| e.fields.iter().filter(|f| f.via.is_none()))
        .filter(|f| f.ty != Type::Text)
        .collect()
}

/// One error per field of `table` (its columns sampled in `kinds`, in the order of
/// [`sampled_columns`]) whose column holds values of another kind than the field's type.
pub fn check_values(
    schema: &Schema,
    table: &str,
    kinds: &[Vec<ValueKind>],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let entity = std::iter::once(&schema.customer)
        .chain(&schema.related)
        .find(|e| e.table == table);
    for (field, kinds) in sampled_columns(schema, table).into_iter().zip(kinds) {
        let wrong = match field.ty {
            Type::Date | Type::Timestamp => kinds.iter().find_map(|k| match k {
                ValueKind::DateText => None,
                ValueKind::Text => Some("text that is not an ISO date (YYYY-MM-DD)"),
                _ => Some("numbers"),
            }),
            _ => kinds
                .iter()
                .find(|k| matches!(k, ValueKind::Text | ValueKind::DateText | ValueKind::Blob))
                .map(|_| "text values"),
        };
        if let (Some(wrong), Some(entity)) = (wrong, entity) {
            out.push(type_drift(entity, field, &format!("holds {wrong}")));
        }
    }
    out
}

fn type_drift(entity: &Entity, field: &Field, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::SchemaDrift,
        format!(
            "field `{}` is {}, but column `{}` of table `{}` {what}",
            field.name, field.ty, field.column, entity.table
        ),
    )
    .with_label(
        field.location.source,
        field.location.span,
        format!("field `{}`", field.name),
    )
    .with_help(format!(
        "comparisons would be made on the column's values as stored, and answers would be wrong; \
         store {} in the column (seg load does), or change the field's type in seg.toml",
        field.ty
    ))
}
