//! The Replicate prediction object (PROVIDERS.md §2.3) as `GET /v1/predictions/{id}` and every
//! webhook body carry it: its status machine and its output read as a list of file URLs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a prediction is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PredictionStatus {
    /// Queued or booting a worker (a cold boot can last minutes).
    Starting,
    /// The model is running.
    Processing,
    /// Finished with `output`.
    Succeeded,
    /// Finished with `error`.
    Failed,
    /// Cancelled by a request or by a `Cancel-After` deadline hit while running.
    Canceled,
    /// A `Cancel-After` deadline passed before it started (missing from the SDK's enum).
    Aborted,
    /// A status this client does not know yet; treated as still in progress.
    #[serde(other)]
    Unknown,
}

impl PredictionStatus {
    /// Succeeded, failed, canceled or aborted: it will never change again.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::Failed | Self::Canceled | Self::Aborted
        )
    }

    /// The wire name, e.g. `processing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Processing => "processing",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
            Self::Aborted => "aborted",
            Self::Unknown => "unknown",
        }
    }
}

/// The API links of a prediction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictionUrls {
    #[serde(default)]
    pub get: Option<String>,
    #[serde(default)]
    pub cancel: Option<String>,
    #[serde(default)]
    pub web: Option<String>,
    /// Present only for models that stream (server-sent events).
    #[serde(default)]
    pub stream: Option<String>,
}

/// One prediction. Fields the API marks optional are `Option`; `output` stays raw JSON
/// because its shape belongs to the model (see [`Prediction::output_urls`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub id: String,
    pub status: PredictionStatus,
    #[serde(default)]
    pub model: String,
    /// A 64-hex version id, or `hidden` for official models.
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub input: Value,
    #[serde(default)]
    pub output: Value,
    /// The failure message (a string on the wire; kept raw in case it is not).
    #[serde(default)]
    pub error: Option<Value>,
    #[serde(default)]
    pub logs: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
    /// True once input, output and logs were deleted (an hour after creation by default).
    #[serde(default)]
    pub data_removed: bool,
    /// The `Cancel-After` deadline, when one was set.
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub urls: PredictionUrls,
    /// `predict_time`, `total_time` and model-specific extras, on terminal predictions.
    #[serde(default)]
    pub metrics: Option<Value>,
}

impl Prediction {
    /// See [`PredictionStatus::is_terminal`].
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }

    /// The output as file URLs: a single URL string, or the strings of an array of them.
    /// Anything else (null, an object, numbers) yields none; non-string items are skipped.
    pub fn output_urls(&self) -> Vec<String> {
        match &self.output {
            Value::String(url) => vec![url.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The failure message, if the prediction carries one.
    pub fn error_message(&self) -> Option<String> {
        match self.error.as_ref()? {
            Value::Null => None,
            Value::String(message) => Some(message.clone()),
            other => Some(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The documented example object (§2.3).
    fn documented_example() -> Value {
        json!({
            "id": "gm3qorzdhgbfurvjtvhg6dckhu",
            "model": "replicate/hello-world",
            "version": "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
            "input": {"text": "Alice"},
            "logs": "",
            "output": "hello Alice",
            "error": null,
            "status": "succeeded",
            "created_at": "2023-09-08T16:19:34.765994Z",
            "started_at": "2023-09-08T16:19:34.779176Z",
            "completed_at": "2023-09-08T16:19:34.791859Z",
            "data_removed": false,
            "deadline": null,
            "deployment": null,
            "metrics": {"predict_time": 0.012683, "total_time": 0.026},
            "urls": {
                "web": "https://replicate.com/p/gm3qorzdhgbfurvjtvhg6dckhu",
                "get": "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu",
                "cancel": "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel"
            }
        })
    }

    #[test]
    fn the_documented_example_decodes() {
        let prediction: Prediction = serde_json::from_value(documented_example()).unwrap();
        assert_eq!(prediction.id, "gm3qorzdhgbfurvjtvhg6dckhu");
        assert_eq!(prediction.status, PredictionStatus::Succeeded);
        assert!(prediction.is_terminal());
        assert_eq!(prediction.output_urls(), ["hello Alice"]);
        assert_eq!(prediction.error_message(), None);
        assert!(prediction.urls.cancel.unwrap().ends_with("/cancel"));
        assert_eq!(prediction.urls.stream, None);
    }

    #[test]
    fn output_is_read_as_a_string_or_a_list_of_urls() {
        let mut body = documented_example();
        body["output"] = json!([
            "https://replicate.delivery/a/out-0.png",
            7,
            "https://x/out-1.png"
        ]);
        let prediction: Prediction = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(
            prediction.output_urls(),
            [
                "https://replicate.delivery/a/out-0.png",
                "https://x/out-1.png"
            ]
        );
        for nothing in [json!(null), json!({"text": "x"}), json!(3)] {
            body["output"] = nothing;
            let prediction: Prediction = serde_json::from_value(body.clone()).unwrap();
            assert!(prediction.output_urls().is_empty());
        }
    }

    #[test]
    fn every_status_decodes_and_unknown_ones_are_in_progress() {
        let mut body = documented_example();
        for (wire, terminal) in [
            ("starting", false),
            ("processing", false),
            ("succeeded", true),
            ("failed", true),
            ("canceled", true),
            ("aborted", true),
            ("warming_up", false),
        ] {
            body["status"] = json!(wire);
            let prediction: Prediction = serde_json::from_value(body.clone()).unwrap();
            assert_eq!(prediction.is_terminal(), terminal, "{wire}");
            if prediction.status != PredictionStatus::Unknown {
                assert_eq!(prediction.status.as_str(), wire);
            }
        }
    }

    #[test]
    fn a_minimal_starting_prediction_decodes_and_failures_carry_their_error() {
        let starting: Prediction =
            serde_json::from_value(json!({"id": "abc", "status": "starting"})).unwrap();
        assert_eq!(starting.status, PredictionStatus::Starting);
        assert!(starting.output.is_null());
        assert!(!starting.data_removed);
        let failed: Prediction = serde_json::from_value(
            json!({"id": "abc", "status": "failed", "error": "CUDA out of memory"}),
        )
        .unwrap();
        assert_eq!(
            failed.error_message().as_deref(),
            Some("CUDA out of memory")
        );
    }
}
