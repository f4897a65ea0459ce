//! The sandbox one `run` command executes in: a temporary folder as working directory and
//! HOME, an environment cleared down to PATH, HOME and LANG (nothing of the user's shell, so no
//! token leaks into a post's output), stdin closed, stdout and stderr merged into one capped
//! pipe, and a time limit after which the whole process group is killed (process-wrap), as it
//! is after a normal exit so background children cannot outlive the run.
//!
//! A process that left the group (`setsid`, a daemon) survives the group kill and may keep
//! the pipe open for ever. So once the command has ended (or been killed), the output is read
//! for a short [`GRACE`] only; whatever still holds the pipe then is found and killed
//! ([`super::escapees`]), and the result says so instead of galley waiting.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use process_wrap::std::{CommandWrap, ProcessGroup};

use super::capture::Capture;
use super::escapees;

/// How long the output is still read after the command's process group is gone. The group's
/// own processes are dead by then (SIGKILL), so only an escaped process can still write.
pub const GRACE: Duration = Duration::from_millis(500);

/// How long one wait for output lasts while the command runs: how quickly an exit, the time
/// limit or the output cap is noticed.
const TICK: Duration = Duration::from_millis(5);

/// How long and how loud a command may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub output_limit: usize,
}

/// What a command did.
#[derive(Debug, Clone, Default)]
pub struct Ran {
    /// `None` when killed (time limit, output limit, or a signal).
    pub status: Option<i32>,
    pub output: String,
    pub timed_out: bool,
    pub truncated: bool,
    /// Processes that had left the process group and still held the output pipe after the
    /// grace period: killed by galley.
    pub escaped: usize,
    /// Something galley could not kill still holds the output pipe: reading stopped there.
    pub abandoned: bool,
}

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Runs `program args` in `dir` under `limits`.
pub fn run(program: &str, args: &[&str], dir: &Path, limits: Limits) -> std::io::Result<Ran> {
    let (reader, writer) = std::io::pipe()?;
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

    let mut capture = Capture::new(reader, limits.output_limit);
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        capture.pump(TICK);
        if let Some(status) = child.try_wait()? {
            break status.code();
        }
        if capture.over_limit() {
            let _ = child.kill();
            break None;
        }
        if started.elapsed() >= limits.timeout {
            timed_out = true;
            let _ = child.kill();
            break None;
        }
    };
    // Whatever the command left in the background goes with it.
    let _ = child.start_kill();
    let _ = child.wait();
    read_until(&mut capture, Instant::now() + GRACE);
    let mut escaped = 0;
    if !capture.finished()
        && let Some(inode) = capture.inode()
    {
        escaped = escapees::kill_all(|| escapees::holding_pipe(inode));
        // Killed writers close their end; what they wrote before is still to be read.
        read_until(&mut capture, Instant::now() + Duration::from_millis(200));
    }
    let abandoned = !capture.finished();
    let truncated = capture.over_limit();
    Ok(Ran {
        status,
        output: String::from_utf8_lossy(&capture.into_output()).into_owned(),
        timed_out,
        truncated,
        escaped,
        abandoned,
    })
}

/// Reads until every writer has closed the pipe, or `deadline`.
fn read_until(capture: &mut Capture, deadline: Instant) {
    while !capture.finished() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        capture.pump(left.min(Duration::from_millis(50)));
    }
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
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(pid), "the grandchild {pid} survived the time limit");
    }

    fn alive(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| !stat.contains(") Z "))
    }

    #[test]
    fn a_process_that_left_the_group_does_not_hold_the_run_open() {
        let dir = tempfile::tempdir().unwrap();
        // `setsid` puts the sleep in a session of its own: the group kill misses it, and it
        // keeps the output pipe open. It writes its pid into a FIFO only once it is in that
        // session, and the command ends only after reading it: without that handshake a loaded
        // machine may kill the group before `setsid` has run, and nothing escapes.
        let ran = run(
            "sh",
            &[
                "-c",
                "mkfifo ready; setsid sh -c 'echo $$ > ready; exec sleep 1000' & cat ready",
            ],
            dir.path(),
            limits(),
        )
        .unwrap();
        assert_eq!(ran.status, Some(0));
        assert!(!ran.timed_out);
        assert_eq!(ran.escaped, 1, "{ran:?}");
        assert!(!ran.abandoned);
        let pid: u32 = ran.output.trim().parse().expect("the escaped pid");
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(pid), "the escaped process {pid} was not killed");
    }

    #[test]
    fn a_command_whose_background_job_closed_its_output_is_not_reported() {
        let dir = tempfile::tempdir().unwrap();
        let ran = run(
            "sh",
            &["-c", "sleep 1000 > /dev/null 2>&1 & echo done"],
            dir.path(),
            limits(),
        )
        .unwrap();
        assert_eq!((ran.escaped, ran.abandoned), (0, false));
        assert_eq!(ran.output, "done\n");
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
