//! The spare: the output the current one replaced, kept in `.galley-cache/previous-output/`,
//! brought up to date in place and then exchanged with the output folder.
//!
//! Why: a warm build of a 10,000-post site writes about 17,000 files, almost all identical to
//! the last build's. Writing them into a fresh folder (even as hard links) and deleting the
//! old one creates and removes tens of thousands of directory entries per build, and ext4
//! gets slower at it with every run (issue 7). The spare already holds nearly the right
//! files: checking them costs reads of data the page cache usually holds, and only what
//! changed is written. The exchange leaves the old output where the spare was, ready for the
//! next build.
//!
//! The spare is never trusted: every file is compared byte for byte with the build, and
//! whatever the build does not produce is removed. A file that differs is unlinked and
//! written anew, never written in place, because it may share its inode with the live output
//! (a hard link made by an earlier build). So nothing visible changes before the exchange: a
//! build that fails or is killed while updating the spare leaves the output as it was.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{WriteError, exchange};
use crate::diagnostics::{Error, Result};
use crate::output::Output;

const LOCK: &str = "previous-output.lock";

/// The spare folder, locked for this build.
pub struct Spare {
    path: PathBuf,
    // Held for the lifetime of the build: two builds of one site never share the spare.
    _lock: File,
}

impl Spare {
    /// Claims the spare at `path` for this build. `None` when another galley holds it, when it
    /// cannot be created, or when it would be on another file system than the output (an
    /// exchange only works within one); the build then writes a fresh folder.
    pub fn claim(path: &Path, output_parent: &Path) -> Option<Spare> {
        let home = path.parent()?;
        std::fs::create_dir_all(home).ok()?;
        if !same_file_system(home, output_parent) {
            return None;
        }
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(home.join(LOCK))
            .ok()?;
        lock.try_lock().ok()?;
        Some(Spare {
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether an earlier output is there to update.
    pub fn exists(&self) -> bool {
        std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.is_dir())
    }

    /// Removes what the spare holds that `output` does not: files and folders it has no
    /// place for, and anything that is neither a file nor a folder (a symbolic link is
    /// removed, never followed). A removal that fails fails the update, since the file would
    /// otherwise be published.
    pub fn prune(&self, output: &Output) -> std::result::Result<(), WriteError> {
        prune(&self.path, "", &Wanted::of(output))
    }

    /// Puts the updated spare in place of `dir`; the previous output takes the spare's place.
    /// `aside` is a free name beside `dir` for systems without an atomic exchange.
    pub fn swap_in(&self, dir: &Path, aside: &Path) -> Result<()> {
        if !dir.exists() {
            return std::fs::rename(&self.path, dir)
                .map_err(|e| Error::io("move into place", dir, e));
        }
        if exchange(&self.path, dir) {
            return Ok(());
        }
        std::fs::rename(dir, aside).map_err(|e| Error::io("move aside", dir, e))?;
        if let Err(error) = std::fs::rename(&self.path, dir) {
            let _ = std::fs::rename(aside, dir);
            return Err(Error::io("move into place", dir, error));
        }
        self.keep(aside);
        Ok(())
    }

    /// Keeps a previous output `old` as the next build's spare (or removes it when the spare's
    /// place is taken).
    pub fn keep(&self, old: &Path) {
        if std::fs::rename(old, &self.path).is_err() {
            super::remove_tree(old);
        }
    }

    /// Removes the spare, after an update that failed for a reason a fresh folder may not have.
    pub fn discard(&self) {
        super::remove_tree(&self.path);
    }
}

/// The paths of `output`'s files and of every folder that holds one.
struct Wanted<'a> {
    files: HashSet<&'a str>,
    folders: HashSet<&'a str>,
}

impl<'a> Wanted<'a> {
    fn of(output: &'a Output) -> Wanted<'a> {
        let mut files = HashSet::with_capacity(output.len());
        let mut folders = HashSet::new();
        for file in output.files() {
            files.insert(file.path.as_str());
            let mut path = file.path.as_str();
            while let Some((folder, _)) = path.rsplit_once('/') {
                if !folders.insert(folder) {
                    break;
                }
                path = folder;
            }
        }
        Wanted { files, folders }
    }
}

fn prune(root: &Path, folder: &str, wanted: &Wanted) -> std::result::Result<(), WriteError> {
    let dir = root.join(folder);
    let entries = std::fs::read_dir(&dir).map_err(|e| WriteError::new("read", &dir, e))?;
    let mut kept_folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| WriteError::new("read", &dir, e))?;
        let path = entry.path();
        let name = entry.file_name();
        let child = match (name.to_str(), folder) {
            (Some(name), "") => Some(name.to_owned()),
            (Some(name), _) => Some(format!("{folder}/{name}")),
            // Output paths are UTF-8: a name that is not cannot be wanted.
            (None, _) => None,
        };
        let file_type = entry
            .file_type()
            .map_err(|e| WriteError::new("read", &path, e))?;
        if file_type.is_dir() {
            match child {
                Some(child) if wanted.folders.contains(child.as_str()) => kept_folders.push(child),
                _ => std::fs::remove_dir_all(&path)
                    .map_err(|e| WriteError::new("remove", &path, e))?,
            }
        } else if !(file_type.is_file() && child.is_some_and(|c| wanted.files.contains(c.as_str())))
        {
            std::fs::remove_file(&path).map_err(|e| WriteError::new("remove", &path, e))?;
        }
    }
    kept_folders
        .par_iter()
        .try_for_each(|child| prune(root, child, wanted))
}

fn same_file_system(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        _ => false,
    }
}
