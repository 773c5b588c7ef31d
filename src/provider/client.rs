//! The Sonauto/Treblo API client: typed requests and responses, one `reqwest::Client` with
//! timeouts, and errors classified for the pipeline — above all, telling "the request never
//! left" (safe to retry) from "no answer came back" (the POST may have been accepted and
//! billed; never retried blindly).

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Statuses after which a generation never changes.
pub const TERMINAL_STATUSES: [&str; 2] = ["SUCCESS", "FAILURE"];

/// `POST /generations/v3` body.
#[derive(Debug, Clone, Serialize)]
pub struct GenerationRequest {
    pub prompt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    pub instrumental: bool,
    pub output_format: &'static str,
    pub output_bit_rate: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

/// `GET /generations/{id}`: the fields the pipeline uses, plus the raw body kept verbatim.
#[derive(Debug, Clone)]
pub struct Generation {
    pub status: String,
    pub song_paths: Vec<String>,
    pub lyrics: Option<String>,
    pub error_message: Option<String>,
    pub raw: String,
}

impl Generation {
    pub fn is_terminal(&self) -> bool {
        TERMINAL_STATUSES.contains(&self.status.as_str())
    }
}

#[derive(Debug, Deserialize)]
struct GenerationBody {
    status: String,
    #[serde(default)]
    song_paths: Option<Vec<String>>,
    #[serde(default)]
    lyrics: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
}

/// `GET /credits/balance`.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Credits {
    #[serde(default)]
    pub num_credits: i64,
    #[serde(default)]
    pub num_credits_payg: i64,
}

#[derive(Debug, Deserialize)]
struct CreatedBody {
    task_id: String,
}

/// A provider call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The connection was never made: the provider cannot have seen the request.
    #[error("could not reach the provider")]
    NotSent(#[source] reqwest::Error),
    /// The request went out but no response came back: it may have been accepted.
    #[error("the provider did not answer")]
    NoResponse(#[source] reqwest::Error),
    #[error("the provider refused the API key ({status})")]
    Unauthorized { status: u16 },
    #[error("the provider account has insufficient credits")]
    InsufficientCredits,
    #[error("the provider rejected the request ({status}): {detail}")]
    Rejected { status: u16, detail: String },
    #[error("the provider is rate limiting us")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the provider failed ({status})")]
    Server {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("the provider does not know this generation")]
    NotFound,
    #[error("the provider answered something unexpected: {0}")]
    Decode(String),
}

impl ProviderError {
    /// Worth trying again later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::NotSent(_)
                | Self::NoResponse(_)
                | Self::RateLimited { .. }
                | Self::Server { .. }
                | Self::Decode(_)
        )
    }

    /// Whether a failed POST may still have created (and billed) a generation: no answer, a
    /// timeout or reset after sending, any 5xx (a gateway can fail after the origin accepted)
    /// or a 2xx whose body had no task id.
    pub fn may_have_been_accepted(&self) -> bool {
        matches!(
            self,
            Self::NoResponse(_) | Self::Decode(_) | Self::Server { .. }
        )
    }

    /// A refusal of our account rather than of one request (a revoked or rotating key):
    /// songs should wait for it to pass, not fail.
    pub fn is_account_refusal(&self) -> bool {
        matches!(self, Self::Unauthorized { .. })
    }

    /// The wait the provider asked for, if any (uncapped; see `engine::backoff`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A stable code for logs, metrics and the submission's error column.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotSent(_) => "provider_unreachable",
            Self::NoResponse(_) => "provider_no_response",
            Self::Unauthorized { .. } => "provider_unauthorized",
            Self::InsufficientCredits => "provider_insufficient_credits",
            Self::Rejected { .. } => "provider_rejected",
            Self::RateLimited { .. } => "provider_rate_limited",
            Self::Server { .. } => "provider_server_error",
            Self::NotFound => "provider_not_found",
            Self::Decode(_) => "provider_bad_response",
        }
    }
}

/// The Sonauto/Treblo API.
#[derive(Debug, Clone)]
pub struct SonautoClient {
    http: reqwest::Client,
    api_url: String,
    api_key: SecretString,
}

impl SonautoClient {
    /// A client for `api_url` (e.g. `https://api.treblo.com/v1`) with a per-request timeout.
    pub fn new(
        api_url: &str,
        api_key: SecretString,
        timeout: Duration,
    ) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ProviderError::NotSent)?;
        Ok(Self {
            http,
            api_url: api_url.trim_end_matches('/').to_owned(),
            api_key,
        })
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.api_key.expose_secret())
    }

    /// Starts a generation; returns its task id.
    pub async fn create_generation(
        &self,
        request: &GenerationRequest,
    ) -> Result<String, ProviderError> {
        let response = self
            .http
            .post(format!("{}/generations/v3", self.api_url))
            .header(AUTHORIZATION, self.bearer())
            .json(request)
            .send()
            .await
            .map_err(classify_send_error)?;
        let body = checked_body(response).await?;
        let created: CreatedBody = serde_json::from_str(&body)
            .map_err(|error| ProviderError::Decode(error.to_string()))?;
        Ok(created.task_id)
    }

    /// The generation as the provider sees it now.
    pub async fn generation(&self, task_id: &str) -> Result<Generation, ProviderError> {
        let response = self
            .http
            .get(format!("{}/generations/{task_id}", self.api_url))
            .header(AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(classify_send_error)?;
        let raw = checked_body(response).await?;
        let body: GenerationBody =
            serde_json::from_str(&raw).map_err(|error| ProviderError::Decode(error.to_string()))?;
        Ok(Generation {
            status: body.status,
            song_paths: body.song_paths.unwrap_or_default(),
            lyrics: body.lyrics,
            error_message: body.error_message,
            raw,
        })
    }

    /// The account's balance.
    pub async fn credits(&self) -> Result<Credits, ProviderError> {
        let response = self
            .http
            .get(format!("{}/credits/balance", self.api_url))
            .header(AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(classify_send_error)?;
        let body = checked_body(response).await?;
        serde_json::from_str(&body).map_err(|error| ProviderError::Decode(error.to_string()))
    }
}

fn classify_send_error(error: reqwest::Error) -> ProviderError {
    if error.is_connect() || error.is_builder() {
        ProviderError::NotSent(error)
    } else {
        ProviderError::NoResponse(error)
    }
}

/// The body of a 2xx response, or the error its status means.
async fn checked_body(response: reqwest::Response) -> Result<String, ProviderError> {
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let body = response.text().await.map_err(ProviderError::NoResponse)?;
    if status.is_success() {
        return Ok(body);
    }
    Err(match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ProviderError::Unauthorized {
            status: status.as_u16(),
        },
        StatusCode::PAYMENT_REQUIRED => ProviderError::InsufficientCredits,
        StatusCode::NOT_FOUND => ProviderError::NotFound,
        StatusCode::TOO_MANY_REQUESTS => ProviderError::RateLimited { retry_after },
        status if status.is_server_error() => ProviderError::Server {
            status: status.as_u16(),
            retry_after,
        },
        status => ProviderError::Rejected {
            status: status.as_u16(),
            detail: error_detail(&body),
        },
    })
}

/// `detail` of a FastAPI-style error body: a string or a list of `{loc, msg}`.
fn error_detail(body: &str) -> String {
    let detail = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|value| value.get("detail").cloned());
    let text = match detail {
        Some(Value::String(text)) => text,
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.get("msg").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("; "),
        _ => body.chars().take(300).collect(),
    };
    text.chars().take(500).collect()
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fastapi_error_details_are_read_in_both_shapes() {
        assert_eq!(
            error_detail(r#"{"detail":"Invalid API key"}"#),
            "Invalid API key"
        );
        let list = r#"{"detail":[{"type":"value_error","loc":["body","tags"],"msg":"Value error, Invalid tags: x"}]}"#;
        assert_eq!(error_detail(list), "Value error, Invalid tags: x");
        assert_eq!(error_detail("oops"), "oops");
    }

    #[test]
    fn only_transient_errors_are_retryable() {
        assert!(ProviderError::RateLimited { retry_after: None }.is_retryable());
        assert!(
            ProviderError::Server {
                status: 503,
                retry_after: None
            }
            .is_retryable()
        );
        assert!(
            !ProviderError::Rejected {
                status: 422,
                detail: String::new()
            }
            .is_retryable()
        );
        assert!(!ProviderError::Unauthorized { status: 401 }.is_retryable());
        assert!(!ProviderError::InsufficientCredits.is_retryable());
    }
}
