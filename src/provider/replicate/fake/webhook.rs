//! Webhook delivery for one prediction: posts its queued bodies in order to its `webhook`
//! URL, signed with Standard Webhooks headers; a failed attempt is retried a few times with
//! the same `webhook-id` (as Replicate does), and lost or duplicated per the scenario.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use reqwest::header::CONTENT_TYPE;
use tokio::sync::mpsc;

use super::ids;
use super::state::Shared;
use crate::webhooks::unix_seconds;

/// Pauses before the retries of a failed attempt.
const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(100), Duration::from_millis(400)];

/// Delivers each queued body until the queue closes or the fake stops.
pub async fn deliver(shared: Arc<Shared>, url: String, mut bodies: mpsc::UnboundedReceiver<Bytes>) {
    while let Some(body) = bodies.recv().await {
        let (lost, duplicate) = shared.control.with(|inner| {
            let lost = inner.behaviour.take_lost_webhook();
            if lost {
                inner.stats.webhooks_lost += 1;
            }
            (lost, inner.behaviour.duplicate_webhooks)
        });
        if lost {
            continue;
        }
        let message_id = ids::message_id();
        let copies = if duplicate { 2 } else { 1 };
        for _ in 0..copies {
            tokio::select! {
                () = deliver_with_retries(&shared, &url, &message_id, &body) => {}
                () = shared.shutdown.cancelled() => return,
            }
        }
    }
}

/// One delivery: the first attempt and up to two retries, each freshly timestamped and signed.
async fn deliver_with_retries(shared: &Shared, url: &str, message_id: &str, body: &Bytes) {
    let mut delays = RETRY_DELAYS.iter();
    loop {
        if attempt(shared, url, message_id, body).await {
            shared.control.with(|inner| inner.stats.webhooks_sent += 1);
            return;
        }
        shared
            .control
            .with(|inner| inner.stats.webhook_attempts_failed += 1);
        let Some(delay) = delays.next() else {
            tracing::debug!(%url, %message_id, "fake Replicate gave up on a webhook");
            return;
        };
        tokio::time::sleep(*delay).await;
    }
}

/// One POST; true when answered with a 2xx.
async fn attempt(shared: &Shared, url: &str, message_id: &str, body: &Bytes) -> bool {
    let timestamp = unix_seconds(SystemTime::now());
    let signed = shared.secret.signed_headers(message_id, timestamp, body);
    let mut request = shared
        .webhooks
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone());
    for (name, value) in signed.pairs() {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => true,
        Ok(response) => {
            tracing::debug!(%url, status = %response.status(), "fake Replicate webhook refused");
            false
        }
        Err(error) => {
            tracing::debug!(%url, %error, "fake Replicate webhook failed");
            false
        }
    }
}
