//! The slideshow's engine kinds: `slideshow.render` (one per job, on a CPU-bound queue;
//! exhaustion fails the job) and `slideshow.expire_uploads` (periodic: uploads no job took
//! within a day are deleted).

use serde::{Deserialize, Serialize};

use super::render;
use super::uploads::expire;
use crate::engine::{ClaimedJob, Job, NewJob, Outcome};
use crate::state::AppState;
use crate::workflows::jobs::store::rows::engine_owner;
use crate::workflows::jobs::store::transitions::JobEnd;

/// The slideshow's queues.
pub mod queues {
    /// Video renders (CPU bound: one at a time per process).
    pub const RENDER: &str = "slideshow.render";
    /// Upload expiry.
    pub const MAINTENANCE: &str = "slideshow.maintenance";
}

/// Attempts at one video.
pub const RENDER_ATTEMPTS: i32 = 3;

pub struct RenderSlideshow;
pub struct ExpireUploads;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlideshowRef {
    pub job_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NoPayload {}

/// The render job of a new slideshow job.
pub fn render_job(job_id: &str, priority: i32) -> NewJob {
    RenderSlideshow::new_job(&SlideshowRef {
        job_id: job_id.to_owned(),
    })
    .owned_by(engine_owner(job_id))
    .unique(format!("{}:{job_id}", RenderSlideshow::KIND))
    .attempts(RENDER_ATTEMPTS)
    .priority(priority)
}

/// One expiry sweep per ten minutes, across processes.
pub fn expiry_schedule(now_ms: i64) -> NewJob {
    ExpireUploads::new_job(&NoPayload {}).periodic(format!("expire_uploads:{}", now_ms / 600_000))
}

impl Job for RenderSlideshow {
    const KIND: &'static str = "slideshow.render";
    const QUEUE: &'static str = queues::RENDER;
    type Context = AppState;
    type Payload = SlideshowRef;

    async fn run(
        &self,
        app: &AppState,
        job: &ClaimedJob,
        payload: SlideshowRef,
    ) -> anyhow::Result<Outcome> {
        render::run(app, job, &payload.job_id).await
    }

    async fn on_exhausted(
        &self,
        app: &AppState,
        job: &ClaimedJob,
        payload: SlideshowRef,
        reason: &str,
    ) -> anyhow::Result<bool> {
        let end = JobEnd::failed("render_failed", reason);
        Ok(app
            .db
            .end_api_job_from_step(job, &payload.job_id, &end, "discarded")
            .await?)
    }
}

impl Job for ExpireUploads {
    const KIND: &'static str = "slideshow.expire_uploads";
    const QUEUE: &'static str = queues::MAINTENANCE;
    type Context = AppState;
    type Payload = NoPayload;

    async fn run(
        &self,
        app: &AppState,
        job: &ClaimedJob,
        _payload: NoPayload,
    ) -> anyhow::Result<Outcome> {
        expire::expire_uploads(app).await?;
        Ok(Outcome::committed(app.db.complete_job(job).await?))
    }
}
