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
    /// A DuckDB database file and the Parquet files it reads in place.
    DuckDb(DuckDbTarget),
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
            Some(DatabaseSetting::UrlEnv(variable)) => {
                let url = from_env(
                    variable,
                    "database URL",
                    "postgresql://USER@HOST:PORT/DATABASE",
                )?;
                if !is_postgres_url(&url) {
                    return Err(Diagnostic::error(
                        Code::ManifestInvalid,
                        format!("${variable} does not hold a postgresql:// URL"),
                    )
                    .with_help("write it as postgresql://USER@HOST:PORT/DATABASE?sslmode=…; libpq's key=value form is not read"));
                }
                Some(Location::Postgres(url))
            }
            Some(DatabaseSetting::Spark(master)) => {
                Some(SparkTarget::of(master.clone(), manifest, root)?)
            }
            Some(DatabaseSetting::SparkEnv(variable)) => Some(SparkTarget::of(
                from_env(variable, "Spark master", "spark://HOST:7077")?,
                manifest,
                root,
            )?),
            Some(DatabaseSetting::DuckDb(path)) => Some(Location::DuckDb(DuckDbTarget {
                path: root.join(path),
                parquet: manifest
                    .data
                    .iter()
                    .filter(|source| is_parquet(&source.path))
                    .map(|source| (source.table.clone(), root.join(&source.path)))
                    .collect(),
            })),
        })
    }

    /// The file the data is kept in, when it is a file on this machine (a SQLite
    /// database), so that writers can refuse one that is also a project input.
    pub fn local_file(&self) -> Option<&Path> {
        match self {
            Location::File(path) | Location::DuckDb(DuckDbTarget { path, .. }) => Some(path),
            Location::Postgres(_) | Location::Spark(_) => None,
        }
    }

    /// A database given on the command line: a PostgreSQL URL, a DuckDB file (named
    /// `*.duckdb`), or else a SQLite file.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgresql://") || text.starts_with("postgres://") {
            Location::Postgres(text.to_string())
        } else if text.to_ascii_lowercase().ends_with(".duckdb") {
            Location::DuckDb(DuckDbTarget {
                path: PathBuf::from(text),
                parquet: Vec::new(),
            })
        } else {
            Location::File(PathBuf::from(text))
        }
    }

    /// How messages name it: a file relative to the project at `root`, a URL, a master.
    pub fn name(&self, root: &Path) -> String {
        match self {
            Location::File(path) | Location::DuckDb(DuckDbTarget { path, .. }) => path
                .strip_prefix(root)
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned(),
            Location::Postgres(url) => redacted_url(url),
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
        if let Some(source) = manifest.data.iter().find(|s| is_parquet(&s.path)) {
            return Err(Diagnostic::error(
                Code::ManifestInvalid,
                format!(
                    "the Spark engine reads `[data]` CSV files, and {} is a Parquet file",
                    source.path.display()
                ),
            )
            .with_help("give the table as a CSV file, or use the DuckDB engine (`[database] duckdb = …`), which reads Parquet"));
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

/// A DuckDB database file, and the `[data]` tables kept as Parquet files, which DuckDB
/// reads in place at every query (never copied into the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuckDbTarget {
    /// The database file (tables loaded from CSV files, membership history).
    pub path: PathBuf,
    /// Each Parquet table: its name in SQL and its file.
    pub parquet: Vec<(String, PathBuf)>,
}

/// Whether a `[data]` file is Parquet (by its extension), rather than CSV.
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
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

/// Whether `text` is a PostgreSQL URL (`postgresql://…` or `postgres://…`), the only form
/// seg takes (libpq's `key=value` strings are refused: they hide their parameters from the
/// checks below).
pub fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgresql://") || text.starts_with("postgres://")
}

/// `text` with `%XX` escapes decoded (as the PostgreSQL client decodes a URL's parts).
pub fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The authority's user info (before `@`) of a URL, and its query's parameters with their
/// names decoded.
fn url_parts(url: &str) -> (Option<&str>, Vec<(String, &str)>) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or("");
    let user_info = authority.rsplit_once('@').map(|(info, _)| info);
    let parameters = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .map(|p| match p.split_once('=') {
            Some((name, value)) => (percent_decoded(name), value),
            None => (percent_decoded(p), ""),
        })
        .collect();
    (user_info, parameters)
}

/// Whether a PostgreSQL URL holds a password: `user:password@…` or a `password`
/// parameter, however its name is written (`pass%77ord`).
pub fn url_holds_password(url: &str) -> bool {
    let (user_info, parameters) = url_parts(url);
    user_info.is_some_and(|info| info.contains(':'))
        || parameters.iter().any(|(name, _)| name == "password")
}

/// A PostgreSQL URL as messages may show it: without its password and without its
/// parameters (any of which could be a password, however written): `user@host:port/db`.
pub fn redacted_url(url: &str) -> String {
    if !is_postgres_url(url) {
        return "the PostgreSQL database".to_string();
    }
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgresql", url));
    let before_query = rest.split('?').next().unwrap_or("");
    let shown = match before_query.rsplit_once('@') {
        Some((info, host)) => {
            let user = info.split(':').next().unwrap_or("");
            if info.contains(':') {
                format!("{user}:***@{host}")
            } else {
                format!("{user}@{host}")
            }
        }
        None => before_query.to_string(),
    };
    format!("{scheme}://{shown}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duckdb_project_reads_its_parquet_files_in_place_and_names_its_file() {
        let text = "[database]\nduckdb = \"shop.duckdb\"\n[data]\ncustomers = \"c.csv\"\n\
                    orders = \"o.PARQUET\"\n[customer]\nkey = \"id\"\n";
        let manifest = crate::project::manifest::parse(crate::source::SourceId(0), text).unwrap();
        let root = Path::new("/project");
        let Some(Location::DuckDb(target)) = Location::of(&manifest, root).unwrap() else {
            panic!("a DuckDB location");
        };
        assert_eq!(target.path, root.join("shop.duckdb"));
        assert_eq!(target.parquet, vec![("orders".to_string(), root.join("o.PARQUET"))]);
        let location = Location::DuckDb(target);
        assert_eq!(location.local_file(), Some(root.join("shop.duckdb").as_path()));
        assert_eq!(location.name(root), "shop.duckdb");
        assert!(matches!(Location::parse("x/big.duckdb"), Location::DuckDb(_)));
        assert!(matches!(Location::parse("x/big.db"), Location::File(_)));
    }

    #[test]
    fn passwords_are_found_and_hidden_wherever_they_are() {
        for (url, holds, shown) in [
            ("postgresql://u@h/db", false, "postgresql://u@h/db"),
            ("postgresql://u:p@h:5432/db", true, "postgresql://u:***@h:5432/db"),
            (
                "postgresql://u@h/db?sslmode=require&password=p",
                true,
                "postgresql://u@h/db",
            ),
            ("postgresql://u@h/db?pass%77ord=p", true, "postgresql://u@h/db"),
            ("postgresql://h/db?user=u", false, "postgresql://h/db"),
            ("postgresql://u:p@@h/db", true, "postgresql://u:***@h/db"),
            ("host=h password=p", false, "the PostgreSQL database"),
        ] {
            assert_eq!(url_holds_password(url), holds, "{url}");
            assert_eq!(redacted_url(url), shown, "{url}");
        }
    }
}
