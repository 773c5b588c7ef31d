//! The step each job kind runs. A step returns a [`StepOutcome`]; anything unexpected is an
//! error, which the runner treats as a retry.

use crate::app::AppState;
use crate::db::jobs::{ClaimedJob, JobKind};
use crate::pipeline::outcome::StepOutcome;

mod cleanup;
mod credits;
mod details;
mod download;
mod reconcile;
mod render;
mod send;

pub use cleanup::clean_expired_files;
pub use send::refresh_credits_now;

/// Runs the step of `job`'s kind.
pub async fn run(app: AppState, job: ClaimedJob) -> anyhow::Result<StepOutcome> {
    crate::pipeline::failpoint::pause_if_armed(job.kind).await;
    match job.kind {
        JobKind::Send => send::run(&app, &job).await,
        JobKind::Reconcile => reconcile::run(&app, &job).await,
        JobKind::FetchDetails => details::run(&app, &job).await,
        JobKind::DownloadAudio => download::run(&app, &job).await,
        JobKind::RenderVideo => render::run(&app, &job).await,
        JobKind::RefreshCredits => credits::run(&app, &job).await,
        JobKind::Cleanup => cleanup::run(&app, &job).await,
    }
}
