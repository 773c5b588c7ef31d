//! Start-up settings of the fake speech API: flags of a future `serenade fake-tts`, each also a
//! `FAKE_TTS_*` environment variable, with the same defaults for in-process tests.

use clap::Args;

/// The models OpenAI's speech endpoint knows.
pub const DEFAULT_MODELS: &str = "tts-1,tts-1-hd,gpt-4o-mini-tts";

/// How the fake behaves when it starts; [`super::FakeTtsControl`] injects faults at run time.
#[derive(Debug, Clone, PartialEq, Args)]
pub struct FakeTtsConfig {
    /// Bearer key every `/v1` request must carry.
    #[arg(
        id = "fake_tts_api_key",
        long = "fake-tts-api-key",
        env = "FAKE_TTS_API_KEY",
        default_value = "fake-tts-key"
    )]
    pub api_key: String,
    /// Models the fake accepts (comma-separated); others get OpenAI's 404 `model_not_found`.
    #[arg(
        long = "fake-tts-models",
        env = "FAKE_TTS_MODELS",
        default_value = DEFAULT_MODELS,
        value_delimiter = ','
    )]
    pub models: Vec<String>,
    /// Sample rate of the WAV answers (OpenAI's are 24 kHz mono 16-bit).
    #[arg(
        long = "fake-tts-sample-rate",
        env = "FAKE_TTS_SAMPLE_RATE",
        default_value_t = 24_000
    )]
    pub sample_rate: u32,
    /// Characters spoken per second at speed 1.0 (the answer's length follows the text).
    #[arg(
        long = "fake-tts-chars-per-second",
        env = "FAKE_TTS_CHARS_PER_SECOND",
        default_value_t = 14.0
    )]
    pub chars_per_second: f64,
}

impl Default for FakeTtsConfig {
    fn default() -> Self {
        Self {
            api_key: "fake-tts-key".to_owned(),
            models: DEFAULT_MODELS.split(',').map(str::to_owned).collect(),
            sample_rate: 24_000,
            chars_per_second: 14.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        fake: FakeTtsConfig,
    }

    #[test]
    fn command_line_defaults_match_the_default_impl() {
        assert_eq!(Wrapper::parse_from(["fake"]).fake, FakeTtsConfig::default());
        let tuned = Wrapper::parse_from(["fake", "--fake-tts-sample-rate", "16000"]).fake;
        assert_eq!(tuned.sample_rate, 16_000);
    }
}
