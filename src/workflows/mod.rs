//! The workflows the engine runs. Each owns its tables, its SQL, its job kinds, its gates and
//! its routes; [`register`], [`routes`] and [`local_store`] are the places that list them.

use axum::Router;

use std::sync::Arc;

use crate::config::{StorageBackend, StorageConfig};
use crate::engine::Registry;
use crate::state::AppState;
use crate::storage::{LocalStore, S3Store, StorageError, Store, UrlSigner};

pub mod jobs;
pub mod slideshow;
pub mod song;

/// Every workflow's job kinds, queues, gates and periodic work.
pub fn register(registry: &mut Registry<AppState>, app: &AppState) {
    song::register(registry, app);
    jobs::register(registry, app);
    slideshow::register(registry, app);
}

/// Every workflow's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(song::routes::routes())
        .merge(jobs::routes())
        .merge(slideshow::routes())
}

/// The local store under `STORAGE_DIR`, with each workflow's own layout mounted (the song
/// keeps the spec's three directories).
pub fn local_store(config: &StorageConfig) -> LocalStore {
    LocalStore::new(&config.storage_dir).mount(
        song::files::WORKFLOW,
        song::files::SongLayout::from_config(config),
    )
}

/// The configured store: the local directory (its URL signing key shared through the
/// directory) or an S3-compatible bucket (staging uploads under `STORAGE_DIR`).
pub fn store(config: &StorageConfig) -> Result<Arc<dyn Store>, StorageError> {
    Ok(match config.objects.storage_backend {
        StorageBackend::Local => {
            let signer = UrlSigner::load_or_create(&config.storage_dir.join(URL_KEY_FILE))?;
            Arc::new(local_store(config).with_signer(signer))
        }
        StorageBackend::S3 => Arc::new(S3Store::new(
            &config.objects,
            config.storage_dir.join(S3_STAGING_DIR),
        )?),
    })
}

/// The local store's URL signing key, in its root (a dot name no key can take).
const URL_KEY_FILE: &str = ".url-signing-key";
/// Where uploads to S3 are staged.
const S3_STAGING_DIR: &str = ".s3-staging";
