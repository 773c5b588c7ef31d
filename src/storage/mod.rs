//! File storage behind one trait. Every stored object has a key `{workflow}/{owner}/{name}`
//! (`key`), so a job may hold any number of files; a backend puts, publishes (a finished
//! local file moved in whole), reads, deletes and lists them. The local directory
//! (`local::LocalStore`) is the default, with per-workflow `layout`s; writes are durable
//! (`durable`).

mod durable;
mod error;
mod key;
mod layout;
mod local;
mod store;

pub use durable::{TEMP_SUFFIX, rename_durably, write_file_durably};
pub use error::StorageError;
pub use key::{InvalidKey, ObjectKey};
pub use layout::{Layout, OwnerDirectories};
pub use local::{HEALTH_PROBE_PREFIX, LocalStore};
pub use store::{Store, StoreFuture};
