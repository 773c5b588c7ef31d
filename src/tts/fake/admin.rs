//! The fake's own control routes, for tests in another process (a `serenade fake-tts`):
//! `GET /_fake/stats`, `POST /_fake/faults` (a [`FaultBurst`] as JSON) and
//! `POST /_fake/reset-stats`. Unauthenticated: never expose a fake beyond a test network.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::control::{FakeTtsStats, FaultBurst};
use super::state::Shared;

/// The counters as JSON.
pub async fn stats(State(shared): State<Arc<Shared>>) -> Json<FakeTtsStats> {
    Json(shared.control.stats())
}

/// Faults for the next requests.
pub async fn set_faults(
    State(shared): State<Arc<Shared>>,
    Json(burst): Json<FaultBurst>,
) -> StatusCode {
    tracing::info!(?burst, "fake TTS faults set");
    shared.control.fail_next(burst.count, burst.fault);
    StatusCode::NO_CONTENT
}

/// Zeroes the counters.
pub async fn reset_stats(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.control.reset_stats();
    StatusCode::NO_CONTENT
}
