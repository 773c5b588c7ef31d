//! The Replicate HTTP client (PROVIDERS.md §2): create, read and cancel predictions, and fetch
//! the account's webhook signing secret; one `reqwest::Client`, Bearer auth, no redirects.

use std::time::Duration;

use reqwest::header::AUTHORIZATION;
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::{ReplicateError, checked_body, classify_send_error};
use super::prediction::Prediction;
use super::request::CreatePrediction;
use crate::webhooks::WebhookSecret;

/// `https://api.replicate.com/v1`.
pub const DEFAULT_API_URL: &str = "https://api.replicate.com/v1";

#[derive(Deserialize)]
struct SecretBody {
    key: String,
}

/// The Replicate API for one account.
#[derive(Debug, Clone)]
pub struct ReplicateClient {
    http: reqwest::Client,
    api_url: Url,
    token: SecretString,
    timeout: Duration,
}

impl ReplicateClient {
    /// A client for `api_url` (e.g. [`DEFAULT_API_URL`]) with a per-request `timeout`; a
    /// `Prefer: wait=N` create gets N seconds more.
    pub fn new(
        api_url: &str,
        token: SecretString,
        timeout: Duration,
    ) -> Result<Self, ReplicateError> {
        let api_url = Url::parse(api_url.trim_end_matches('/'))
            .ok()
            .filter(|url| !url.cannot_be_a_base() && matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| ReplicateError::InvalidRequest(format!("bad API URL {api_url:?}")))?;
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ReplicateError::NotSent)?;
        Ok(Self {
            http,
            api_url,
            token,
            timeout,
        })
    }

    /// Starts a prediction; with `wait_seconds` the answer may already be terminal.
    pub async fn create_prediction(
        &self,
        request: &CreatePrediction,
    ) -> Result<Prediction, ReplicateError> {
        let mut call = self.request(Method::POST, &request.target.path_segments())?;
        let mut timeout = self.timeout;
        if let (Some(prefer), Some(seconds)) =
            (request.prefer_header(), request.clamped_wait_seconds())
        {
            call = call.header("Prefer", prefer);
            timeout += Duration::from_secs(u64::from(seconds));
        }
        self.send(call.timeout(timeout).json(&request.body())).await
    }

    /// The prediction as Replicate sees it now.
    pub async fn prediction(&self, id: &str) -> Result<Prediction, ReplicateError> {
        let call = self.request(Method::GET, &["predictions", id])?;
        self.send(call.timeout(self.timeout)).await
    }

    /// Asks Replicate to cancel; answers the prediction (a finished one stays as it was).
    pub async fn cancel_prediction(&self, id: &str) -> Result<Prediction, ReplicateError> {
        let call = self.request(Method::POST, &["predictions", id, "cancel"])?;
        self.send(call.timeout(self.timeout)).await
    }

    /// The secret Replicate signs this account's webhooks with
    /// (`GET /v1/webhooks/default/secret`).
    pub async fn default_webhook_secret(&self) -> Result<WebhookSecret, ReplicateError> {
        let call = self.request(Method::GET, &["webhooks", "default", "secret"])?;
        let body: SecretBody = self.send(call.timeout(self.timeout)).await?;
        WebhookSecret::parse(&body.key)
            .map_err(|error| ReplicateError::Decode(format!("webhook secret: {error}")))
    }

    /// An authenticated request to the API base plus `segments` (each one escaped).
    fn request(
        &self,
        method: Method,
        segments: &[&str],
    ) -> Result<reqwest::RequestBuilder, ReplicateError> {
        if segments.iter().any(|segment| segment.is_empty()) {
            return Err(ReplicateError::InvalidRequest(
                "an empty path segment".to_owned(),
            ));
        }
        let mut url = self.api_url.clone();
        url.path_segments_mut()
            .map_err(|()| ReplicateError::InvalidRequest("API URL cannot take a path".to_owned()))?
            .pop_if_empty()
            .extend(segments);
        Ok(self.http.request(method, url).header(
            AUTHORIZATION,
            format!("Bearer {}", self.token.expose_secret()),
        ))
    }

    async fn send<T: DeserializeOwned>(
        &self,
        call: reqwest::RequestBuilder,
    ) -> Result<T, ReplicateError> {
        let response = call.send().await.map_err(classify_send_error)?;
        let body = checked_body(response).await?;
        serde_json::from_str(&body).map_err(|error| ReplicateError::Decode(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(api_url: &str) -> Result<ReplicateClient, ReplicateError> {
        ReplicateClient::new(
            api_url,
            "r8_token".to_owned().into(),
            Duration::from_secs(5),
        )
    }

    #[test]
    fn paths_are_joined_and_escaped_under_the_api_base() {
        let client = client("https://api.replicate.com/v1/").unwrap();
        let request = client
            .request(Method::GET, &["predictions", "a/b?c"])
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            request.url().as_str(),
            "https://api.replicate.com/v1/predictions/a%2Fb%3Fc"
        );
        assert_eq!(
            request.headers()[AUTHORIZATION].to_str().unwrap(),
            "Bearer r8_token"
        );
    }

    #[test]
    fn unusable_bases_and_empty_ids_are_refused_before_sending() {
        assert!(matches!(
            client("not a url"),
            Err(ReplicateError::InvalidRequest(_))
        ));
        assert!(matches!(
            client("mailto:x@example.com"),
            Err(ReplicateError::InvalidRequest(_))
        ));
        let client = client("http://127.0.0.1:9/v1").unwrap();
        assert!(matches!(
            client.request(Method::GET, &["predictions", ""]),
            Err(ReplicateError::InvalidRequest(_))
        ));
    }
}
