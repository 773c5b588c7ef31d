//! The fake's own control routes, for tests in another process: `GET /_fake/stats`,
//! `POST /_fake/scenario` (a [`Scenario`] as JSON) and `POST /_fake/reset-stats`.
//! Unauthenticated: never expose a fake Replicate beyond a test network.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::control::FakeReplicateStats;
use super::scenario::Scenario;
use super::state::Shared;

/// The counters as JSON.
pub async fn stats(State(shared): State<Arc<Shared>>) -> Json<FakeReplicateStats> {
    Json(shared.control.stats())
}

/// Applies a scenario.
pub async fn set_scenario(
    State(shared): State<Arc<Shared>>,
    Json(scenario): Json<Scenario>,
) -> StatusCode {
    tracing::info!(?scenario, "fake Replicate scenario changed");
    shared.control.set_scenario(scenario);
    StatusCode::NO_CONTENT
}

/// Zeroes the counters.
pub async fn reset_stats(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.control.reset_stats();
    StatusCode::NO_CONTENT
}
