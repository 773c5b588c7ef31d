//! The song's job kinds and what they carry: one kind per step, each with the submission it
//! works on as payload and owned by `song:<id>`; the maintenance kinds carry nothing. The
//! kinds' `Job` implementations (what each runs, and that exhaustion fails the submission) are
//! in `jobs`; steps name the next step's kind from here.

use serde::{Deserialize, Serialize};

use crate::domain::ids::SessionId;
use crate::engine::{Job, NewJob};

/// The song's queues.
pub mod queues {
    /// Provider POSTs; claimed only while a provider slot is free and dispatch is allowed.
    pub const DISPATCH: &str = "dispatch";
    /// Provider reads and downloads (I/O bound).
    pub const PROVIDER: &str = "provider";
    /// Video renders (CPU bound).
    pub const RENDER: &str = "render";
    /// Periodic housekeeping.
    pub const MAINTENANCE: &str = "maintenance";
}

/// The owner reference of a submission's jobs.
pub fn owner(session_id: &str) -> String {
    format!("song:{session_id}")
}

/// `send`: take a provider slot and POST the generation.
pub struct Send;
/// `reconcile`: ask the provider where the generation stands.
pub struct Reconcile;
/// `fetch_details`: read the song URL and lyrics.
pub struct FetchDetails;
/// `download_audio`: fetch the song from the provider's CDN.
pub struct DownloadAudio;
/// `render_video`: make the spinning-record MP4.
pub struct RenderVideo;
/// `refresh_credits`: read the provider balance (and probe a dispatch pause).
pub struct RefreshCredits;
/// `cleanup`: delete the files of finished submissions past retention.
pub struct Cleanup;

/// The payload of every step: the submission it moves on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmissionRef {
    pub submission_id: SessionId,
}

/// The payload of maintenance work: nothing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NoPayload {}

/// A step of `submission`'s pipeline: unique per (kind, submission) while live.
pub fn step<J: Job<Payload = SubmissionRef>>(
    submission: &SessionId,
    max_attempts: i32,
    delay_ms: i64,
) -> NewJob {
    J::new_job(&SubmissionRef {
        submission_id: submission.clone(),
    })
    .owned_by(owner(submission.as_str()))
    .unique(step_key(J::KIND, submission.as_str()))
    .attempts(max_attempts)
    .after_ms(delay_ms)
}

/// The unique key of a submission's live step of `kind` (woken by webhooks).
pub fn step_key(kind: &str, session_id: &str) -> String {
    format!("{kind}:{session_id}")
}

/// A one-off balance refresh (after a 402, or probing a pause), unique while queued.
pub fn refresh_credits_now() -> NewJob {
    RefreshCredits::new_job(&NoPayload {}).unique("refresh_credits:now")
}
