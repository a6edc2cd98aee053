//! `seg export SEGMENT`: the members with chosen customer fields, as CSV or JSON Lines, to
//! standard output or a file (written whole or not at all). Fields marked sensitive are
//! left out unless asked for with `--include-sensitive`.

use std::path::PathBuf;

use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::files::WholeFile;
use crate::output::{Format, Shown, errln, stream_rows, write_stdout};
use crate::sql;

/// Arguments of `seg export`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The segment.
    segment: String,
    /// Customer fields to export, comma-separated (default: every field that is not
    /// sensitive).
    #[arg(long, value_delimiter = ',', value_name = "FIELDS")]
    fields: Vec<String>,
    /// `csv` or `jsonl`.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    format: ExportFormat,
    /// Also export fields marked sensitive in seg.toml (when the destination is entitled
    /// to them).
    #[arg(long)]
    include_sensitive: bool,
    /// Write to this file instead of standard output (replaced only when complete).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    if let Some(path) = &args.output {
        session.check_output(path, "an export")?;
    }
    let name = crate::app::segments::selected_segments(&session, Some(&args.segment))?.remove(0);
    let customer = &session.project.manifest.schema.customer;
    let own_fields = || customer.fields.iter().filter(|f| f.via.is_none());
    let fields: Vec<&crate::schema::Field> = if args.fields.is_empty() {
        own_fields()
            .filter(|f| args.include_sensitive || !f.sensitive)
            .collect()
    } else {
        let mut chosen = Vec::new();
        for name in &args.fields {
            let Some(field) = own_fields().find(|f| f.name == *name) else {
                let help = did_you_mean(name, own_fields().map(|f| f.name.as_str()), "`")
                    .unwrap_or_else(|| "`seg schema` lists the customer fields".into());
                return Err(Diagnostic::error(
                    Code::UnknownField,
                    format!("unknown customer field `{name}` to export"),
                )
                .with_help(help)
                .into());
            };
            if field.sensitive && !args.include_sensitive {
                return Err(Diagnostic::error(
                    Code::SensitiveExport,
                    format!("`{name}` is marked sensitive in seg.toml"),
                )
                .with_help("add --include-sensitive if the destination may receive it, or leave the field out")
                .into());
            }
            chosen.push(field);
        }
        chosen
    };
    let columns: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.name.clone(), f.column.clone()))
        .collect();
    let database = session.open_database(context, None)?;
    let query = sql::compile_fields(
        &session.program,
        &name,
        &columns,
        database.dialect(),
        session.as_of,
    )
    .expect("selected");
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Jsonl => Format::Jsonl,
    };
    let cannot_write = |path: &std::path::Path, e: &dyn std::fmt::Display| {
        Failure::from(Diagnostic::error(
            Code::OutputUnwritable,
            format!("cannot write {}: {e}", path.display()),
        ))
    };
    // Rows are written as they come, to stdout or into the new file (put in place of the
    // old one only once all are written): memory stays flat however many members.
    let shown = |column: &str| Shown::of(fields.iter().find(|f| f.name == column).map(|f| f.ty));
    match &args.output {
        Some(path) => {
            let mut file = WholeFile::create(path).map_err(|e| cannot_write(path, &e))?;
            let members = stream_rows(&*database, &query, format, shown, |text| {
                file.write(text.as_bytes())
                    .map_err(|e| cannot_write(path, &e))
            })?;
            file.commit().map_err(|e| cannot_write(path, &e))?;
            errln!(
                "seg: exported {members} members of {name} to {}",
                path.display()
            );
        }
        None => {
            stream_rows::<Failure>(&*database, &query, format, shown, |text| {
                Ok(write_stdout(text)?)
            })?;
        }
    }
    database.close_at_exit();
    Ok(0)
}
