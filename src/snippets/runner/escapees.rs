//! Processes a `run` block started that left its process group (`setsid`, a double-forking
//! daemon), so the group kill missed them. They are found in `/proc` by what ties them to the
//! block, never by name: the writing end of the block's output pipe (only the block's own
//! processes ever had it), or a working directory inside the block's temporary folder (only
//! the block's processes were started there). Then they are killed, with their own groups.
//!
//! Linux only (`/proc`); elsewhere nothing is found, and the sandbox still stops waiting.
//! A process that changed user, or cleared both ties (closed the pipe and left the folder),
//! cannot be found: the README's Security section says so.

use std::path::Path;

/// Processes, other than galley itself, that hold the pipe with this inode.
pub fn holding_pipe(inode: u64) -> Vec<i32> {
    let link = format!("pipe:[{inode}]");
    others(|pid| {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            return false;
        };
        fds.flatten().any(|fd| {
            std::fs::read_link(fd.path()).is_ok_and(|target| target.as_os_str() == link.as_str())
        })
    })
}

/// Processes, other than galley itself, whose working directory is `dir` or inside it.
pub fn inside(dir: &Path) -> Vec<i32> {
    let Ok(dir) = dir.canonicalize() else {
        return Vec::new();
    };
    others(|pid| {
        std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(&dir))
    })
}

/// Kills what `find` finds, and its process group when it leads one, until `find` finds
/// nothing (a killed process's children may hold the same pipe or folder) or a few rounds
/// have passed. Returns how many distinct processes were killed.
pub fn kill_all(find: impl Fn() -> Vec<i32>) -> usize {
    let mut killed: Vec<i32> = Vec::new();
    for _ in 0..5 {
        let found = find();
        if found.is_empty() {
            break;
        }
        for pid in found {
            kill(pid);
            if !killed.contains(&pid) {
                killed.push(pid);
            }
        }
        // SIGKILL is delivered at once, but the process closes its files as it exits.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    killed.len()
}

fn kill(pid: i32) {
    // SAFETY: plain system calls on a pid; a pid that has gone since is an ignored error.
    unsafe {
        let group = libc::getpgid(pid);
        if group == pid && group != libc::getpgrp() {
            libc::kill(-group, libc::SIGKILL);
        }
        libc::kill(pid, libc::SIGKILL);
    }
}

/// The pids in `/proc` that satisfy `test`, except galley's own and init's.
fn others(test: impl Fn(i32) -> bool) -> Vec<i32> {
    let ours = std::process::id() as i32;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<i32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid > 1 && pid != ours)
        .filter(|&pid| test(pid))
        .collect();
    pids.sort_unstable();
    pids
}

#[cfg(test)]
mod tests {
    use super::{inside, kill_all};
    use std::process::{Command, Stdio};

    #[test]
    fn a_process_in_the_folder_is_found_and_killed() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("sleep")
            .arg("300")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        assert!(inside(dir.path()).contains(&pid));
        assert_eq!(kill_all(|| inside(dir.path())), 1);
        let status = child.wait().unwrap();
        assert!(!status.success(), "killed, not finished");
        assert!(inside(dir.path()).is_empty());
    }
}
