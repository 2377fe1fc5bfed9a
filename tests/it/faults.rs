//! Disk faults: a full disk (a small tmpfs, filled) and a read-only folder (the tmpfs remounted
//! read-only) under `train`'s checkpoints, `sample`, `walk` and the app's recordings. Each must
//! give a clear error naming the path and exit 1, leave the last good checkpoint loadable, and
//! leave no temporary file behind.
//!
//! Mounting needs root (CAP_SYS_ADMIN), which this project's CI has; elsewhere each test says
//! it was skipped.

use crate::common;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pretrained() -> PathBuf {
    root().join("assets/pretrained")
}

/// A small tmpfs mounted on a temporary folder for one test, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts one of `size` (as `mount` reads it, e.g. `8m`), or says why the test is skipped.
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!("skipped: cannot mount a tmpfs here (it needs root)");
            return None;
        }
        Some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Takes every free byte with a file of zeros, as a disk that has filled up.
    fn fill(&self) {
        let mut filler = File::create(self.path().join("filler")).unwrap();
        let chunk = vec![0u8; 64 << 10];
        while filler.write_all(&chunk).is_ok() {}
        // The last partial chunk: byte by byte until the very end.
        while filler.write_all(&[0]).is_ok() {}
    }

    /// Gives the space back.
    fn empty(&self) {
        std::fs::remove_file(self.path().join("filler")).unwrap();
    }

    fn read_only(&self) {
        let status = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(status.success(), "remounting read-only");
    }

    /// Every file and folder in it, as paths relative to it, except the filler.
    fn contents(&self) -> Vec<String> {
        fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                let name = path.strip_prefix(base).unwrap().display().to_string();
                if name != "filler" {
                    out.push(name);
                }
                if path.is_dir() {
                    walk(&path, base, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.path(), self.path(), &mut out);
        out.sort();
        out
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.path())
            .stderr(Stdio::null())
            .status();
    }
}

/// ganimate without a display, with runtime and cache folders of its own.
fn ganimate(args: &[&str]) -> Output {
    let runtime = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .args(args)
        .env_remove("GANIMATE_DATA")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("XDG_CACHE_HOME", runtime.path())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn assert_succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `attempt(reason)` on `disk` full, then read-only, each time expecting the system's
/// `reason` and nothing left on the disk afterwards.
fn on_each_fault(disk: &Tmpfs, mut attempt: impl FnMut(&str)) {
    disk.fill();
    attempt("No space left on device");
    assert_eq!(disk.contents(), Vec::<String>::new(), "full disk");
    disk.empty();
    disk.read_only();
    attempt("Read-only file system");
    assert_eq!(disk.contents(), Vec::<String>::new(), "read-only disk");
}

/// Asserts exit 1 with a message naming `path` and the system's reason.
fn assert_refused(output: &Output, path: &Path, reason: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&path.display().to_string()),
        "the error names {}: {stderr}",
        path.display()
    );
    assert!(stderr.contains(reason), "expected {reason:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// No name of a temporary file or folder (`.NAME.tmp-PID`) is left.
fn assert_no_temporaries(disk: &Tmpfs) {
    let contents = disk.contents();
    assert!(
        contents.iter().all(|name| !name.contains(".tmp-")),
        "temporary files left: {contents:?}"
    );
}

fn train(run: &Path, steps: &str, resume: bool) -> Output {
    let course = common::course_training(16, run);
    let mut args: Vec<&str> = course.iter().map(String::as_str).collect();
    args.extend(["--steps", steps, "--save-every", "10"]);
    if resume {
        args.push("--resume");
    }
    ganimate(&args)
}

/// `sample` from a run folder into a file outside the faulty disk: the checkpoint still loads.
fn assert_loads(run: &Path) {
    let out = tempfile::tempdir().unwrap();
    let grid = out.path().join("grid.png");
    let output = ganimate(&[
        "sample",
        "--checkpoint",
        run.to_str().unwrap(),
        "--out",
        grid.to_str().unwrap(),
    ]);
    assert_succeeded(&output);
    assert!(grid.is_file());
}

fn latest(run: &Path) -> String {
    std::fs::read_to_string(run.join("latest"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn a_full_disk_stops_training_with_the_last_checkpoint_intact() {
    let Some(disk) = Tmpfs::mount("256m") else {
        return;
    };
    let run = disk.path().join("run");
    let first = train(&run, "20", false);
    assert_succeeded(&first);
    assert_eq!(latest(&run), "ckpt-00000020");
    disk.fill();
    let output = train(&run, "40", true);
    assert_refused(&output, &run, "No space left on device");
    assert_eq!(latest(&run), "ckpt-00000020");
    assert_no_temporaries(&disk);
    assert_loads(&run);
    // With space again, the run goes on from the checkpoint it kept.
    disk.empty();
    let again = train(&run, "40", true);
    assert_succeeded(&again);
    assert_eq!(latest(&run), "ckpt-00000040");
}

#[test]
fn a_read_only_run_folder_stops_training_with_the_checkpoint_intact() {
    let Some(disk) = Tmpfs::mount("64m") else {
        return;
    };
    let run = disk.path().join("run");
    let first = train(&run, "10", false);
    assert_succeeded(&first);
    disk.read_only();
    let output = train(&run, "20", true);
    assert_refused(&output, &run, "Read-only file system");
    assert_eq!(latest(&run), "ckpt-00000010");
    assert_no_temporaries(&disk);
    assert_loads(&run);
}

/// `sample` and `walk` into every format, on a full disk and then a read-only one.
#[test]
fn samples_and_walks_on_a_faulty_disk_leave_nothing_behind() {
    let Some(disk) = Tmpfs::mount("4m") else {
        return;
    };
    let checkpoint = pretrained();
    let checkpoint = checkpoint.to_str().unwrap();
    on_each_fault(&disk, |reason| {
        for name in ["grid.png", "digits.idx"] {
            let out = disk.path().join(name);
            let output = ganimate(&[
                "sample",
                "--checkpoint",
                checkpoint,
                "--out",
                out.to_str().unwrap(),
            ]);
            assert_refused(&output, &out, reason);
        }
        for name in ["walk.mp4", "walk.gif", "frames"] {
            let out = disk.path().join(name);
            let output = ganimate(&[
                "walk",
                "--checkpoint",
                checkpoint,
                "--out",
                out.to_str().unwrap(),
                "--keyframes",
                "2",
                "--seconds-per-key",
                "0.5",
                "--fps",
                "10",
                "--size",
                "64",
            ]);
            assert_refused(&output, &out, reason);
        }
    });
}

/// A scripted recording of the app (headless) on a full disk, then a read-only one.
#[test]
fn an_app_recording_on_a_faulty_disk_fails_cleanly() {
    let Some(disk) = Tmpfs::mount("4m") else {
        return;
    };
    let app_args = common::pretrained_app_args();
    on_each_fault(&disk, |reason| {
        for name in ["app.mp4", "app.gif", "frames"] {
            let out = disk.path().join(name);
            let mut args: Vec<&str> = vec!["app", "--headless"];
            args.extend(app_args.iter().map(String::as_str));
            args.extend(["--record", out.to_str().unwrap(), "--duration", "0.5"]);
            assert_refused(&ganimate(&args), &out, reason);
        }
    });
}
