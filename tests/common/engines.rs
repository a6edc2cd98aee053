//! Engines seglang's tests reach through Python: DuckDB (its Python package) and Spark (a
//! standalone cluster, jobs sent with Spark's own `spark-submit`). `seg compile --dialect …
//! --format json` writes the SQL; a runner in tests/engines/ loads the CSV files as typed
//! tables and runs it. Without the engine, its legs are skipped with a note, except under
//! `SEG_REQUIRE_DUCKDB=1` / `SEG_REQUIRE_SPARK=1` (CI), where that is a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use seglang::project::Project;
use seglang::schema::Type;
use seglang::source::SourceMap;

/// An engine run through a Python job.
pub struct Engine {
    /// The `--dialect` name.
    dialect: &'static str,
    /// The runner in tests/engines/.
    script: &'static str,
    /// The command that runs a Python job (`python3`, or `spark-submit --master …`).
    launcher: Vec<String>,
    /// Column types for a field type, in the engine's SQL.
    types: fn(Type) -> &'static str,
    /// The type of whole-number columns the schema does not declare (keys).
    integer: &'static str,
    /// The type of text columns the schema does not declare.
    text: &'static str,
}

/// DuckDB, if Python can import it; notes a skip for `label` when it cannot.
pub fn duckdb(label: &str) -> Option<Engine> {
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
        return None;
    }
    Some(Engine {
        dialect: "duckdb",
        script: "duckdb_run.py",
        launcher: vec!["python3".into()],
        types: |ty| match ty {
            Type::Text => "VARCHAR",
            Type::Integer => "BIGINT",
            Type::Money => "DECIMAL(18, 2)",
            Type::Decimal(_) => "DECIMAL(38, 10)",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
            Type::Timestamp => "TIMESTAMP",
        },
        integer: "BIGINT",
        text: "VARCHAR",
    })
}

/// The Spark cluster named by `SEG_TEST_SPARK_MASTER` (`.ci/spark` starts one), with
/// `spark-submit` from `SPARK_HOME`; notes a skip for `label` when there is none.
pub fn spark(label: &str) -> Option<Engine> {
    let (Ok(master), Ok(home)) = (
        std::env::var("SEG_TEST_SPARK_MASTER"),
        std::env::var("SPARK_HOME"),
    ) else {
        assert!(
            std::env::var("SEG_REQUIRE_SPARK").is_err(),
            "SEG_REQUIRE_SPARK is set but SEG_TEST_SPARK_MASTER or SPARK_HOME is not: run .ci/spark"
        );
        eprintln!(
            "note: no SEG_TEST_SPARK_MASTER, so `{label}` is skipped (.ci/spark starts a cluster)"
        );
        return None;
    };
    let submit = PathBuf::from(home).join("bin/spark-submit");
    Some(Engine {
        dialect: "spark",
        script: "spark_run.py",
        launcher: vec![
            submit.display().to_string(),
            "--master".into(),
            master,
            "--conf".into(),
            "spark.ui.enabled=false".into(),
        ],
        types: |ty| match ty {
            Type::Text => "STRING",
            Type::Integer => "BIGINT",
            Type::Money => "DECIMAL(18, 2)",
            Type::Decimal(_) => "DECIMAL(38, 10)",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
            Type::Timestamp => "TIMESTAMP",
        },
        integer: "BIGINT",
        text: "STRING",
    })
}

impl Engine {
    /// Every segment's member keys as of `as_of`: the SQL from `seg compile` in `project`,
    /// the data from the CSV files of the project at `data_root`.
    pub fn members(
        &self,
        project: &Path,
        data_root: &Path,
        as_of: &str,
    ) -> BTreeMap<String, Vec<String>> {
        let compiled = super::seg(
            project,
            &[
                "compile",
                "--dialect",
                self.dialect,
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
        let job = serde_json::json!({ "tables": self.tables(data_root), "queries": queries });
        let dir = super::temp_dir(self.dialect);
        let (job_file, out_file) = (dir.join("job.json"), dir.join("rows.jsonl"));
        std::fs::write(&job_file, job.to_string()).expect("the job is written");
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/engines")
            .join(self.script);
        let output = Command::new(&self.launcher[0])
            .args(&self.launcher[1..])
            .arg(script)
            .arg(&job_file)
            .arg(&out_file)
            .output()
            .expect("the runner starts");
        assert!(
            output.status.success(),
            "{} failed: {}",
            self.dialect,
            String::from_utf8_lossy(&output.stderr)
        );
        let results = std::fs::read_to_string(&out_file).expect("the rows are written");
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

    /// Each `[data]` table of the project at `root` with its columns' types.
    fn tables(&self, root: &Path) -> Vec<serde_json::Value> {
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
                        let whole = || {
                            records
                                .iter()
                                .all(|r| r[i].is_empty() || r[i].parse::<i64>().is_ok())
                        };
                        let ty = match types.get(column) {
                            Some(ty) => (self.types)(*ty),
                            None if whole() => self.integer,
                            None => self.text,
                        };
                        (column.clone(), ty)
                    })
                    .collect();
                serde_json::json!({ "name": source.table, "csv": csv, "columns": columns })
            })
            .collect()
    }
}
