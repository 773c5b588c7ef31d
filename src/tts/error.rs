//! Why speech was not produced, classified like the provider clients' errors: whether trying
//! again may help, whether a failed HTTP request may still have been accepted (and billed),
//! the wait a provider asked for, and a stable snake_case code for each.

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

use super::wav_error::WavError;

/// A synthesis or narration that did not produce its audio.
#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    /// A voice setting is malformed (`EDGE_TTS_RATE=fast`, an empty voice, …).
    #[error("invalid voice setting {name}: {problem}")]
    InvalidSetting { name: &'static str, problem: String },
    /// The engine's settings are impossible (a missing API key or model file).
    #[error("invalid text-to-speech configuration: {0}")]
    Config(String),
    /// The text holds nothing an engine could say (empty, only punctuation or symbols).
    #[error("the text has nothing to say")]
    NothingToSay,
    /// The narration text is longer than the narrator accepts.
    #[error("the text is {chars} characters long; narration accepts at most {limit}")]
    TextTooLong { chars: usize, limit: usize },
    /// The engine's program is not installed (or not at the configured path).
    #[error("{tool} not found on PATH (or at the configured path); install {install}")]
    ToolNotFound {
        tool: &'static str,
        install: &'static str,
    },
    /// The program exists but could not be started.
    #[error("could not start {tool}")]
    Spawn {
        tool: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The program ran past its time limit and was killed with its process group.
    #[error("{tool} was killed after {after:?} (time limit)")]
    Timeout { tool: &'static str, after: Duration },
    /// The program exited unsuccessfully; the end of its stderr is kept.
    #[error("{tool} failed ({status}): {stderr_tail}")]
    ToolFailed {
        tool: &'static str,
        status: ExitStatus,
        stderr_tail: String,
    },
    /// The engine does not know the voice.
    #[error("{engine} has no voice \"{voice}\"")]
    UnknownVoice { engine: &'static str, voice: String },
    /// The audio an engine produced is not a mono 16-bit PCM WAV (or not a WAV at all).
    #[error("the audio from {engine} is not usable")]
    BadAudio {
        engine: &'static str,
        #[source]
        source: WavError,
    },
    /// Pieces of one narration came out at different sample rates (engines are not mixed
    /// within a narration, so this means the engine changed its output under us).
    #[error(
        "narration piece {piece} is at {found} Hz while the first piece is at {expected} Hz; \
         pieces are joined without resampling"
    )]
    SampleRateMismatch {
        piece: usize,
        expected: u32,
        found: u32,
    },
    /// Reading or writing a file failed.
    #[error("text-to-speech I/O failed on {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The HTTP provider could not be reached: it cannot have seen the request.
    #[error("could not reach the speech provider")]
    NotSent(#[source] reqwest::Error),
    /// The request went out but no answer came back (timeout, reset, closed connection): it
    /// may have been accepted.
    #[error("the speech provider did not answer")]
    NoResponse(#[source] reqwest::Error),
    /// 401/403: the API key is refused.
    #[error("the speech provider refused the API key ({status})")]
    Unauthorized { status: u16 },
    /// 429: throttled (or out of quota).
    #[error("the speech provider is rate limiting us")]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx.
    #[error("the speech provider failed ({status})")]
    Server {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Another 4xx: this request will never succeed as it is.
    #[error("the speech provider rejected the request ({status}): {message}")]
    Rejected {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// A 2xx whose body is not a WAV (another format, or an error page): refused, since
    /// nothing here converts audio.
    #[error("the speech provider answered {content_type} instead of a WAV file")]
    NotWav { content_type: String },
    /// A 2xx body larger than any narration piece can be.
    #[error("the speech provider's answer exceeds {limit} bytes")]
    AnswerTooLarge { limit: usize },
}

impl TtsError {
    /// Worth trying the same synthesis again later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Timeout { .. }
                | Self::ToolFailed { .. }
                | Self::Io { .. }
                | Self::NotSent(_)
                | Self::NoResponse(_)
                | Self::RateLimited { .. }
                | Self::Server { .. }
        )
    }

    /// Whether a failed HTTP request may still have been accepted (and billed): no answer
    /// after sending, a 5xx (a gateway can fail after the origin accepted), or a 2xx whose
    /// audio was refused.
    pub fn may_have_been_accepted(&self) -> bool {
        matches!(
            self,
            Self::NoResponse(_)
                | Self::Server { .. }
                | Self::NotWav { .. }
                | Self::AnswerTooLarge { .. }
        )
    }

    /// A refusal of our account rather than of one request.
    pub fn is_account_refusal(&self) -> bool {
        matches!(self, Self::Unauthorized { .. })
    }

    /// Whether the text or the voice settings themselves were refused, as opposed to the
    /// engine or its environment failing.
    pub fn is_input_rejection(&self) -> bool {
        matches!(
            self,
            Self::InvalidSetting { .. }
                | Self::NothingToSay
                | Self::TextTooLong { .. }
                | Self::UnknownVoice { .. }
                | Self::Rejected { .. }
        )
    }

    /// The wait the provider asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Stable snake_case code for records and logs. Never rename one.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidSetting { .. } => "tts_invalid_setting",
            Self::Config(_) => "tts_config_invalid",
            Self::NothingToSay => "tts_nothing_to_say",
            Self::TextTooLong { .. } => "tts_text_too_long",
            Self::ToolNotFound { .. } => "tts_tool_not_found",
            Self::Spawn { .. } => "tts_tool_spawn_failed",
            Self::Timeout { .. } => "tts_timeout",
            Self::ToolFailed { .. } => "tts_tool_failed",
            Self::UnknownVoice { .. } => "tts_unknown_voice",
            Self::BadAudio { .. } => "tts_bad_audio",
            Self::SampleRateMismatch { .. } => "tts_sample_rate_mismatch",
            Self::Io { .. } => "tts_io",
            Self::NotSent(_) => "tts_provider_unreachable",
            Self::NoResponse(_) => "tts_provider_no_response",
            Self::Unauthorized { .. } => "tts_provider_unauthorized",
            Self::RateLimited { .. } => "tts_provider_rate_limited",
            Self::Server { .. } => "tts_provider_server_error",
            Self::Rejected { .. } => "tts_provider_rejected",
            Self::NotWav { .. } => "tts_provider_not_wav",
            Self::AnswerTooLarge { .. } => "tts_provider_answer_too_large",
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
    fn throttling_is_retried_with_its_wait_and_refusals_are_not() {
        let throttled = TtsError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
        };
        assert!(throttled.is_retryable());
        assert!(!throttled.may_have_been_accepted());
        assert_eq!(throttled.retry_after(), Some(Duration::from_secs(7)));
        let refused = TtsError::Unauthorized { status: 401 };
        assert!(!refused.is_retryable());
        assert!(refused.is_account_refusal());
        let too_long = TtsError::TextTooLong {
            chars: 3001,
            limit: 3000,
        };
        assert!(too_long.is_input_rejection());
        assert!(!too_long.is_retryable());
        assert_eq!(too_long.code(), "tts_text_too_long");
    }

    #[test]
    fn a_missing_tool_names_what_to_install() {
        let message = TtsError::ToolNotFound {
            tool: "espeak-ng",
            install: "the Debian package espeak-ng (apt-get install espeak-ng)",
        }
        .to_string();
        assert!(message.contains("apt-get install espeak-ng"), "{message}");
    }
}
