//! Nothing is lost: a build that is killed at a random point or runs out of space leaves the
//! previous output exactly as it was, the next build cleans up what the dead one left, and no
//! build or server ever writes into the site's sources.
//!
//! Running out of space is tested twice: with a real full disk (a 2 MB tmpfs; needs root, and
//! says it skipped otherwise), and with RLIMIT_FSIZE (set in the child before `exec`), which
//! needs neither: once a file would grow past the limit, `write` fails with EFBIG, the same
//! mid-build I/O failure a full disk gives with ENOSPC. The kernel also sends SIGXFSZ, whose
//! default action kills the process: galley must ignore it to report the error.

use std::fmt::Write as _;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Site, galley, run_measured, snapshot};
use crate::serve::Server;

/// A site large enough that writing it takes a while: `pages` posts with tags.
fn generated_site(pages: usize, marker: &str) -> Site {
    let site = Site::fixture("zola-style");
    write_posts(&site, pages, marker);
    site
}

fn write_posts(site: &Site, pages: usize, marker: &str) {
    for i in 0..pages {
        let mut body = format!("Post {i}, build {marker}.\n\n");
        for j in 0..20 {
            let _ = writeln!(body, "## Part {j}\n\nSome text for part {j} of post {i}.\n");
        }
        site.write(
            &format!("content/blog/gen-{i:04}.md"),
            format!(
                "+++\ntitle = \"Generated {i}\"\ndate = 2026-01-{:02}\n[taxonomies]\ntags = [\"t{}\"]\n+++\n{body}",
                1 + i % 28,
                i % 40
            ),
        );
    }
}

/// Folders beside an output folder in `dir` that a build leaves behind (its temporary and old
/// copies).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // .galley-cache holds the caches, meant to stay.
        .filter(|name| name.contains(".galley-") && name != ".galley-cache")
        .collect()
}

fn build_command(site: &Site, writer: Writer) -> Command {
    let mut command = galley();
    command
        .arg("--root")
        .arg(site.path())
        .args(["build", "--quiet"]);
    if writer == Writer::Fresh {
        command.arg("--no-cache");
    }
    command.stdout(Stdio::null()).stderr(Stdio::null());
    command
}

/// How a build writes its output: by updating the spare (the output the last build replaced,
/// in .galley-cache/previous-output/) or, with --no-cache, into a fresh temporary folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writer {
    Spare,
    Fresh,
}

/// A seed from the clock, printed so a failing run can be replayed with GALLEY_TEST_SEED.
fn seed() -> u64 {
    let seed = std::env::var("GALLEY_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("seed: GALLEY_TEST_SEED={seed}");
    seed
}

/// How a build the test killed had got on.
#[derive(Debug, PartialEq, Eq)]
enum Killed {
    /// It finished before the kill: proves nothing about durability.
    Finished,
    /// Killed while running, before it began writing the output.
    Early,
    /// Killed while writing the site: its temporary output folder existed, or a page of the
    /// spare had already been rewritten.
    Writing,
    /// Killed after swapping the new site in, while removing the previous copy (which then
    /// sits under the temporary name).
    Tidying,
}

/// Starts a build, kills it after `delay` (or, with `None`, as soon as it starts writing: its
/// temporary folder appears, or a page of the spare changes), and says how far it got.
fn kill_build(site: &Site, delay: Option<Duration>, writer: Writer) -> Killed {
    let watched = site
        .path()
        .join(".galley-cache/previous-output/blog/gen-0000/index.html");
    let before = std::fs::read(&watched).ok();
    let mut child = build_command(site, writer).spawn().unwrap();
    let temp = site
        .path()
        .join(format!(".public.galley-tmp-{}", child.id()));
    let writing = || temp.exists() || std::fs::read(&watched).ok() != before;
    match delay {
        Some(delay) => std::thread::sleep(delay),
        None => {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !writing() && Instant::now() < deadline {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }
    let writing = writing();
    let _ = child.kill();
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(libc::SIGKILL) if writing => Killed::Writing,
        Some(libc::SIGKILL) => Killed::Early,
        _ => {
            assert!(
                status.success(),
                "a build that was not killed failed: {status}"
            );
            Killed::Finished
        }
    }
}

#[test]
fn a_build_killed_at_a_random_point_leaves_the_previous_output_intact() {
    builds_killed_at_random_points(Writer::Spare);
}

#[test]
fn a_build_without_a_spare_killed_at_a_random_point_leaves_the_previous_output_intact() {
    builds_killed_at_random_points(Writer::Fresh);
}

fn builds_killed_at_random_points(writer: Writer) {
    // Three versions of every page, built in turn: the spare then always holds the version
    // before the current one, so each build has every page of it to rewrite.
    let site = generated_site(600, "a");
    let mut versions = Vec::new();
    let mut full = Duration::ZERO;
    for marker in ["a", "b", "c"] {
        write_posts(&site, 600, marker);
        let started = Instant::now();
        assert!(build_command(&site, writer).status().unwrap().success());
        full = full.max(started.elapsed());
        versions.push(snapshot(&site.path().join("public")));
    }
    assert!(versions[0].len() > 600);
    assert!(versions[0] != versions[1] && versions[1] != versions[2]);
    let markers = ["a", "b", "c"];

    let mut state = seed();
    let mut current = 2;
    let mut outcomes = Vec::new();
    // Ten kills at random points, then one as soon as the build starts writing its output (the
    // moment a non-atomic writer would leave a mix), repeated until one lands mid-write, so
    // the test never passes without having killed a build in the middle.
    for round in 0..30 {
        let random = round < 10;
        if !random && outcomes.contains(&Killed::Writing) {
            break;
        }
        // Each round changes every page, so a finished build differs from the previous one.
        let next = (current + 1) % 3;
        write_posts(&site, 600, markers[next]);
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Anywhere from the start to a little past the end of a whole build.
        let delay = random.then(|| full.mul_f64((state % 1000) as f64 / 1000.0 * 1.2));
        let mut killed = kill_build(&site, delay, writer);
        let now = snapshot(&site.path().join("public"));
        // Whenever it died, public/ is one whole build: the previous one, or (killed while
        // tidying up after the swap) the new one. Never a mix, never missing.
        if now == versions[next] {
            current = next;
            if killed == Killed::Writing {
                killed = Killed::Tidying;
            }
        } else {
            assert!(
                killed != Killed::Finished && now == versions[current],
                "round {round}: killed after {delay:?} ({killed:?}), public/ is neither build"
            );
        }
        outcomes.push(killed);
    }
    eprintln!("kills ({writer:?}): {outcomes:?}");
    assert!(
        outcomes.contains(&Killed::Writing),
        "no build was killed while writing its output: {outcomes:?}"
    );
    // The next build puts right whatever a killed one left: its output is exactly the build
    // of the sources, and nothing is left beside it.
    write_posts(&site, 600, markers[(current + 1) % 3]);
    assert!(build_command(&site, writer).status().unwrap().success());
    assert_eq!(
        snapshot(&site.path().join("public")),
        versions[(current + 1) % 3]
    );
    assert_eq!(
        leftovers(site.path()),
        Vec::<String>::new(),
        "the next build cleaned up"
    );
}

#[test]
fn an_interrupted_swap_is_recovered_by_the_next_build() {
    // The state a build killed between moving the old site aside and moving the new one in
    // would leave: no public/, the previous site under its temporary "old" name.
    let site = Site::fixture("zola-style");
    site.build();
    let old = snapshot(&site.path().join("public"));
    std::fs::rename(
        site.path().join("public"),
        site.path().join(".public.galley-old-999999"),
    )
    .unwrap();
    // A build that fails must still put the previous site back.
    site.write("templates/page.html", "{{ broken");
    site.galley(&["build"]).exit(1);
    assert_eq!(snapshot(&site.path().join("public")), old);
    assert_eq!(leftovers(site.path()), Vec::<String>::new());
}

#[test]
fn running_out_of_space_is_an_error_and_keeps_the_previous_output() {
    let site = generated_site(50, "old");
    site.build();
    let old = snapshot(&site.path().join("public"));
    write_posts(&site, 50, "new");
    let mut command = galley();
    command.arg("--root").arg(site.path()).arg("build");
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4096,
                rlim_max: 4096,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let measured = run_measured(command, Duration::from_secs(120));
    let run = measured.run;
    assert_eq!(
        run.code,
        Some(1),
        "galley must report the failed write, not die of SIGXFSZ:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("error["), "{}", run.stderr);
    assert!(run.stderr.contains("too large"), "{}", run.stderr);
    assert_eq!(snapshot(&site.path().join("public")), old);
    assert_eq!(leftovers(site.path()), Vec::<String>::new());
    // With room again, the build succeeds.
    site.build();
    assert_ne!(snapshot(&site.path().join("public")), old);
}

/// A small tmpfs mounted on a temporary folder for one test, unmounted when dropped (even when
/// the test fails half-way).
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`2m`); `Err` says why it could not.
    fn mount(size: &str) -> Result<Tmpfs, String> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Err("not running as root, so no tmpfs can be mounted".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !mounted.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&mounted.stderr).trim()
            ));
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Bytes still free on it.
    fn available(&self) -> u64 {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::CString::new(self.path().as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path and a zeroed out-parameter the kernel fills.
        let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::statvfs(path.as_ptr(), &mut stats) }, 0);
        stats.f_bavail as u64 * stats.f_frsize as u64
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(self.path())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            // Still busy (a child not reaped yet): detach it now, the kernel frees it later.
            let _ = Command::new("umount").arg("-l").arg(self.path()).status();
        }
    }
}

fn build_into(site: &Site, output: &Path) -> crate::harness::Run {
    site.galley(&["build", "--output", output.to_str().unwrap()])
}

#[test]
fn a_full_disk_is_reported_and_keeps_the_previous_output() {
    let disk = match Tmpfs::mount("2m") {
        Ok(disk) => disk,
        Err(reason) => {
            eprintln!("skipped: {reason}");
            return;
        }
    };
    let site = generated_site(30, "old");
    let public = disk.path().join("public");
    let free = disk.available();
    build_into(&site, &public).success();
    let old = snapshot(&public);
    let used = free - disk.available();
    assert!(used > 64 * 1024, "the site is too small to fill anything");

    // Every page changes, so the next build needs about as much room again beside the previous
    // output (unchanged files are hard-linked, taking none); leave it half of that.
    write_posts(&site, 30, "new");
    let filler = disk.path().join("filler");
    let room = disk
        .available()
        .checked_sub(used / 2)
        .expect("a 2 MB disk fits the site twice");
    std::fs::write(&filler, vec![0u8; room as usize]).unwrap();
    let run = build_into(&site, &public).exit(1);
    assert!(
        run.stderr.contains("no space left") && run.stderr.contains(&*public.to_string_lossy()),
        "the error says the disk is full and names the output folder:\n{}",
        run.stderr
    );
    assert!(snapshot(&public) == old, "the previous output changed");
    assert_eq!(leftovers(disk.path()), Vec::<String>::new());

    // What a build killed while the disk was full would have left (no such process runs).
    let dead = disk.path().join(".public.galley-tmp-4294967294");
    std::fs::create_dir_all(dead.join("blog")).unwrap();
    std::fs::write(dead.join("blog/index.html"), "half a site").unwrap();

    // With room again, the build succeeds and leaves nothing behind.
    std::fs::remove_file(&filler).unwrap();
    build_into(&site, &public).success();
    assert!(snapshot(&public) != old);
    assert_eq!(leftovers(disk.path()), Vec::<String>::new());
}

/// Every file and folder under `dir` with its bytes (folders and symlinks by name).
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut entries = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(dir).unwrap();
        let name = relative.to_string_lossy().into_owned();
        let bytes = if entry.file_type().is_file() {
            std::fs::read(entry.path()).unwrap()
        } else {
            format!("<{:?}>", entry.file_type()).into_bytes()
        };
        entries.push((name, bytes));
    }
    entries
}

#[test]
fn builds_and_serve_never_write_into_the_sources() {
    let site = Site::fixture("zola-style");
    // A theme too, so every kind of source folder exists.
    let templates = site.path().join("templates");
    crate::harness::copy_dir(&templates, &site.path().join("themes/fixture/templates"));
    site.write("themes/fixture/static/theme.css", "body { color: red }\n");
    let config = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    site.write("site.toml", format!("theme = \"fixture\"\n{config}"));
    let sources = ["content", "themes", "static", "templates", "site.toml"];
    let before: Vec<_> = sources.iter().map(|s| tree(&site.path().join(s))).collect();

    site.build();
    site.build();
    let elsewhere = site.path().join("elsewhere");
    site.galley(&["build", "--drafts", "--output", elsewhere.to_str().unwrap()])
        .success();
    {
        let server = Server::start(&site, &[]);
        assert_eq!(server.get("/blog/first/").0, 200);
    }
    let after: Vec<_> = sources.iter().map(|s| tree(&site.path().join(s))).collect();
    assert!(before == after, "a source folder changed");
}

#[test]
fn an_output_folder_overlapping_the_sources_is_refused() {
    let site = Site::fixture("zola-style");
    for output in ["content", "static", "templates", "content/public", "."] {
        let path = site.path().join(output);
        site.galley(&["build", "--output", path.to_str().unwrap()])
            .exit(2)
            .stderr_has("refusing to write the site to");
    }
    assert!(site.path().join("content/blog/first.md").is_file());
}
