//! The error corpus: one segment file per error code in `tests/errors/`, each checked
//! against the shop fixture's schema. The rendered diagnostics are snapshots, and each file
//! must produce the code its name starts with.

use seglang::diagnostics::render::{Style, render_all};
use seglang::project::Project;
use seglang::source::{SourceFile, SourceMap};

#[test]
fn each_error_file_reports_its_code() {
    insta::glob!("errors/*.seg", |path| {
        let mut sources = SourceMap::default();
        let project = Project::load(std::path::Path::new("tests/fixtures/shop"), &mut sources)
            .expect("fixture manifest");
        let text = std::fs::read_to_string(path).expect("readable error file");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let id = sources.add(SourceFile {
            name: name.clone(),
            path: None,
            text: text.as_str().into(),
        });
        let (file, mut diagnostics) = seglang::syntax::parse(id, &text);
        let imports = seglang::check::Imports::default();
        let (_, errors) = seglang::check::check(&[(id, file)], &imports, &project.manifest.schema);
        diagnostics.extend(errors);

        let code = format!("seg::{}", &name[..4]);
        assert!(!diagnostics.is_empty(), "{name} produced no diagnostic");
        assert!(
            diagnostics.iter().all(|d| d.code.as_str() == code),
            "{name} should produce only {code}, got {:?}",
            diagnostics
                .iter()
                .map(|d| d.code.as_str())
                .collect::<Vec<_>>()
        );
        insta::assert_snapshot!(render_all(&diagnostics, &sources, Style::Plain));
    });
}
