//! What a job asks the runner to do with it once its `run` returns.

use std::time::Duration;

/// The end of one attempt.
#[derive(Debug)]
pub enum Outcome {
    /// The job committed its own fenced completion.
    Done,
    /// Try again after the backoff (or `after`, if longer); spends the attempt. The last
    /// attempt's retry hands the job to its kind's `on_exhausted`.
    Retry {
        error: String,
        after: Option<Duration>,
    },
    /// A transient fault outside the job's control (a remote service unreachable, busy or
    /// silent; the database briefly away): try again after a growing backoff (or `after`,
    /// capped, if longer) **without** spending an attempt. The error is kept in the history.
    Backoff {
        error: String,
        after: Option<Duration>,
    },
    /// Not now, and not a failure (not admitted, waiting on someone else).
    Snooze(Duration),
    /// The work cannot succeed: the kind's `on_exhausted` ends it with `reason`.
    Fail { reason: String },
    /// Another worker owns the job now; change nothing.
    LeaseLost,
}

impl Outcome {
    pub fn retry(error: impl std::fmt::Display) -> Self {
        Self::Retry {
            error: error.to_string(),
            after: None,
        }
    }

    pub fn backoff(error: impl std::fmt::Display, after: Option<Duration>) -> Self {
        Self::Backoff {
            error: error.to_string(),
            after,
        }
    }

    pub fn fail(reason: impl Into<String>) -> Self {
        Self::Fail {
            reason: reason.into(),
        }
    }

    /// `Done` when a fenced completion went through, `LeaseLost` when it did not.
    pub fn committed(applied: bool) -> Self {
        if applied { Self::Done } else { Self::LeaseLost }
    }

    /// A short label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Retry { .. } => "retry",
            Self::Backoff { .. } => "backoff",
            Self::Snooze(_) => "snooze",
            Self::Fail { .. } => "fail",
            Self::LeaseLost => "lease_lost",
        }
    }
}
