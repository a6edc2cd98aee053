//! Where a project's data lives, as plain data: the manifest's `[database]` names it, the
//! engine opens it (`engine::connect`). This file is the project's one place that names
//! each backend; nothing here touches a database.

use std::path::{Path, PathBuf};

use super::manifest::{DatabaseSetting, Manifest};
use crate::diagnostics::{Code, Diagnostic};
use crate::schema::Type;

/// Where a project's data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file.
    File(PathBuf),
    /// A PostgreSQL database, by URL (without a password).
    Postgres(String),
    /// A Spark cluster and the CSV files it reads.
    Spark(SparkTarget),
}

impl Location {
    /// Where the data of a project (its `manifest`, in `root`) is, if the manifest says: a
    /// SQLite file (relative to the project), a PostgreSQL URL, or a Spark cluster reading
    /// the `[data]` files (a URL or master read from an environment variable for `url_env`
    /// / `spark_env`).
    pub fn of(manifest: &Manifest, root: &Path) -> Result<Option<Location>, Diagnostic> {
        let from_env = |variable: &str, what: &str, example: &str| {
            std::env::var(variable).map_err(|_| {
                Diagnostic::error(
                    Code::DatabaseMissing,
                    format!("seg.toml reads the {what} from ${variable}, which is not set"),
                )
                .with_help(format!("set {variable} to {example}"))
            })
        };
        Ok(match &manifest.database {
            None => None,
            Some(DatabaseSetting::Path(path)) => Some(Location::File(root.join(path))),
            Some(DatabaseSetting::Url(url)) => Some(Location::Postgres(url.clone())),
            Some(DatabaseSetting::UrlEnv(variable)) => Some(Location::Postgres(from_env(
                variable,
                "database URL",
                "postgresql://USER@HOST:PORT/DATABASE",
            )?)),
            Some(DatabaseSetting::Spark(master)) => {
                Some(SparkTarget::of(master.clone(), manifest, root)?)
            }
            Some(DatabaseSetting::SparkEnv(variable)) => Some(SparkTarget::of(
                from_env(variable, "Spark master", "spark://HOST:7077")?,
                manifest,
                root,
            )?),
        })
    }

    /// A database given on the command line: a PostgreSQL URL, or else a SQLite file.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgresql://") || text.starts_with("postgres://") {
            Location::Postgres(text.to_string())
        } else {
            Location::File(PathBuf::from(text))
        }
    }

    /// How messages name it: a file relative to the project at `root`, a URL, a master.
    pub fn name(&self, root: &Path) -> String {
        match self {
            Location::File(path) => path
                .strip_prefix(root)
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned(),
            Location::Postgres(url) => url.clone(),
            Location::Spark(target) => target.master.clone(),
        }
    }
}

/// A Spark cluster and the CSV files its queries read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparkTarget {
    /// The master URL (`spark://host:7077`, `local[2]`).
    pub master: String,
    /// The tables, each registered from its CSV file.
    pub tables: Vec<CsvTable>,
}

impl SparkTarget {
    /// A Spark cluster at `master` reading the project's `[data]` files, typed by the schema.
    fn of(master: String, manifest: &Manifest, root: &Path) -> Result<Location, Diagnostic> {
        if manifest.data.is_empty() {
            return Err(Diagnostic::error(
                Code::ManifestInvalid,
                "a Spark project reads its tables from the `[data]` CSV files, and seg.toml lists none",
            )
            .with_help("add `[data]` with `customers = \"data/customers.csv\"` (table = file)"));
        }
        let tables = manifest
            .data
            .iter()
            .map(|source| CsvTable {
                name: source.table.clone(),
                csv: root.join(&source.path),
                types: manifest
                    .schema
                    .table_layout(&source.table)
                    .types
                    .into_iter()
                    .collect(),
            })
            .collect();
        Ok(Location::Spark(SparkTarget { master, tables }))
    }
}

/// A `[data]` CSV file with the declared types of its columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvTable {
    /// The table's name in SQL.
    pub name: String,
    /// The file.
    pub csv: PathBuf,
    /// Declared types by column; the others are whole numbers if every value is one, else text.
    pub types: Vec<(String, Type)>,
}
