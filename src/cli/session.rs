//! The pipeline every command starts with: find the project, read and parse its segment
//! files, check them against the schema.

use std::path::{Path, PathBuf};

use super::{Context, EXIT_PROBLEMS, Failure};
use crate::check::{self, ir::Program};
use crate::diagnostics::render::{Style, render_all};
use crate::diagnostics::{Diagnostic, Severity};
use crate::project::{self, Project};
use crate::source::{SourceId, SourceMap};
use crate::syntax::{self, ast};

/// A project read and checked.
pub struct Session {
    /// Every file read.
    pub sources: SourceMap,
    /// The project.
    pub project: Project,
    /// The parsed segment files.
    pub files: Vec<(SourceId, ast::File)>,
    /// The segments that checked cleanly.
    pub program: Program,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Session {
    /// Loads the project and checks all its segment files, plus `extra` files.
    pub fn open(context: &Context, extra: &[PathBuf]) -> Result<Session, Failure> {
        let mut sources = SourceMap::default();
        let start = match &context.project {
            Some(dir) => dir.clone(),
            None => std::env::current_dir().map_err(|e| {
                Failure::from(Diagnostic::error(
                    crate::diagnostics::Code::FileUnreadable,
                    format!("cannot read the current directory: {e}"),
                ))
            })?,
        };
        let project = match &context.project {
            Some(dir) => Project::load(dir, &mut sources),
            None => Project::discover(&start, &mut sources),
        };
        let project = project.map_err(|d| Failure::could_not_run(d, sources.clone()))?;

        let mut paths = project.segment_files().map_err(Failure::from)?;
        for path in extra {
            project::collect_segment_files(path, &mut paths).map_err(Failure::from)?;
        }
        let mut seen = std::collections::HashSet::new();
        paths.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));

        let mut diagnostics = Vec::new();
        let mut files = Vec::new();
        for path in &paths {
            let name = project.display_name(path);
            let id = project::read_source(path, name, &mut sources).map_err(Failure::from)?;
            let (file, errors) = syntax::parse(id, &sources.get(id).text);
            diagnostics.extend(errors);
            files.push((id, file));
        }
        let (program, errors) = check::check(&files, &project.manifest.schema);
        diagnostics.extend(errors);
        diagnostics.sort_by_key(|d| d.location().map(|l| (l.source, l.span.start)));
        Ok(Session {
            sources,
            project,
            files,
            program,
            diagnostics,
        })
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Stops with exit code 1 and every diagnostic if any segment failed to check.
    pub fn require_clean(&self) -> Result<(), Failure> {
        if !self.has_errors() {
            return Ok(());
        }
        Err(Failure {
            diagnostics: self.diagnostics.clone(),
            sources: self.sources.clone(),
            exit_code: EXIT_PROBLEMS,
        })
    }

    /// Renders diagnostics in this session's files.
    pub fn render(&self, diagnostics: &[Diagnostic], style: Style) -> String {
        render_all(diagnostics, &self.sources, style)
    }

    /// `file:line` of a source position, for listings.
    pub fn position(&self, source: SourceId, offset: u32) -> String {
        let file = self.sources.get(source);
        let (line, _) = file.line_col(offset);
        format!("{}:{line}", file.name)
    }

    /// The database path, or a coded error when the manifest names none.
    pub fn database_path(&self) -> Result<PathBuf, Failure> {
        self.project.database_path().ok_or_else(|| {
            Failure::from(
                Diagnostic::error(
                    crate::diagnostics::Code::ManifestInvalid,
                    "seg.toml names no database",
                )
                .with_help("add `[database]` with `path = \"customers.db\"`"),
            )
        })
    }
}

/// Whether two paths name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
