//! Engines for the conformance suite beyond SQLite and PostgreSQL.
//!
//! DuckDB is reached through its Python package: `seg compile --dialect duckdb --format
//! json` writes the SQL and tests/engines/duckdb_run.py loads the CSV files as typed tables
//! and runs it. Spark is one of seglang's own engines (`[database] spark = …`); the tests
//! need a cluster (`SEG_TEST_SPARK_MASTER`, with `SPARK_HOME`). Tests on these engines are
//! `#[ignore = "needs …"]`; run without the engine, they fail saying what is missing.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use seglang::engine::table_rows::column_types;
use seglang::project::Project;
use seglang::schema::Type;
use seglang::source::SourceMap;
use seglang::sql::{DuckDb, ddl};

/// Fails the test unless Python can import duckdb.
pub fn require_duckdb() {
    let found = Command::new("python3")
        .args(["-c", "import duckdb"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "this test needs Python with duckdb: `python3 -m pip install duckdb`"
    );
}

/// The Spark master of the test cluster (`SEG_TEST_SPARK_MASTER`, with `SPARK_HOME`).
pub fn spark_master() -> String {
    assert!(
        std::env::var("SPARK_HOME").is_ok(),
        "this test needs SPARK_HOME (.ci/spark.sh sets it)"
    );
    std::env::var("SEG_TEST_SPARK_MASTER").expect(
        "this test needs a Spark cluster: set SEG_TEST_SPARK_MASTER (.ci/spark.sh starts one)",
    )
}

/// Every segment's member keys on DuckDB as of `as_of`: the SQL from `seg compile` in
/// `project`, the data from the CSV files of the project at `data_root`.
pub fn duckdb_members(
    project: &Path,
    data_root: &Path,
    as_of: &str,
) -> BTreeMap<String, Vec<String>> {
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
    let job = serde_json::json!({ "tables": duckdb_tables(data_root), "queries": queries });
    let dir = super::temp_dir("duckdb");
    let (job_file, out_file) = (dir.join("job.json"), dir.join("rows.jsonl"));
    std::fs::write(&job_file, job.to_string()).expect("the job is written");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/duckdb_run.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(&job_file)
        .arg(&out_file)
        .output()
        .expect("the runner starts");
    assert!(
        output.status.success(),
        "DuckDB failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results = std::fs::read_to_string(&out_file).expect("the rows are written");
    queries
        .iter()
        .zip(results.lines())
        .map(|(query, line)| {
            let name = query["segments"][0]
                .as_str()
                .expect("a segment")
                .to_string();
            let output: serde_json::Value = serde_json::from_str(line).expect("rows");
            let keys = output["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|row| match &row[0] {
                    serde_json::Value::String(t) => t.clone(),
                    other => other.to_string(),
                })
                .collect();
            (name, keys)
        })
        .collect()
}

/// Each `[data]` table of the project at `root` with its columns' DuckDB types.
fn duckdb_tables(root: &Path) -> Vec<serde_json::Value> {
    let mut sources = SourceMap::default();
    let project = Project::load(root, &mut sources).expect("the project loads");
    let schema = &project.manifest.schema;
    project
        .manifest
        .data
        .iter()
        .map(|source| {
            let csv = root.join(&source.path);
            let types: Vec<(String, Type)> = schema
                .table_layout(&source.table)
                .types
                .into_iter()
                .collect();
            let columns = column_types(&csv, &types).expect("readable CSV");
            serde_json::json!({
                "table": ddl::quoted(&DuckDb, &source.table),
                "csv": csv,
                "schema": ddl::column_list(&DuckDb, &columns),
            })
        })
        .collect()
}
