//! The workflows the engine runs. Each owns its tables, its SQL, its job kinds, its gates and
//! its routes; [`register`], [`routes`] and [`local_store`] are the places that list them.

use axum::Router;

use crate::config::StorageConfig;
use crate::engine::Registry;
use crate::state::AppState;
use crate::storage::LocalStore;

pub mod song;

/// Every workflow's job kinds, queues, gates and periodic work.
pub fn register(registry: &mut Registry<AppState>, app: &AppState) {
    song::register(registry, app);
}

/// Every workflow's routes.
pub fn routes() -> Router<AppState> {
    Router::new().merge(song::routes::routes())
}

/// The local store under `STORAGE_DIR`, with each workflow's own layout mounted (the song
/// keeps the spec's three directories).
pub fn local_store(config: &StorageConfig) -> LocalStore {
    LocalStore::new(&config.storage_dir).mount(
        song::files::WORKFLOW,
        song::files::SongLayout::from_config(config),
    )
}
