//! The files a project reads as its input (the manifest, segment files, segment tests, the
//! `[data]` CSV files and the database), which no output of seg — an export, a baseline,
//! a saved REPL session — may write over or add to: one rule for every writer.

use std::fmt;
use std::path::{Path, PathBuf};

use super::Project;
use super::manifest::DatabaseSetting;

/// What kind of input a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFile {
    /// `seg.toml`.
    Manifest,
    /// A `.seg` file, existing or new (a new one would be read as segments).
    SegmentFile,
    /// A `.test.toml` file, existing or new.
    SegmentTest,
    /// One of the `[data]` CSV files.
    Data,
    /// The project's database, or any SQLite or DuckDB database (or its journal or log).
    Database,
}

impl fmt::Display for InputFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputFile::Manifest => "the file is a segment project's manifest",
            InputFile::SegmentFile => "the file is a segment file",
            InputFile::SegmentTest => "the file is a segment test",
            InputFile::Data => "the file is one of the project's [data] files",
            InputFile::Database => "the file is a database",
        })
    }
}

impl Project {
    /// What input of a segment project `path` is (its symbolic links followed), if it is
    /// one; such a path never receives seg's output.
    pub fn input_file(&self, path: &Path) -> Option<InputFile> {
        let target = crate::files::followed(path).unwrap_or_else(|_| path.to_path_buf());
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == super::MANIFEST {
            return Some(InputFile::Manifest);
        }
        if name.ends_with(".seg") {
            return Some(InputFile::SegmentFile);
        }
        if name.ends_with(".test.toml") {
            return Some(InputFile::SegmentTest);
        }
        let same = |other: &Path| same_file(&target, &self.root.join(other));
        if self.manifest.data.iter().any(|data| same(&data.path)) {
            return Some(InputFile::Data);
        }
        if let Some(database) = self
            .manifest
            .database
            .as_ref()
            .and_then(DatabaseSetting::local_file)
            && same(database)
        {
            return Some(InputFile::Database);
        }
        // A database, or the journal or write-ahead log beside one.
        let database = ["-wal", "-shm", "-journal", ".wal"]
            .iter()
            .find_map(|side| name.strip_suffix(side))
            .map_or_else(|| target.clone(), |stem| target.with_file_name(stem));
        is_database(&database).then_some(InputFile::Database)
    }
}

/// Whether two paths name one existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    let real = |p: &Path| -> Option<PathBuf> { p.canonicalize().ok() };
    matches!((real(a), real(b)), (Some(a), Some(b)) if a == b)
}

/// Whether `path` is an existing SQLite or DuckDB database (by its header).
fn is_database(path: &Path) -> bool {
    if crate::files::is_special(path) {
        return false;
    }
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && (&head == b"SQLite format 3\0" || &head[8..12] == b"DUCK")
}

/// The error for output aimed at an input file.
pub fn refused_output(path: &Path, what: &str, input: InputFile) -> crate::diagnostics::Diagnostic {
    crate::diagnostics::Diagnostic::error(
        crate::diagnostics::Code::OutputUnwritable,
        format!("{what} is not written to {}: {input}", path.display()),
    )
    .with_help("seg never writes its output over a project's inputs; choose another file")
}
