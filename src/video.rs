//! Writing frame sequences: GIF encoded in-process, a folder of numbered PNGs, or MP4 (H.264)
//! through `ffmpeg` on PATH. Everything is written under a temporary name and renamed into
//! place by [`VideoWriter::finish`], so an interrupted render never leaves a file that looks
//! complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The container, chosen from the output path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gif,
    Mp4,
    /// A folder of `frame-000001.png`, …
    PngFolder,
}

impl Format {
    /// `.gif`, `.mp4`, or a name without extension (a folder).
    pub fn of(path: &Path) -> Result<Self, VideoError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(ext) if ext == "gif" => Ok(Format::Gif),
            Some(ext) if ext == "mp4" => Ok(Format::Mp4),
            None => Ok(Format::PngFolder),
            Some(ext) => Err(VideoError::new(
                path,
                format!(
                    "unknown video format .{ext}: use .mp4 (needs ffmpeg), .gif, or a folder name for PNG frames"
                ),
            )),
        }
    }
}

/// How frame bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pixels {
    /// One byte per pixel.
    Grey,
    /// Three bytes per pixel, R G B.
    Rgb,
}

impl Pixels {
    fn bytes(self) -> usize {
        match self {
            Pixels::Grey => 1,
            Pixels::Rgb => 3,
        }
    }
}

/// Frame size and rate, checked by [`VideoWriter::create`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoSpec {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub pixels: Pixels,
}

/// The largest frame side accepted (GIF's limit is 65535; beyond 8K nothing plays well).
pub const MAX_SIDE: u32 = 8192;
pub const MAX_FPS: u32 = 120;

#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct VideoError {
    pub path: PathBuf,
    pub problem: String,
}

impl VideoError {
    fn new(path: &Path, problem: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }
}

enum Sink {
    Gif(gif::Encoder<BufWriter<File>>),
    Pngs,
    Ffmpeg {
        child: Child,
        stdin: Option<ChildStdin>,
    },
}

/// An open video being written; dropped without [`finish`](Self::finish), it leaves nothing.
pub struct VideoWriter {
    sink: Option<Sink>,
    spec: VideoSpec,
    /// Where the video goes when finished.
    path: PathBuf,
    /// Where it is written meanwhile.
    temp: PathBuf,
    frames: u64,
}

impl VideoWriter {
    /// Opens `path` for frames of `spec`; the format comes from the extension.
    pub fn create(path: &Path, spec: VideoSpec) -> Result<Self, VideoError> {
        let format = Format::of(path)?;
        if !(1..=MAX_SIDE).contains(&spec.width) || !(1..=MAX_SIDE).contains(&spec.height) {
            return Err(VideoError::new(
                path,
                format!(
                    "frame size {}×{} is out of range (1 to {MAX_SIDE})",
                    spec.width, spec.height
                ),
            ));
        }
        if !(1..=MAX_FPS).contains(&spec.fps) {
            return Err(VideoError::new(
                path,
                format!("{} fps is out of range (1 to {MAX_FPS})", spec.fps),
            ));
        }
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(VideoError::new(parent, "folder not found"));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // ffmpeg picks the container from the extension, so the temporary name keeps it.
        let temp = parent.join(format!(
            ".{name}.tmp-{}.{}",
            std::process::id(),
            match format {
                Format::Gif => "gif",
                Format::Mp4 => "mp4",
                Format::PngFolder => "d",
            }
        ));
        let io = |err: std::io::Error| VideoError::new(path, err.to_string());
        let sink = (|| -> Result<Sink, VideoError> {
            Ok(match format {
                Format::Gif => {
                    let file =
                        File::create(&temp).map_err(|e| VideoError::new(path, e.to_string()))?;
                    let palette: Vec<u8> = (0..=255u8).flat_map(|g| [g, g, g]).collect();
                    let global = if spec.pixels == Pixels::Grey {
                        &palette[..]
                    } else {
                        &[]
                    };
                    let mut encoder = gif::Encoder::new(
                        BufWriter::new(file),
                        spec.width as u16,
                        spec.height as u16,
                        global,
                    )
                    .map_err(|e| VideoError::new(path, e.to_string()))?;
                    encoder
                        .set_repeat(gif::Repeat::Infinite)
                        .map_err(|e| VideoError::new(path, e.to_string()))?;
                    Sink::Gif(encoder)
                }
                Format::PngFolder => {
                    if path.exists() && std::fs::read_dir(path).map_err(io)?.next().is_some() {
                        return Err(VideoError::new(
                            path,
                            "already exists and is not empty; choose a new folder",
                        ));
                    }
                    std::fs::create_dir_all(&temp)
                        .map_err(|e| VideoError::new(path, e.to_string()))?;
                    Sink::Pngs
                }
                Format::Mp4 => spawn_ffmpeg(path, &temp, spec)?,
            })
        })();
        let sink = sink.inspect_err(|_| {
            // Whatever was made under the temporary name goes.
            let _ = std::fs::remove_file(&temp);
            let _ = std::fs::remove_dir_all(&temp);
        })?;
        Ok(Self {
            sink: Some(sink),
            spec,
            path: path.to_path_buf(),
            temp,
            frames: 0,
        })
    }

    pub fn spec(&self) -> VideoSpec {
        self.spec
    }

    /// Appends one frame of `width × height` pixels.
    pub fn push(&mut self, frame: &[u8]) -> Result<(), VideoError> {
        let expected = (self.spec.width * self.spec.height) as usize * self.spec.pixels.bytes();
        assert_eq!(frame.len(), expected, "frame size does not match the video");
        let fps = u64::from(self.spec.fps);
        // GIF delays are in hundredths of a second: spread the rounding so the rate averages out.
        let delay = ((self.frames + 1) * 100 / fps - self.frames * 100 / fps) as u16;
        let frame_number = self.frames + 1;
        let (path, temp) = (self.path.clone(), self.temp.clone());
        let spec = self.spec;
        let fail = |problem: String| VideoError::new(&path, problem);
        match self.sink.as_mut().expect("open until finished") {
            Sink::Gif(encoder) => {
                let mut gif_frame = match spec.pixels {
                    Pixels::Grey => gif::Frame::from_indexed_pixels(
                        spec.width as u16,
                        spec.height as u16,
                        frame.to_vec(),
                        None,
                    ),
                    Pixels::Rgb => {
                        gif::Frame::from_rgb_speed(spec.width as u16, spec.height as u16, frame, 10)
                    }
                };
                gif_frame.delay = delay;
                encoder
                    .write_frame(&gif_frame)
                    .map_err(|e| fail(e.to_string()))?;
            }
            Sink::Pngs => {
                let file = temp.join(format!("frame-{frame_number:06}.png"));
                let written = match spec.pixels {
                    Pixels::Grey => crate::data::grid::write_png(
                        &file,
                        &crate::data::grid::Grey {
                            width: spec.width as usize,
                            height: spec.height as usize,
                            pixels: frame.to_vec(),
                        },
                    ),
                    Pixels::Rgb => {
                        crate::data::grid::write_rgb_png(&file, spec.width, spec.height, frame)
                    }
                };
                written.map_err(|e| fail(e.to_string()))?;
            }
            Sink::Ffmpeg { stdin, child } => {
                let pipe = stdin.as_mut().expect("open until finished");
                if let Err(err) = pipe.write_all(frame) {
                    // ffmpeg has quit: its own message says why (a full disk, say).
                    let _ = child.wait();
                    let mut said = String::new();
                    if let Some(mut stderr) = child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut stderr, &mut said);
                    }
                    return Err(fail(match ffmpeg_says(&said) {
                        Some(reason) => format!("ffmpeg stopped: {reason}"),
                        None => format!("ffmpeg stopped taking frames ({err})"),
                    }));
                }
            }
        }
        self.frames += 1;
        Ok(())
    }

    /// Completes the video and moves it into place; returns the number of frames.
    pub fn finish(mut self) -> Result<u64, VideoError> {
        match self.sink.take().expect("finished once") {
            Sink::Gif(encoder) => {
                let mut out = encoder
                    .into_inner()
                    .map_err(|e| VideoError::new(&self.path, e.to_string()))?;
                out.flush()
                    .and_then(|()| out.get_ref().sync_all())
                    .map_err(|e| VideoError::new(&self.path, e.to_string()))?;
            }
            Sink::Pngs => {}
            Sink::Ffmpeg { child, stdin } => {
                drop(stdin); // end of input: ffmpeg writes the trailer and exits
                let output = child
                    .wait_with_output()
                    .map_err(|e| VideoError::new(&self.path, format!("ffmpeg: {e}")))?;
                if !output.status.success() {
                    return Err(VideoError::new(
                        &self.path,
                        format!(
                            "ffmpeg failed ({}): {}",
                            output.status,
                            ffmpeg_says(&String::from_utf8_lossy(&output.stderr))
                                .unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        if self.path.is_dir() {
            // An empty folder named as the output: replace it.
            std::fs::remove_dir(&self.path)
                .map_err(|e| VideoError::new(&self.path, e.to_string()))?;
        }
        std::fs::rename(&self.temp, &self.path)
            .map_err(|e| VideoError::new(&self.path, e.to_string()))?;
        Ok(self.frames)
    }
}

impl Drop for VideoWriter {
    fn drop(&mut self) {
        if let Some(Sink::Ffmpeg { mut child, stdin }) = self.sink.take() {
            drop(stdin);
            let _ = child.kill();
            let _ = child.wait();
        }
        // Left only by a video that was not finished (or whose finishing failed): once renamed
        // into place the temporary name no longer exists.
        let _ = std::fs::remove_file(&self.temp);
        let _ = std::fs::remove_dir_all(&self.temp);
    }
}

/// ffmpeg's error lines as one line (at `-loglevel error` they are few and say why).
fn ffmpeg_says(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join("; "))
}

/// What to do when `.mp4` is asked for and ffmpeg is missing.
pub const NO_FFMPEG: &str = "writing .mp4 needs ffmpeg on PATH (Debian: apt-get install ffmpeg); or write a .gif or a folder of PNGs instead";

/// True when `ffmpeg` runs from PATH, so `.mp4` can be written.
pub fn ffmpeg_available() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts ffmpeg reading raw frames on stdin and writing H.264 into `temp`.
fn spawn_ffmpeg(path: &Path, temp: &Path, spec: VideoSpec) -> Result<Sink, VideoError> {
    let pix_fmt = match spec.pixels {
        Pixels::Grey => "gray",
        Pixels::Rgb => "rgb24",
    };
    let mut child = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "rawvideo", "-pix_fmt", pix_fmt])
        .args(["-s", &format!("{}x{}", spec.width, spec.height)])
        .args(["-r", &spec.fps.to_string(), "-i", "-"])
        // H.264 in yuv420p needs even sides: pad by one black pixel where needed.
        .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"])
        .args([
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ])
        .arg(temp)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| {
            if err.kind() == std::io::ErrorKind::NotFound {
                VideoError::new(path, NO_FFMPEG)
            } else {
                VideoError::new(path, format!("cannot start ffmpeg: {err}"))
            }
        })?;
    let stdin = child.stdin.take();
    Ok(Sink::Ffmpeg { child, stdin })
}
