//! Loading the project's `[data]` CSV files into its database (Parquet files are read in
//! place by the engines that can).

use super::Failure;
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::{self, Location, TableLoad, table_rows::read_csv};
use crate::output::errln;
use crate::project::Project;

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
    // The database is rebuilt; never a file the project reads otherwise (a CSV source, the
    // manifest, a segment file).
    if let Some(path) = target.local_file()
        && let Some(input) = project.input_file(path)
        && input != crate::project::InputFile::Database
    {
        return Err(crate::project::refused_output(path, "the database", input).into());
    }
    let engine = engine::connect(target);
    let (parquet, csv): (Vec<_>, Vec<_>) = manifest
        .data
        .iter()
        .partition(|source| crate::project::is_parquet(&source.path));
    if !parquet.is_empty() && !engine.reads_parquet() {
        let files: Vec<String> = parquet
            .iter()
            .map(|s| s.path.display().to_string())
            .collect();
        return Err(Diagnostic::error(
            Code::DataLoad,
            format!(
                "`[data]` lists Parquet files ({}), which only the DuckDB engine reads",
                files.join(", ")
            ),
        )
        .with_help("name a DuckDB database in seg.toml (`[database] duckdb = \"shop.duckdb\"`), which reads Parquet files in place, or give CSV files")
        .into());
    }
    // Parquet files are read in place at every query: the load only makes sure they are there.
    if let Some(missing) = parquet
        .iter()
        .find(|source| !project.root.join(&source.path).is_file())
    {
        return Err(Diagnostic::error(
            Code::DataLoad,
            format!(
                "Parquet file {} (table {}) is not there, or not a regular file",
                missing.path.display(),
                missing.table
            ),
        )
        .with_help("check the table's file under `[data]` in seg.toml")
        .into());
    }
    let tables: Vec<TableLoad> = csv
        .iter()
        .map(|source| {
            let layout = manifest.schema.table_layout(&source.table);
            TableLoad {
                table: source.table.clone(),
                csv: project.root.join(&source.path),
                types: layout.types,
                indexes: layout.indexes,
                required: layout.required,
                unique: layout.unique,
            }
        })
        .collect();
    if !engine.loads_tables() {
        errln!(
            "seg: the {} engine reads the [data] CSV files at each run; nothing to load",
            engine.dialect().name()
        );
        return Ok(());
    }
    if tables.is_empty() {
        errln!("seg: creating {}", target.name(&project.root));
    } else {
        errln!(
            "seg: loading {} CSV files into {}",
            tables.len(),
            target.name(&project.root)
        );
    }
    let rows = tables.iter().map(read_csv).collect::<Result<Vec<_>, _>>()?;
    for (table, rows) in engine.load(&rows)? {
        errln!("  {table}: {} rows", crate::output::thousands(rows as u64));
    }
    for source in parquet {
        errln!(
            "  {}: read in place from {} at every query",
            source.table,
            source.path.display()
        );
    }
    Ok(())
}
