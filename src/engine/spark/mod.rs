//! Spark through Spark's own `spark-submit`: each command's queries go to the cluster in one
//! job (`job.py` beside this file, embedded in `seg`), which registers the project's
//! `[data]` CSV files as typed views, runs the queries with their parameters and writes the
//! rows back as JSON. Spark has no transactions or indexes here, so seglang only reads on it.
//!
//! Why `spark-submit` and not Spark Connect: the pip package's Connect client needs more
//! Python packages (grpcio, pandas, pyarrow) and a Connect server beside the cluster, while
//! `spark-submit` comes with every Spark and needs nothing else.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::diagnostics::{Code, Diagnostic};
use crate::engine::failure::{internal, time_limit, unsupported};
use crate::engine::table_rows::column_types;
use crate::engine::{
    self, Canceller, Cell, Columns, LoadSummary, Outcome, Rows, Run, RunInfo, TableRows,
};
use crate::project::SparkTarget;
use crate::schema::{Stored, StoredColumn, Type};
use crate::sql::{Dialect, Query, Spark, ddl};
use crate::value::Value;

/// The job `spark-submit` runs.
const JOB: &str = include_str!("job.py");

/// A Spark cluster and the CSV files its queries read.
pub(super) struct Engine {
    target: SparkTarget,
}

impl Engine {
    /// The cluster of `target` (nothing is started yet).
    pub(super) fn new(target: &SparkTarget) -> Engine {
        Engine {
            target: target.clone(),
        }
    }
}

impl engine::Engine for Engine {
    fn dialect(&self) -> &'static dyn Dialect {
        &Spark
    }

    fn open_read_only(
        &self,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn engine::Database>, Diagnostic> {
        Ok(Box::new(Database::open(&self.target, timeout)?))
    }

    /// Spark reads the `[data]` files at each run: there is nothing to load.
    fn loads_tables(&self) -> bool {
        false
    }

    fn load(&self, _tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
        Err(Diagnostic::error(
            Code::DataLoad,
            "Spark reads the [data] CSV files at each run; there are no tables to load",
        ))
    }

    fn apply(&self, _statements: &[Query]) -> Result<(), Diagnostic> {
        Err(Diagnostic::error(
            Code::DatabaseError,
            "seg does not change data on Spark: its tables are the project's CSV files",
        )
        .with_help("Spark reads files without indexes; `seg index` advises SQLite and PostgreSQL"))
    }

    fn materialize(
        &self,
        _runs: &[Run],
        _computed_at: &str,
        _progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<Outcome>, Diagnostic> {
        Err(not_on_spark())
    }
}

/// A Spark cluster, ready to take jobs.
struct Database {
    target: SparkTarget,
    submit: PathBuf,
    timeout: Option<Duration>,
    running: Arc<Mutex<Option<Child>>>,
}

impl Database {
    /// Finds `spark-submit` (under `SPARK_HOME`, or on the `PATH`); no job runs yet.
    fn open(target: &SparkTarget, timeout: Option<Duration>) -> Result<Database, Diagnostic> {
        let submit = std::env::var_os("SPARK_HOME")
            .map(|home| PathBuf::from(home).join("bin/spark-submit"))
            .filter(|p| p.is_file())
            .or_else(|| which("spark-submit"))
            .ok_or_else(|| {
                Diagnostic::error(Code::DatabaseMissing, "cannot find spark-submit to reach the Spark cluster")
                    .with_help("set SPARK_HOME to a Spark installation (for pyspark: `python3 -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))'`)")
            })?;
        Ok(Database {
            target: target.clone(),
            submit,
            timeout,
            running: Arc::default(),
        })
    }

    /// Runs the queries in one Spark job; their rows in order.
    fn fetch_all(&self, queries: &[Query]) -> Result<Vec<Rows>, Diagnostic> {
        let dir = tempfile::Builder::new()
            .prefix("seglang-spark-")
            .tempdir()
            .map_err(|e| job_error(&format!("cannot prepare the job: {e}")))?;
        self.run_job(dir.path(), queries)
    }

    fn run_job(&self, dir: &Path, queries: &[Query]) -> Result<Vec<Rows>, Diagnostic> {
        let tables = self
            .target
            .tables
            .iter()
            .map(|t| {
                Ok(serde_json::json!({
                    "view": ddl::quoted(&Spark, &t.name),
                    "csv": t.csv,
                    "schema": ddl::column_list(&Spark, &column_types(&t.csv, &t.types)?),
                }))
            })
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        let queries: Vec<serde_json::Value> = queries
            .iter()
            .map(|q| serde_json::json!({ "sql": q.sql, "params": q.params.iter().map(Value::typed_json).collect::<Vec<_>>() }))
            .collect();
        let job = serde_json::json!({ "tables": tables, "queries": queries });
        let (script, job_file, out_file) = (
            dir.join("spark_job.py"),
            dir.join("job.json"),
            dir.join("rows.jsonl"),
        );
        let write = |path: &Path, text: &str| {
            std::fs::write(path, text)
                .map_err(|e| job_error(&format!("cannot write {}: {e}", path.display())))
        };
        write(&script, JOB)?;
        write(&job_file, &job.to_string())?;
        let child = Command::new(&self.submit)
            .args([
                "--master",
                &self.target.master,
                "--conf",
                "spark.ui.enabled=false",
            ])
            .arg(&script)
            .arg(&job_file)
            .arg(&out_file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| job_error(&format!("cannot start {}: {e}", self.submit.display())))?;
        let (status, stderr) = self.wait(child)?;
        if !status.success() {
            // The job's own reason, else the last line of the log that names an error.
            let mut error_file = out_file.clone().into_os_string();
            error_file.push(".error");
            let own = std::fs::read_to_string(&error_file).ok();
            let last: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
            let reason = own.as_deref().map(str::trim).or_else(|| {
                last.iter()
                    .rev()
                    .find(|l| l.contains("Error") || l.contains("Exception"))
                    .or(last.last())
                    .map(|l| l.trim())
            });
            return Err(job_error(&format!(
                "the Spark job failed: {}",
                reason.unwrap_or("no output")
            )));
        }
        let text = std::fs::read_to_string(&out_file)
            .map_err(|e| job_error(&format!("the Spark job wrote no rows: {e}")))?;
        text.lines().map(rows).collect()
    }

    /// Waits for the job, killing it past the time limit; a killed job is seg::E033.
    fn wait(&self, child: Child) -> Result<(std::process::ExitStatus, String), Diagnostic> {
        let started = Instant::now();
        *self.running.lock().unwrap_or_else(|e| e.into_inner()) = Some(child);
        loop {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            let Some(child) = running.as_mut() else {
                return Err(job_error("the Spark job disappeared"));
            };
            if let Some(status) = child.try_wait().map_err(|e| job_error(&e.to_string()))? {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                *running = None;
                if !status.success() && status.code().is_none() {
                    return Err(Diagnostic::error(
                        Code::QueryInterrupted,
                        "the Spark job was cancelled",
                    )
                    .with_help("nothing was changed; run it again when you are ready"));
                }
                return Ok((status, stderr));
            }
            if let Some(timeout) = self.timeout
                && started.elapsed() > timeout
            {
                let _ = child.kill();
                let _ = child.wait();
                *running = None;
                return Err(time_limit(
                    timeout,
                    "raise --timeout (a Spark job takes some seconds to start)",
                ));
            }
            drop(running);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// One job's output line as rows.
fn rows(line: &str) -> Result<Rows, Diagnostic> {
    #[derive(serde::Deserialize)]
    struct Output {
        columns: Vec<String>,
        rows: Vec<Vec<serde_json::Value>>,
    }
    let output: Output = serde_json::from_str(line)
        .map_err(|e| job_error(&format!("unreadable rows from Spark: {e}")))?;
    Ok(Rows {
        columns: output.columns,
        rows: output
            .rows
            .into_iter()
            .map(|row| row.into_iter().map(cell).collect())
            .collect(),
    })
}

/// A value as the job wrote it.
fn cell(value: serde_json::Value) -> Cell {
    match value {
        serde_json::Value::Null => Cell::Null,
        serde_json::Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Cell::Real(n.as_f64().unwrap_or(f64::NAN)), Cell::Integer),
        serde_json::Value::String(t) => Cell::Text(t),
        other => Cell::Text(other.to_string()),
    }
}

fn job_error(message: &str) -> Diagnostic {
    Diagnostic::error(Code::DatabaseError, message.to_string())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

impl engine::Database for Database {
    fn dialect(&self) -> &'static dyn Dialect {
        &Spark
    }

    fn fetch(&self, query: &Query) -> Result<Rows, Diagnostic> {
        self.fetch_all(std::slice::from_ref(query))?
            .pop()
            .ok_or_else(|| internal("the Spark job returned no rows"))
    }

    /// One job: the cluster spreads each query over its workers.
    fn fetch_side_by_side(&self, queries: &[Query]) -> Result<Option<Vec<Rows>>, Diagnostic> {
        self.fetch_all(queries).map(Some)
    }

    fn reopen(&self) -> Result<Option<Box<dyn engine::Database>>, Diagnostic> {
        Ok(Some(Box::new(Database::open(&self.target, self.timeout)?)))
    }

    /// Kills the job's `spark-submit`, which ends the application on the cluster.
    fn canceller(&self) -> Canceller {
        let running = self.running.clone();
        Canceller::new(move || {
            if let Ok(mut running) = running.lock()
                && let Some(child) = running.as_mut()
            {
                let _ = child.kill();
            }
        })
    }

    /// Every table's columns, from the CSV files' headers, typed as the job types them
    /// (by the manifest, or sniffed).
    fn columns(&self) -> Result<Columns, Diagnostic> {
        self.target
            .tables
            .iter()
            .map(|t| {
                let columns = column_types(&t.csv, &t.types)?
                    .into_iter()
                    .map(|(name, ty)| StoredColumn {
                        name,
                        stored: stored_type(ty),
                        declared: Spark.column_type(ty).to_string(),
                    })
                    .collect();
                Ok((t.name.clone(), columns))
            })
            .collect()
    }

    /// Spark reads files: there are no indexes to advise on.
    fn indexes(&self) -> Result<Option<Vec<crate::engine::Index>>, Diagnostic> {
        Ok(None)
    }

    fn history(&self, _segment: &str) -> Result<Vec<RunInfo>, Diagnostic> {
        Err(not_on_spark())
    }

    fn changes(&self, _from: i64, _to: i64) -> Result<(Vec<Cell>, Vec<Cell>), Diagnostic> {
        Err(not_on_spark())
    }
}

/// Membership history needs a database seg may write to; on Spark it reads CSV files.
fn not_on_spark() -> Diagnostic {
    unsupported(
        "seg keeps membership history in a database it may write to, and on Spark it only reads the CSV files",
        "materialize on SQLite or PostgreSQL; Spark runs, lists, explains and exports segments",
    )
}

/// What a view column of type `ty` holds.
fn stored_type(ty: Option<Type>) -> Stored {
    match ty {
        Some(Type::Integer) => Stored::Integer,
        Some(Type::Money | Type::Decimal(_)) => Stored::Numeric,
        Some(Type::Bool) => Stored::Bool,
        Some(Type::Date) => Stored::Date,
        Some(Type::Timestamp) => Stored::Timestamp,
        Some(Type::Text) | None => Stored::Text,
    }
}
