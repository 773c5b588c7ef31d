//! Test media: images of one colour, multipart bodies built by hand, and ffmpeg/ffprobe
//! measurements of a made video.

use std::io::Cursor;
use std::path::Path;
use std::process::Command;

use image::{DynamicImage, ImageFormat, RgbImage};

/// A `width`×`height` image of one colour (with a faint pattern so encoders have detail).
pub fn image_of(colour: [u8; 3], width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, y| {
        let ripple = u8::try_from((x / 40 + y / 40) % 2 * 6).unwrap();
        image::Rgb(colour.map(|c| c.saturating_sub(ripple)))
    });
    let mut bytes = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(picture)
        .write_to(&mut bytes, format)
        .unwrap();
    bytes.into_inner()
}

/// A multipart/form-data body with each file as a part named `images`; `(content type, body)`.
pub fn multipart(files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "serenade-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `ffprobe`'s JSON for a file.
pub fn probe(path: &Path) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The mean volume (dB) of the audio between `from` and `to` seconds.
pub fn mean_volume(path: &Path, from: f64, to: f64) -> f64 {
    let out = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-nostdin",
            "-ss",
            &format!("{from}"),
            "-to",
            &format!("{to}"),
            "-i",
        ])
        .arg(path)
        .args(["-vn", "-af", "volumedetect", "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let line = log
        .lines()
        .find(|line| line.contains("mean_volume:"))
        .unwrap_or_else(|| panic!("{log}"));
    line.split("mean_volume:")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches(" dB")
        .parse()
        .unwrap()
}

/// The mean colour of the frame at `at` seconds.
pub fn colour_at(path: &Path, at: f64) -> [f64; 3] {
    let out = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-ss",
            &format!("{at}"),
            "-i",
        ])
        .arg(path)
        .args([
            "-frames:v",
            "1",
            "-vf",
            "scale=64:36",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pixels = out.stdout.len() / 3;
    let mut sum = [0.0; 3];
    for pixel in out.stdout.chunks_exact(3) {
        for channel in 0..3 {
            sum[channel] += f64::from(pixel[channel]);
        }
    }
    sum.map(|total| total / pixels as f64)
}
