//! Start-up settings of the fake Sonauto: flags of `serenade fake-sonauto`, each also a
//! `FAKE_SONAUTO_*` environment variable, and the same defaults for in-process tests.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

/// The tags the fake accepts when none are configured: a small slice of the Tag Explorer.
pub const DEFAULT_ALLOWED_TAGS: &[&str] = &[
    "pop",
    "rock",
    "acoustic",
    "romantic",
    "ballad",
    "folk",
    "indie",
    "soul",
    "r&b",
    "country",
    "jazz",
    "piano",
    "guitar",
    "happy",
    "upbeat",
    "sad",
    "dreamy",
    "chill",
    "lo-fi",
    "electronic",
    "male vocalist",
    "female vocalist",
];

/// How the fake behaves when it starts; [`super::FakeControl`] changes most of it at run time.
#[derive(Debug, Clone, PartialEq, Args)]
pub struct FakeSonautoConfig {
    /// Bearer key every `/v1` route requires.
    #[arg(
        id = "fake_api_key",
        long = "fake-api-key",
        env = "FAKE_SONAUTO_API_KEY",
        default_value = "fake-sonauto-key"
    )]
    pub api_key: String,
    /// Base of the absolute CDN URLs in `song_paths`; defaults to http://{bound address}.
    #[arg(
        id = "fake_public_base_url",
        long = "fake-public-base-url",
        env = "FAKE_SONAUTO_PUBLIC_BASE_URL"
    )]
    pub public_base_url: Option<String>,
    /// Milliseconds between two statuses of a generation.
    #[arg(long, env = "FAKE_SONAUTO_STEP_MILLIS", default_value_t = 1500)]
    pub step_millis: u64,
    /// Total seconds from RECEIVED to SUCCESS/FAILURE, spread evenly over the steps;
    /// overrides --step-millis.
    #[arg(long, env = "FAKE_SONAUTO_GENERATION_SECONDS")]
    pub generation_seconds: Option<f64>,
    /// Subscription credits at start (each song costs 100, charged on SUCCESS only).
    #[arg(
        long,
        env = "FAKE_SONAUTO_INITIAL_CREDITS",
        default_value_t = 1_000_000
    )]
    pub initial_credits: u64,
    /// Length in seconds of the audio the CDN serves.
    #[arg(long, env = "FAKE_SONAUTO_SONG_SECONDS", default_value_t = 30)]
    pub song_seconds: u32,
    /// Format served when the request asks for none (or for ogg/flac/wav, which the fake
    /// does not encode); a request for mp3 or m4a gets that format.
    #[arg(long, env = "FAKE_SONAUTO_AUDIO_FORMAT", value_enum, default_value_t = AudioFormat::Mp3)]
    pub audio_format: AudioFormat,
    /// Which status changes are posted to a generation's `webhook_url`.
    #[arg(long, env = "FAKE_SONAUTO_WEBHOOK_MODE", value_enum, default_value_t = WebhookMode::All)]
    pub webhook_mode: WebhookMode,
    /// Shape of the webhook body.
    #[arg(long, env = "FAKE_SONAUTO_WEBHOOK_BODY", value_enum, default_value_t = WebhookBody::Full)]
    pub webhook_body: WebhookBody,
    /// Deliver every webhook twice.
    #[arg(long, env = "FAKE_SONAUTO_DUPLICATE_WEBHOOKS")]
    pub duplicate_webhooks: bool,
    /// After the terminal webhook, deliver a stale intermediate one.
    #[arg(long, env = "FAKE_SONAUTO_OUT_OF_ORDER_WEBHOOKS")]
    pub out_of_order_webhooks: bool,
    /// Probability (0..=1) that each webhook is silently not sent; the bare flag means 1
    /// (drop them all).
    #[arg(
        long,
        env = "FAKE_SONAUTO_DROP_WEBHOOKS",
        default_value_t = 0.0,
        num_args = 0..=1,
        default_missing_value = "1"
    )]
    pub drop_webhooks: f64,
    /// Share (0..=1) of generations that end in FAILURE.
    #[arg(long, env = "FAKE_SONAUTO_FAIL_RATIO", default_value_t = 0.0)]
    pub fail_ratio: f64,
    /// Comma-separated tags accepted in `tags`/`negative_tags` (the Tag Explorer stand-in).
    #[arg(
        long,
        env = "FAKE_SONAUTO_ALLOWED_TAGS",
        value_delimiter = ',',
        default_values_t = DEFAULT_ALLOWED_TAGS.iter().map(|tag| tag.to_string())
    )]
    pub allowed_tags: Vec<String>,
    /// Hours a song stays on the CDN after SUCCESS (the real one deletes after 168).
    #[arg(long, env = "FAKE_SONAUTO_CDN_TTL_HOURS", default_value_t = 168)]
    pub cdn_ttl_hours: u64,
    /// The ffmpeg binary that makes the served audio.
    #[arg(
        id = "fake_ffmpeg",
        long = "fake-ffmpeg",
        env = "FAKE_SONAUTO_FFMPEG",
        default_value = "ffmpeg"
    )]
    pub ffmpeg: PathBuf,
    /// Perform each song's lyrics with the espeak-ng voice over the melody (lines on the
    /// bars), so a song names the pet and the owner out loud (the built-in demo provider
    /// does unless `DEMO_SONGS_INSTRUMENTAL`); off: an instrumental, made once and cached.
    #[arg(long, env = "FAKE_SONAUTO_SING_LYRICS")]
    pub sing_lyrics: bool,
    /// The espeak-ng binary that performs the lyrics.
    #[arg(
        id = "fake_espeak",
        long = "fake-espeak",
        env = "FAKE_SONAUTO_ESPEAK",
        default_value = "espeak-ng"
    )]
    pub espeak: PathBuf,
}

impl Default for FakeSonautoConfig {
    fn default() -> Self {
        Self {
            api_key: "fake-sonauto-key".to_owned(),
            public_base_url: None,
            step_millis: 1500,
            generation_seconds: None,
            initial_credits: 1_000_000,
            song_seconds: 30,
            audio_format: AudioFormat::Mp3,
            webhook_mode: WebhookMode::All,
            webhook_body: WebhookBody::Full,
            duplicate_webhooks: false,
            out_of_order_webhooks: false,
            drop_webhooks: 0.0,
            fail_ratio: 0.0,
            allowed_tags: DEFAULT_ALLOWED_TAGS
                .iter()
                .map(|tag| (*tag).to_owned())
                .collect(),
            cdn_ttl_hours: 168,
            ffmpeg: PathBuf::from("ffmpeg"),
            sing_lyrics: false,
            espeak: PathBuf::from("espeak-ng"),
        }
    }
}

/// A container the fake can encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioFormat {
    /// MPEG-1 Layer III, served as `audio/mpeg`.
    Mp3,
    /// AAC in an MPEG-4 container, served as `audio/mp4`.
    M4a,
}

impl AudioFormat {
    /// File extension, as in `audio_{id}_0.{ext}`.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Mp3 => "mp3",
            Self::M4a => "m4a",
        }
    }

    /// The `Content-Type` the CDN answers with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Mp3 => "audio/mpeg",
            Self::M4a => "audio/mp4",
        }
    }

    /// The format for a request's `output_format`, if the fake encodes it.
    pub fn from_output_format(value: &str) -> Option<Self> {
        match value {
            "mp3" => Some(Self::Mp3),
            "m4a" => Some(Self::M4a),
            _ => None,
        }
    }
}

/// Which status changes produce a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookMode {
    /// Every status change ("real-time status updates").
    All,
    /// Only SUCCESS and FAILURE.
    Terminal,
}

/// The body posted to `webhook_url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookBody {
    /// `{"task_id","status"}`.
    Thin,
    /// The customer spec's claim: `task_id`, `status`, relative `song_paths` on SUCCESS and
    /// `error_message` on FAILURE.
    Spec,
    /// The full generation object, as `GET /v1/generations/{id}` returns it.
    Full,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        fake: FakeSonautoConfig,
    }

    #[test]
    fn command_line_defaults_match_the_default_impl() {
        let parsed = Wrapper::parse_from(["fake"]).fake;
        assert_eq!(parsed, FakeSonautoConfig::default());
    }

    #[test]
    fn a_bare_drop_flag_drops_every_webhook() {
        let parsed = Wrapper::parse_from(["fake", "--drop-webhooks"]).fake;
        assert!((parsed.drop_webhooks - 1.0).abs() < f64::EPSILON);
        let parsed = Wrapper::parse_from(["fake", "--drop-webhooks", "0.25"]).fake;
        assert!((parsed.drop_webhooks - 0.25).abs() < f64::EPSILON);
    }
}
