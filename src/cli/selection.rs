//! How commands that work on several segments select them: by name or pattern, by file, by
//! tag (any of them picks a segment), as dbt selects models.

use std::path::PathBuf;

use crate::app::segments::Selection;

/// Segment selectors shared by `seg run`, `seg compile` and `seg materialize`.
#[derive(clap::Args, Debug, Default)]
pub struct SelectionArgs {
    /// Segments by name or pattern (`Spring*`: `*` any characters, `?` one); repeat for more.
    #[arg(short, long = "segment", value_name = "NAME")]
    segment: Vec<String>,
    /// The segments defined in this file; repeat for more.
    #[arg(long = "file", value_name = "PATH")]
    file: Vec<PathBuf>,
    /// The segments tagged so in their documentation (`/// tags: retention, email`); repeat
    /// for more.
    #[arg(long = "tag", value_name = "TAG")]
    tag: Vec<String>,
}

impl SelectionArgs {
    /// The selection these arguments make.
    pub fn selection(&self) -> Selection {
        Selection {
            names: self.segment.clone(),
            files: self.file.clone(),
            tags: self.tag.clone(),
        }
    }
}
