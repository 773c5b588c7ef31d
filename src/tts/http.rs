//! The HTTP engine: an OpenAI-compatible speech API (`POST {base}/v1/audio/speech`, Bearer
//! key, `response_format: "wav"`), one `reqwest::Client` with a timeout, errors classified
//! for the caller (above all "never sent" against "sent, no answer": the latter may have
//! been billed), and only WAV answers accepted — nothing here converts audio.

use std::path::Path;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::engine::{SpeechEngine, SpeechFuture};
use super::error::TtsError;
use super::settings::VoiceSettings;
use super::wav::{Pcm, WavError};
use crate::provider::replicate::parse_retry_after;

/// The largest answer read (a 250-character sentence is well under a megabyte of WAV).
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;
/// Content types a WAV answer may carry (an absent one is accepted too; the bytes decide).
const WAV_CONTENT_TYPES: &[&str] = &[
    "audio/wav",
    "audio/x-wav",
    "audio/wave",
    "audio/vnd.wave",
    "application/octet-stream",
];
/// How much of an error body is read.
const ERROR_BODY_BYTES: usize = 16 * 1024;

/// `POST /v1/audio/speech` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeechRequest {
    pub model: String,
    pub input: String,
    pub voice: String,
    pub response_format: String,
    pub speed: f64,
}

/// OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub message: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub param: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ApiError,
}

/// An OpenAI-compatible speech API as an engine.
#[derive(Debug, Clone)]
pub struct HttpTtsEngine {
    http: reqwest::Client,
    speech_url: String,
    api_key: SecretString,
    model: String,
}

impl HttpTtsEngine {
    /// A client for `api_url` — the origin (`https://api.openai.com`) or the same with
    /// `/v1` — sending `model`, each request limited to `timeout`.
    pub fn new(
        api_url: &str,
        api_key: SecretString,
        model: &str,
        timeout: Duration,
    ) -> Result<Self, TtsError> {
        let base = api_url.trim_end_matches('/');
        let base = base.strip_suffix("/v1").unwrap_or(base);
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(TtsError::Config(format!(
                "TTS_API_URL must be an http(s) URL, not \"{api_url}\""
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(TtsError::NotSent)?;
        Ok(Self {
            http,
            speech_url: format!("{base}/v1/audio/speech"),
            api_key,
            model: model.to_owned(),
        })
    }

    /// The body sent for `text` with `settings`.
    pub fn request(&self, text: &str, settings: &VoiceSettings) -> SpeechRequest {
        SpeechRequest {
            model: self.model.clone(),
            input: text.to_owned(),
            voice: settings.voice.clone(),
            response_format: "wav".to_owned(),
            speed: settings.speed().clamp(0.25, 4.0),
        }
    }

    /// Asks for the speech and returns its samples.
    pub async fn speech(&self, request: &SpeechRequest) -> Result<Pcm, TtsError> {
        let response = self
            .http
            .post(&self.speech_url)
            .header(
                AUTHORIZATION,
                format!("Bearer {}", self.api_key.expose_secret()),
            )
            .json(request)
            .send()
            .await
            .map_err(classify_send_error)?;
        let status = response.status();
        if !status.is_success() {
            return Err(refusal(response).await);
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(|value| value.to_ascii_lowercase());
        if let Some(content_type) = &content_type {
            let essence = content_type.split(';').next().unwrap_or_default().trim();
            if !WAV_CONTENT_TYPES.contains(&essence) {
                return Err(TtsError::NotWav {
                    content_type: content_type.clone(),
                });
            }
        }
        let bytes =
            read_capped(response, MAX_ANSWER_BYTES)
                .await?
                .ok_or(TtsError::AnswerTooLarge {
                    limit: MAX_ANSWER_BYTES,
                })?;
        Pcm::from_wav_bytes(&bytes).map_err(|source| match source {
            WavError::NotWav => TtsError::NotWav {
                content_type: format!(
                    "{} bytes that are not a WAV",
                    content_type.as_deref().unwrap_or("untyped")
                ),
            },
            source => TtsError::BadAudio {
                engine: "http",
                source,
            },
        })
    }

    async fn speak(
        &self,
        text: &str,
        settings: &VoiceSettings,
        out: &Path,
    ) -> Result<Duration, TtsError> {
        settings.validate()?;
        if !text.chars().any(char::is_alphanumeric) {
            return Err(TtsError::NothingToSay);
        }
        let mut pcm = self.speech(&self.request(text, settings)).await?;
        // The API has no volume: it is applied to the samples.
        if settings.volume_percent != 0 {
            let gain = settings.gain();
            for sample in &mut pcm.samples {
                *sample = (f64::from(*sample) * gain)
                    .round()
                    .clamp(f64::from(i16::MIN), f64::from(i16::MAX))
                    as i16;
            }
        }
        pcm.write(out).await?;
        Ok(pcm.duration())
    }
}

impl SpeechEngine for HttpTtsEngine {
    fn name(&self) -> &'static str {
        "http"
    }

    fn synthesize<'a>(
        &'a self,
        text: &'a str,
        settings: &'a VoiceSettings,
        out: &'a Path,
    ) -> SpeechFuture<'a, Duration> {
        Box::pin(self.speak(text, settings, out))
    }
}

fn classify_send_error(error: reqwest::Error) -> TtsError {
    if error.is_connect() || error.is_builder() {
        TtsError::NotSent(error)
    } else {
        TtsError::NoResponse(error)
    }
}

/// The error a non-2xx answer means.
async fn refusal(response: reqwest::Response) -> TtsError {
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let body = read_capped(response, ERROR_BODY_BYTES)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let error = serde_json::from_slice::<ErrorBody>(&body)
        .map(|body| body.error)
        .unwrap_or_else(|_| ApiError {
            message: String::from_utf8_lossy(&body).chars().take(300).collect(),
            ..ApiError::default()
        });
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => TtsError::Unauthorized {
            status: status.as_u16(),
        },
        StatusCode::TOO_MANY_REQUESTS => TtsError::RateLimited { retry_after },
        status if status.is_server_error() => TtsError::Server {
            status: status.as_u16(),
            retry_after,
        },
        status => TtsError::Rejected {
            status: status.as_u16(),
            code: error.code,
            message: error.message.chars().take(500).collect(),
        },
    }
}

/// The body, or `None` when it is longer than `limit`. A body cut short is `NoResponse`.
async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, TtsError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(TtsError::NoResponse)? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(url: &str) -> Result<HttpTtsEngine, TtsError> {
        HttpTtsEngine::new(url, "k".into(), "tts-1", Duration::from_secs(5))
    }

    #[test]
    fn the_base_url_may_carry_v1_or_not() {
        assert_eq!(
            engine("https://api.example.com/").unwrap().speech_url,
            "https://api.example.com/v1/audio/speech"
        );
        assert_eq!(
            engine("http://127.0.0.1:9/v1").unwrap().speech_url,
            "http://127.0.0.1:9/v1/audio/speech"
        );
        assert!(matches!(engine("ftp://x"), Err(TtsError::Config(_))));
    }

    #[test]
    fn the_request_asks_for_wav_at_the_rate_as_speed() {
        let settings = VoiceSettings {
            voice: "alloy".into(),
            rate_percent: 50,
            volume_percent: 0,
        };
        let body =
            serde_json::to_value(engine("http://x").unwrap().request("Hi.", &settings)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "model": "tts-1", "input": "Hi.", "voice": "alloy",
                "response_format": "wav", "speed": 1.5
            })
        );
    }
}
