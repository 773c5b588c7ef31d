//! The generic jobs API (seeds 001–003): API keys so far (`keys`), and the route that tells
//! a caller what its key is. Jobs, their outputs, providers and webhooks arrive here next.

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub mod keys;
pub mod me;

/// The jobs API's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/me", get(me::who_am_i))
}
