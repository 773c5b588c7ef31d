//! What one webhook event is: the `jobs.webhook` engine job that carries it (queued by the
//! jobs store in the same transaction as the change it reports) and its payload — the event's
//! `webhook-id`, type, job, key and the URL it goes to.

use serde::{Deserialize, Serialize};

use crate::engine::NewJob;
use crate::workflows::jobs::store::rows::JobRow;

/// Job kind and queue of a delivery.
pub const KIND: &str = "jobs.webhook";
pub const QUEUE: &str = "jobs.webhooks";
/// Attempts per event before it is given up (recorded on the job either way).
pub const MAX_ATTEMPTS: i32 = 8;

/// What one delivery job sends.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebhookEventPayload {
    /// The `webhook-id`: stable across retries, so the client can drop repeats.
    pub event_id: String,
    pub event_type: String,
    pub job_id: String,
    pub key_id: String,
    pub url: String,
}

/// The engine owner of a job's deliveries: not the job's own (`job:<id>`), so cancelling the
/// job's waiting work never drops its `job.canceled` event.
pub fn owner(job_id: &str) -> String {
    format!("webhook:{job_id}")
}

/// The delivery job of `event_type` for `job`, if its client asked for a webhook and for
/// this event.
pub fn event_job(job: &JobRow, event_type: &str) -> Option<NewJob> {
    let url = job.webhook_url.as_deref()?;
    let events = job.webhook_events();
    if !events.is_empty() && !events.iter().any(|event| event == event_type) {
        return None;
    }
    let payload = WebhookEventPayload {
        event_id: format!("msg_{}", cuid2::create_id()),
        event_type: event_type.to_owned(),
        job_id: job.id.clone(),
        key_id: job.key_id.clone(),
        url: url.to_owned(),
    };
    let body = serde_json::to_string(&payload).ok()?;
    Some(
        NewJob::new(KIND, QUEUE, body)
            .owned_by(owner(&job.id))
            .attempts(MAX_ATTEMPTS),
    )
}
