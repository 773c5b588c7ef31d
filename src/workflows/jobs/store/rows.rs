//! The rows of `api_jobs` and `api_job_outputs` as read, and a job as created.

use sqlx::FromRow;

use crate::workflows::jobs::model::{Dialect, JobStatus, OutputStatus, Priority};

/// One job as stored.
#[derive(Debug, Clone, FromRow)]
pub struct JobRow {
    pub number: i64,
    pub id: String,
    pub key_id: String,
    pub user_id: Option<String>,
    pub kind: String,
    pub model: String,
    pub prompt: String,
    pub parameters: String,
    pub num_outputs: i32,
    pub seed: Option<i64>,
    pub output_format: String,
    pub priority: String,
    pub max_retries: i32,
    pub metadata: String,
    pub webhook_url: Option<String>,
    pub webhook_events: Option<String>,
    pub dialect: String,
    pub status: String,
    pub stage: String,
    pub progress: i32,
    pub attempts: i32,
    pub provider: Option<String>,
    pub prediction_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub idempotency_key: Option<String>,
    pub request_hash: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
}

/// The columns of [`JobRow`], for `concat!`.
macro_rules! job_columns {
    () => {
        "number, id, key_id, user_id, kind, model, prompt, parameters, num_outputs, seed, \
         output_format, priority, max_retries, metadata, webhook_url, webhook_events, dialect, \
         status, stage, progress, attempts, provider, prediction_id, error_code, error_message, \
         idempotency_key, request_hash, created_at, updated_at, started_at, completed_at"
    };
}
pub(crate) use job_columns;

impl JobRow {
    pub fn status(&self) -> JobStatus {
        JobStatus::parse(&self.status).unwrap_or(JobStatus::Queued)
    }

    pub fn dialect(&self) -> Dialect {
        Dialect::parse(&self.dialect)
    }

    pub fn priority(&self) -> Priority {
        Priority::parse(&self.priority).unwrap_or_default()
    }

    pub fn parameters(&self) -> serde_json::Value {
        serde_json::from_str(&self.parameters).unwrap_or_default()
    }

    pub fn metadata(&self) -> serde_json::Value {
        serde_json::from_str(&self.metadata).unwrap_or_default()
    }

    /// The webhook events the client asked for (all of them when it named none).
    pub fn webhook_events(&self) -> Vec<String> {
        self.webhook_events
            .as_deref()
            .map(|events| {
                events
                    .split(',')
                    .filter(|event| !event.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The job's owner on the engine's `jobs` rows.
    pub fn engine_owner(&self) -> String {
        engine_owner(&self.id)
    }
}

/// The engine `owner` of a jobs-API job's work.
pub fn engine_owner(job_id: &str) -> String {
    format!("job:{job_id}")
}

/// One output as stored.
#[derive(Debug, Clone, FromRow)]
pub struct OutputRow {
    pub job_id: String,
    pub idx: i32,
    pub status: String,
    pub source_url: String,
    pub object_key: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub error_message: Option<String>,
    pub attempts: i32,
    pub stored_at: Option<i64>,
}

impl OutputRow {
    pub fn status(&self) -> OutputStatus {
        OutputStatus::parse(&self.status)
    }
}

/// A job to create.
#[derive(Debug, Clone)]
pub struct NewJobRecord {
    pub id: String,
    pub key_id: String,
    pub user_id: Option<String>,
    pub kind: String,
    pub model: String,
    pub prompt: String,
    pub parameters: String,
    pub num_outputs: i32,
    pub seed: Option<i64>,
    pub output_format: String,
    pub priority: Priority,
    pub max_retries: i32,
    pub metadata: String,
    pub webhook_url: Option<String>,
    pub webhook_events: Option<String>,
    pub dialect: Dialect,
    pub idempotency_key: Option<String>,
    pub request_hash: String,
    pub created_at: i64,
    /// Uploaded images the job takes (they then never expire); each must be the key's own,
    /// unclaimed and unexpired.
    pub claimed_uploads: Vec<String>,
}
