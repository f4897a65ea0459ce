//! The `run` sandbox through the real binary: every page's temporary folder is gone when
//! galley exits, however its blocks ended; folders a killed galley left are swept by the next
//! run; a block whose process escaped its process group (`setsid`) does not hang galley.
//!
//! Each test gives galley a `TMPDIR` of its own, so it sees exactly the folders that galley
//! made, whatever other tests run at the same time. When the tests run as root, galley runs
//! as `nobody`: root may delete read-only files, so a read-only folder would prove nothing.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::harness::{Run, Site, run_measured};

/// Generous: only a hang gets near it (the blocks below take a few seconds in all).
const WATCHDOG: Duration = Duration::from_secs(120);

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A site, a temporary folder for galley and a file the blocks append their `pwd` to, all
/// usable by `nobody` when the test runs as root.
struct Sandbox {
    site: Site,
    temp: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let sandbox = Sandbox {
            site: Site::empty(),
            temp: tempfile::tempdir().expect("a temporary folder for galley"),
        };
        sandbox.site.write(
            "site.toml",
            "title = \"T\"\nbase_url = \"https://example.org/\"\n",
        );
        std::fs::write(sandbox.record(), "").expect("create the record");
        if is_root() {
            // Before any leftover is made in it: those keep their own permissions.
            open_to_everyone(sandbox.temp());
        }
        sandbox
    }

    /// The temporary folder galley is given (its `TMPDIR`).
    fn temp(&self) -> &Path {
        self.temp.path()
    }

    fn record(&self) -> PathBuf {
        self.temp().join("record")
    }

    /// A page whose only block is a bash `run` block (`fence` after "bash,run") that first
    /// records its working directory, then runs `rest`.
    fn page(&self, name: &str, fence: &str, rest: &str) -> &Sandbox {
        self.site.write(
            &format!("content/{name}.md"),
            format!(
                "+++\ntitle = \"{name}\"\n+++\n```bash,run{fence}\npwd >> {}\n{rest}\n```\n",
                self.record().display()
            ),
        );
        self
    }

    /// `galley test --no-cache`, as `nobody` when we are root, under the watchdog.
    fn galley_test(&self) -> Run {
        let mut command = crate::harness::galley();
        command
            .arg("--root")
            .arg(self.site.path())
            .args(["test", "--no-cache"])
            .env("TMPDIR", self.temp());
        if is_root() {
            open_to_everyone(self.site.path());
            command.uid(NOBODY).gid(NOBODY);
        }
        run_measured(command, WATCHDOG).run
    }

    /// The working directories the blocks recorded.
    fn recorded(&self) -> Vec<PathBuf> {
        crate::harness::read(&self.record())
            .lines()
            .map(PathBuf::from)
            .collect()
    }

    /// The `galley-run-*` entries in galley's temporary folder.
    fn run_folders(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.temp())
            .expect("read the temporary folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("galley-run-"))
            .collect();
        names.sort();
        names
    }
}

/// World-readable folders and files, world-writable folders (the test's own throwaway tree).
fn open_to_everyone(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.expect("walk");
        let mode = if entry.file_type().is_dir() {
            0o777
        } else {
            0o666
        };
        std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode))
            .expect("open the test's files to galley");
    }
}

#[test]
fn every_run_folder_is_removed_however_its_block_ended() {
    let sandbox = Sandbox::new();
    sandbox
        .page("finishes", "", "echo fine")
        .page("times-out", ",timeout=1", "sleep 60")
        .page("is-killed", "", "kill -9 $$")
        .page(
            "read-only",
            "",
            "mkdir -p a/b && echo x > a/b/file && chmod -R a-w .",
        );
    let run = sandbox.galley_test();
    let report = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(1), "{report}");
    assert!(report.contains("run/timeout"), "{report}");
    assert!(report.contains("run/exit-status"), "{report}");
    assert!(report.contains("2 passed, 2 failed"), "{report}");

    let recorded = sandbox.recorded();
    assert_eq!(recorded.len(), 4, "one folder per page: {recorded:?}");
    for dir in &recorded {
        assert!(
            dir.starts_with(sandbox.temp()),
            "{} is not in TMPDIR",
            dir.display()
        );
        // The prefix the sweep of a dead galley's folders looks for.
        assert!(
            dir.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("galley-run-")),
            "{} is not a galley-run- folder",
            dir.display()
        );
        assert!(!dir.exists(), "{} was left behind", dir.display());
    }
    assert_eq!(sandbox.run_folders(), Vec::<String>::new());
}

#[test]
fn a_block_whose_process_left_the_group_does_not_hang_galley() {
    let sandbox = Sandbox::new();
    // The sleep starts a session of its own (the group kill misses it) and keeps the block's
    // output open: galley used to read that pipe for ever. The FIFO makes the block end only
    // once the sleep is in its session, so a loaded machine cannot kill it with the group.
    sandbox.page(
        "escapes",
        "",
        "mkfifo ready\nsetsid sh -c 'echo $$ > ready; exec sleep 1000' &\ncat ready",
    );
    let run = sandbox.galley_test();
    let report = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(1), "{report}");
    assert!(report.contains("run/escaped"), "{report}");
    assert!(report.contains("galley killed 1 of them"), "{report}");
    let recorded = sandbox.recorded();
    assert_eq!(recorded.len(), 1);
    assert!(!recorded[0].exists());
    assert_eq!(sandbox.run_folders(), Vec::<String>::new());
}

/// A folder as a killed galley leaves it: a file, a read-only sub-folder, and its
/// modification time an hour ago (older than the sweep's threshold).
fn leftover(temp: &Path, name: &str, old: bool) -> PathBuf {
    let dir = temp.join(name);
    std::fs::create_dir_all(dir.join("ro")).expect("create a leftover");
    std::fs::write(dir.join("ro/file"), "x").expect("write in a leftover");
    std::fs::set_permissions(dir.join("ro"), std::fs::Permissions::from_mode(0o555))
        .expect("make it read-only");
    if is_root() {
        // Owned by the user galley runs as, as its own leftovers would be.
        for path in [dir.join("ro/file"), dir.join("ro"), dir.clone()] {
            std::os::unix::fs::lchown(&path, Some(NOBODY), Some(NOBODY)).expect("chown");
        }
    }
    if old {
        let status = Command::new("touch")
            .args(["-d", "1 hour ago"])
            .arg(&dir)
            .status()
            .expect("run touch");
        assert!(status.success());
    }
    dir
}

#[test]
fn leftover_run_folders_are_swept_when_old_and_unlocked() {
    let sandbox = Sandbox::new();
    sandbox.page("runs", "", "true");
    let temp = sandbox.temp();
    let old = leftover(temp, "galley-run-old", true);
    let fresh = leftover(temp, "galley-run-fresh", false);
    let locked = leftover(temp, "galley-run-locked", true);
    let not_ours = leftover(temp, "other-old", true);
    // A galley still using its folder holds this lock.
    let lock = std::fs::File::open(&locked).expect("open the locked folder");
    lock.try_lock().expect("lock it");

    let run = sandbox.galley_test();
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(!old.exists(), "an old, unlocked leftover is swept");
    assert!(fresh.exists(), "a recent folder may be about to be locked");
    assert!(locked.exists(), "a locked folder is in use");
    assert!(not_ours.exists(), "only galley-run-* folders are swept");
    assert_eq!(
        sandbox.run_folders(),
        ["galley-run-fresh", "galley-run-locked"]
    );
    drop(lock);
    // The TempDir cannot empty read-only folders as a user other than root.
    for dir in [&fresh, &locked, &not_ours] {
        std::fs::set_permissions(dir.join("ro"), std::fs::Permissions::from_mode(0o755))
            .expect("make it writable again");
    }
}
