//! File storage behind one trait. Every stored object has a key `{workflow}/{owner}/{name}`
//! (`key`), so a job may hold any number of files; a backend puts, publishes (a finished
//! local file moved in whole), reads, deletes and lists them. The local directory
//! (`local::LocalStore`) is the default, with per-workflow `layout`s; writes are durable
//! (`durable`). `s3::S3Store` keeps them in an S3-compatible bucket, so nodes that share no
//! disk share files. Both give signed URLs with an expiry (S3 presigning; `signed` for the
//! local store).

mod durable;
mod error;
mod key;
mod layout;
mod local;
mod s3;
mod signed;
mod store;

pub use durable::{TEMP_SUFFIX, rename_durably, write_file_durably};
pub use error::StorageError;
pub use key::{InvalidKey, ObjectKey};
pub use layout::{Layout, OwnerDirectories};
pub use local::{HEALTH_PROBE_PREFIX, LocalStore};
pub use s3::S3Store;
pub use signed::{SIGNED_FILES_PREFIX, SignatureError, UrlSigner};
pub use store::{SignedUrl, Store, StoreFuture};
