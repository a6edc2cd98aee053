//! `seg schema infer --db FILE`: a starting manifest for an existing SQLite database.

use std::path::PathBuf;

use crate::app::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::{self, Location};
use crate::output::{errln, out};
use crate::schema::infer;

/// Arguments of `seg schema infer`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The SQLite database to describe.
    #[arg(long)]
    db: PathBuf,
    /// Write the manifest here instead of to standard output (refuses to overwrite).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(_context: &Context, args: Args) -> Result<i32, Failure> {
    let database =
        engine::connect(&Location::parse(&args.db.to_string_lossy())).open_read_only(None)?;
    let tables = database.tables()?;
    let path_text = args.db.to_string_lossy();
    let manifest = infer::manifest(&tables, &path_text)?;
    match args.output {
        None => out!("{manifest}")?,
        Some(path) => {
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| {
                    Diagnostic::error(
                        Code::FileUnreadable,
                        format!("cannot create {}: {e}", path.display()),
                    )
                })?;
            file.write_all(manifest.as_bytes()).map_err(|e| {
                Diagnostic::error(
                    Code::FileUnreadable,
                    format!("cannot write {}: {e}", path.display()),
                )
            })?;
            errln!("seg: wrote {}", path.display());
        }
    }
    Ok(0)
}
