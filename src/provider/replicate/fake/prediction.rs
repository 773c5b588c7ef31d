//! One fake prediction: what was asked, where it is in `starting → processing → succeeded |
//! failed | canceled`, its PNG outputs, and how it renders as the §2.3 prediction object
//! (input, output and logs removed once its lifetime is over, §2.5).

use std::time::{Duration, Instant};

use crate::provider::demo_images::ImageEncoding;
use axum::body::Bytes;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// A status the fake produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Starting,
    Processing,
    Succeeded,
    Failed,
    Canceled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Processing => "processing",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }
}

/// A `webhook_events_filter` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Start,
    Output,
    Logs,
    Completed,
}

impl Event {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "start" => Some(Self::Start),
            "output" => Some(Self::Output),
            "logs" => Some(Self::Logs),
            "completed" => Some(Self::Completed),
            _ => None,
        }
    }

    /// Replicate's default filter: new outputs and the end.
    pub const DEFAULT: [Event; 2] = [Self::Output, Self::Completed];
}

/// Where and what to call back.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// Queue of the prediction's delivery task: bodies in event order.
    pub deliveries: mpsc::UnboundedSender<Bytes>,
    pub events: Vec<Event>,
}

/// One accepted prediction.
#[derive(Debug, Clone)]
pub struct FakePrediction {
    pub id: String,
    pub model: String,
    pub version: String,
    pub input: Value,
    pub prompt: String,
    pub num_outputs: u32,
    pub status: Status,
    pub logs: String,
    /// PNG bytes of each output, once ready.
    pub outputs: Vec<Bytes>,
    pub error: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub created: Instant,
    pub started: Option<Instant>,
    pub completed: Option<Instant>,
    pub webhook: Option<WebhookTarget>,
    /// How it will end: `None` for success, `Some(error)` for failure.
    pub planned_failure: Option<String>,
}

impl FakePrediction {
    /// True once the lifetime after completion is over: outputs, input and logs are gone.
    pub fn data_removed(&self, ttl: Duration) -> bool {
        self.completed.is_some_and(|at| at.elapsed() >= ttl)
    }

    /// The encoding the input's `output_format` asks for (`jpg`/`jpeg`, else PNG).
    pub fn encoding(&self) -> ImageEncoding {
        self.input
            .get("output_format")
            .and_then(Value::as_str)
            .and_then(ImageEncoding::parse)
            .unwrap_or(ImageEncoding::Png)
    }

    /// `/files/{id}/out-{index}.{png|jpg}`.
    pub fn output_path(&self, index: usize) -> String {
        format!(
            "/files/{}/out-{index}.{}",
            self.id,
            self.encoding().extension()
        )
    }

    /// The prediction object, with absolute URLs under `base_url`.
    pub fn to_json(&self, base_url: &str, ttl: Duration) -> Value {
        let removed = self.data_removed(ttl);
        let output = if removed || self.outputs.is_empty() {
            Value::Null
        } else {
            let urls: Vec<String> = (0..self.outputs.len())
                .map(|index| format!("{base_url}{}", self.output_path(index)))
                .collect();
            json!(urls)
        };
        let get = format!("{base_url}/v1/predictions/{}", self.id);
        let mut body = json!({
            "id": self.id,
            "model": self.model,
            "version": self.version,
            "input": if removed { json!({}) } else { self.input.clone() },
            "logs": if removed { Value::Null } else { json!(self.logs) },
            "output": output,
            "data_removed": removed,
            "error": self.error,
            "status": self.status.as_str(),
            "created_at": self.created_at,
            "deadline": null,
            "deployment": null,
            "urls": {
                "cancel": format!("{get}/cancel"),
                "get": get,
                "web": format!("{base_url}/p/{}", self.id),
            },
        });
        if let Some(started_at) = &self.started_at {
            body["started_at"] = json!(started_at);
        }
        if let Some(completed_at) = &self.completed_at {
            body["completed_at"] = json!(completed_at);
            body["metrics"] = self.metrics();
        }
        body
    }

    fn metrics(&self) -> Value {
        let seconds = |from: Option<Instant>| match (from, self.completed) {
            (Some(from), Some(to)) => to.saturating_duration_since(from).as_secs_f64(),
            _ => 0.0,
        };
        json!({
            "predict_time": seconds(self.started),
            "total_time": seconds(Some(self.created)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finished() -> FakePrediction {
        let now = Instant::now();
        FakePrediction {
            id: "abc".to_owned(),
            model: "fake/image".to_owned(),
            version: "hidden".to_owned(),
            input: json!({"prompt": "a red fox"}),
            prompt: "a red fox".to_owned(),
            num_outputs: 2,
            status: Status::Succeeded,
            logs: "done\n".to_owned(),
            outputs: vec![Bytes::from_static(b"png0"), Bytes::from_static(b"png1")],
            error: None,
            created_at: "2026-01-01T00:00:00.000000Z".to_owned(),
            started_at: Some("2026-01-01T00:00:01.000000Z".to_owned()),
            completed_at: Some("2026-01-01T00:00:03.000000Z".to_owned()),
            created: now,
            started: Some(now),
            completed: Some(now),
            webhook: None,
            planned_failure: None,
        }
    }

    #[test]
    fn a_finished_prediction_lists_its_output_urls() {
        let body = finished().to_json("http://fake", Duration::from_secs(60));
        assert_eq!(
            body["output"],
            json!([
                "http://fake/files/abc/out-0.png",
                "http://fake/files/abc/out-1.png"
            ])
        );
        assert_eq!(
            body["urls"]["cancel"],
            "http://fake/v1/predictions/abc/cancel"
        );
        assert_eq!(body["data_removed"], false);
        assert!(body["metrics"]["predict_time"].is_number());
    }

    #[test]
    fn after_its_lifetime_data_is_removed() {
        let body = finished().to_json("http://fake", Duration::ZERO);
        assert_eq!(body["data_removed"], true);
        assert_eq!(body["output"], Value::Null);
        assert_eq!(body["input"], json!({}));
        assert_eq!(body["logs"], Value::Null);
        assert_eq!(body["status"], "succeeded");
    }
}
