//! A segment project on disk: the directory holding `seg.toml`, its segment files and where
//! its data lives ([`Location`]). Reads files; never opens the database.

mod location;
pub mod manifest;
mod protected;
mod walk;

pub use protected::{InputFile, refused_output};
pub use walk::inside;
use walk::Wanted;

use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic};
use crate::files::Unreadable;
use crate::source::{MAX_FILE_BYTES, SourceFile, SourceId, SourceMap, Span};
pub use location::{
    DuckDbTarget, Location, SparkTarget, is_parquet, is_postgres_url, percent_decoded,
    redacted_url, url_holds_password,
};
use manifest::Manifest;

/// The manifest's file name.
pub const MANIFEST: &str = "seg.toml";

/// A loaded project.
#[derive(Clone, Debug)]
pub struct Project {
    /// The directory holding `seg.toml`.
    pub root: PathBuf,
    /// The validated manifest.
    pub manifest: Manifest,
}

impl Project {
    /// Finds `seg.toml` in `start` or its ancestors and loads it.
    pub fn discover(start: &Path, sources: &mut SourceMap) -> Result<Project, Vec<Diagnostic>> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            // Anything there named seg.toml (a FIFO, a folder) is this project's manifest,
            // and loading says what is wrong with it.
            if std::fs::symlink_metadata(d.join(MANIFEST)).is_ok() {
                return Project::load(d, sources);
            }
            dir = d.parent();
        }
        Err(vec![Diagnostic::error(
            Code::ManifestNotFound,
            format!("no {MANIFEST} in {} or any parent directory", start.display()),
        )
        .with_help("run seg inside a segment project, pass --project DIR, or create one with `seg schema infer --db FILE > seg.toml`")])
    }

    /// Loads the project whose manifest is `root/seg.toml`.
    pub fn load(root: &Path, sources: &mut SourceMap) -> Result<Project, Vec<Diagnostic>> {
        let path = root.join(MANIFEST);
        if std::fs::symlink_metadata(&path).is_err() {
            return Err(vec![Diagnostic::error(
                Code::ManifestNotFound,
                format!("no {MANIFEST} in {}", root.display()),
            )]);
        }
        let id = read_source(&path, display_name(root, &path), sources).map_err(|d| vec![d])?;
        let manifest = manifest::parse(id, &sources.get(id).text)?;
        Ok(Project {
            root: root.to_path_buf(),
            manifest,
        })
    }

    /// Where the data is, if the manifest says (see [`Location::of`]).
    pub fn database(&self) -> Result<Option<Location>, Diagnostic> {
        Location::of(&self.manifest, &self.root)
    }

    /// Every `.seg` file of the project, sorted: under the manifest's `segments` paths, or
    /// anywhere in the project (skipping hidden directories and `target`), never leaving
    /// its folder; and the problems met on the way (a folder that cannot be read, a link
    /// that leads out) to report with the others.
    pub fn segment_files_and_problems(&self) -> (Vec<PathBuf>, Vec<Diagnostic>) {
        let roots: Vec<PathBuf> = if self.manifest.segments.is_empty() {
            vec![self.root.clone()]
        } else {
            self.manifest
                .segments
                .iter()
                .map(|p| self.root.join(p))
                .collect()
        };
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for root in roots {
            problems.extend(walk::files_under(&root, &self.root, Wanted::Segments, &mut files));
        }
        files.sort();
        files.dedup();
        (files, problems)
    }

    /// A path as shown in messages: relative to the project root when inside it.
    pub fn display_name(&self, path: &Path) -> String {
        display_name(&self.root, path)
    }
}

/// Adds every `.seg` file at or under `path` (a path named on the command line) to `out`,
/// without following links out of it; the problems met on the way.
pub fn collect_segment_files(path: &Path, out: &mut Vec<PathBuf>) -> Vec<Diagnostic> {
    walk::files_under(path, path, Wanted::Segments, out)
}

/// Adds every segment test (`*.test.toml`) at or under `path` to `out`, without following
/// links out of `root`; the problems met on the way.
pub fn collect_test_files(path: &Path, root: &Path, out: &mut Vec<PathBuf>) -> Vec<Diagnostic> {
    walk::files_under(path, root, Wanted::Tests, out)
}

/// Reads a UTF-8 file into the source map.
pub fn read_source(
    path: &Path,
    name: String,
    sources: &mut SourceMap,
) -> Result<SourceId, Diagnostic> {
    // Only regular files are opened (a FIFO would block, a device never end), and only up
    // to the size a segment file may have.
    let bytes = crate::files::read_limited(path, MAX_FILE_BYTES).map_err(|problem| match problem {
        Unreadable::Special => Diagnostic::error(
            Code::FileUnreadable,
            format!("cannot read {}: not a regular file", path.display()),
        )
        .with_help("seg reads only regular files; remove or rename this one"),
        Unreadable::TooLarge(limit) => Diagnostic::error(
            Code::FileTooLarge,
            format!("{} is larger than {limit} bytes", path.display()),
        )
        .with_help("split the definitions over several files"),
        Unreadable::Io(error) => unreadable(path, &error),
    })?;
    // A byte-order mark is how some editors start UTF-8 text; it is not part of the text.
    let bytes = match bytes.strip_prefix("\u{feff}".as_bytes()) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            // The file is shown with the bad bytes replaced, the first one labelled, so every
            // format (JSON, GitHub, SARIF) can point at it.
            let at = error.utf8_error().valid_up_to();
            let shown = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let id = sources.add(SourceFile {
                name,
                path: Some(path.to_path_buf()),
                text: shown.into(),
            });
            return Err(Diagnostic::error(
                Code::FileUnreadable,
                format!(
                    "{} is not UTF-8 text (invalid byte at offset {at})",
                    path.display()
                ),
            )
            .with_label(id, Span::new(at, at + '\u{fffd}'.len_utf8()), "not UTF-8")
            .with_help("save the file as UTF-8"));
        }
    };
    Ok(sources.add(SourceFile {
        name,
        path: Some(path.to_path_buf()),
        text: text.into(),
    }))
}

fn unreadable(path: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::FileUnreadable,
        format!("cannot read {}: {error}", path.display()),
    )
}

fn display_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}
