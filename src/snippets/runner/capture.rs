//! The output of one command: the reading end of the pipe its stdout and stderr share, read
//! with a bounded wait (`poll`) instead of to its end, so galley can stop listening.
//!
//! Reading to the end would wait for every process that holds the writing end, and a process
//! that left the command's process group (`setsid`, a daemon) may hold it for ever: the group
//! kill does not reach it. With a bounded wait the sandbox decides when to give up.

use std::io::{PipeReader, Read};
use std::os::fd::AsRawFd;
use std::time::Duration;

/// What has been read so far, capped.
pub struct Capture {
    reader: PipeReader,
    kept: Vec<u8>,
    cap: usize,
    over_limit: bool,
    /// Every writer has closed the pipe.
    finished: bool,
}

impl Capture {
    pub fn new(reader: PipeReader, cap: usize) -> Capture {
        Capture {
            reader,
            kept: Vec::new(),
            cap,
            over_limit: false,
            finished: false,
        }
    }

    /// Waits up to `wait` for output and reads what is there. Output past the cap is read and
    /// dropped, so a chatty command is never blocked on a full pipe before it is killed.
    pub fn pump(&mut self, wait: Duration) {
        if self.finished {
            std::thread::sleep(wait);
            return;
        }
        let mut poll = libc::pollfd {
            fd: self.reader.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd, owned by this frame, for the duration of the call.
        let ready = unsafe { libc::poll(&mut poll, 1, millis) };
        if ready <= 0 {
            // Nothing yet, or EINTR: the caller's loop comes back.
            return;
        }
        let mut buffer = [0u8; 8192];
        // poll said readable (data, or every writer gone): this read does not block.
        match self.reader.read(&mut buffer) {
            Ok(0) | Err(_) => self.finished = true,
            Ok(n) => self.keep(&buffer[..n]),
        }
    }

    fn keep(&mut self, bytes: &[u8]) {
        let room = self.cap.saturating_sub(self.kept.len());
        if bytes.len() > room {
            self.over_limit = true;
        }
        self.kept.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    pub fn over_limit(&self) -> bool {
        self.over_limit
    }

    pub fn finished(&self) -> bool {
        self.finished
    }

    /// The pipe's inode: `/proc/PID/fd/N` of every process holding it reads `pipe:[inode]`.
    pub fn inode(&self) -> Option<u64> {
        let mut stat: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: a valid descriptor and an out-parameter the kernel fills.
        let ok = unsafe { libc::fstat(self.reader.as_raw_fd(), &mut stat) } == 0;
        ok.then_some(stat.st_ino)
    }

    pub fn into_output(self) -> Vec<u8> {
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::Capture;
    use std::io::Write;
    use std::time::Duration;

    #[test]
    fn output_is_kept_up_to_the_cap_and_the_end_is_seen() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let mut capture = Capture::new(reader, 4);
        writer.write_all(b"abcdef").unwrap();
        drop(writer);
        while !capture.finished() {
            capture.pump(Duration::from_millis(100));
        }
        assert!(capture.over_limit());
        assert_eq!(capture.into_output(), b"abcd");
    }

    #[test]
    fn a_writer_that_never_closes_does_not_block_the_reader() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let mut capture = Capture::new(reader, 100);
        writer.write_all(b"x").unwrap();
        capture.pump(Duration::from_millis(100));
        // The writer is still open: pumping returns after its wait, with nothing new.
        capture.pump(Duration::from_millis(10));
        assert!(!capture.finished());
        assert_eq!(capture.into_output(), b"x");
    }
}
