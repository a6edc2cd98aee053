//! `seg export SEGMENT`: the members with chosen customer fields, as CSV or JSON Lines, to
//! standard output or a file (written whole or not at all). Fields marked sensitive are
//! left out unless asked for with `--include-sensitive`.

use std::path::PathBuf;

use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::output::{Format, Shown, errln, out, render_rows};
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
    let rows = database.fetch(&query)?;
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Jsonl => Format::Jsonl,
    };
    let text = render_rows(&rows, format, |column| {
        Shown::of(fields.iter().find(|f| f.name == column).map(|f| f.ty))
    });
    match &args.output {
        None => out!("{text}")?,
        Some(path) => {
            write_whole(path, &text)?;
            errln!(
                "seg: exported {} members of {name} to {}",
                rows.rows.len(),
                path.display()
            );
        }
    }
    Ok(0)
}

/// Writes `text` to `path` whole: into a new file beside it, renamed over it, so readers
/// see the old file or the new one, never a part. Only a regular file (or a new path) is
/// written; a symbolic link is followed to the file it names and stays a link; a FIFO, a
/// device or a directory is refused.
fn write_whole(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    let failed = |e: &dyn std::fmt::Display| {
        Failure::from(Diagnostic::error(
            Code::FileUnreadable,
            format!("cannot write {}: {e}", path.display()),
        ))
    };
    // A link (or a chain of them) is followed to the file it names, new or not.
    let target = crate::files::followed(path).map_err(|loop_| failed(&loop_))?;
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|found| !found.is_file()) {
        return Err(failed(&"not a regular file; export writes only to files"));
    }
    if existing
        .as_ref()
        .is_some_and(|found| found.permissions().readonly())
    {
        return Err(failed(&"the file is read-only"));
    }
    // The project's own files are never an export's target: its manifest, segment files
    // and segment tests.
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if existing.is_some()
        && (name == crate::project::MANIFEST
            || name.ends_with(".seg")
            || name.ends_with(".test.toml"))
    {
        return Err(failed(
            &"the file is part of a segment project; an export never writes over one",
        ));
    }
    let mut head = [0u8; 16];
    if existing.is_some()
        && std::fs::File::open(&target)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok()
        && &head == b"SQLite format 3\0"
    {
        return Err(failed(
            &"the file is a SQLite database; an export never writes over one",
        ));
    }
    // A replaced file keeps its permissions; a new one is readable by all, as `>` makes it.
    let permissions = existing.map_or_else(
        || std::os::unix::fs::PermissionsExt::from_mode(0o644),
        |found| found.permissions(),
    );
    let directory = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".seg-export-")
        .permissions(permissions)
        .tempfile_in(&directory)
        .map_err(|e| failed(&e))?;
    std::io::Write::write_all(&mut temporary, text.as_bytes()).map_err(|e| failed(&e))?;
    temporary.as_file().sync_all().map_err(|e| failed(&e))?;
    temporary.persist(&target).map_err(|e| failed(&e.error))?;
    Ok(())
}
