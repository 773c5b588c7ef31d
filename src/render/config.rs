//! Settings of the renderer (picture, encoder, artwork, limits and tool paths), each a flag and
//! an environment variable, with the checks that reject impossible combinations at start-up.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// How videos are rendered. Flattened into the service's `Config` and the `render` command.
#[derive(Debug, Clone, Args)]
pub struct RenderConfig {
    /// Side of the square video in pixels (even).
    #[arg(long, env = "VIDEO_SIZE", default_value_t = 720)]
    pub video_size: u32,
    /// Frames per second of the video.
    #[arg(long, env = "VIDEO_FPS", default_value_t = 15)]
    pub video_fps: u32,
    /// Turntable speed in revolutions per minute.
    #[arg(long, env = "VINYL_RPM", default_value_t = 20.0)]
    pub vinyl_rpm: f64,
    /// x264 constant rate factor (18 = high quality, 28 = good and small).
    #[arg(long, env = "VIDEO_CRF", default_value_t = 28)]
    pub video_crf: u8,
    /// AAC bit rate used when the song has to be encoded (ffmpeg syntax, e.g. 192k).
    #[arg(long, env = "AUDIO_BITRATE", default_value = "192k")]
    pub audio_bitrate: String,
    /// Directory with campaign artwork (background.png, record.png, needle.png); any file
    /// missing there is drawn by the built-in default.
    #[arg(long, env = "RENDER_ARTWORK_DIR")]
    pub artwork_dir: Option<PathBuf>,
    /// Renders allowed at once; defaults to the number of CPU cores.
    #[arg(long, env = "RENDER_CONCURRENCY")]
    pub render_concurrency: Option<usize>,
    /// Seconds one render (all its ffmpeg runs together) may take before it is killed.
    #[arg(long, env = "RENDER_TIMEOUT_SECONDS", default_value_t = 300)]
    pub render_timeout_seconds: u64,
    /// Directory under which each render makes its private scratch directory; defaults to the
    /// system temp directory.
    #[arg(long, env = "RENDER_TEMP_DIR")]
    pub render_temp_dir: Option<PathBuf>,
    /// The ffmpeg program (a name looked up on PATH, or a path).
    #[arg(long = "ffmpeg", env = "FFMPEG_PATH", default_value = "ffmpeg")]
    pub ffmpeg: PathBuf,
    /// The ffprobe program (a name looked up on PATH, or a path).
    #[arg(long = "ffprobe", env = "FFPROBE_PATH", default_value = "ffprobe")]
    pub ffprobe: PathBuf,
}

impl Default for RenderConfig {
    fn default() -> Self {
        Self {
            video_size: 720,
            video_fps: 15,
            vinyl_rpm: 20.0,
            video_crf: 28,
            audio_bitrate: "192k".into(),
            artwork_dir: None,
            render_concurrency: None,
            render_timeout_seconds: 300,
            render_temp_dir: None,
            ffmpeg: "ffmpeg".into(),
            ffprobe: "ffprobe".into(),
        }
    }
}

/// Frames in one turn may not exceed this (it bounds the work of the loop clip).
const MAX_FRAMES_PER_ROTATION: u32 = 1800;

impl RenderConfig {
    /// Checks every setting; the message names the variable at fault.
    pub fn validate(&self) -> Result<(), String> {
        if self.video_size < 240 || self.video_size > 2160 || !self.video_size.is_multiple_of(2) {
            return Err("VIDEO_SIZE must be an even number from 240 to 2160".into());
        }
        if !(1..=60).contains(&self.video_fps) {
            return Err("VIDEO_FPS must be from 1 to 60".into());
        }
        if !self.vinyl_rpm.is_finite() || !(1.0..=120.0).contains(&self.vinyl_rpm) {
            return Err("VINYL_RPM must be from 1 to 120".into());
        }
        let frames = self.frames_per_rotation();
        if !(2..=MAX_FRAMES_PER_ROTATION).contains(&frames) {
            return Err(format!(
                "VINYL_RPM and VIDEO_FPS give {frames} frames per turn; it must be from 2 to \
                 {MAX_FRAMES_PER_ROTATION}"
            ));
        }
        if self.video_crf > 51 {
            return Err("VIDEO_CRF must be from 0 to 51".into());
        }
        if !is_audio_bitrate(&self.audio_bitrate) {
            return Err("AUDIO_BITRATE must look like 192k (32k to 512k)".into());
        }
        if self.render_concurrency == Some(0) {
            return Err("RENDER_CONCURRENCY must be at least 1".into());
        }
        if self.render_timeout_seconds == 0 {
            return Err("RENDER_TIMEOUT_SECONDS must be at least 1".into());
        }
        if self.ffmpeg.as_os_str().is_empty() || self.ffprobe.as_os_str().is_empty() {
            return Err("FFMPEG_PATH and FFPROBE_PATH must not be empty".into());
        }
        Ok(())
    }

    /// Frames in one turn of the record: (60 / rpm) × fps, rounded (45 at 20 RPM and 15 fps).
    pub fn frames_per_rotation(&self) -> u32 {
        let frames = (60.0 / self.vinyl_rpm * f64::from(self.video_fps)).round();
        if frames.is_finite() && frames >= 0.0 {
            frames.min(f64::from(u32::MAX)) as u32
        } else {
            0
        }
    }

    /// Renders allowed at once.
    pub fn concurrency(&self) -> usize {
        self.render_concurrency.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
    }

    /// Time budget of one render.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.render_timeout_seconds)
    }

    /// Where per-render scratch directories are made.
    pub fn temp_root(&self) -> PathBuf {
        self.render_temp_dir
            .clone()
            .unwrap_or_else(std::env::temp_dir)
    }
}

/// `192k`-style bit rates from 32k to 512k (or the same in plain bits per second).
fn is_audio_bitrate(value: &str) -> bool {
    let (digits, multiplier) = match value.strip_suffix('k') {
        Some(digits) => (digits, 1000),
        None => (value, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return false;
    }
    digits
        .parse::<u64>()
        .is_ok_and(|number| (32_000..=512_000).contains(&(number * multiplier)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_give_45_frames_per_turn() {
        let config = RenderConfig::default();
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.frames_per_rotation(), 45);
    }

    #[test]
    fn impossible_settings_are_rejected() {
        let with = |change: fn(&mut RenderConfig)| {
            let mut config = RenderConfig::default();
            change(&mut config);
            config.validate()
        };
        assert!(with(|c| c.video_size = 721).is_err());
        assert!(with(|c| c.video_size = 200).is_err());
        assert!(with(|c| c.video_fps = 0).is_err());
        assert!(with(|c| c.video_fps = 61).is_err());
        assert!(with(|c| c.vinyl_rpm = f64::NAN).is_err());
        assert!(with(|c| c.vinyl_rpm = 0.0).is_err());
        assert!(with(|c| c.video_crf = 52).is_err());
        assert!(with(|c| c.audio_bitrate = "loud".into()).is_err());
        assert!(with(|c| c.audio_bitrate = "8k".into()).is_err());
        assert!(with(|c| c.render_concurrency = Some(0)).is_err());
        assert!(with(|c| c.render_timeout_seconds = 0).is_err());
        assert!(with(|c| c.audio_bitrate = "128000".into()).is_ok());
        assert!(with(|c| c.vinyl_rpm = 33.3).is_ok());
    }
}
