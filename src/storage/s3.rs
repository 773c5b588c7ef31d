//! S3-compatible object storage through `object_store`: keys are object names in one bucket
//! (`{workflow}/{owner}/{name}`), puts are atomic (an object exists whole or not at all), a
//! staged file is uploaded from a local scratch directory and then removed, and signed URLs
//! are SigV4 presigned GETs. There is no local path: readers such as ffmpeg get a copy (see
//! `engine::staging`), and file routes redirect to a presigned URL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::signer::{Method, Signer};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use secrecy::ExposeSecret;

use super::error::StorageError;
use super::key::ObjectKey;
use super::store::{SignedUrl, Store, StoreFuture};
use crate::clock::now_ms;
use crate::config::ObjectStorageConfig;

/// Object-name prefix of the writability probes (outside every workflow's keys).
const HEALTH_PREFIX: &str = "_health";

/// One bucket of an S3-compatible server.
#[derive(Debug)]
pub struct S3Store {
    bucket: AmazonS3,
    /// Where staged files are written before upload.
    scratch: PathBuf,
}

impl S3Store {
    /// A store for the configured bucket, staging uploads under `scratch`.
    pub fn new(config: &ObjectStorageConfig, scratch: PathBuf) -> Result<Self, StorageError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(config.s3_bucket.clone().unwrap_or_default())
            .with_region(config.s3_region.clone());
        if let Some(id) = &config.s3_access_key_id {
            builder = builder.with_access_key_id(id.clone());
        }
        if let Some(secret) = &config.s3_secret_access_key {
            builder = builder.with_secret_access_key(secret.expose_secret().to_owned());
        }
        if let Some(endpoint) = &config.s3_endpoint {
            builder = builder
                .with_endpoint(endpoint.clone())
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let bucket = builder.build().map_err(|source| StorageError::Backend {
            operation: "configuration",
            key: config.s3_bucket.clone().unwrap_or_default(),
            source,
        })?;
        Ok(Self { bucket, scratch })
    }

    async fn upload(&self, key: &ObjectKey, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.bucket
            .put(&object_path(key), PutPayload::from(bytes))
            .await
            .map_err(failed("put", key))?;
        Ok(())
    }
}

fn object_path(key: &ObjectKey) -> ObjectPath {
    ObjectPath::from(key.to_string())
}

fn failed(
    operation: &'static str,
    key: &ObjectKey,
) -> impl FnOnce(object_store::Error) -> StorageError {
    let key = key.to_string();
    move |source| StorageError::Backend {
        operation,
        key,
        source,
    }
}

impl Store for S3Store {
    fn put<'a>(&'a self, key: &'a ObjectKey, bytes: Vec<u8>) -> StoreFuture<'a, ()> {
        Box::pin(self.upload(key, bytes))
    }

    fn publish<'a>(&'a self, key: &'a ObjectKey, staged: &'a Path) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let bytes = tokio::fs::read(staged)
                .await
                .map_err(StorageError::io(staged))?;
            self.upload(key, bytes).await?;
            match tokio::fs::remove_file(staged).await {
                Ok(()) => Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(source) => Err(StorageError::io(staged)(source)),
            }
        })
    }

    fn read<'a>(&'a self, key: &'a ObjectKey) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let found = match self.bucket.get(&object_path(key)).await {
                Ok(found) => found,
                Err(object_store::Error::NotFound { .. }) => return Ok(None),
                Err(error) => return Err(failed("get", key)(error)),
            };
            let bytes = found.bytes().await.map_err(failed("get", key))?;
            Ok(Some(bytes.to_vec()))
        })
    }

    fn delete<'a>(&'a self, key: &'a ObjectKey) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            match self.bucket.delete(&object_path(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(error) => Err(failed("delete", key)(error)),
            }
        })
    }

    fn list<'a>(&'a self, workflow: &'a str, owner: &'a str) -> StoreFuture<'a, Vec<ObjectKey>> {
        Box::pin(async move {
            let prefix = ObjectPath::from(format!("{workflow}/{owner}"));
            let listed: Vec<_> = self
                .bucket
                .list(Some(&prefix))
                .try_collect()
                .await
                .map_err(|source| StorageError::Backend {
                    operation: "list",
                    key: prefix.to_string(),
                    source,
                })?;
            let mut keys: Vec<ObjectKey> = listed
                .into_iter()
                .filter_map(|meta| ObjectKey::parse(meta.location.as_ref()).ok())
                .filter(|key| key.workflow() == workflow && key.owner() == owner)
                .collect();
            keys.sort();
            Ok(keys)
        })
    }

    fn local_path(&self, _key: &ObjectKey) -> Option<PathBuf> {
        None
    }

    fn staging_root(&self, key: &ObjectKey) -> Result<PathBuf, StorageError> {
        Ok(self.scratch.join(key.workflow()))
    }

    fn signed_url<'a>(&'a self, key: &'a ObjectKey, ttl: Duration) -> StoreFuture<'a, SignedUrl> {
        Box::pin(async move {
            let url = self
                .bucket
                .signed_url(Method::GET, &object_path(key), ttl)
                .await
                .map_err(failed("presign", key))?;
            let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
            Ok(SignedUrl {
                url: url.to_string(),
                expires_at: now_ms() / 1000 + ttl,
            })
        })
    }

    fn prepare(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            tokio::fs::create_dir_all(&self.scratch)
                .await
                .map_err(StorageError::io(&self.scratch))
        })
    }

    /// Puts and deletes a uniquely named probe object.
    fn check_writable(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let probe = ObjectPath::from(format!("{HEALTH_PREFIX}/probe-{}", cuid2::create_id()));
            let probe_failed = |operation| {
                let key = probe.to_string();
                move |source| StorageError::Backend {
                    operation,
                    key,
                    source,
                }
            };
            self.bucket
                .put(&probe, PutPayload::from_static(b"ok"))
                .await
                .map_err(probe_failed("put"))?;
            self.bucket
                .delete(&probe)
                .await
                .map_err(probe_failed("delete"))?;
            Ok(())
        })
    }
}
