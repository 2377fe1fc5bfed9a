//! Closing the app as users do, under Xvfb with a real window manager (matchbox): `wmctrl -c`
//! asks the manager to close the window, and the manager sends the app WM_DELETE_WINDOW, as the
//! title bar's × does. F9 is pressed through xdotool (XTEST input, as a keyboard). Needs
//! `xvfb`, `matchbox-window-manager`, `wmctrl` and `xdotool` (installed by `.ci/run`).

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

/// Runs the app under Xvfb with matchbox, drives it with `steps` (shell, with `$win` the app's
/// window and `$app` its process), then prints the app's exit status as `exit=N`.
fn app_closed_by(steps: &str, recordings: &Path) -> (Output, Option<i32>) {
    let runtime = tempfile::tempdir().unwrap();
    let script = format!(
        r#"
matchbox-window-manager -use_titlebar no >/dev/null 2>&1 &
"$GANIMATE" app "$@" &
app=$!
win=$(timeout 60 xdotool search --sync --name '^ganimate: watch' | head -n 1)
[ -n "$win" ] || {{ echo "no window"; kill $app; exit 3; }}
{steps}
wait $app
echo "exit=$?"
"#
    );
    let mut args: Vec<String> = common::pretrained_app_args();
    args.extend(["--recordings".into(), recordings.display().to_string()]);
    let output = Command::new("timeout")
        .args(["300", "xvfb-run", "-a", "-s", "-screen 0 1280x800x24"])
        .args(["sh", "-c", &script, "sh"])
        .args(&args)
        .env("GANIMATE", env!("CARGO_BIN_EXE_ganimate"))
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("XDG_CACHE_HOME", runtime.path())
        .output()
        .expect("timeout and xvfb-run must be installed (Debian: coreutils, xvfb, xauth)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let exit = stdout
        .lines()
        .find_map(|l| l.strip_prefix("exit="))
        .and_then(|code| code.trim().parse().ok());
    (output, exit)
}

/// The files in `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Waits until the window title shows a recording of at least 20 frames.
const START_RECORDING: &str = r#"
sleep 3
xdotool windowfocus --sync "$win"
xdotool key F9
for i in $(seq 600); do
  case "$(xdotool getwindowname "$win")" in
    *"REC "[2-9][0-9]" frames"*|*"REC "[0-9][0-9][0-9]*) break;;
  esac
  sleep 0.2
done
"#;

#[test]
fn closing_the_window_while_training_exits_0() {
    let recordings = tempfile::tempdir().unwrap();
    let (output, exit) = app_closed_by("sleep 8\nwmctrl -c 'ganimate: watch'", recordings.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(exit, Some(0), "{stderr}");
    assert!(files(recordings.path()).is_empty());
}

#[test]
fn closing_the_window_while_recording_finishes_the_video_and_exits_0() {
    let recordings = tempfile::tempdir().unwrap();
    let (output, exit) = app_closed_by(
        &format!("{START_RECORDING}\nwmctrl -c 'ganimate: watch'"),
        recordings.path(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(exit, Some(0), "{stderr}");
    assert!(
        stderr.contains("closed while recording: finishing the video"),
        "{stderr}"
    );
    let names = files(recordings.path());
    assert_eq!(
        names.len(),
        1,
        "one finished video and nothing else: {names:?}"
    );
    assert!(names[0].ends_with(".mp4"), "{names:?}");
    // Every frame asked for was written: at least the 20 seen in the title.
    let probe = common::probe_video(&recordings.path().join(&names[0]));
    let frames: u32 = probe.rsplit(',').next().unwrap().parse().unwrap();
    assert!(probe.starts_with("1280,800,") && frames >= 20, "{probe}");
}

#[test]
fn sigterm_while_recording_exits_130_and_removes_the_partial_video() {
    let recordings = tempfile::tempdir().unwrap();
    let (output, exit) = app_closed_by(
        &format!("{START_RECORDING}\nkill -TERM $app"),
        recordings.path(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(exit, Some(130), "{stderr}");
    assert_eq!(files(recordings.path()), Vec::<String>::new(), "{stderr}");
}
