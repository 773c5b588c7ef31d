//! One fake generation: its request echo, its place in the status timeline, its outcome, and
//! how it renders as the §1.5 generation object and the three webhook bodies.

use std::time::Instant;

use serde_json::{Value, json};

use super::config::{AudioFormat, WebhookBody};

/// A status of the v3 timeline (docs/provider.md, "Statuses"), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Received,
    Prompt,
    TaskSent,
    GenerateTaskStarted,
    BeginningGeneration,
    Generating,
    GeneratingStreamingReady,
    Decompressing,
    Saving,
    Success,
    Failure,
}

impl Status {
    /// The wire name, e.g. `GENERATING`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "RECEIVED",
            Self::Prompt => "PROMPT",
            Self::TaskSent => "TASK_SENT",
            Self::GenerateTaskStarted => "GENERATE_TASK_STARTED",
            Self::BeginningGeneration => "BEGINNING_GENERATION",
            Self::Generating => "GENERATING",
            Self::GeneratingStreamingReady => "GENERATING_STREAMING_READY",
            Self::Decompressing => "DECOMPRESSING",
            Self::Saving => "SAVING",
            Self::Success => "SUCCESS",
            Self::Failure => "FAILURE",
        }
    }

    /// SUCCESS or FAILURE.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Success | Self::Failure)
    }

    /// The statuses after RECEIVED, ending with the terminal one.
    pub fn steps(streaming: bool, terminal: Status) -> Vec<Status> {
        let mut steps = vec![
            Self::Prompt,
            Self::TaskSent,
            Self::GenerateTaskStarted,
            Self::BeginningGeneration,
            Self::Generating,
        ];
        if streaming {
            steps.push(Self::GeneratingStreamingReady);
        }
        steps.extend([Self::Decompressing, Self::Saving, terminal]);
        steps
    }
}

/// The request fields the generation object echoes or acts on.
#[derive(Debug, Clone)]
pub struct Request {
    pub prompt: Option<String>,
    pub prompt_strength: f64,
    pub instrumental: bool,
    pub enable_streaming: bool,
    pub align_lyrics: bool,
    pub webhook_url: Option<String>,
}

/// The state of one accepted generation.
#[derive(Debug, Clone)]
pub struct Generation {
    pub id: String,
    pub created_at: String,
    pub request: Request,
    pub tags: Vec<String>,
    pub lyrics: String,
    pub format: AudioFormat,
    pub status: Status,
    /// How it will end: `None` for SUCCESS, `Some(message)` for FAILURE.
    pub planned_failure: Option<String>,
    /// When it reached SUCCESS, for the CDN's expiry.
    pub finished_at: Option<Instant>,
}

impl Generation {
    /// `pubapi/generations2/audio_{id}_0.{ext}`: the CDN path, relative as the spec's webhook
    /// claims it.
    pub fn relative_song_path(&self) -> String {
        format!(
            "pubapi/generations2/audio_{}_0.{}",
            self.id,
            self.format.extension()
        )
    }

    fn song_paths(&self, public_base_url: &str) -> Vec<String> {
        if self.status == Status::Success {
            vec![format!(
                "{public_base_url}/cdn/{}",
                self.relative_song_path()
            )]
        } else {
            Vec::new()
        }
    }

    fn error_message(&self) -> Option<&str> {
        match self.status {
            Status::Failure => self.planned_failure.as_deref(),
            _ => None,
        }
    }

    /// `null` unless alignment was asked for; then REQUESTED until the song ends, which
    /// decides the alignment too.
    pub fn alignment_status(&self) -> Option<&'static str> {
        if !self.request.align_lyrics || self.request.instrumental {
            return None;
        }
        Some(match self.status {
            Status::Success => "SUCCESS",
            Status::Failure => "FAILURE",
            _ => "REQUESTED",
        })
    }

    /// The full generation object of `GET /v1/generations/{id}` (docs/provider.md, "The calls we make").
    pub fn to_json(&self, public_base_url: &str) -> Value {
        json!({
            "id": self.id,
            "created_at": self.created_at,
            "status": self.status.as_str(),
            "alignment_status": self.alignment_status(),
            "model_version": "v3-preview",
            "song_paths": self.song_paths(public_base_url),
            "error_message": self.error_message(),
            "lyrics": self.lyrics,
            "prompt": self.request.prompt,
            "prompt_strength": self.request.prompt_strength,
            "tags": self.tags,
            "v2_params": null,
            "extend_params": null,
            "inpaint_params": null,
        })
    }

    /// The webhook body for the current status, in the chosen shape.
    pub fn webhook_body(&self, shape: WebhookBody, public_base_url: &str) -> Value {
        match shape {
            WebhookBody::Thin => json!({ "task_id": self.id, "status": self.status.as_str() }),
            WebhookBody::Spec => {
                let mut body = json!({ "task_id": self.id, "status": self.status.as_str() });
                match self.status {
                    Status::Success => {
                        body["song_paths"] = json!([self.relative_song_path()]);
                    }
                    Status::Failure => body["error_message"] = json!(self.error_message()),
                    _ => {}
                }
                body
            }
            WebhookBody::Full => self.to_json(public_base_url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeline_has_streaming_ready_only_when_streaming() {
        let plain = Status::steps(false, Status::Success);
        let streaming = Status::steps(true, Status::Failure);
        assert_eq!(plain.len(), 8);
        assert_eq!(streaming.len(), 9);
        assert!(!plain.contains(&Status::GeneratingStreamingReady));
        assert_eq!(streaming[5], Status::GeneratingStreamingReady);
        assert_eq!(streaming.last(), Some(&Status::Failure));
    }
}
