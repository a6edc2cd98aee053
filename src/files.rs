//! Where a read or a write really goes: a path's symbolic links followed to the file they name, as a
//! leaf both the engine (a database file) and the front ends (an export) use, so that seg
//! never replaces a link, loops through links, or writes into what is not a regular file.

use std::path::{Path, PathBuf};

/// `path` with its symbolic links followed (a chain of them too) to the file they name,
/// which may not exist yet; `Err` for a loop of links.
pub(crate) fn followed(path: &Path) -> Result<PathBuf, String> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&current) {
            Ok(link) => {
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            Err(_) => return Ok(current),
        }
    }
    Err(format!("{} is a loop of symbolic links", path.display()))
}

/// Whether something exists at `path` (links followed) that is not a regular file: a FIFO
/// would block a read, a device never end one. A missing path is not special.
pub(crate) fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|kind| !kind.is_file())
}
