//! What a step asks the runner to do with its job once it returns.

use std::time::Duration;

/// The end of one step attempt.
#[derive(Debug)]
pub enum StepOutcome {
    /// The step committed its own fenced completion.
    Done,
    /// Try again after the backoff (or `after`, if longer); spends the attempt.
    Retry {
        error: String,
        after: Option<Duration>,
    },
    /// A transient fault outside the step's control (the provider unreachable, busy or
    /// silent; the database briefly away): try again after a growing backoff (or `after`,
    /// capped, if longer) **without** spending an attempt. The error is kept in the job's
    /// history.
    Backoff {
        error: String,
        after: Option<Duration>,
    },
    /// Not now, and not a failure (no slot, low credits, waiting on the provider).
    Snooze(Duration),
    /// The submission cannot succeed.
    Fail {
        reason: String,
        provider_reported: bool,
    },
    /// Another worker owns the job now; change nothing.
    LeaseLost,
}

impl StepOutcome {
    pub fn retry(error: impl std::fmt::Display) -> Self {
        Self::Retry {
            error: error.to_string(),
            after: None,
        }
    }

    /// A [`StepOutcome::Backoff`] for `error`, honouring the wait it asks for.
    pub fn backoff(error: &crate::provider::client::ProviderError) -> Self {
        Self::Backoff {
            error: format!("{}: {error}", error.code()),
            after: error.retry_after(),
        }
    }

    pub fn fail(reason: impl Into<String>) -> Self {
        Self::Fail {
            reason: reason.into(),
            provider_reported: false,
        }
    }

    /// `Done` when a fenced completion went through, `LeaseLost` when it did not.
    pub fn committed(applied: bool) -> Self {
        if applied { Self::Done } else { Self::LeaseLost }
    }
}
