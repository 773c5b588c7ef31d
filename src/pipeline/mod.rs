//! The durable pipeline: send → reconcile → fetch details → download audio → render video,
//! each a job in the database queue (see `db::jobs`), run by per-lane worker loops, with the
//! provider's concurrency held in slots and its credits gating dispatch.

use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::app::AppState;
use crate::db::jobs::Lane;

pub mod backoff;
pub mod failpoint;
pub mod maintenance;
pub mod outcome;
pub mod pause;
pub mod progress;
pub mod publish;
pub mod runner;
pub mod steps;
pub mod sweep;

/// In-process wake-ups, one per lane: an enqueue or a freed slot runs the next job at once
/// instead of at the next poll.
#[derive(Debug, Default)]
pub struct Wakers {
    dispatch: Notify,
    provider: Notify,
    render: Notify,
    maintenance: Notify,
}

impl Wakers {
    pub fn for_lane(&self, lane: Lane) -> &Notify {
        match lane {
            Lane::Dispatch => &self.dispatch,
            Lane::Provider => &self.provider,
            Lane::Render => &self.render,
            Lane::Maintenance => &self.maintenance,
        }
    }

    pub fn wake(&self, lane: Lane) {
        self.for_lane(lane).notify_one();
    }
}

/// False while dispatch is paused (an account-level refusal) or the last known balance
/// cannot pay for one more song.
pub async fn dispatch_allowed(app: &AppState) -> bool {
    match app.db.provider_pause().await {
        Ok(Some(_)) => return false,
        Ok(None) => {}
        Err(error) => tracing::warn!(error = ?error, "reading the dispatch pause failed"),
    }
    match app.db.credits().await {
        Ok(Some(balance)) => balance.usable() >= app.config.provider.song_credit_cost,
        Ok(None) => true,
        Err(error) => {
            tracing::warn!(error = ?error, "reading credits failed; dispatching anyway");
            true
        }
    }
}

/// Starts every lane and the maintenance loop of one worker process.
pub fn start(
    app: &AppState,
    worker_id: &str,
    shutdown: &CancellationToken,
    tasks: &mut JoinSet<()>,
) {
    let render_concurrency = app.render_concurrency();
    for (lane, concurrency) in [
        (Lane::Dispatch, 4),
        (Lane::Provider, app.config.pipeline.provider_workers),
        (Lane::Render, render_concurrency),
        (Lane::Maintenance, 2),
    ] {
        tasks.spawn(runner::run_lane(
            app.clone(),
            lane,
            concurrency,
            worker_id.to_owned(),
            shutdown.clone(),
        ));
    }
    tasks.spawn(maintenance::run(app.clone(), shutdown.clone()));
}

/// Milliseconds in a duration, saturating.
pub fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
