//! The life of one fake prediction after its create: `starting` for the starting delay,
//! `processing` for the generation time, then its PNG outputs and `succeeded` (or `failed`
//! when forced). Every change goes through [`change`], which queues the webhooks its events
//! call for and wakes `Prefer: wait` requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;

use super::control::FakeReplicateStats;
use super::ids::now_utc;
use super::images::render_output;
use super::prediction::{Event, FakePrediction, Status};
use super::state::Shared;
use crate::provider::demo_images::ImageEncoding;

/// Drives prediction `id` to its end, unless it is cancelled first or the fake stops.
pub async fn run(shared: Arc<Shared>, id: String) {
    let starting = shared.control.with(|inner| inner.behaviour.starting);
    if !pause(&shared, starting).await {
        return;
    }
    let began = change(&shared, &id, |prediction, _| {
        prediction.status = Status::Processing;
        prediction.started_at = Some(now_utc());
        prediction.started = Some(Instant::now());
        let count = prediction.num_outputs;
        prediction.logs.push_str(&format!(
            "Booted the fake image model\nGenerating {count} image(s)\n"
        ));
        vec![Event::Logs]
    });
    let generation = shared.control.with(|inner| inner.behaviour.generation);
    if !began || !pause(&shared, generation).await {
        return;
    }
    let plan = shared.control.with(|inner| {
        let prediction = inner.predictions.get(&id)?;
        Some((
            prediction.prompt.clone(),
            prediction.encoding(),
            prediction
                .input
                .get("seed")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0),
            prediction.num_outputs,
            prediction.planned_failure.clone(),
        ))
    });
    let Some((prompt, encoding, seed, count, planned_failure)) = plan else {
        return;
    };
    let outputs = match planned_failure {
        Some(error) => Err(error),
        None => render(prompt, encoding, seed, count, shared.image_size).await,
    };
    match outputs {
        Ok(outputs) => succeed(&shared, &id, outputs),
        Err(error) => fail(&shared, &id, error),
    }
}

async fn render(
    prompt: String,
    encoding: ImageEncoding,
    seed: u64,
    count: u32,
    size: u32,
) -> Result<Vec<Bytes>, String> {
    let rendered = tokio::task::spawn_blocking(move || {
        (0..count)
            .map(|index| render_output(&prompt, seed, index, size, encoding).map(Bytes::from))
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    match rendered {
        Ok(Ok(outputs)) => Ok(outputs),
        Ok(Err(error)) => Err(error.to_string()),
        Err(error) => Err(format!("the fake model crashed: {error}")),
    }
}

/// Publishes the outputs (an `output` event while still processing), then `succeeded`.
fn succeed(shared: &Shared, id: &str, outputs: Vec<Bytes>) {
    let published = change(shared, id, |prediction, _| {
        prediction
            .logs
            .push_str(&format!("Saved {} output(s)\n", outputs.len()));
        prediction.outputs = outputs;
        vec![Event::Output, Event::Logs]
    });
    if published {
        change(shared, id, |prediction, stats| {
            stats.succeeded += 1;
            complete(prediction, Status::Succeeded)
        });
    }
}

fn fail(shared: &Shared, id: &str, error: String) {
    change(shared, id, |prediction, stats| {
        stats.failed += 1;
        prediction.logs.push_str(&format!("Error: {error}\n"));
        prediction.error = Some(error);
        complete(prediction, Status::Failed)
    });
}

/// Ends a prediction in `status` (stamping its completion); the `completed` event.
pub fn complete(prediction: &mut FakePrediction, status: Status) -> Vec<Event> {
    prediction.status = status;
    prediction.completed_at = Some(now_utc());
    prediction.completed = Some(Instant::now());
    vec![Event::Completed]
}

/// Applies `apply` to prediction `id` unless it is unknown or already finished; queues one
/// webhook if any event `apply` returns is in the prediction's filter, and wakes waiting
/// requests. True when applied.
pub fn change(
    shared: &Shared,
    id: &str,
    apply: impl FnOnce(&mut FakePrediction, &mut FakeReplicateStats) -> Vec<Event>,
) -> bool {
    let applied = shared.control.with(|inner| {
        let ttl = inner.behaviour.output_ttl;
        let Some(prediction) = inner.predictions.get_mut(id) else {
            return false;
        };
        if prediction.status.is_terminal() {
            return false;
        }
        let events = apply(prediction, &mut inner.stats);
        notify(prediction, &events, &shared.public_base_url, ttl);
        if prediction.status.is_terminal() {
            // Nothing more will be sent: the delivery task ends once its queue is drained.
            prediction.webhook = None;
        }
        true
    });
    if applied {
        shared.announce_change();
    }
    applied
}

/// Queues the prediction as it is now, if its filter wants one of `events`.
pub fn notify(prediction: &FakePrediction, events: &[Event], base_url: &str, ttl: Duration) {
    let Some(target) = &prediction.webhook else {
        return;
    };
    if !events.iter().any(|event| target.events.contains(event)) {
        return;
    }
    match serde_json::to_vec(&prediction.to_json(base_url, ttl)) {
        Ok(body) => {
            let _ = target.deliveries.send(Bytes::from(body));
        }
        Err(error) => tracing::error!(%error, "fake Replicate could not encode a webhook"),
    }
}

/// Waits until prediction `id` is finished, `limit` passes or the fake stops.
pub async fn wait_for_end(shared: &Shared, id: &str, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    let mut changes = shared.changes.subscribe();
    loop {
        let finished = shared.control.with(|inner| {
            inner
                .predictions
                .get(id)
                .is_none_or(|prediction| prediction.status.is_terminal())
        });
        if finished {
            return;
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return },
            () = tokio::time::sleep_until(deadline) => return,
            () = shared.shutdown.cancelled() => return,
        }
    }
}

/// Sleeps `length`; false when the fake stopped meanwhile.
async fn pause(shared: &Shared, length: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(length) => true,
        () = shared.shutdown.cancelled() => false,
    }
}
