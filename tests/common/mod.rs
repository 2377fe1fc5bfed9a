//! Helpers shared by several test files (each test file is its own crate: `mod common;`).

use std::path::Path;
use std::process::Command;

/// ffprobe's "width,height,frames" of a video's first stream, counting the frames it decodes.
pub fn probe_video(path: &Path) -> String {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=nb_read_frames,width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe must be installed (Debian: ffmpeg) to test .mp4 output");
    String::from_utf8_lossy(&probe.stdout).trim().to_string()
}
