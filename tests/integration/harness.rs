//! Helpers shared by the integration tests: a site in a temporary folder, the `galley` binary
//! run against it, and readable assertions on what came out.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A site in a temporary folder, removed when dropped.
pub struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Site {
        let site = Site::empty();
        copy_dir(&repo_root().join("tests/fixtures").join(name), site.path());
        site
    }

    /// A copy of the bundled blog: site.toml, content/ and themes/ of the repository.
    pub fn bundled_blog() -> Site {
        let site = Site::empty();
        let root = repo_root();
        std::fs::copy(root.join("site.toml"), site.path().join("site.toml"))
            .expect("copy site.toml");
        for dir in ["content", "themes", "static", "templates"] {
            if root.join(dir).is_dir() {
                copy_dir(&root.join(dir), &site.path().join(dir));
            }
        }
        site
    }

    pub fn empty() -> Site {
        Site {
            dir: tempfile::tempdir().expect("create a temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes (or overwrites) a file of the site.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> &Site {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        std::fs::write(path, contents).expect("write a site file");
        self
    }

    pub fn remove(&self, relative: &str) -> &Site {
        let path = self.path().join(relative);
        if path.is_dir() {
            std::fs::remove_dir_all(path).expect("remove a folder");
        } else {
            std::fs::remove_file(path).expect("remove a file");
        }
        self
    }

    /// Runs `galley --root <site> <args...>`.
    pub fn galley(&self, args: &[&str]) -> Run {
        let mut command = galley();
        command.arg("--root").arg(self.path()).args(args);
        Run::of(command)
    }

    /// `galley build` into `<site>/public`, asserting success.
    pub fn build(&self) -> Run {
        self.galley(&["build"]).success()
    }

    /// A file of the built site (`public/<relative>`).
    pub fn output(&self, relative: &str) -> String {
        read(&self.path().join("public").join(relative))
    }

    pub fn has_output(&self, relative: &str) -> bool {
        self.path().join("public").join(relative).exists()
    }

    /// Every file under `public/`, relative and sorted, with its bytes.
    pub fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        snapshot(&self.path().join("public"))
    }
}

/// The `galley` binary under test, with a clean colour setting.
pub fn galley() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_galley"));
    command.env("NO_COLOR", "1").env_remove("RUST_LOG");
    command
}

/// The result of one run of the binary.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(mut command: Command) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = command.output().expect("run galley");
        Run {
            code: status.code(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "galley failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn exit(self, code: i32) -> Run {
        assert_eq!(
            self.code,
            Some(code),
            "unexpected exit code:\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }
}

#[track_caller]
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.expect("walk a fixture");
        let target = to.join(entry.path().strip_prefix(from).expect("inside the fixture"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create a folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk the output");
        if entry.file_type().is_file() {
            let relative = entry
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            files.push((relative, std::fs::read(entry.path()).expect("read output")));
        }
    }
    files
}

/// Asserts that `xml` is well-formed, returning it for chaining.
#[track_caller]
pub fn well_formed_xml(xml: &str) -> &str {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return xml,
            Ok(_) => {}
            Err(error) => panic!("invalid XML: {error}\n{xml}"),
        }
    }
}

/// Reads a child's pipe to its end on a thread (so a chatty child never blocks on a full pipe).
fn read_in_background(
    pipe: Option<impl std::io::Read + Send + 'static>,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// A finished run with its peak resident memory.
pub struct Measured {
    pub run: Run,
    /// Peak resident set size of the child, in KiB (its own `getrusage`, read through
    /// `wait4`, so other tests running at the same time do not count).
    pub peak_rss_kib: u64,
}

/// Runs `command` to completion, killing it and failing the test if it takes longer than
/// `limit` (a generous bound that only catches hangs: no test asserts a duration).
pub fn run_measured(mut command: Command, limit: std::time::Duration) -> Measured {
    use std::process::Stdio;

    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Reaped by `wait4` below (which also gives its resource usage), not by `Child::wait`.
    #[allow(clippy::zombie_processes)]
    let mut child = command.spawn().expect("run galley");
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let pid = child.id() as libc::pid_t;
    let deadline = std::time::Instant::now() + limit;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: plain FFI calls on a child this test spawned and has not reaped; `usage` is
        // a zeroed out-parameter the kernel fills.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break (status, usage);
        }
        assert!(
            reaped == 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("galley did not finish within {limit:?}: it hangs or loops");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let signal = libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status));
    let mut stderr = String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned();
    if let Some(signal) = signal {
        stderr.push_str(&format!("\n[killed by signal {signal}]"));
    }
    Measured {
        run: Run {
            code,
            stdout: String::from_utf8_lossy(&stdout.join().expect("stdout reader")).into_owned(),
            stderr,
        },
        peak_rss_kib: usage.ru_maxrss as u64,
    }
}
