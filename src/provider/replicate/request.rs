//! What a create-prediction call sends (PROVIDERS.md §2.2): the endpoint chosen by what runs
//! the model (a pinned version, an official model or a deployment), the JSON body, and the
//! optional `Prefer: wait=N` sync mode.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest `Prefer: wait` Replicate honours, in seconds.
pub const MAX_WAIT_SECONDS: u8 = 60;

/// The webhook events a prediction can report (`webhook_events_filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookEvent {
    /// The prediction started (always sent when asked for).
    Start,
    /// New output (throttled to one per 500 ms).
    Output,
    /// New logs (throttled to one per 500 ms).
    Logs,
    /// A terminal status (always sent when asked for).
    Completed,
}

/// What runs the prediction, which decides the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PredictionTarget {
    /// `POST /v1/predictions` with `version`: `{64-hex}`, `{owner}/{name}:{64-hex}`, or
    /// `{owner}/{name}` for official models.
    Version(String),
    /// `POST /v1/models/{owner}/{name}/predictions`: an official model, no version.
    Model { owner: String, name: String },
    /// `POST /v1/deployments/{owner}/{name}/predictions`: one of the account's deployments.
    Deployment { owner: String, name: String },
}

impl PredictionTarget {
    /// An official model, e.g. `PredictionTarget::model("black-forest-labs", "flux-schnell")`.
    pub fn model(owner: impl Into<String>, name: impl Into<String>) -> Self {
        Self::Model {
            owner: owner.into(),
            name: name.into(),
        }
    }

    /// The path segments after the API base.
    pub(super) fn path_segments(&self) -> Vec<&str> {
        match self {
            Self::Version(_) => vec!["predictions"],
            Self::Model { owner, name } => vec!["models", owner, name, "predictions"],
            Self::Deployment { owner, name } => vec!["deployments", owner, name, "predictions"],
        }
    }
}

/// One create-prediction call.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatePrediction {
    pub target: PredictionTarget,
    /// The model's own input object.
    pub input: Value,
    /// Where Replicate POSTs the prediction on each event (it follows no redirect).
    pub webhook: Option<String>,
    /// Which events reach `webhook`; `None` means Replicate's default (outputs and the end).
    pub webhook_events_filter: Option<Vec<WebhookEvent>>,
    /// Seconds to hold the request for a result (`Prefer: wait=N`, clamped to 1..=60).
    pub wait_seconds: Option<u8>,
}

impl CreatePrediction {
    /// A call with `input` and nothing optional.
    pub fn new(target: PredictionTarget, input: Value) -> Self {
        Self {
            target,
            input,
            webhook: None,
            webhook_events_filter: None,
            wait_seconds: None,
        }
    }

    /// The sync-mode wait actually asked for, clamped to what Replicate honours.
    pub(super) fn clamped_wait_seconds(&self) -> Option<u8> {
        self.wait_seconds
            .map(|seconds| seconds.clamp(1, MAX_WAIT_SECONDS))
    }

    /// The `Prefer` header value, if sync mode is asked for.
    pub(super) fn prefer_header(&self) -> Option<String> {
        self.clamped_wait_seconds()
            .map(|seconds| format!("wait={seconds}"))
    }

    /// The JSON body.
    pub(super) fn body(&self) -> CreateBody<'_> {
        CreateBody {
            version: match &self.target {
                PredictionTarget::Version(version) => Some(version),
                _ => None,
            },
            input: &self.input,
            webhook: self.webhook.as_deref(),
            webhook_events_filter: self.webhook_events_filter.as_deref(),
        }
    }
}

/// The wire form of [`CreatePrediction`].
#[derive(Debug, Serialize)]
pub(super) struct CreateBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    input: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_events_filter: Option<&'a [WebhookEvent]>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_model_call_has_no_version_and_only_the_options_set() {
        let mut call = CreatePrediction::new(
            PredictionTarget::model("black-forest-labs", "flux-schnell"),
            json!({"prompt": "a cat", "num_outputs": 2}),
        );
        assert_eq!(
            serde_json::to_value(call.body()).unwrap(),
            json!({"input": {"prompt": "a cat", "num_outputs": 2}})
        );
        call.webhook = Some("https://example.com/hook".to_owned());
        call.webhook_events_filter = Some(vec![WebhookEvent::Start, WebhookEvent::Completed]);
        assert_eq!(
            serde_json::to_value(call.body()).unwrap(),
            json!({"input": {"prompt": "a cat", "num_outputs": 2},
                   "webhook": "https://example.com/hook",
                   "webhook_events_filter": ["start", "completed"]})
        );
        assert_eq!(
            call.target.path_segments(),
            ["models", "black-forest-labs", "flux-schnell", "predictions"]
        );
    }

    #[test]
    fn a_version_call_posts_to_predictions_with_its_version() {
        let call = CreatePrediction::new(
            PredictionTarget::Version("owner/name:abc".to_owned()),
            json!({}),
        );
        assert_eq!(call.target.path_segments(), ["predictions"]);
        assert_eq!(
            serde_json::to_value(call.body()).unwrap()["version"],
            "owner/name:abc"
        );
    }

    #[test]
    fn the_wait_is_clamped_to_what_replicate_honours() {
        let mut call = CreatePrediction::new(PredictionTarget::model("o", "n"), json!({}));
        assert_eq!(call.prefer_header(), None);
        call.wait_seconds = Some(5);
        assert_eq!(call.prefer_header().as_deref(), Some("wait=5"));
        call.wait_seconds = Some(0);
        assert_eq!(call.prefer_header().as_deref(), Some("wait=1"));
        call.wait_seconds = Some(200);
        assert_eq!(call.prefer_header().as_deref(), Some("wait=60"));
    }
}
