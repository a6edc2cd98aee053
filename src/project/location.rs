//! Where a project's data lives, as plain data: the manifest names it, the engine opens it
//! (`engine::connect`). Nothing here touches a database.

use std::path::{Path, PathBuf};

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
