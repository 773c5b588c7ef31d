//! The generic jobs API (seeds 001–003) as a workflow on the engine: API keys (`keys`), the
//! request and its checks (`request`, `submit`), the tables (`store`), the engine kinds
//! (`kinds`, `steps`: create and follow the prediction, persist each output alone), the
//! canonical routes (`api`, `events`, `cancel`, `view`), the seeds' routes (`compat`),
//! provider health and its circuit breaker (`providers`), and outbound webhooks
//! (`webhooks`). `runtime` holds the provider client (Replicate or the built-in demo).

use axum::Router;
use axum::routing::{get, post};

use crate::engine::Registry;
use crate::state::AppState;

pub mod api;
pub mod cancel;
pub mod compat;
pub mod events;
pub mod headers;
pub mod keys;
pub mod kinds;
pub mod lookup;
pub mod me;
pub mod model;
pub mod providers;
pub mod request;
pub mod runtime;
pub mod scrape;
pub mod seed_body;
pub mod steps;
pub mod store;
pub mod submit;
pub mod view;
pub mod webhooks;

/// The jobs workflow's queues, kinds and gate.
pub fn register(registry: &mut Registry<AppState>, app: &AppState) {
    registry
        .queue(
            kinds::queues::PROVIDER,
            app.config.jobs.jobs_provider_concurrency,
        )
        .queue(
            kinds::queues::OUTPUTS,
            app.config.jobs.jobs_output_concurrency,
        )
        .gate(kinds::queues::PROVIDER, providers::gate::CircuitClosed)
        .job(kinds::Generate)
        .job(kinds::PersistOutput);
    webhooks::register(registry, app);
}

/// The jobs API's routes, the seeds' included.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me::who_am_i))
        .route("/api/v1/jobs", post(api::create).get(api::list))
        .route("/api/v1/jobs/{id}", get(api::read).delete(api::delete))
        .route("/api/v1/jobs/{id}/cancel", post(api::cancel))
        .route("/api/v1/jobs/{id}/events", get(events::events))
        .route("/api/v1/webhooks/secret", get(webhooks::secret))
        .route("/api/v1/providers/status", get(providers::status))
        .route("/api/v1/providers/test", post(providers::test))
        .route("/api/v1/generate", post(compat::generate))
        .route("/api/v1/status/{id}", get(compat::status))
        .route("/api/v1/health", get(compat::seed001::health))
        .route("/health", get(compat::seed002::alive))
        .route("/health/ready", get(compat::seed002::ready))
}
