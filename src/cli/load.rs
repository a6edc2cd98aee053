//! `seg load`: (re)build the project's SQLite database from the CSV files in seg.toml.

use std::collections::HashMap;
use std::path::Path;

use super::session::Session;
use super::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::load::{self, TableLoad};
use crate::project::Project;

pub fn run(context: &Context) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    let target = session.database_path()?;
    build(&session.project, &target)?;
    Ok(0)
}

/// What the schema says about one table: its columns (keys first), their types, and the
/// columns to index.
#[derive(Clone, Debug, Default)]
pub(crate) struct TableLayout {
    pub(crate) columns: Vec<String>,
    pub(crate) types: HashMap<String, crate::schema::Type>,
    pub(crate) indexes: Vec<String>,
}

/// The layout of `table` from every entity stored in it.
pub(crate) fn table_layout(schema: &crate::schema::Schema, table: &str) -> TableLayout {
    let mut layout = TableLayout::default();
    let entities = std::iter::once(&schema.customer).chain(&schema.related);
    for entity in entities.filter(|e| e.table == table) {
        let keys = [
            Some(&entity.key).filter(|k| !k.is_empty()),
            entity.customer_key.as_ref(),
        ];
        for column in keys.into_iter().flatten() {
            if !layout.columns.contains(column) {
                layout.columns.push(column.clone());
            }
        }
        for field in entity.fields.iter().filter(|f| f.via.is_none()) {
            layout.types.insert(field.column.clone(), field.ty);
            if !layout.columns.contains(&field.column) {
                layout.columns.push(field.column.clone());
            }
        }
        layout.indexes.extend(entity.customer_key.clone());
    }
    layout
}

/// Builds `target` from the project's `[data]` files, reporting what was loaded on stderr.
pub(crate) fn build(project: &Project, target: &Path) -> Result<(), Failure> {
    let manifest = &project.manifest;
    if manifest.data.is_empty() {
        return Err(Diagnostic::error(
            Code::DataLoad,
            "seg.toml lists no CSV files under `[data]`",
        )
        .with_help("add `[data]` with `customers = \"data/customers.csv\"` (table = file)")
        .into());
    }
    let tables: Vec<TableLoad> = manifest
        .data
        .iter()
        .map(|source| {
            let layout = table_layout(&manifest.schema, &source.table);
            TableLoad {
                table: source.table.clone(),
                csv: project.root.join(&source.path),
                types: layout.types,
                indexes: layout.indexes,
            }
        })
        .collect();
    eprintln!(
        "seg: building {} from {} CSV files",
        project.display_name(target),
        tables.len()
    );
    let summary = load::load(target, &tables)?;
    for (table, rows) in summary {
        eprintln!("  {table}: {} rows", super::output::thousands(rows as u64));
    }
    Ok(())
}
