//! The `galley` binary: parse the command line, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    ignore_file_size_signal();
    let cli = galley::cli::Cli::parse();
    ExitCode::from(galley::run(cli))
}

/// Under a file-size limit (`ulimit -f`) the kernel sends SIGXFSZ on the write that crosses it,
/// and its default action kills the process mid-build, leaving the temporary output folder
/// behind and no message. Ignored, that write fails with EFBIG instead, and the build reports
/// it and cleans up the way it does for a full disk.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}
