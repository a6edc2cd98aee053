//! Shared by unit tests: the shop fixture's schema, and parse + check of in-memory files.

use crate::check::{self, ir};
use crate::diagnostics::Diagnostic;
use crate::project::manifest;
use crate::source::{SourceFile, SourceMap};

/// The shop fixture's manifest (`tests/fixtures/shop/seg.toml`).
pub const SHOP_MANIFEST: &str = include_str!("../tests/fixtures/shop/seg.toml");
/// The shop fixture's segments.
pub const SHOP_SEGMENTS: &str = include_str!("../tests/fixtures/shop/segments/shop.seg");

/// Parses and checks `files` (name, text) against the shop schema; returns the program,
/// every diagnostic (syntax and check), and the sources for rendering them.
pub fn check_files(files: &[(&str, &str)]) -> (ir::Program, Vec<Diagnostic>, SourceMap) {
    let mut sources = SourceMap::default();
    let manifest_id = sources.add(source("seg.toml", SHOP_MANIFEST));
    let schema = manifest::parse(manifest_id, SHOP_MANIFEST)
        .expect("fixture manifest is valid")
        .schema;
    let mut parsed = Vec::new();
    let mut diagnostics = Vec::new();
    for (name, text) in files {
        let id = sources.add(source(name, text));
        let (file, errors) = crate::syntax::parse(id, text);
        diagnostics.extend(errors);
        parsed.push((id, file));
    }
    // Each in-memory file imports the ones before it, so later files see earlier definitions.
    let mut imports = check::Imports::default();
    for (i, (id, _)) in parsed.iter().enumerate() {
        imports.names.insert(*id, files[i].0.to_string());
        for (earlier, _) in &parsed[..i] {
            imports
                .edges
                .push((*id, crate::source::Span::default(), *earlier));
        }
    }
    let (program, errors) = check::check(&parsed, &imports, &schema);
    diagnostics.extend(errors);
    (program, diagnostics, sources)
}

/// The as-of date unit tests pin.
pub fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 30).expect("a date")
}

/// Checks `files` and insists there is no problem.
pub fn clean_program(files: &[(&str, &str)]) -> ir::Program {
    let (program, diagnostics, _) = check_files(files);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    program
}

fn source(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.into(),
        path: None,
        text: text.into(),
    }
}
