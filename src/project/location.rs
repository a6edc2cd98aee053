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

/// The parts of a `postgresql://` URL: the authority's user info (before `@`), and the query
/// (after `?`), each `None` when absent.
fn url_parts(url: &str) -> (Option<&str>, Option<&str>) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or("");
    let user_info = authority.rsplit_once('@').map(|(info, _)| info);
    (user_info, query)
}

/// Whether a PostgreSQL URL holds a password: `user:password@…` or `?password=…`.
pub fn url_holds_password(url: &str) -> bool {
    let (user_info, query) = url_parts(url);
    user_info.is_some_and(|info| info.contains(':'))
        || query.is_some_and(|q| q.split('&').any(|p| p.starts_with("password=")))
}

/// A PostgreSQL URL as messages may show it: any password replaced by `***`.
pub fn redacted_url(url: &str) -> String {
    let (user_info, query) = url_parts(url);
    let mut out = url.to_string();
    if let Some(info) = user_info
        && let Some((user, _)) = info.split_once(':')
    {
        out = out.replacen(&format!("{info}@"), &format!("{user}:***@"), 1);
    }
    if let Some(query) = query {
        let hidden: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some(("password", _)) => "password=***".to_string(),
                _ => p.to_string(),
            })
            .collect();
        out = out.replacen(&format!("?{query}"), &format!("?{}", hidden.join("&")), 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_found_and_hidden_wherever_they_are() {
        for (url, holds, shown) in [
            ("postgresql://u@h/db", false, "postgresql://u@h/db"),
            ("postgresql://u:p@h:5432/db", true, "postgresql://u:***@h:5432/db"),
            (
                "postgresql://u@h/db?sslmode=require&password=p",
                true,
                "postgresql://u@h/db?sslmode=require&password=***",
            ),
            ("postgresql://h/db?user=u", false, "postgresql://h/db?user=u"),
            ("postgresql://u:p@@h/db", true, "postgresql://u:***@h/db"),
        ] {
            assert_eq!(url_holds_password(url), holds, "{url}");
            assert_eq!(redacted_url(url), shown, "{url}");
        }
    }
}
