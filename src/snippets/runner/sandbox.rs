//! The sandbox one `run` command executes in: a temporary folder as working directory and
//! HOME, an environment cleared down to PATH, HOME and LANG (nothing of the user's shell, so no
//! token leaks into a post's output), stdin closed, stdout and stderr merged into one capped
//! pipe, and a time limit after which the whole process group is killed (process-wrap), as it
//! is after a normal exit so background children cannot outlive the run.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use process_wrap::std::{CommandWrap, ProcessGroup};

/// How long and how loud a command may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub output_limit: usize,
}

/// What a command did.
#[derive(Debug, Clone)]
pub struct Ran {
    /// `None` when killed (time limit, output limit, or a signal).
    pub status: Option<i32>,
    pub output: String,
    pub timed_out: bool,
    pub truncated: bool,
}

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Runs `program args` in `dir` under `limits`.
pub fn run(program: &str, args: &[&str], dir: &Path, limits: Limits) -> std::io::Result<Ran> {
    let (mut reader, writer) = std::io::pipe()?;
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| DEFAULT_PATH.into()),
        )
        .env("HOME", dir)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer);
    restore_default_signals(&mut command);
    let mut wrapped = CommandWrap::from(command);
    wrapped.wrap(ProcessGroup::leader());
    let mut child = wrapped.spawn()?;
    // Our copies of the pipe's writing end must go, or the reader never sees the end.
    drop(wrapped);

    let over_limit = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&over_limit);
    let cap = limits.output_limit;
    let collector = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 8192];
        loop {
            match reader.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if kept.len() + n > cap {
                        kept.extend_from_slice(&buffer[..cap.saturating_sub(kept.len())]);
                        flag.store(true, Ordering::SeqCst);
                        // Keep draining so the child is not blocked before it is killed.
                    } else {
                        kept.extend_from_slice(&buffer[..n]);
                    }
                }
            }
        }
        kept
    });

    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status.code();
        }
        if over_limit.load(Ordering::SeqCst) {
            let _ = child.kill();
            break None;
        }
        if started.elapsed() >= limits.timeout {
            timed_out = true;
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Whatever the command left in the background goes with it.
    let _ = child.start_kill();
    let _ = child.wait();
    let output = collector.join().unwrap_or_default();
    Ok(Ran {
        status,
        output: String::from_utf8_lossy(&output).into_owned(),
        timed_out,
        truncated: over_limit.load(Ordering::SeqCst),
    })
}

/// galley ignores SIGXFSZ (so a full disk is an error, not a crash), and an ignored signal
/// stays ignored across `exec`: the commands a post runs get the default behaviour back.
#[cfg(unix)]
fn restore_default_signals(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec only async-signal-safe functions may run; `signal` is one,
    // and nothing here allocates or takes a lock.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_DFL);
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn restore_default_signals(_command: &mut Command) {}

#[cfg(test)]
mod tests {
    use super::{Limits, run};
    use std::time::{Duration, Instant};

    fn limits() -> Limits {
        Limits {
            timeout: Duration::from_secs(5),
            output_limit: 1000,
        }
    }

    #[test]
    fn environment_is_cleared_and_home_is_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: tests in this module do not read this variable concurrently.
        unsafe { std::env::set_var("GALLEY_TEST_SECRET", "leak") };
        let ran = run(
            "sh",
            &[
                "-c",
                "echo \"[$GALLEY_TEST_SECRET]\" \"$HOME\" \"$LANG\"; pwd",
            ],
            dir.path(),
            limits(),
        )
        .unwrap();
        assert_eq!(ran.status, Some(0));
        let home = dir.path().display().to_string();
        assert_eq!(ran.output, format!("[] {home} C.UTF-8\n{home}\n"));
    }

    #[test]
    fn the_time_limit_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let limits = Limits {
            timeout: Duration::from_millis(300),
            output_limit: 1000,
        };
        let ran = run(
            "sh",
            &["-c", "sleep 30 & sleep 30; echo never"],
            dir.path(),
            limits,
        )
        .unwrap();
        assert!(ran.timed_out);
        assert_eq!(ran.status, None);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_sleeping_grandchild_is_killed_with_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits {
            timeout: Duration::from_millis(500),
            output_limit: 1000,
        };
        // The shell starts a grandchild, prints its pid, and waits forever.
        let ran = run(
            "sh",
            &["-c", "sleep 300 & echo $!; wait"],
            dir.path(),
            limits,
        )
        .unwrap();
        assert!(ran.timed_out);
        let pid: u32 = ran.output.trim().parse().expect("the grandchild's pid");
        let alive = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|stat| !stat.contains(") Z "))
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(), "the grandchild {pid} survived the time limit");
    }

    #[test]
    fn a_file_size_limit_kills_commands_as_usual() {
        let dir = tempfile::tempdir().unwrap();
        // As galley does for itself: ignore SIGXFSZ in this process.
        // SAFETY: setting a signal disposition; no handler runs.
        unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
        let ran = run(
            "sh",
            &[
                "-c",
                "ulimit -f 1; head -c 4096 /dev/zero > big 2>/dev/null; echo status=$?",
            ],
            dir.path(),
            limits(),
        )
        .unwrap();
        // SAFETY: as above.
        unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_DFL) };
        // Killed by SIGXFSZ (25): 128 + 25.
        assert!(ran.output.contains("status=153"), "{}", ran.output);
    }

    #[test]
    fn output_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        let ran = run("sh", &["-c", "yes galley"], dir.path(), limits()).unwrap();
        assert!(ran.truncated);
        assert_eq!(ran.output.len(), 1000);
    }

    #[test]
    fn stderr_is_merged_and_exit_codes_kept() {
        let dir = tempfile::tempdir().unwrap();
        let ran = run(
            "sh",
            &["-c", "echo out; echo err >&2; exit 3"],
            dir.path(),
            limits(),
        )
        .unwrap();
        assert_eq!(ran.status, Some(3));
        assert_eq!(ran.output, "out\nerr\n");
    }
}
