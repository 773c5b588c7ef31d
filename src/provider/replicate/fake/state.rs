//! What every handler, timeline and webhook task of one fake Replicate shares: the fixed
//! settings, the run-time control, the change signal `Prefer: wait` listens to, and the stop
//! signal.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::control::FakeReplicateControl;
use crate::webhooks::WebhookSecret;

/// The state of one running fake.
#[derive(Debug)]
pub struct Shared {
    pub control: Arc<FakeReplicateControl>,
    pub api_token: String,
    pub secret: WebhookSecret,
    /// Base of absolute URLs, without a trailing slash.
    pub public_base_url: String,
    pub image_size: u32,
    /// Posts webhooks: short timeout, no redirects (Replicate follows none).
    pub webhooks: reqwest::Client,
    /// Bumped after every status change, so waiting requests re-check.
    pub changes: watch::Sender<u64>,
    /// Cancelled by `FakeReplicate::stop`: timelines end and held requests are released.
    pub shutdown: CancellationToken,
}

impl Shared {
    /// The prediction object as `GET /v1/predictions/{id}` shows it now.
    pub fn snapshot(&self, id: &str) -> Option<Value> {
        self.control.with(|inner| {
            let ttl = inner.behaviour.output_ttl;
            inner
                .predictions
                .get(id)
                .map(|prediction| prediction.to_json(&self.public_base_url, ttl))
        })
    }

    /// Wakes every request waiting for a prediction to change.
    pub fn announce_change(&self) {
        self.changes
            .send_modify(|version| *version = version.wrapping_add(1));
    }
}
