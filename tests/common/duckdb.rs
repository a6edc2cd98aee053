//! DuckDB for tests, through its Python package: `seg compile --dialect duckdb --format
//! json` writes the SQL, tests/engines/duckdb_run.py loads the CSV files and runs it. Without
//! the package the DuckDB legs are skipped with a note, except under `SEG_REQUIRE_DUCKDB=1`
//! (CI).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use seglang::project::Project;
use seglang::schema::Type;
use seglang::source::SourceMap;

/// Whether `python3` can import duckdb; notes a skip for `label` when it cannot.
pub fn available(label: &str) -> bool {
    let found = Command::new("python3")
        .args(["-c", "import duckdb"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var("SEG_REQUIRE_DUCKDB").is_err(),
            "SEG_REQUIRE_DUCKDB is set but Python cannot import duckdb: `pip install duckdb`"
        );
        eprintln!(
            "note: Python cannot import duckdb, so `{label}` is skipped (.ci/run installs it)"
        );
    }
    found
}

/// Every segment's member keys on DuckDB as of `as_of`: the SQL from `seg compile` in
/// `project`, the data from the CSV files under `data_root`.
pub fn members(project: &Path, data_root: &Path, as_of: &str) -> BTreeMap<String, Vec<String>> {
    let compiled = super::seg(
        project,
        &[
            "compile",
            "--dialect",
            "duckdb",
            "--format",
            "json",
            "--as-of",
            as_of,
        ],
    );
    assert_eq!(compiled.code, 0, "{}", compiled.stderr);
    let queries: Vec<serde_json::Value> = compiled
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON query"))
        .collect();
    let job = serde_json::json!({ "tables": tables(data_root), "queries": queries });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/duckdb_run.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(job.to_string().as_bytes())
        .expect("the job is sent");
    let output = child.wait_with_output().expect("the runner finishes");
    assert!(
        output.status.success(),
        "DuckDB failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results = String::from_utf8(output.stdout).expect("UTF-8");
    queries
        .iter()
        .zip(results.lines())
        .map(|(query, rows)| {
            let name = query["segments"][0]
                .as_str()
                .expect("a segment")
                .to_string();
            let rows: Vec<Vec<Option<String>>> = serde_json::from_str(rows).expect("rows");
            let keys = rows
                .into_iter()
                .map(|r| r[0].clone().expect("a key"))
                .collect();
            (name, keys)
        })
        .collect()
}

/// Each `[data]` table of the project at `root` with its columns' DuckDB types.
fn tables(root: &Path) -> Vec<serde_json::Value> {
    let mut sources = SourceMap::default();
    let project = Project::load(root, &mut sources).expect("the project loads");
    let schema = &project.manifest.schema;
    project
        .manifest
        .data
        .iter()
        .map(|source| {
            let csv = root.join(&source.path);
            let types = schema.table_layout(&source.table).types;
            let mut reader = csv::Reader::from_path(&csv).expect("readable CSV");
            let headers: Vec<String> = reader
                .headers()
                .expect("a header")
                .iter()
                .map(String::from)
                .collect();
            let records: Vec<csv::StringRecord> =
                reader.records().map(|r| r.expect("a record")).collect();
            let columns: Vec<(String, &str)> = headers
                .iter()
                .enumerate()
                .map(|(i, column)| {
                    let ty = match types.get(column) {
                        Some(Type::Text) => "VARCHAR",
                        Some(Type::Integer) => "BIGINT",
                        Some(Type::Money) => "DECIMAL(18, 2)",
                        Some(Type::Decimal(_)) => "DECIMAL(38, 10)",
                        Some(Type::Bool) => "BOOLEAN",
                        Some(Type::Date) => "DATE",
                        Some(Type::Timestamp) => "TIMESTAMP",
                        // Undeclared (keys): whole numbers if every value is one.
                        None if records
                            .iter()
                            .all(|r| r[i].is_empty() || r[i].parse::<i64>().is_ok()) =>
                        {
                            "BIGINT"
                        }
                        None => "VARCHAR",
                    };
                    (column.clone(), ty)
                })
                .collect();
            serde_json::json!({ "name": source.table, "csv": csv, "columns": columns })
        })
        .collect()
}
