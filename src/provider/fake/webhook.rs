//! Webhook delivery for one generation: posts queued bodies in order to its `webhook_url`,
//! applying the duplicate and drop settings; errors are counted, never retried or fatal.

use std::sync::Arc;

use rand::RngExt;
use serde_json::Value;
use tokio::sync::mpsc;

use super::state::Shared;

/// Posts each queued body (twice in duplicate mode, maybe not at all in drop mode).
pub async fn deliver(shared: Arc<Shared>, url: String, mut bodies: mpsc::UnboundedReceiver<Value>) {
    while let Some(body) = bodies.recv().await {
        let (copies, drop_probability) = shared.control.with(|inner| {
            let behaviour = &inner.behaviour;
            (
                if behaviour.duplicate_webhooks { 2 } else { 1 },
                behaviour.drop_webhooks,
            )
        });
        for _ in 0..copies {
            if chance(drop_probability) {
                shared
                    .control
                    .with(|inner| inner.stats.webhooks_dropped += 1);
                continue;
            }
            let sent = tokio::select! {
                sent = post(&shared.webhooks, &url, &body) => sent,
                () = shared.shutdown.cancelled() => return,
            };
            shared.control.with(|inner| {
                if sent {
                    inner.stats.webhooks_sent += 1;
                } else {
                    inner.stats.webhooks_failed += 1;
                }
            });
        }
    }
}

/// One POST; true when answered with a 2xx.
async fn post(client: &reqwest::Client, url: &str, body: &Value) -> bool {
    match client.post(url).json(body).send().await {
        Ok(response) if response.status().is_success() => true,
        Ok(response) => {
            tracing::debug!(%url, status = %response.status(), "fake Sonauto webhook refused");
            false
        }
        Err(error) => {
            tracing::debug!(%url, %error, "fake Sonauto webhook failed");
            false
        }
    }
}

/// True with probability `p` (always for p >= 1, never for p <= 0).
pub fn chance(p: f64) -> bool {
    if p >= 1.0 {
        return true;
    }
    p > 0.0 && rand::rng().random::<f64>() < p
}
