//! What each song job kind runs, and that a step whose work cannot go on fails its
//! submission (`on_exhausted`); the maintenance kinds just end; the periodic schedule.

use super::kinds::queues::{DISPATCH, MAINTENANCE, PROVIDER, RENDER};
use super::kinds::{
    Cleanup, DownloadAudio, FetchDetails, NoPayload, Reconcile, RefreshCredits, RenderVideo, Send,
    SubmissionRef,
};
use super::steps;
use crate::domain::timestamp::rfc3339_from_ms;
use crate::engine::{ClaimedJob, Job, NewJob, Outcome, millis};
use crate::state::AppState;

/// Fails the submission of a step whose work cannot go on.
async fn fail_submission(
    app: &AppState,
    job: &ClaimedJob,
    payload: &SubmissionRef,
    reason: &str,
) -> anyhow::Result<bool> {
    Ok(app
        .db
        .fail_submission(job, payload.submission_id.as_str(), reason, false)
        .await?)
}

/// Declares a step kind: its name, queue, step function and whether a lost lease lets it
/// finish.
macro_rules! song_step {
    ($name:ident, $kind:literal, $queue:expr, $run:path, $finish:literal) => {
        impl Job for $name {
            const KIND: &'static str = $kind;
            const QUEUE: &'static str = $queue;
            const FINISH_AFTER_LEASE_LOSS: bool = $finish;
            type Context = AppState;
            type Payload = SubmissionRef;

            async fn run(
                &self,
                app: &AppState,
                job: &ClaimedJob,
                payload: SubmissionRef,
            ) -> anyhow::Result<Outcome> {
                $run(app, job, &payload.submission_id).await
            }

            async fn on_exhausted(
                &self,
                app: &AppState,
                job: &ClaimedJob,
                payload: SubmissionRef,
                reason: &str,
            ) -> anyhow::Result<bool> {
                fail_submission(app, job, &payload, reason).await
            }
        }
    };
}

song_step!(Send, "send", DISPATCH, steps::send::run, true);
song_step!(
    Reconcile,
    "reconcile",
    PROVIDER,
    steps::reconcile::run,
    false
);
song_step!(
    FetchDetails,
    "fetch_details",
    PROVIDER,
    steps::details::run,
    false
);
song_step!(
    DownloadAudio,
    "download_audio",
    PROVIDER,
    steps::download::run,
    false
);
song_step!(
    RenderVideo,
    "render_video",
    RENDER,
    steps::render::run,
    false
);

impl Job for RefreshCredits {
    const KIND: &'static str = "refresh_credits";
    const QUEUE: &'static str = MAINTENANCE;
    type Context = AppState;
    type Payload = NoPayload;

    async fn run(&self, app: &AppState, job: &ClaimedJob, _: NoPayload) -> anyhow::Result<Outcome> {
        steps::credits::run(app, job).await
    }
}

impl Job for Cleanup {
    const KIND: &'static str = "cleanup";
    const QUEUE: &'static str = MAINTENANCE;
    type Context = AppState;
    type Payload = NoPayload;

    async fn run(&self, app: &AppState, job: &ClaimedJob, _: NoPayload) -> anyhow::Result<Outcome> {
        steps::cleanup::run(app, job).await
    }
}

/// This period's credit refresh and today's cleanup (one of each ever, across processes).
pub fn periodic(app: &AppState, now: i64) -> Vec<NewJob> {
    let period = millis(app.config.provider.credits_refresh()).max(1);
    let day = rfc3339_from_ms(now).chars().take(10).collect::<String>();
    vec![
        RefreshCredits::new_job(&NoPayload {}).periodic(format!("credits:{}", now / period)),
        Cleanup::new_job(&NoPayload {}).periodic(format!("cleanup:{day}")),
    ]
}
