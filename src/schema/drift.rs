//! Schema drift: the manifest names a table or column the database does not have. Reported
//! before any query runs, with the place in seg.toml, rather than as an SQL error later.

use std::collections::HashMap;

use super::{Entity, Schema};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};

/// One error per table or column of `schema` missing from `database` (table → columns).
pub fn check(schema: &Schema, database: &HashMap<String, Vec<String>>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for entity in std::iter::once(&schema.customer).chain(&schema.related) {
        entity_drift(entity, database, &mut out);
    }
    out
}

fn entity_drift(
    entity: &Entity,
    database: &HashMap<String, Vec<String>>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(columns) = database.get(&entity.table) else {
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
    for field in entity.fields.iter().filter(|f| f.via.is_none()) {
        missing(
            &field.column,
            Some(&field.name),
            field.location,
            &format!("field `{}`", field.name),
        );
    }
}
