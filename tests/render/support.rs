//! Shared fixtures: songs and photos made with ffmpeg and `image`, a renderer whose scratch
//! root is private to the test, and helpers to probe outputs and decode frames.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use image::{Rgb, RgbImage};
use serde_json::Value;
use serenade::render::{RenderConfig, RenderJob};
use tempfile::TempDir;

/// Whether ffmpeg and ffprobe can run; prints a skip notice when not.
pub fn ffmpeg_available() -> bool {
    let found = ["ffmpeg", "ffprobe"].iter().all(|tool| {
        Command::new(tool)
            .arg("-version")
            .output()
            .is_ok_and(|output| output.status.success())
    });
    if !found {
        if std::env::var("SERENADE_REQUIRE_FFMPEG").as_deref() == Ok("1") {
            panic!("SERENADE_REQUIRE_FFMPEG=1 but ffmpeg/ffprobe are not on PATH");
        }
        eprintln!("skipping render test: ffmpeg/ffprobe not on PATH");
    }
    found
}

/// A test's private directories: inputs, outputs, and the renderer's scratch root.
pub struct Workspace {
    pub dir: TempDir,
}

impl Workspace {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["in", "out", "scratch"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Self { dir }
    }

    pub fn input(&self, name: &str) -> PathBuf {
        self.dir.path().join("in").join(name)
    }

    pub fn output(&self, name: &str) -> PathBuf {
        self.dir.path().join("out").join(name)
    }

    pub fn scratch(&self) -> PathBuf {
        self.dir.path().join("scratch")
    }

    /// The default configuration with scratch directories under this workspace.
    pub fn config(&self) -> RenderConfig {
        RenderConfig {
            render_temp_dir: Some(self.scratch()),
            render_timeout_seconds: 120,
            ..RenderConfig::default()
        }
    }

    /// A job rendering `photo` and `song` (names in `in/`) to `out/video.mp4` and stills.
    pub fn job(&self, photo: &Path, song: &Path) -> RenderJob {
        RenderJob {
            photo: photo.to_path_buf(),
            audio: song.to_path_buf(),
            video_out: self.output("video.mp4"),
            poster_out: self.output("video-poster.jpg"),
            og_image_out: self.output("video-og.jpg"),
        }
    }

    /// Names left in a directory of the workspace.
    pub fn entries(&self, dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Asserts that a failed render left nothing: no scratch dir, no output or temp file.
    pub fn assert_nothing_left(&self) {
        assert_eq!(
            self.entries(&self.scratch()),
            Vec::<String>::new(),
            "scratch"
        );
        assert_eq!(
            self.entries(&self.output("")),
            Vec::<String>::new(),
            "outputs"
        );
    }
}

/// Runs ffmpeg with `args`, panicking with its stderr on failure.
pub fn ffmpeg(args: &[&str]) {
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A sine song of `seconds` as MP3 (libmp3lame), stereo 44.1 kHz at `bitrate`.
pub fn mp3_song(path: &Path, seconds: u32, bitrate: &str) -> PathBuf {
    let source = format!("sine=frequency=440:sample_rate=44100:duration={seconds}");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &source,
        "-ac",
        "2",
        "-c:a",
        "libmp3lame",
        "-b:a",
        bitrate,
        path.to_str().unwrap(),
    ]);
    path.to_path_buf()
}

/// A sine song of `seconds` as AAC in an .m4a.
pub fn aac_song(path: &Path, seconds: u32) -> PathBuf {
    let source = format!("sine=frequency=330:sample_rate=44100:duration={seconds}");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &source,
        "-ac",
        "2",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        path.to_str().unwrap(),
    ]);
    path.to_path_buf()
}

/// Where the red marker's centre sits in a 600×600 photo, and its half side.
pub const MARKER_CENTRE: (f32, f32) = (195.0, 195.0);
pub const MARKER_HALF: f32 = 75.0;

/// A 600×600 JPEG, blue with a red square in its top-left quadrant.
pub fn marked_photo(path: &Path) -> PathBuf {
    let image = RgbImage::from_fn(600, 600, |x, y| {
        let inside = |value: u32, centre: f32| (value as f32 + 0.5 - centre).abs() < MARKER_HALF;
        if inside(x, MARKER_CENTRE.0) && inside(y, MARKER_CENTRE.1) {
            Rgb([230, 20, 20])
        } else {
            Rgb([30, 70, 200])
        }
    });
    image.save(path).unwrap();
    path.to_path_buf()
}

/// ffprobe's JSON report (format and streams) of a file.
pub fn probe(path: &Path) -> Value {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_format",
            "-show_streams",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The first stream of `kind` ("video"/"audio") in a probe report.
pub fn stream<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|stream| stream["codec_type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} stream in {report}"))
}

/// A probe report's number field (ffprobe writes numbers as strings).
pub fn seconds(value: &Value) -> f64 {
    value.as_str().unwrap().parse().unwrap()
}

/// The first frame shown at or after `time` seconds, decoded to RGB.
pub fn frame_at(video: &Path, time: f64, scratch: &Path) -> RgbImage {
    let png = scratch.join(format!("frame-{time:.4}.png"));
    ffmpeg(&[
        "-ss",
        &format!("{time:.4}"),
        "-i",
        video.to_str().unwrap(),
        "-frames:v",
        "1",
        png.to_str().unwrap(),
    ]);
    let frame = image::open(&png).unwrap().to_rgb8();
    std::fs::remove_file(png).unwrap();
    frame
}

/// Mean colour of the `side`×`side` square centred on `centre`.
pub fn mean_colour(image: &RgbImage, centre: (f32, f32), side: u32) -> [f32; 3] {
    let (x0, y0) = (
        (centre.0 - side as f32 / 2.0) as u32,
        (centre.1 - side as f32 / 2.0) as u32,
    );
    let mut sum = [0.0; 3];
    for y in y0..y0 + side {
        for x in x0..x0 + side {
            for (total, value) in sum.iter_mut().zip(image.get_pixel(x, y).0) {
                *total += f32::from(value);
            }
        }
    }
    sum.map(|total| total / (side * side) as f32)
}

/// Mean absolute difference per channel between two same-size images (whole or a square).
pub fn mean_difference(a: &RgbImage, b: &RgbImage, region: Option<((f32, f32), u32)>) -> f32 {
    let ((x0, y0), side_x, side_y) = match region {
        Some((centre, side)) => (
            (
                (centre.0 - side as f32 / 2.0) as u32,
                (centre.1 - side as f32 / 2.0) as u32,
            ),
            side,
            side,
        ),
        None => ((0, 0), a.width(), a.height()),
    };
    let mut total = 0.0;
    for y in y0..y0 + side_y {
        for x in x0..x0 + side_x {
            for (left, right) in a.get_pixel(x, y).0.iter().zip(b.get_pixel(x, y).0) {
                total += (f32::from(*left) - f32::from(right)).abs();
            }
        }
    }
    total / (side_x * side_y * 3) as f32
}
