//! The life of one generation after its POST: walks the §1.4 statuses with the current step
//! delay, settles the outcome (credits charged on SUCCESS only) and queues the webhooks.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use tokio::sync::mpsc;

use super::config::WebhookMode;
use super::generation::Status;
use super::state::Shared;
use super::webhook;

/// What one song costs.
pub const SONG_COST: u64 = 100;

/// Drives generation `id` from RECEIVED to its terminal status; returns early on shutdown.
pub async fn run(shared: Arc<Shared>, id: String) {
    let Some((streaming, failure, webhook_url)) = shared.control.with(|inner| {
        inner.generations.get(&id).map(|generation| {
            (
                generation.request.enable_streaming,
                generation.planned_failure.is_some(),
                generation.request.webhook_url.clone(),
            )
        })
    }) else {
        return;
    };
    let terminal = if failure {
        Status::Failure
    } else {
        Status::Success
    };
    let steps = Status::steps(streaming, terminal);
    let webhooks = webhook_url.map(|url| {
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(webhook::deliver(shared.clone(), url, receiver));
        sender
    });
    let mut last_intermediate: Option<Value> = None;
    notify(&shared, &id, webhooks.as_ref(), &mut last_intermediate);
    for status in steps.iter().copied() {
        let delay = shared
            .control
            .with(|inner| inner.behaviour.timing.step_delay(steps.len()));
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = shared.shutdown.cancelled() => return,
        }
        advance(&shared, &id, status);
        notify(&shared, &id, webhooks.as_ref(), &mut last_intermediate);
    }
}

/// Moves the generation to `status`; a terminal status settles stats and credits.
fn advance(shared: &Shared, id: &str, status: Status) {
    shared.control.with(|inner| {
        let Some(generation) = inner.generations.get_mut(id) else {
            return;
        };
        generation.status = status;
        if !status.is_terminal() {
            return;
        }
        inner.stats.in_flight = inner.stats.in_flight.saturating_sub(1);
        if status == Status::Success {
            generation.finished_at = Some(Instant::now());
            inner.stats.succeeded += 1;
            inner.balance.charge(SONG_COST);
        } else {
            inner.stats.failed += 1;
        }
    });
    tracing::debug!(task.id = %id, status = status.as_str(), "fake Sonauto status");
}

/// Queues the webhook for the current status, per the current mode; after a terminal one in
/// out-of-order mode, also the stale intermediate one that came before it.
fn notify(
    shared: &Shared,
    id: &str,
    webhooks: Option<&mpsc::UnboundedSender<Value>>,
    last_intermediate: &mut Option<Value>,
) {
    let Some(webhooks) = webhooks else {
        return;
    };
    let snapshot = shared.control.with(|inner| {
        let behaviour = &inner.behaviour;
        inner.generations.get(id).map(|generation| {
            let body = generation.webhook_body(behaviour.webhook_body, &shared.public_base_url);
            let terminal = generation.status.is_terminal();
            let wanted = terminal || behaviour.webhook_mode == WebhookMode::All;
            (body, terminal, wanted, behaviour.out_of_order_webhooks)
        })
    });
    let Some((body, terminal, wanted, out_of_order)) = snapshot else {
        return;
    };
    if wanted {
        let _ = webhooks.send(body.clone());
    }
    if !terminal {
        *last_intermediate = Some(body);
    } else if out_of_order && let Some(stale) = last_intermediate.take() {
        let _ = webhooks.send(stale);
    }
}
