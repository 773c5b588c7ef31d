//! The jobs API's vocabulary: a job's status and stage, its priority, the dialect (which
//! seed's client created it, so its own routes answer in its own shape), an output's status,
//! and the webhook events a client may ask for.

use serde::{Deserialize, Serialize};

/// Where a job is. Terminal: `succeeded`, `failed`, `canceled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for a provider slot.
    Queued,
    /// At the provider, or its outputs being stored.
    Processing,
    Succeeded,
    Failed,
    Canceled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Processing => "processing",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "queued" => Self::Queued,
            "processing" => Self::Processing,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "canceled" => Self::Canceled,
            _ => return None,
        })
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }
}

/// What a processing job is doing, with the percent shown for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Queued,
    Starting,
    Generating,
    StoringOutputs,
    /// A slideshow's stages, with seed 004's names and percents.
    MediaProcessing,
    AudioGeneration,
    CombiningMedia,
    Uploading,
    Completed,
    Failed,
    Canceled,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Starting => "starting",
            Self::Generating => "generating",
            Self::StoringOutputs => "storing_outputs",
            Self::MediaProcessing => "media_processing",
            Self::AudioGeneration => "audio_generation",
            Self::CombiningMedia => "combining_media",
            Self::Uploading => "uploading",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    /// The progress percent a job reaches on entering this stage.
    pub fn progress(self) -> i32 {
        match self {
            Self::Queued => 0,
            Self::Starting => 10,
            Self::Generating => 30,
            Self::StoringOutputs => 80,
            Self::MediaProcessing => 20,
            Self::AudioGeneration => 40,
            Self::CombiningMedia => 60,
            Self::Uploading => 80,
            Self::Completed | Self::Failed | Self::Canceled => 100,
        }
    }
}

/// Dispatch order at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    #[default]
    Default,
    Low,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Default => "default",
            Self::Low => "low",
        }
    }

    /// The words accepted: ours, and seed 002's queue names.
    pub const WORDS: [&'static str; 7] = [
        "high",
        "default",
        "low",
        "high_priority",
        "normal",
        "medium",
        "low_priority",
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "high" | "high_priority" => Self::High,
            "default" | "normal" | "medium" => Self::Default,
            "low" | "low_priority" => Self::Low,
            _ => return None,
        })
    }

    /// The engine's priority (claimed highest first).
    pub fn engine_priority(self) -> i32 {
        match self {
            Self::High => 10,
            Self::Default => 0,
            Self::Low => -10,
        }
    }
}

/// Whose client created a job: its routes answer in that client's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Canonical,
    Seed001,
    Seed002,
    Seed003,
    Seed004,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Canonical => "canonical",
            Self::Seed001 => "seed001",
            Self::Seed002 => "seed002",
            Self::Seed003 => "seed003",
            Self::Seed004 => "seed004",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "seed001" => Self::Seed001,
            "seed002" => Self::Seed002,
            "seed003" => Self::Seed003,
            "seed004" => Self::Seed004,
            _ => Self::Canonical,
        }
    }
}

/// One output's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStatus {
    /// Known at the provider, not yet in our store.
    Pending,
    Stored,
    Failed,
}

impl OutputStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Stored => "stored",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "stored" => Self::Stored,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// The events a client webhook may subscribe to.
pub const WEBHOOK_EVENTS: [&str; 4] =
    ["job.started", "job.succeeded", "job.failed", "job.canceled"];

/// The event a terminal status sends.
pub fn terminal_event(status: JobStatus) -> Option<&'static str> {
    match status {
        JobStatus::Succeeded => Some("job.succeeded"),
        JobStatus::Failed => Some("job.failed"),
        JobStatus::Canceled => Some("job.canceled"),
        JobStatus::Queued | JobStatus::Processing => None,
    }
}
