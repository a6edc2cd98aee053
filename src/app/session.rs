//! The pipeline every command starts with: find the project, read and parse its segment
//! files, check them against the schema.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Context, EXIT_PROBLEMS, Failure};

use crate::check::{self, Imports, ir::Program};
use crate::diagnostics::Code;
use crate::diagnostics::render::{Style, render_all};
use crate::diagnostics::{Diagnostic, Severity};
use crate::engine::{self, Database, Location};
use crate::project::{self, InputFile, Project};
use crate::schema::drift;
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
    /// Which file imports which.
    pub imports: Imports,
    /// The segments that checked cleanly.
    pub program: Program,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
    /// The date relative dates count from: `--as-of`, the manifest's `as_of`, or today (UTC).
    pub as_of: chrono::NaiveDate,
}

/// The checked segments and the files they were written in (for each part's text).
pub struct Definitions<'d> {
    /// The checked program.
    pub program: &'d Program,
    /// The parsed files.
    pub files: &'d [(SourceId, ast::File)],
    /// Their text.
    pub sources: &'d SourceMap,
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

        let mut loader = Loader::default();
        // A link in the segment folders that leads out of the project is as untrusted as an
        // import: never followed, reported with the other problems.
        let (mut paths, problems) = project.segment_files_and_problems();
        loader.diagnostics.extend(problems);
        for path in extra {
            loader
                .diagnostics
                .extend(project::collect_segment_files(path, &mut paths));
        }
        let mut seen = std::collections::HashSet::new();
        paths.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));

        for path in &paths {
            loader.load(&project, path, &mut sources);
        }
        let Loader {
            files,
            imports,
            mut diagnostics,
            ..
        } = loader;
        let (program, errors) = check::check(&files, &imports, &project.manifest.schema);
        diagnostics.extend(errors);
        diagnostics.sort_by_key(|d| d.location().map(|l| (l.source, l.span.start)));
        let as_of = context
            .as_of
            .or(project.manifest.as_of)
            .unwrap_or_else(|| chrono::Utc::now().date_naive());
        Ok(Session {
            sources,
            project,
            files,
            imports,
            program,
            diagnostics,
            as_of,
        })
    }

    /// Checks the project together with `extra` files (typed in the REPL): each extra file
    /// sees every project file and the extra files before it.
    pub fn check_with(&self, extra: &[(SourceId, ast::File)]) -> (Program, Vec<Diagnostic>) {
        let mut files = self.files.clone();
        let mut imports = self.imports.clone();
        for (i, (id, file)) in extra.iter().enumerate() {
            let visible = self
                .files
                .iter()
                .map(|(f, _)| *f)
                .chain(extra[..i].iter().map(|(e, _)| *e));
            for target in visible {
                imports
                    .edges
                    .push((*id, crate::source::Span::default(), target));
            }
            imports
                .names
                .insert(*id, self.sources.get(*id).name.clone());
            files.push((*id, file.clone()));
        }
        check::check(&files, &imports, &self.project.manifest.schema)
    }

    /// The checked program with the files it came from.
    pub fn definitions(&self) -> Definitions<'_> {
        Definitions {
            program: &self.program,
            files: &self.files,
            sources: &self.sources,
        }
    }

    /// Opens the project's database (or `location`) read-only for queries: a SQLite file is
    /// built from the CSV files first if it does not exist yet; queries are limited to
    /// `--timeout`, and the database is checked for drift from the manifest before anything
    /// runs.
    pub fn open_database(
        &self,
        context: &Context,
        location: Option<Location>,
    ) -> Result<Box<dyn Database>, Failure> {
        let location = match location {
            Some(location) => location,
            None => {
                let location = self.database_location()?;
                if engine::connect(&location).is_missing() && !self.project.manifest.data.is_empty()
                {
                    super::load::build(&self.project, &location)?;
                }
                location
            }
        };
        let database = engine::connect(&location).open_read_only(context.timeout)?;
        let schema = &self.project.manifest.schema;
        let columns = database.columns()?;
        let mut drift = drift::check(schema, &columns);
        if drift.is_empty() {
            let mut tables: Vec<&str> = std::iter::once(&schema.customer)
                .chain(&schema.related)
                .map(|e| e.table.as_str())
                .collect();
            tables.dedup();
            for table in tables {
                let fields = drift::sampled_columns(schema, table);
                let names: Vec<&str> = fields.iter().map(|f| f.column.as_str()).collect();
                if let Some(kinds) = database.value_kinds(table, &names)? {
                    drift.extend(drift::check_values(schema, table, &kinds));
                }
            }
        }
        if !drift.is_empty() {
            return Err(Failure::could_not_run(drift, self.sources.clone()));
        }
        Ok(database)
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// What input of the project `path` is, if it is one: one of the project's own files
    /// ([`crate::project::Project::input_file`]), or any file this session read as
    /// segments, whatever its name (one the manifest lists, one a segment file imports).
    pub fn input_file(&self, path: &Path) -> Option<InputFile> {
        if let Some(input) = self.project.input_file(path) {
            return Some(input);
        }
        let target = path.canonicalize().ok()?;
        self.sources
            .iter()
            .filter_map(|source| source.path.as_deref())
            .any(|read| read.canonicalize().is_ok_and(|read| read == target))
            .then_some(InputFile::SegmentFile)
    }

    /// Refuses `path` as the destination of `what` ("an export") when it is one of the
    /// project's inputs (see [`Session::input_file`]): seg never writes over what it reads.
    pub fn check_output(&self, path: &Path, what: &str) -> Result<(), Failure> {
        match self.input_file(path) {
            None => Ok(()),
            Some(input) => Err(crate::project::refused_output(path, what, input).into()),
        }
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
        let (line, _) = self.sources.line_col(source, offset);
        format!("{}:{line}", file.name)
    }

    /// Where the database is, or a coded error when the manifest names none.
    pub fn database_location(&self) -> Result<Location, Failure> {
        self.project.database()?.ok_or_else(|| {
            Failure::from(
                Diagnostic::error(
                    crate::diagnostics::Code::ManifestInvalid,
                    "seg.toml names no database",
                )
                .with_help(
                    "add `[database]` with `path = \"customers.db\"` (SQLite) or `url = \"postgresql://…\"`",
                ),
            )
        })
    }
}

/// Reads and parses segment files, following `import`s to files outside the project's
/// segment paths.
#[derive(Default)]
struct Loader {
    files: Vec<(SourceId, ast::File)>,
    imports: Imports,
    diagnostics: Vec<Diagnostic>,
    loaded: HashMap<PathBuf, SourceId>,
}

impl Loader {
    fn load(
        &mut self,
        project: &Project,
        path: &Path,
        sources: &mut SourceMap,
    ) -> Option<SourceId> {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if let Some(&id) = self.loaded.get(&canonical) {
            return Some(id);
        }
        let name = project.display_name(path);
        // An unreadable file (not UTF-8, not a regular file) is one problem among the
        // others: the rest of the project is still checked.
        let id = match project::read_source(path, name.clone(), sources) {
            Ok(id) => id,
            Err(problem) => {
                self.diagnostics.push(problem);
                return None;
            }
        };
        self.loaded.insert(canonical, id);
        self.imports.names.insert(id, name);
        let (file, errors) = syntax::parse(id, &sources.get(id).text);
        self.diagnostics.extend(errors);
        let imports: Vec<ast::ImportDef> = file
            .definitions
            .iter()
            .filter_map(|d| match d {
                ast::Definition::Import(import) => Some(import.clone()),
                _ => None,
            })
            .collect();
        self.files.push((id, file));
        for import in imports {
            let target = path.parent().unwrap_or(Path::new(".")).join(&import.path);
            if let Err(problem) = project::inside(&project.root, &target) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::ImportOutsideProject,
                        format!("cannot import '{}': {problem}", import.path),
                    )
                    .with_label(id, import.path_span, "outside the project")
                    .with_help(
                        "imports stay inside the folder that holds seg.toml; copy the file \
                         into the project",
                    ),
                );
                continue;
            }
            if !target.is_file() {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::ImportNotFound,
                        format!("cannot import '{}': no such file", import.path),
                    )
                    .with_label(id, import.path_span, "not found")
                    .with_help("import paths are relative to the importing file"),
                );
                continue;
            }
            if let Some(imported) = self.load(project, &target, sources) {
                self.imports.edges.push((id, import.path_span, imported));
            }
        }
        Some(id)
    }
}

/// Whether two paths name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
