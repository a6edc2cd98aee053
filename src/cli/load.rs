//! `seg load`: (re)build the project's database (a SQLite file, or the tables in
//! PostgreSQL) from the CSV files in seg.toml.

use super::session::Session;
use super::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::load::{self, TableLoad};
use crate::engine::{Location, load_postgres};
use crate::project::Project;

pub fn run(context: &Context) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    let target = session.database_location()?;
    build(&session.project, &target)?;
    Ok(0)
}

/// Builds `target` from the project's `[data]` files, reporting what was loaded on stderr.
pub(crate) fn build(project: &Project, target: &Location) -> Result<(), Failure> {
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
            let layout = manifest.schema.table_layout(&source.table);
            TableLoad {
                table: source.table.clone(),
                csv: project.root.join(&source.path),
                types: layout.types,
                indexes: layout.indexes,
                required: layout.required,
            }
        })
        .collect();
    let summary = match target {
        Location::File(path) => {
            eprintln!(
                "seg: building {} from {} CSV files",
                project.display_name(path),
                tables.len()
            );
            load::load(path, &tables)?
        }
        Location::Postgres(url) => {
            eprintln!("seg: loading {} CSV files into {url}", tables.len());
            load_postgres::load(url, &tables)?
        }
        Location::Spark(_) => {
            eprintln!("seg: Spark reads the [data] CSV files at each run; nothing to load");
            return Ok(());
        }
    };
    for (table, rows) in summary {
        eprintln!("  {table}: {} rows", super::output::thousands(rows as u64));
    }
    Ok(())
}
