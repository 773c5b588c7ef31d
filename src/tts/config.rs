//! Text-to-speech settings: which engine speaks (espeak-ng by default, always available; an
//! OpenAI-compatible HTTP API; or Piper), seed 004's voice strings (`EDGE_TTS_VOICE`,
//! `EDGE_TTS_RATE`, `EDGE_TTS_VOLUME`), and what each engine needs. `engine()` builds it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use secrecy::SecretString;

use super::engine::SpeechEngine;
use super::error::TtsError;
use super::espeak::EspeakEngine;
use super::http::HttpTtsEngine;
use super::piper::PiperEngine;
use super::settings::VoiceSettings;
use crate::config::error::ConfigError;

/// The engines a deployment can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TtsEngineKind {
    /// espeak-ng, a child process per sentence (Debian package `espeak-ng`).
    Espeak,
    /// An OpenAI-compatible `POST /v1/audio/speech` API (`TTS_API_URL`, `TTS_API_KEY`).
    Http,
    /// Piper, a neural offline voice (PyPI `piper-tts` and a voice model, `PIPER_MODEL`).
    Piper,
}

impl TtsEngineKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Espeak => "espeak",
            Self::Http => "http",
            Self::Piper => "piper",
        }
    }
}

/// Settings of narration and the demo songs' voices.
#[derive(Debug, Clone, Args)]
pub struct TtsConfig {
    /// Which engine speaks: espeak (built in), http (an OpenAI-compatible API) or piper.
    #[arg(long, env = "TTS_ENGINE", value_enum, default_value = "espeak")]
    pub tts_engine: TtsEngineKind,
    /// The voice: an Edge name (en-US-JennyNeural, mapped to the closest espeak-ng voice) or
    /// the engine's own (en-us+f3 for espeak-ng, alloy for an OpenAI-compatible API).
    #[arg(long, env = "EDGE_TTS_VOICE", default_value = "en-US-JennyNeural")]
    pub edge_tts_voice: String,
    /// Speaking rate change, e.g. +0%, +10%, -20% (-50% to +100%).
    #[arg(
        long,
        env = "EDGE_TTS_RATE",
        default_value = "+0%",
        allow_hyphen_values = true
    )]
    pub edge_tts_rate: String,
    /// Volume change, e.g. +0%, -50% (-100% to +100%).
    #[arg(
        long,
        env = "EDGE_TTS_VOLUME",
        default_value = "+0%",
        allow_hyphen_values = true
    )]
    pub edge_tts_volume: String,
    /// Base URL of the OpenAI-compatible speech API (with or without /v1).
    #[arg(long, env = "TTS_API_URL", default_value = "https://api.openai.com/v1")]
    pub tts_api_url: String,
    /// Bearer key of the speech API (required when TTS_ENGINE=http).
    #[arg(long, env = "TTS_API_KEY", hide_env_values = true)]
    pub tts_api_key: Option<SecretString>,
    /// The speech API's model.
    #[arg(long, env = "TTS_MODEL", default_value = "tts-1")]
    pub tts_model: String,
    /// The espeak-ng program (a name on PATH or a path).
    #[arg(long, env = "ESPEAK_PATH", default_value = "espeak-ng")]
    pub espeak_path: PathBuf,
    /// The piper program (a name on PATH or a path).
    #[arg(long, env = "PIPER_PATH", default_value = "piper")]
    pub piper_path: PathBuf,
    /// The Piper voice model (.onnx, its .onnx.json beside it); required when TTS_ENGINE=piper.
    #[arg(long, env = "PIPER_MODEL")]
    pub piper_model: Option<PathBuf>,
    /// Seconds one sentence may take to synthesize (a program run or an HTTP request).
    #[arg(long, env = "TTS_TIMEOUT_SECONDS", default_value_t = 60)]
    pub tts_timeout_seconds: u64,
}

impl Default for TtsConfig {
    fn default() -> Self {
        Self {
            tts_engine: TtsEngineKind::Espeak,
            edge_tts_voice: "en-US-JennyNeural".into(),
            edge_tts_rate: "+0%".into(),
            edge_tts_volume: "+0%".into(),
            tts_api_url: "https://api.openai.com/v1".into(),
            tts_api_key: None,
            tts_model: "tts-1".into(),
            espeak_path: "espeak-ng".into(),
            piper_path: "piper".into(),
            piper_model: None,
            tts_timeout_seconds: 60,
        }
    }
}

impl TtsConfig {
    /// Checks what clap's types cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.voice_settings().map_err(|error| match error {
            TtsError::InvalidSetting { name, problem } => ConfigError::invalid(name, problem),
            other => ConfigError::invalid("EDGE_TTS_VOICE", other.to_string()),
        })?;
        if self.tts_timeout_seconds == 0 {
            return Err(ConfigError::invalid(
                "TTS_TIMEOUT_SECONDS",
                "must be at least 1",
            ));
        }
        match self.tts_engine {
            TtsEngineKind::Espeak => {}
            TtsEngineKind::Http => {
                if !(self.tts_api_url.starts_with("https://")
                    || self.tts_api_url.starts_with("http://"))
                {
                    return Err(ConfigError::invalid(
                        "TTS_API_URL",
                        "must be an http(s) URL",
                    ));
                }
                if self.tts_api_key.is_none() {
                    return Err(ConfigError::invalid(
                        "TTS_API_KEY",
                        "is required when TTS_ENGINE=http",
                    ));
                }
                if self.tts_model.trim().is_empty() {
                    return Err(ConfigError::invalid("TTS_MODEL", "must not be empty"));
                }
            }
            TtsEngineKind::Piper => {
                if self.piper_model.is_none() {
                    return Err(ConfigError::invalid(
                        "PIPER_MODEL",
                        "is required when TTS_ENGINE=piper (a voice .onnx file)",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The voice settings `EDGE_TTS_VOICE`, `EDGE_TTS_RATE` and `EDGE_TTS_VOLUME` give.
    pub fn voice_settings(&self) -> Result<VoiceSettings, TtsError> {
        VoiceSettings::parse(
            &self.edge_tts_voice,
            &self.edge_tts_rate,
            &self.edge_tts_volume,
        )
    }

    /// How long one sentence may take.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.tts_timeout_seconds.max(1))
    }

    /// The configured engine.
    pub fn engine(&self) -> Result<Arc<dyn SpeechEngine>, TtsError> {
        Ok(match self.tts_engine {
            TtsEngineKind::Espeak => {
                Arc::new(EspeakEngine::new(self.espeak_path.clone(), self.timeout()))
            }
            TtsEngineKind::Http => {
                let key = self.tts_api_key.clone().ok_or_else(|| {
                    TtsError::Config("TTS_API_KEY is required when TTS_ENGINE=http".into())
                })?;
                Arc::new(HttpTtsEngine::new(
                    &self.tts_api_url,
                    key,
                    &self.tts_model,
                    self.timeout(),
                )?)
            }
            TtsEngineKind::Piper => {
                let model = self.piper_model.clone().ok_or_else(|| {
                    TtsError::Config("PIPER_MODEL is required when TTS_ENGINE=piper".into())
                })?;
                Arc::new(PiperEngine::new(
                    self.piper_path.clone(),
                    model,
                    self.timeout(),
                ))
            }
        })
    }

    /// The settings for `config --print`, the API key redacted.
    pub fn redacted_entries(&self) -> Vec<(&'static str, String)> {
        let path = |path: &std::path::Path| path.display().to_string();
        vec![
            ("TTS_ENGINE", self.tts_engine.as_str().into()),
            ("EDGE_TTS_VOICE", self.edge_tts_voice.clone()),
            ("EDGE_TTS_RATE", self.edge_tts_rate.clone()),
            ("EDGE_TTS_VOLUME", self.edge_tts_volume.clone()),
            ("TTS_API_URL", self.tts_api_url.clone()),
            (
                "TTS_API_KEY",
                self.tts_api_key
                    .as_ref()
                    .map_or("(unset)", |_| "[redacted]")
                    .into(),
            ),
            ("TTS_MODEL", self.tts_model.clone()),
            ("ESPEAK_PATH", path(&self.espeak_path)),
            ("PIPER_PATH", path(&self.piper_path)),
            (
                "PIPER_MODEL",
                self.piper_model
                    .as_deref()
                    .map_or_else(|| "(unset)".into(), path),
            ),
            ("TTS_TIMEOUT_SECONDS", self.tts_timeout_seconds.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        tts: TtsConfig,
    }

    #[test]
    fn command_line_defaults_match_the_default_impl() {
        let parsed = Wrapper::parse_from(["serenade"]).tts;
        assert_eq!(
            parsed.redacted_entries(),
            TtsConfig::default().redacted_entries()
        );
        assert!(parsed.validate().is_ok());
        assert_eq!(parsed.engine().unwrap().name(), "espeak-ng");
        let tuned = Wrapper::parse_from(["serenade", "--edge-tts-rate", "-10%"]).tts;
        assert_eq!(tuned.voice_settings().unwrap().rate_percent, -10);
    }

    #[test]
    fn the_key_is_redacted_and_required_for_http() {
        let mut config = TtsConfig {
            tts_engine: TtsEngineKind::Http,
            ..TtsConfig::default()
        };
        let error = config.validate().unwrap_err().to_string();
        assert!(error.starts_with("TTS_API_KEY"), "{error}");
        config.tts_api_key = Some("sk-secret".into());
        assert!(config.validate().is_ok());
        assert_eq!(config.engine().unwrap().name(), "http");
        let printed = format!("{:?}", config.redacted_entries());
        assert!(!printed.contains("sk-secret"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn bad_voice_strings_and_a_missing_piper_model_are_named() {
        let config = TtsConfig {
            edge_tts_volume: "loud".into(),
            ..TtsConfig::default()
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .starts_with("EDGE_TTS_VOLUME")
        );
        let piper = TtsConfig {
            tts_engine: TtsEngineKind::Piper,
            ..TtsConfig::default()
        };
        assert!(
            piper
                .validate()
                .unwrap_err()
                .to_string()
                .starts_with("PIPER_MODEL")
        );
    }
}
