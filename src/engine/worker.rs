//! The worker role: registers the process in the worker table with a heartbeat (the health
//! check counts it) and runs the engine's queues and maintenance until shutdown.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::instance::Engine;
use super::job::Context;
use crate::clock::now_ms;

/// How often a worker reports that it is alive.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(10);
/// A worker silent for longer than this is not counted as live.
pub const LIVENESS_WINDOW: Duration = Duration::from_secs(30);

/// A worker id unique to this process incarnation: `host:pid:random`.
pub fn new_worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|_| "host".into());
    format!("{host}:{}:{}", std::process::id(), cuid2::create_id())
}

/// Runs until `shutdown`, then deregisters.
pub async fn run<C: Context>(engine: Engine<C>, shutdown: CancellationToken) {
    let worker_id = new_worker_id();
    tracing::info!(worker.id = %worker_id, "worker started");
    let mut queues = tokio::task::JoinSet::new();
    engine.start(&worker_id, &shutdown, &mut queues);
    let db = engine.ctx.db();
    let mut ticker = tokio::time::interval(HEARTBEAT_INTERVAL);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if let Err(error) = db.worker_heartbeat(&worker_id, "worker", now_ms()).await {
                    tracing::warn!(worker.id = %worker_id, error = ?error, "worker heartbeat failed");
                }
            }
            () = shutdown.cancelled() => break,
        }
    }
    while queues.join_next().await.is_some() {}
    if let Err(error) = db.worker_stopped(&worker_id).await {
        tracing::warn!(worker.id = %worker_id, error = ?error, "deregistering worker failed");
    }
    tracing::info!(worker.id = %worker_id, "worker stopped");
}
