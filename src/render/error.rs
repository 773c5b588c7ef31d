//! Why a render failed, in terms the pipeline can act on: input rejections (never retried),
//! transient tool and I/O failures (retried), and a stable snake_case code for each.

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// A render that did not produce its outputs.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The renderer's settings are impossible (see `RenderConfig::validate`).
    #[error("invalid render configuration: {reason}")]
    InvalidConfig { reason: String },
    /// The program could not be found (not on PATH, or the configured path does not exist).
    #[error("{tool} not found on PATH (or at the configured path); install it or set its path")]
    ToolNotFound { tool: &'static str },
    /// The program exists but could not be started (permissions, resources).
    #[error("could not start {tool}")]
    Spawn {
        tool: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The song's file name does not say a format the renderer reads (playlists, lists and
    /// anything unnamed are refused before any tool opens the file).
    #[error(
        "the song file's type (\"{extension}\") is not one the renderer reads (mp3, m4a, mp4, wav, flac, ogg, opus, aac)"
    )]
    UnsupportedAudioFormat { extension: String },
    /// The song file is readable but holds no usable audio stream.
    #[error("the song file holds no audio stream with a known duration")]
    NotAudio,
    /// ffprobe could not make sense of the song file at all.
    #[error("the song file is not readable media: {stderr_tail}")]
    UnreadableAudio { stderr_tail: String },
    /// The song is shorter than the renderer accepts.
    #[error("the song lasts {seconds:.1} s, shorter than the minimum")]
    TooShort { seconds: f64 },
    /// The song is longer than the renderer accepts.
    #[error("the song lasts {seconds:.1} s, longer than the maximum")]
    TooLong { seconds: f64 },
    /// A tool ran past the render's time budget and was killed.
    #[error("{tool} was killed after {after:?} (render time limit)")]
    Timeout { tool: &'static str, after: Duration },
    /// A tool exited unsuccessfully; the end of what it wrote to stderr is kept.
    #[error("{tool} failed ({status}): {stderr_tail}")]
    ToolFailed {
        tool: &'static str,
        status: ExitStatus,
        stderr_tail: String,
    },
    /// ffprobe answered, but not with the JSON we asked for.
    #[error("ffprobe output could not be parsed")]
    ProbeOutput {
        #[source]
        source: serde_json::Error,
    },
    /// The pet photo could not be read or decoded.
    #[error("the photo {path} could not be read")]
    Photo {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
    /// A campaign artwork file could not be read or decoded.
    #[error("the artwork {path} could not be used")]
    Artwork {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
    /// Reading or writing a file failed.
    #[error("render I/O failed on {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A CPU task of the render panicked.
    #[error("a render task panicked or was cancelled")]
    Task(#[from] tokio::task::JoinError),
    /// The renderer was shut down while this render waited for its turn.
    #[error("the renderer is shut down")]
    Closed,
}

impl RenderError {
    /// Whether trying the same render again may succeed (timeouts, tool failures, I/O).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Timeout { .. } | Self::ToolFailed { .. } | Self::Io { .. } | Self::Closed
        )
    }

    /// Whether the inputs themselves were refused (the song or the photo), as opposed to the
    /// renderer or its environment failing.
    pub fn is_input_rejection(&self) -> bool {
        matches!(
            self,
            Self::NotAudio
                | Self::UnsupportedAudioFormat { .. }
                | Self::UnreadableAudio { .. }
                | Self::TooShort { .. }
                | Self::TooLong { .. }
                | Self::Photo { .. }
        )
    }

    /// Stable snake_case code for records and logs. Never rename one.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidConfig { .. } => "render_config_invalid",
            Self::ToolNotFound { .. } => "render_tool_not_found",
            Self::Spawn { .. } => "render_tool_spawn_failed",
            Self::NotAudio => "audio_no_stream",
            Self::UnsupportedAudioFormat { .. } => "audio_format_unsupported",
            Self::UnreadableAudio { .. } => "audio_unreadable",
            Self::TooShort { .. } => "audio_too_short",
            Self::TooLong { .. } => "audio_too_long",
            Self::Timeout { .. } => "render_timeout",
            Self::ToolFailed { .. } => "render_tool_failed",
            Self::ProbeOutput { .. } => "probe_output_invalid",
            Self::Photo { .. } => "photo_unreadable",
            Self::Artwork { .. } => "artwork_invalid",
            Self::Io { .. } => "render_io",
            Self::Task(_) => "render_task_failed",
            Self::Closed => "renderer_closed",
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_rejections_are_not_retried_and_tool_failures_are() {
        assert!(!RenderError::TooShort { seconds: 3.0 }.is_retryable());
        assert!(RenderError::TooShort { seconds: 3.0 }.is_input_rejection());
        assert!(!RenderError::NotAudio.is_retryable());
        assert!(!RenderError::ToolNotFound { tool: "ffmpeg" }.is_retryable());
        let timeout = RenderError::Timeout {
            tool: "ffmpeg",
            after: Duration::from_secs(2),
        };
        assert!(timeout.is_retryable());
        assert!(!timeout.is_input_rejection());
        assert_eq!(timeout.code(), "render_timeout");
        assert_eq!(
            RenderError::TooLong { seconds: 420.0 }.code(),
            "audio_too_long"
        );
    }

    #[test]
    fn a_missing_tool_says_so_plainly() {
        let message = RenderError::ToolNotFound { tool: "ffmpeg" }.to_string();
        assert!(message.starts_with("ffmpeg not found on PATH"), "{message}");
    }
}
