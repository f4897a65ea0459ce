//! The only code that writes the output folder.
//!
//! A build is written into a folder that is not the output, and swapped in only once every
//! file is written: the spare (`spare.rs`, the output the current one replaced, updated in
//! place) when there is one, otherwise a temporary folder beside the output (same file
//! system, so the final rename is cheap). A build that fails or is killed before the swap
//! leaves the previous site untouched; a leftover temporary folder is removed by the next
//! build.

mod spare;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Contents, Output, OutputFile};
use crate::diagnostics::{Diagnostic, Error, Result};
use spare::Spare;

const TEMP_MARK: &str = ".galley-tmp-";
const OLD_MARK: &str = ".galley-old-";

/// What a write did, for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct WriteStats {
    pub files: usize,
    pub bytes: u64,
}

/// Refuses an output folder that would overwrite or live inside the site's sources.
pub fn check_output_dir(output: &Path, sources: &[&Path]) -> Result<()> {
    let output_abs = absolute(output);
    for source in sources {
        let source_abs = absolute(source);
        let overlaps = source_abs.starts_with(&output_abs) || output_abs.starts_with(&source_abs);
        if overlaps && source.exists() {
            return Err(Error::usage(
                format!(
                    "refusing to write the site to {}: it overlaps the source folder {}",
                    output.display(),
                    source.display()
                ),
                "choose an output folder outside content/, themes/, static/ and templates/, e.g. --output public",
            ));
        }
    }
    Ok(())
}

/// Writes `output` to `dir` atomically. With `spare` (a folder in the site's cache), the
/// previous output is kept there and the next build updates it instead of writing every file
/// again.
pub fn write_atomic(output: &Output, dir: &Path, spare: Option<&Path>) -> Result<WriteStats> {
    if dir.is_file() {
        return Err(Diagnostic::error(
            "output",
            format!("{} is a file, not a folder", dir.display()),
        )
        .hint("remove it or choose another --output")
        .into());
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    recover(dir);
    remove_leftovers(parent, &name);
    let aside = parent.join(format!(".{name}{OLD_MARK}{}", std::process::id()));

    let spare = spare.and_then(|path| Spare::claim(path, parent));
    if let Some(spare) = spare.as_ref().filter(|s| s.exists()) {
        let updated = spare
            .prune(output)
            .and_then(|()| write_all(output, spare.path(), dir, InPlace(true)));
        match updated {
            Ok(stats) => {
                spare.swap_in(dir, &aside)?;
                return Ok(stats);
            }
            // A fresh folder would fill the same disk.
            Err(error) if error.is_no_space() => return Err(error.into_error(dir)),
            // Something in the spare could not be replaced (a folder made read-only, say):
            // a fresh folder does not depend on it.
            Err(_) => spare.discard(),
        }
    }

    let temp = parent.join(format!(".{name}{TEMP_MARK}{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    let stats = match write_all(output, &temp, dir, InPlace(false)) {
        Ok(stats) => stats,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(error.into_error(dir));
        }
    };
    swap(&temp, dir, &aside, spare.as_ref())?;
    Ok(stats)
}

/// Whether `write_all` writes into a folder that already holds an earlier output (the spare),
/// or into an empty one.
#[derive(Clone, Copy)]
struct InPlace(bool);

fn write_all(
    output: &Output,
    root: &Path,
    previous: &Path,
    in_place: InPlace,
) -> std::result::Result<WriteStats, WriteError> {
    std::fs::create_dir_all(root).map_err(|e| WriteError::new("create", root, e))?;
    // A first build has nothing to link to: skip one failing lookup per file.
    let previous = previous.is_dir().then_some(previous);
    // By folder, each created by the thread that writes its files, rather than every folder
    // one after another before the first file.
    let mut folders: BTreeMap<&str, Vec<&OutputFile>> = BTreeMap::new();
    for file in output.files() {
        let folder = file.path.rsplit_once('/').map_or("", |(folder, _)| folder);
        folders.entry(folder).or_default().push(file);
    }
    let bytes = folders
        .into_par_iter()
        .map(|(folder, files)| {
            let dir = root.join(folder);
            // Threads may create the same ancestors at once; create_dir_all allows for it.
            std::fs::create_dir_all(&dir).map_err(|e| WriteError::new("create", &dir, e))?;
            files
                .into_iter()
                .map(|file| write_file(file, root, previous, in_place))
                .sum::<std::result::Result<u64, WriteError>>()
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    Ok(WriteStats {
        files: output.len(),
        bytes,
    })
}

/// Writes one file into `root`, linking the previous build's copy when it is identical. In
/// place, a file that already holds the right bytes is left alone, and one that does not is
/// unlinked first: it may be a hard link to the live output's file, which must not change.
fn write_file(
    file: &OutputFile,
    root: &Path,
    previous: Option<&Path>,
    InPlace(in_place): InPlace,
) -> std::result::Result<u64, WriteError> {
    let target = root.join(&file.path);
    match &file.contents {
        Contents::Bytes(bytes) => {
            if in_place {
                if holds(&target, bytes) {
                    return Ok(bytes.len() as u64);
                }
                unlink(&target)?;
            }
            let linked = previous.is_some_and(|p| reuse(&p.join(&file.path), bytes, &target));
            if !linked {
                std::fs::write(&target, bytes).map_err(|e| WriteError::new("write", &target, e))?;
            }
            Ok(bytes.len() as u64)
        }
        Contents::Copy(source) if in_place => {
            let bytes = std::fs::read(source).map_err(|e| WriteError::new("copy", source, e))?;
            // A copy carries the source's permissions, as a fresh folder's would.
            if !(same_mode(source, &target) && holds(&target, &bytes)) {
                unlink(&target)?;
                std::fs::copy(source, &target).map_err(|e| WriteError::new("copy", source, e))?;
            }
            Ok(bytes.len() as u64)
        }
        Contents::Copy(source) => {
            std::fs::copy(source, &target).map_err(|e| WriteError::new("copy", source, e))
        }
    }
}

fn same_mode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path| std::fs::symlink_metadata(path).map(|m| m.permissions().mode());
    matches!((mode(a), mode(b)), (Ok(a), Ok(b)) if a == b)
}

/// Removes a file of the spare that is about to be written; a missing one is fine.
fn unlink(path: &Path) -> std::result::Result<(), WriteError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(WriteError::new("remove", path, e))
        }
        _ => Ok(()),
    }
}

/// A failed file-system call while writing the temporary folder.
struct WriteError {
    action: &'static str,
    path: PathBuf,
    error: std::io::Error,
}

impl WriteError {
    fn new(action: &'static str, path: &Path, error: std::io::Error) -> WriteError {
        WriteError {
            action,
            path: path.to_path_buf(),
            error,
        }
    }

    fn is_no_space(&self) -> bool {
        matches!(
            self.error.raw_os_error(),
            Some(libc::ENOSPC | libc::EDQUOT | libc::EFBIG)
        )
    }

    /// The error for the user. A full disk (or quota, or file-size limit) is named as such,
    /// with the output folder rather than the temporary file, since that is what the user can
    /// act on; anything else says which file failed.
    fn into_error(self, output_dir: &Path) -> Error {
        let dir = output_dir.display();
        let (message, hint) = match self.error.raw_os_error() {
            Some(libc::ENOSPC | libc::EDQUOT) => (
                format!("no space left on the device to write the site to {dir}"),
                format!(
                    "free some space on the file system of {dir} (or choose another --output) and build again"
                ),
            ),
            Some(libc::EFBIG) => (
                format!("a file is too large to write the site to {dir} (a file-size limit)"),
                "raise the limit (`ulimit -f`) or choose another --output".to_owned(),
            ),
            _ => return Error::io(self.action, &self.path, self.error),
        };
        Diagnostic::error(
            "output/no-space",
            format!(
                "{message}: {} while {} {}",
                self.error,
                match self.action {
                    "create" => "creating",
                    "copy" => "copying",
                    _ => "writing",
                },
                self.path.display()
            ),
        )
        .hint(format!("{hint}; the previous output in {dir} is unchanged"))
        .into()
    }
}

/// Links `target` to the previous build's file when that file already holds `bytes`.
///
/// A warm build produces mostly the same files; linking them costs a comparison (of data the
/// page cache usually holds) instead of a write, and writes are what a disk under pressure
/// makes slow. The previous folder is never modified, so a build that fails still leaves it
/// intact; a file that differs, is missing or cannot be linked is simply written.
fn reuse(previous: &Path, bytes: &[u8], target: &Path) -> bool {
    holds(previous, bytes) && std::fs::hard_link(previous, target).is_ok()
}

/// Whether `path` is a regular file (not a symbolic link) holding exactly `bytes`.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let same_size =
        std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
    same_size && std::fs::read(path).is_ok_and(|old| old == bytes)
}

/// Puts `temp` in place of `dir`, keeping the previous site until the new one is there. The
/// previous site then becomes the spare, or is removed.
fn swap(temp: &Path, dir: &Path, aside: &Path, spare: Option<&Spare>) -> Result<()> {
    let _ = std::fs::remove_dir_all(aside);
    let had_previous = dir.exists();
    let retire = |old: &Path| match spare {
        Some(spare) => spare.keep(old),
        None => remove_tree(old),
    };
    if had_previous && exchange(temp, dir) {
        // `temp` now holds the previous site.
        retire(temp);
        return Ok(());
    }
    if had_previous {
        std::fs::rename(dir, aside).map_err(|e| Error::io("move aside", dir, e))?;
    }
    if let Err(error) = std::fs::rename(temp, dir) {
        if had_previous {
            let _ = std::fs::rename(aside, dir);
        }
        let _ = std::fs::remove_dir_all(temp);
        return Err(Error::io("move into place", dir, error));
    }
    if had_previous {
        retire(aside);
    }
    Ok(())
}

/// Removes a previous site (tens of thousands of files and folders), its folders in parallel.
/// Symbolic links are removed, never followed. Failing to remove is not an error: the next
/// build removes what is left.
fn remove_tree(dir: &Path) {
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        // A symbolic link (to a folder elsewhere, perhaps) or a file: only the name goes.
        let _ = std::fs::remove_file(dir);
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let (folders, files): (Vec<_>, Vec<_>) = entries
        .flatten()
        .partition(|entry| entry.file_type().is_ok_and(|t| t.is_dir()));
    for file in files {
        let _ = std::fs::remove_file(file.path());
    }
    folders
        .par_iter()
        .for_each(|folder| remove_tree(&folder.path()));
    if std::fs::remove_dir(dir).is_err() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Swaps two folders in one step (Linux `renameat2(RENAME_EXCHANGE)`), so there is no instant
/// at which the output folder is missing, not even for a build killed mid-swap. `false` where
/// the system or the file system cannot; the caller then renames twice.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(a), Ok(b)) = (
        CString::new(a.as_os_str().as_bytes()),
        CString::new(b.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    // SAFETY: two valid NUL-terminated paths, resolved against the current directory.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    result == 0
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

/// Puts back the previous site if a build was killed between the two renames of a swap (where
/// no atomic exchange exists): no output folder, and the previous site under its "old" name.
/// Runs before anything else a build does, so even a build that then fails leaves it in place.
pub fn recover(dir: &Path) {
    if dir.exists() {
        return;
    }
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let old_prefix = format!(".{}{OLD_MARK}", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&old_prefix)
            && std::fs::rename(entry.path(), dir).is_ok()
        {
            return;
        }
    }
}

/// Removes temporary folders of earlier builds that were interrupted.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let temp_prefix = format!(".{name}{TEMP_MARK}");
    let old_prefix = format!(".{name}{OLD_MARK}");
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name
            .strip_prefix(&temp_prefix)
            .or_else(|| file_name.strip_prefix(&old_prefix))
        else {
            continue;
        };
        // Another build of the same output still running owns its folder: leave it.
        if still_running(pid) {
            continue;
        }
        remove_tree(&entry.path());
    }
}

/// Whether the process that named a temporary folder (`.public.galley-tmp-<pid>`) is another
/// live process. Where that cannot be told (no /proc), the folder counts as a leftover.
fn still_running(pid: &str) -> bool {
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    pid != std::process::id() && Path::new("/proc").join(pid.to_string()).is_dir()
}

fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    // Normalise `.` and `..` without touching the file system (the output may not exist yet).
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::{check_output_dir, write_atomic};
    use crate::output::{Output, OutputFile, Precedence};

    fn output(files: &[(&str, &str)]) -> Output {
        let mut output = Output::default();
        let mut errors = crate::diagnostics::Collector::default();
        for (path, text) in files {
            output.insert(
                OutputFile::bytes(*path, *text, "test"),
                Precedence::Unique,
                &mut errors,
            );
        }
        output
    }

    #[test]
    fn replaces_the_previous_site_and_cleans_leftovers() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        write_atomic(&output(&[("old.html", "old")]), &public, None).unwrap();
        std::fs::create_dir(tmp.path().join(".public.galley-tmp-4294967294")).unwrap();
        let stats = write_atomic(&output(&[("a/index.html", "new")]), &public, None).unwrap();
        assert_eq!((stats.files, stats.bytes), (1, 3));
        assert_eq!(
            std::fs::read_to_string(public.join("a/index.html")).unwrap(),
            "new"
        );
        assert!(!public.join("old.html").exists());
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"]);
    }

    #[test]
    fn removing_leftovers_never_follows_symbolic_links() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let precious = tmp.path().join("precious");
        std::fs::create_dir(&precious).unwrap();
        std::fs::write(precious.join("keep.md"), "mine").unwrap();
        let dead = tmp.path().join(".public.galley-tmp-4294967294");
        std::fs::create_dir_all(dead.join("a/b")).unwrap();
        std::fs::write(dead.join("a/b/index.html"), "x").unwrap();
        std::os::unix::fs::symlink(&precious, dead.join("a/link")).unwrap();
        std::os::unix::fs::symlink(&precious, tmp.path().join(".public.galley-old-4294967294"))
            .unwrap();
        write_atomic(&output(&[("index.html", "x")]), &public, None).unwrap();
        assert!(!dead.exists());
        assert!(!tmp.path().join(".public.galley-old-4294967294").exists());
        assert_eq!(
            std::fs::read_to_string(precious.join("keep.md")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn the_temporary_folder_of_a_running_build_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let mut other = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let theirs = tmp
            .path()
            .join(format!(".public.galley-tmp-{}", other.id()));
        std::fs::create_dir(&theirs).unwrap();
        write_atomic(&output(&[("index.html", "x")]), &public, None).unwrap();
        let kept = theirs.is_dir();
        let _ = other.kill();
        let _ = other.wait();
        assert!(kept, "another live build's folder was removed");
    }

    #[test]
    fn a_failed_write_keeps_the_previous_site() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        write_atomic(&output(&[("index.html", "good")]), &public, None).unwrap();
        let mut broken = Output::default();
        let mut errors = crate::diagnostics::Collector::default();
        let missing = tmp.path().join("missing.png");
        broken.insert(
            OutputFile::copy("x.png", missing, "test"),
            Precedence::Unique,
            &mut errors,
        );
        assert!(write_atomic(&broken, &public, None).is_err());
        assert_eq!(
            std::fs::read_to_string(public.join("index.html")).unwrap(),
            "good"
        );
    }

    /// Every file under `dir` with its text; folders show as "<dir>" when empty.
    fn tree(dir: &std::path::Path) -> std::collections::BTreeMap<String, String> {
        walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| {
                !e.file_type().is_dir() || std::fs::read_dir(e.path()).unwrap().next().is_none()
            })
            .map(|e| {
                let path = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let text = if e.file_type().is_dir() {
                    "<dir>".to_owned()
                } else {
                    std::fs::read_to_string(e.path()).unwrap()
                };
                (path, text)
            })
            .collect()
    }

    fn expected(files: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn with_a_spare_each_build_leaves_exactly_its_own_files() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let spare = tmp.path().join(".galley-cache/previous-output");
        let a: &[(&str, &str)] = &[
            ("index.html", "1"),
            ("a/index.html", "a"),
            ("x", "x is a file"),
            ("s/t/u.html", "deep"),
        ];
        let b: &[(&str, &str)] = &[
            ("index.html", "2"),
            ("a/index.html", "a"),
            ("x/index.html", "x is a folder"),
            ("new.html", "n"),
        ];
        let c: &[(&str, &str)] = &[
            ("index.html", "2"),
            ("x", "a file again"),
            ("a/index.html", "a2"),
        ];
        for (build, files) in [a, b, c, a, c, b].into_iter().enumerate() {
            write_atomic(&output(files), &public, Some(&spare)).unwrap();
            assert_eq!(tree(&public), expected(files), "build {build}");
            assert_eq!(
                spare.is_dir(),
                build > 0,
                "build {build}: the previous output is kept"
            );
        }
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(names, [".galley-cache", "public"]);
    }

    #[test]
    fn updating_the_spare_never_writes_through_to_the_live_output() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let spare = tmp.path().join(".galley-cache/previous-output");
        let same = output(&[("a/index.html", "same")]);
        write_atomic(&same, &public, Some(&spare)).unwrap();
        // The second build links the first's file: the spare and the output now share it.
        write_atomic(&same, &public, Some(&spare)).unwrap();
        write_atomic(
            &output(&[("a/index.html", "changed")]),
            &public,
            Some(&spare),
        )
        .unwrap();
        assert_eq!(tree(&public), expected(&[("a/index.html", "changed")]));
        assert_eq!(
            tree(&spare),
            expected(&[("a/index.html", "same")]),
            "the shared file was written in place"
        );

        let mut broken = output(&[("a/index.html", "broken build"), ("b/index.html", "b")]);
        let mut errors = crate::diagnostics::Collector::default();
        broken.insert(
            OutputFile::copy("z/x.png", tmp.path().join("missing.png"), "test"),
            Precedence::Unique,
            &mut errors,
        );
        assert!(write_atomic(&broken, &public, Some(&spare)).is_err());
        assert_eq!(tree(&public), expected(&[("a/index.html", "changed")]));
    }

    #[test]
    fn symbolic_links_in_the_spare_are_replaced_never_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let spare = tmp.path().join(".galley-cache/previous-output");
        let precious = tmp.path().join("precious");
        std::fs::create_dir(&precious).unwrap();
        std::fs::write(precious.join("index.html"), "mine").unwrap();
        let files: &[(&str, &str)] = &[
            ("index.html", "home"),
            ("a/index.html", "a"),
            ("p/index.html", "p"),
        ];
        write_atomic(&output(files), &public, Some(&spare)).unwrap();
        write_atomic(&output(files), &public, Some(&spare)).unwrap();
        std::fs::remove_file(spare.join("index.html")).unwrap();
        std::os::unix::fs::symlink(precious.join("index.html"), spare.join("index.html")).unwrap();
        std::fs::remove_dir_all(spare.join("p")).unwrap();
        std::os::unix::fs::symlink(&precious, spare.join("p")).unwrap();
        write_atomic(&output(files), &public, Some(&spare)).unwrap();
        assert_eq!(tree(&public), expected(files));
        assert!(
            !std::fs::symlink_metadata(public.join("p"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(tree(&precious), expected(&[("index.html", "mine")]));
    }

    #[test]
    fn a_copied_file_whose_permissions_changed_is_copied_again() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let spare = tmp.path().join(".galley-cache/previous-output");
        let script = tmp.path().join("install.sh");
        std::fs::write(&script, "echo hi\n").unwrap();
        let set_mode = |mode| {
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        let build = || {
            let mut copied = Output::default();
            let mut errors = crate::diagnostics::Collector::default();
            copied.insert(
                OutputFile::copy("install.sh", script.clone(), "test"),
                Precedence::Unique,
                &mut errors,
            );
            write_atomic(&copied, &public, Some(&spare)).unwrap();
            let mode = std::fs::metadata(public.join("install.sh"))
                .unwrap()
                .permissions()
                .mode();
            mode & 0o777
        };
        set_mode(0o644);
        for _ in 0..3 {
            assert_eq!(build(), 0o644);
        }
        set_mode(0o755);
        assert_eq!(build(), 0o755, "the spare's copy kept the old permissions");
    }

    #[test]
    fn a_spare_another_build_holds_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let spare = tmp.path().join(".galley-cache/previous-output");
        write_atomic(&output(&[("index.html", "1")]), &public, Some(&spare)).unwrap();
        write_atomic(&output(&[("index.html", "2")]), &public, Some(&spare)).unwrap();
        let lock =
            std::fs::File::open(tmp.path().join(".galley-cache/previous-output.lock")).unwrap();
        lock.try_lock().unwrap();
        write_atomic(&output(&[("index.html", "3")]), &public, Some(&spare)).unwrap();
        assert_eq!(tree(&public), expected(&[("index.html", "3")]));
        assert_eq!(tree(&spare), expected(&[("index.html", "1")]));
    }

    #[test]
    fn output_inside_a_source_folder_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let content = tmp.path().join("content");
        std::fs::create_dir(&content).unwrap();
        assert!(check_output_dir(&content.join("out"), &[&content]).is_err());
        assert!(check_output_dir(tmp.path(), &[&content]).is_err());
        assert!(check_output_dir(&tmp.path().join("public"), &[&content]).is_ok());
    }
}
