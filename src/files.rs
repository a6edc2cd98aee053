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

/// Why [`read_limited`] read nothing.
#[derive(Debug)]
pub(crate) enum Unreadable {
    /// A FIFO, a device or a socket: never opened.
    Special,
    /// More than the limit, in bytes; found without reading past it.
    TooLarge(usize),
    /// The operating system's refusal.
    Io(std::io::Error),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Special => f.write_str("not a regular file"),
            Unreadable::TooLarge(limit) => write!(f, "larger than {limit} bytes"),
            Unreadable::Io(error) => error.fmt(f),
        }
    }
}

/// The bytes of the regular file at `path`, at most `limit` of them: what a user names is
/// read only if it is small enough, and never past the limit (a file that grows, or one
/// whose size the system does not report, such as those under `/proc`, cannot exhaust the
/// memory).
pub(crate) fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, Unreadable> {
    use std::io::Read;
    if is_special(path) {
        return Err(Unreadable::Special);
    }
    let file = std::fs::File::open(path).map_err(Unreadable::Io)?;
    let metadata = file.metadata().map_err(Unreadable::Io)?;
    if !metadata.is_file() {
        return Err(Unreadable::Special);
    }
    let size = metadata.len();
    if size > limit as u64 {
        return Err(Unreadable::TooLarge(limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    if bytes.len() > limit {
        return Err(Unreadable::TooLarge(limit));
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` whole (see [`WholeFile`]).
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut file = WholeFile::create(path)?;
    file.write(bytes)?;
    file.commit()
}

/// A file written whole: into a new file beside `path`, renamed over it at the end, so
/// readers (and a crash) see the old file or the new one, never a part; the new file may
/// be written piece by piece, as rows arrive. Only a regular file (or a new path) is
/// written; a symbolic link is followed to the file it names and stays a link; a FIFO, a
/// device, a directory or a read-only file is refused. A replaced file keeps its
/// permissions; a new one is readable by all, as a shell's `>` makes it. Dropped without
/// [`WholeFile::commit`], it leaves `path` as it was.
pub(crate) struct WholeFile {
    temporary: tempfile::NamedTempFile,
    target: PathBuf,
}

impl WholeFile {
    /// Starts the new file for `path`.
    pub(crate) fn create(path: &Path) -> Result<WholeFile, String> {
        let target = followed(path)?;
        let existing = std::fs::metadata(&target).ok();
        if existing.as_ref().is_some_and(|found| !found.is_file()) {
            return Err("not a regular file".into());
        }
        if existing
            .as_ref()
            .is_some_and(|found| found.permissions().readonly())
        {
            return Err("the file is read-only".into());
        }
        let permissions = existing.map_or_else(
            || std::os::unix::fs::PermissionsExt::from_mode(0o644),
            |found| found.permissions(),
        );
        let directory = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temporary = tempfile::Builder::new()
            .prefix(".seg-")
            .permissions(permissions)
            .tempfile_in(&directory)
            .map_err(|e| e.to_string())?;
        Ok(WholeFile { temporary, target })
    }

    /// Adds `bytes` to the new file.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        std::io::Write::write_all(&mut self.temporary, bytes).map_err(|e| e.to_string())
    }

    /// Puts the new file in place of the old.
    pub(crate) fn commit(self) -> Result<(), String> {
        self.temporary
            .as_file()
            .sync_all()
            .map_err(|e| e.to_string())?;
        self.temporary
            .persist(&self.target)
            .map_err(|e| e.error.to_string())?;
        Ok(())
    }
}
