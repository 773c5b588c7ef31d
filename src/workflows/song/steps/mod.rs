//! The song's steps, one file per job kind. A step returns an [`Outcome`]; anything
//! unexpected is an error, which the engine treats as a retry. Each step's fenced transition
//! (its submission update, the next job, the completion, in one transaction) is beside it,
//! in `<step>_commit.rs`.

use crate::engine::Outcome;
use crate::provider::client::ProviderError;

pub mod cleanup;
pub mod credits;
pub mod details;
mod details_commit;
pub mod download;
mod download_commit;
pub mod reconcile;
pub mod reconcile_commit;
pub mod render;
mod render_commit;
pub mod send;
pub mod send_commit;

/// A provider fault that costs no attempt, honouring the wait it asks for.
pub fn provider_backoff(error: &ProviderError) -> Outcome {
    Outcome::backoff(format!("{}: {error}", error.code()), error.retry_after())
}
