//! The workflows the engine runs. Each owns its tables, its SQL, its job kinds, its gates and
//! its routes; [`register`] is the one place that lists them for the engine.

use axum::Router;

use crate::engine::Registry;
use crate::state::AppState;

pub mod song;

/// Every workflow's job kinds, queues, gates and periodic work.
pub fn register(registry: &mut Registry<AppState>, app: &AppState) {
    song::register(registry, app);
}

/// Every workflow's routes.
pub fn routes() -> Router<AppState> {
    Router::new().merge(song::routes::routes())
}
