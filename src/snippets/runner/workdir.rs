//! The temporary folder the `run` blocks of one page share: `galley-run-XXXXXX` in the
//! system's temporary folder (`TMPDIR`), locked while in use, and removed afterwards:
//!
//! 1. processes a block left running there (escaped from its process group) are killed first;
//! 2. a block may leave read-only folders behind (`chmod -R a-w .`, a Go module cache), which
//!    `remove_dir_all` cannot empty: permissions are given back, then removal is retried;
//! 3. a galley that was killed never removes its folder: the next run that executes blocks
//!    sweeps folders of this prefix that are older than [`STALE_AFTER`], owned by this user
//!    and not locked (the lock is a `flock` on the folder itself, held by the galley using it,
//!    released by the kernel when that galley dies).

use std::fs::File;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::escapees;

pub const PREFIX: &str = "galley-run-";

/// A folder younger than this is never swept, even unlocked: it may have been created a
/// moment ago by a galley that is about to lock it (or by an older galley that never locks).
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// A page's run folder: removed when dropped.
pub struct RunDir {
    path: PathBuf,
    /// Held open for the folder's lifetime: the lock lives as long as this descriptor.
    _lock: File,
}

impl RunDir {
    pub fn create() -> std::io::Result<RunDir> {
        let path = tempfile::Builder::new().prefix(PREFIX).tempdir()?.keep();
        let lock = File::open(&path)?;
        // Nobody else knows the folder yet: this cannot be contended, only unsupported.
        let _ = lock.try_lock();
        Ok(RunDir { path, _lock: lock })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        escapees::kill_all(|| escapees::inside(&self.path));
        let _ = remove(&self.path);
    }
}

/// Removes `dir` and everything in it, read-only folders included.
pub fn remove(dir: &Path) -> std::io::Result<()> {
    if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
        return Ok(());
    }
    make_writable(dir);
    std::fs::remove_dir_all(dir)
}

/// Gives the owner back read, write and search permission on every folder under `dir`
/// (files need none to be removed; only the folder holding them does). Symbolic links are
/// never followed, so nothing outside `dir` changes.
fn make_writable(dir: &Path) {
    let Ok(metadata) = std::fs::symlink_metadata(dir) else {
        return;
    };
    if !metadata.is_dir() {
        return;
    }
    let mut permissions = metadata.permissions();
    permissions.set_mode(permissions.mode() | 0o700);
    let _ = std::fs::set_permissions(dir, permissions);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            make_writable(&entry.path());
        }
    }
}

/// Removes the run folders dead galleys left in `temp`; returns how many.
pub fn sweep(temp: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return 0;
    };
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let mut swept = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        // symlink_metadata: a link named like a run folder is not one, whatever it points to.
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let stale = metadata
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if !metadata.is_dir() || metadata.uid() != uid || !stale {
            continue;
        }
        let Ok(lock) = File::open(&path) else {
            continue;
        };
        if lock.try_lock().is_err() {
            // A galley is running blocks in it right now.
            continue;
        }
        escapees::kill_all(|| escapees::inside(&path));
        if remove(&path).is_ok() {
            swept += 1;
        }
    }
    swept
}

#[cfg(test)]
mod tests {
    use super::{RunDir, remove};
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn read_only_folders_are_removed() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("run");
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join("a/b/file"), "x").unwrap();
        for folder in ["a/b", "a", ""] {
            let path = dir.join(folder);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
        remove(&dir).unwrap();
        assert!(!dir.exists());
    }

    #[test]
    fn a_run_folder_is_locked_while_in_use_and_gone_after() {
        let run = RunDir::create().unwrap();
        let path = run.path().to_path_buf();
        let other = std::fs::File::open(&path).unwrap();
        assert!(other.try_lock().is_err(), "the folder is locked");
        drop(run);
        assert!(!path.exists());
    }
}
