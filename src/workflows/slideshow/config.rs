//! Seed 004's video settings: each image's segment lasts at least `VIDEO_SEGMENT_DURATION`
//! seconds (the narration is padded with silence when it is shorter), and a video may not
//! run past `MAX_VIDEO_DURATION` (longer narration fails the job with
//! `narration_too_long`; text that cannot fit is refused when the job is made).

use clap::Args;

use crate::config::error::ConfigError;

/// Characters of narration a second, at most (espeak-ng at its default rate speaks about 14;
/// the estimate errs towards accepting, the render checks the real length).
const MAX_CHARS_PER_SECOND: f64 = 20.0;

#[derive(Debug, Clone, Args)]
pub struct SlideshowConfig {
    /// Shortest time each image is shown, in seconds.
    #[arg(long, env = "VIDEO_SEGMENT_DURATION", default_value_t = 5.0)]
    pub video_segment_duration: f64,
    /// Longest video, in seconds.
    #[arg(long, env = "MAX_VIDEO_DURATION", default_value_t = 60.0)]
    pub max_video_duration: f64,
}

impl Default for SlideshowConfig {
    fn default() -> Self {
        Self {
            video_segment_duration: 5.0,
            max_video_duration: 60.0,
        }
    }
}

impl SlideshowConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.video_segment_duration.is_finite()
            && (1.0..=60.0).contains(&self.video_segment_duration))
        {
            return Err(ConfigError::invalid(
                "VIDEO_SEGMENT_DURATION",
                "must be 1 to 60 seconds",
            ));
        }
        if !(self.max_video_duration.is_finite()
            && (1.0..=3600.0).contains(&self.max_video_duration))
        {
            return Err(ConfigError::invalid(
                "MAX_VIDEO_DURATION",
                "must be 1 to 3600 seconds",
            ));
        }
        Ok(())
    }

    /// The most characters that could be spoken within the longest video.
    pub fn max_content_chars(&self) -> usize {
        (self.max_video_duration * MAX_CHARS_PER_SECOND) as usize
    }

    pub fn redacted_entries(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "VIDEO_SEGMENT_DURATION",
                self.video_segment_duration.to_string(),
            ),
            ("MAX_VIDEO_DURATION", self.max_video_duration.to_string()),
        ]
    }
}
