//! The queue's row types: a job to insert ([`NewJob`]), a job a worker holds the lease on
//! ([`ClaimedJob`]) as read back, and its error history.

use serde::{Deserialize, Serialize};

/// A job to insert. Built by a job kind (`Job::new_job`), then adjusted.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub queue: &'static str,
    /// The kind's payload as JSON.
    pub payload: String,
    /// An opaque reference to what the job works on (`song:<id>`), for cancelling a
    /// workflow item's waiting jobs and for admission gates.
    pub owner: Option<String>,
    /// Higher runs first among jobs due at the same time.
    pub priority: i32,
    pub delay_ms: i64,
    pub max_attempts: i32,
    /// At most one live (available or running) job per key.
    pub unique_key: Option<String>,
    /// At most one job ever per key (periodic work: one per period).
    pub periodic_key: Option<String>,
}

impl NewJob {
    /// A job of `kind` on `queue` with `payload`, due now, three attempts, no keys.
    pub fn new(kind: &'static str, queue: &'static str, payload: String) -> Self {
        Self {
            kind,
            queue,
            payload,
            owner: None,
            priority: 0,
            delay_ms: 0,
            max_attempts: 3,
            unique_key: None,
            periodic_key: None,
        }
    }

    pub fn owned_by(self, owner: impl Into<String>) -> Self {
        Self {
            owner: Some(owner.into()),
            ..self
        }
    }

    pub fn after_ms(self, delay_ms: i64) -> Self {
        Self { delay_ms, ..self }
    }

    pub fn attempts(self, max_attempts: i32) -> Self {
        Self {
            max_attempts,
            ..self
        }
    }

    pub fn unique(self, key: impl Into<String>) -> Self {
        Self {
            unique_key: Some(key.into()),
            ..self
        }
    }

    pub fn periodic(self, key: impl Into<String>) -> Self {
        Self {
            periodic_key: Some(key.into()),
            ..self
        }
    }

    pub fn priority(self, priority: i32) -> Self {
        Self { priority, ..self }
    }
}

/// A job this worker holds the lease on.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: String,
    pub queue: String,
    pub payload: String,
    pub owner: Option<String>,
    pub attempt: i32,
    pub max_attempts: i32,
    pub claim_token: String,
    errors: String,
}

/// A claimed or expired row as read back.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ClaimedRow {
    id: String,
    kind: String,
    queue: String,
    payload: String,
    owner: Option<String>,
    attempt: i32,
    max_attempts: i32,
    claim_token: Option<String>,
    errors: String,
}

impl ClaimedRow {
    pub(crate) fn into_claimed(self) -> Option<ClaimedJob> {
        Some(ClaimedJob {
            claim_token: self.claim_token?,
            id: self.id,
            kind: self.kind,
            queue: self.queue,
            payload: self.payload,
            owner: self.owner,
            attempt: self.attempt,
            max_attempts: self.max_attempts,
            errors: self.errors,
        })
    }
}

/// One entry of a job's error history (kept as JSON on the row).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobErrorEntry {
    pub attempt: i32,
    pub at: i64,
    pub message: String,
}

/// Most error entries kept per job.
const MAX_ERROR_ENTRIES: usize = 20;

impl ClaimedJob {
    /// The error history as stored.
    pub fn errors(&self) -> &str {
        &self.errors
    }

    /// The error history with one more entry, as JSON.
    pub fn errors_with(&self, message: &str) -> String {
        let mut entries: Vec<JobErrorEntry> =
            serde_json::from_str(&self.errors).unwrap_or_default();
        entries.push(JobErrorEntry {
            attempt: self.attempt,
            at: crate::clock::now_ms(),
            message: message.chars().take(2000).collect(),
        });
        let skip = entries.len().saturating_sub(MAX_ERROR_ENTRIES);
        serde_json::to_string(&entries[skip..]).unwrap_or_else(|_| "[]".into())
    }

    /// Transient faults recorded in a row on this attempt (they refund the attempt, so they
    /// share its number): how far the next backoff has grown.
    pub fn transient_streak(&self) -> u32 {
        let entries: Vec<JobErrorEntry> = serde_json::from_str(&self.errors).unwrap_or_default();
        let streak = entries
            .iter()
            .rev()
            .take_while(|entry| entry.attempt == self.attempt)
            .count();
        u32::try_from(streak).unwrap_or(u32::MAX)
    }

    /// True when this is the last attempt the job is allowed.
    pub fn is_last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}
