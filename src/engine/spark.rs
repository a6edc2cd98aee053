//! Spark through Spark's own `spark-submit`: each command's queries go to the cluster in one
//! job (src/engine/spark_job.py, embedded in `seg`), which registers the project's `[data]`
//! CSV files as typed views, runs the queries with their parameters and writes the rows back
//! as JSON. Spark has no transactions or indexes here, so seglang only reads on it.
//!
//! Why `spark-submit` and not Spark Connect: the pip package's Connect client needs more
//! Python packages (grpcio, pandas, pyarrow) and a Connect server beside the cluster, while
//! `spark-submit` comes with every Spark and needs nothing else.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Cell, Rows};
use crate::diagnostics::{Code, Diagnostic};
use crate::schema::Type;
use crate::sql::Query;
use crate::value::Value;

/// The job `spark-submit` runs.
const JOB: &str = include_str!("spark_job.py");

/// A Spark cluster and the CSV files its queries read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
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

/// A Spark cluster, ready to take jobs.
pub struct Database {
    target: Target,
    submit: PathBuf,
    timeout: Option<Duration>,
    running: Arc<Mutex<Option<Child>>>,
}

/// Stops the running job (Ctrl-C in the REPL).
#[derive(Clone)]
pub struct Canceller(Arc<Mutex<Option<Child>>>);

impl Canceller {
    /// Kills the job's `spark-submit`, which ends the application on the cluster.
    pub fn cancel(&self) {
        if let Ok(mut running) = self.0.lock()
            && let Some(child) = running.as_mut()
        {
            let _ = child.kill();
        }
    }
}

impl Database {
    /// Finds `spark-submit` (under `SPARK_HOME`, or on the `PATH`); no job runs yet.
    pub fn open(target: &Target, timeout: Option<Duration>) -> Result<Database, Diagnostic> {
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

    /// What stops the running job.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.running.clone())
    }

    /// Every table's column names, from the CSV files' headers.
    pub fn columns(&self) -> Result<HashMap<String, Vec<String>>, Diagnostic> {
        self.target
            .tables
            .iter()
            .map(|t| Ok((t.name.clone(), header(&t.csv)?)))
            .collect()
    }

    /// Runs the queries in one Spark job; their rows in order.
    pub fn fetch_all(&self, queries: &[Query]) -> Result<Vec<Rows>, Diagnostic> {
        let dir =
            std::env::temp_dir().join(format!("seglang-spark-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| job_error(&format!("cannot prepare the job: {e}")))?;
        let result = self.run_job(&dir, queries);
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    fn run_job(&self, dir: &Path, queries: &[Query]) -> Result<Vec<Rows>, Diagnostic> {
        let tables = self
            .target
            .tables
            .iter()
            .map(|t| {
                Ok(serde_json::json!({
                    "name": t.name,
                    "csv": t.csv,
                    "columns": typed_columns(&t.csv, &t.types, spark_type)?,
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
            let last: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
            let reason = last
                .iter()
                .rev()
                .find(|l| l.contains("Error") || l.contains("Exception"))
                .or(last.last());
            return Err(job_error(&format!(
                "the Spark job failed: {}",
                reason.map_or("no output", |l| l.trim())
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
                return Err(Diagnostic::error(
                    Code::QueryInterrupted,
                    format!(
                        "the query ran longer than the time limit of {}s",
                        timeout.as_secs_f64()
                    ),
                )
                .with_help("raise --timeout (a Spark job takes some seconds to start)"));
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

/// The Spark SQL type of a column.
fn spark_type(ty: Type) -> &'static str {
    match ty {
        Type::Text => "STRING",
        Type::Integer => "BIGINT",
        Type::Money => "DECIMAL(18, 2)",
        Type::Decimal(_) => "DECIMAL(38, 10)",
        Type::Bool => "BOOLEAN",
        Type::Date => "DATE",
        Type::Timestamp => "TIMESTAMP",
    }
}

/// Each column of a CSV file with its type in an engine's SQL (`name`): declared, or for an
/// undeclared column whole numbers if every value is one, otherwise text.
pub fn typed_columns(
    csv: &Path,
    types: &[(String, Type)],
    name: fn(Type) -> &'static str,
) -> Result<Vec<(String, &'static str)>, Diagnostic> {
    let unreadable = |e: csv::Error| job_error(&format!("cannot read {}: {e}", csv.display()));
    let mut reader = csv::Reader::from_path(csv).map_err(unreadable)?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(unreadable)?
        .iter()
        .map(String::from)
        .collect();
    let mut whole = vec![true; headers.len()];
    for record in reader.records() {
        let record = record.map_err(unreadable)?;
        for (i, value) in record.iter().enumerate() {
            if !value.is_empty() && value.parse::<i64>().is_err() {
                whole[i] = false;
            }
        }
    }
    Ok(headers
        .into_iter()
        .zip(whole)
        .map(|(column, whole)| {
            let declared = types.iter().find(|(c, _)| *c == column).map(|(_, t)| *t);
            let ty = declared.unwrap_or(if whole { Type::Integer } else { Type::Text });
            (column, name(ty))
        })
        .collect())
}

fn header(csv: &Path) -> Result<Vec<String>, Diagnostic> {
    let mut reader = csv::Reader::from_path(csv)
        .map_err(|e| job_error(&format!("cannot read {}: {e}", csv.display())))?;
    Ok(reader
        .headers()
        .map_err(|e| job_error(&format!("cannot read {}: {e}", csv.display())))?
        .iter()
        .map(String::from)
        .collect())
}

fn job_error(message: &str) -> Diagnostic {
    Diagnostic::error(Code::DatabaseError, message.to_string())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

fn unique() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
