//! Signed URLs for the local store: `/files/{key}?expires={unix seconds}&signature={mac}`,
//! where the mac is HMAC-SHA256 over the method, key and expiry under a secret that every
//! process sharing the storage directory reads from one key file (made once, atomically).
//! A URL is refused once expired or when any part of it was changed.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngExt;
use sha2::Sha256;

use super::error::StorageError;
use super::key::ObjectKey;

/// The route prefix local signed URLs are served under.
pub const SIGNED_FILES_PREFIX: &str = "/files/";
/// Bytes of secret.
const SECRET_LEN: usize = 32;

/// Why a signed URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the link has expired")]
    Expired,
    #[error("the link's signature does not match")]
    Invalid,
}

/// Signs and checks local file URLs.
#[derive(Clone)]
pub struct UrlSigner {
    /// HMAC-SHA256 keyed with the secret, cloned for each URL.
    keyed: Hmac<Sha256>,
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UrlSigner([redacted])")
    }
}

impl UrlSigner {
    /// A signer with `secret` (`None` if the secret is empty).
    pub fn new(secret: &[u8]) -> Option<Self> {
        if secret.is_empty() {
            return None;
        }
        let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).ok()?;
        Some(Self { keyed })
    }

    /// The secret in `path`, created with a random one if there is none (blocking). Processes
    /// racing to create it agree: only one creation wins, the others read it.
    pub fn load_or_create(path: &Path) -> Result<Self, StorageError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(StorageError::io(dir))?;
        }
        let secret: [u8; SECRET_LEN] = rand::rng().random();
        let temp = path.with_extension(format!("{}.tmp", cuid2::create_id()));
        std::fs::write(&temp, URL_SAFE_NO_PAD.encode(secret)).map_err(StorageError::io(&temp))?;
        // A hard link never replaces an existing file: the first writer's secret stays.
        let linked = std::fs::hard_link(&temp, path);
        let _ = std::fs::remove_file(&temp);
        match linked {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(StorageError::io(path)(source)),
        }
        let stored = std::fs::read_to_string(path).map_err(StorageError::io(path))?;
        URL_SAFE_NO_PAD
            .decode(stored.trim())
            .ok()
            .filter(|secret| secret.len() >= SECRET_LEN)
            .and_then(|secret| Self::new(&secret))
            .ok_or_else(|| {
                StorageError::io(path)(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the URL signing key file is not a base64url secret of 32 bytes or more",
                ))
            })
    }

    fn mac(&self, key: &ObjectKey, expires: i64) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        mac.update(format!("GET\n{key}\n{expires}").as_bytes());
        mac
    }

    /// The signed path for `key`, valid until `expires` (unix seconds).
    pub fn sign(&self, key: &ObjectKey, expires: i64) -> String {
        let signature = URL_SAFE_NO_PAD.encode(self.mac(key, expires).finalize().into_bytes());
        format!("{SIGNED_FILES_PREFIX}{key}?expires={expires}&signature={signature}")
    }

    /// Checks a signed path's parts at `now` (unix seconds); constant-time comparison.
    pub fn verify(
        &self,
        key: &ObjectKey,
        expires: i64,
        signature: &str,
        now: i64,
    ) -> Result<(), SignatureError> {
        let given = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| SignatureError::Invalid)?;
        self.mac(key, expires)
            .verify_slice(&given)
            .map_err(|_| SignatureError::Invalid)?;
        if now >= expires {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, i64, String) {
        let (path, query) = url.split_once('?').unwrap();
        let mut expires = 0;
        let mut signature = String::new();
        for pair in query.split('&') {
            match pair.split_once('=').unwrap() {
                ("expires", value) => expires = value.parse().unwrap(),
                ("signature", value) => signature = value.into(),
                _ => {}
            }
        }
        (path.to_owned(), expires, signature)
    }

    #[test]
    fn a_signed_url_works_until_it_expires_and_not_when_changed() {
        let signer = UrlSigner::new(&[7; 32]).unwrap();
        let key = ObjectKey::new("jobs", "j1", "out-0.png").unwrap();
        let url = signer.sign(&key, 1_000);
        let (path, expires, signature) = parts(&url);
        assert_eq!(path, "/files/jobs/j1/out-0.png");
        assert_eq!(signer.verify(&key, expires, &signature, 999), Ok(()));
        assert_eq!(
            signer.verify(&key, expires, &signature, 1_000),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            signer.verify(&key, expires + 3_600, &signature, 999),
            Err(SignatureError::Invalid),
            "a stretched expiry"
        );
        let other = ObjectKey::new("jobs", "j2", "out-0.png").unwrap();
        assert_eq!(
            signer.verify(&other, expires, &signature, 999),
            Err(SignatureError::Invalid),
            "another key"
        );
        assert_eq!(
            UrlSigner::new(&[8; 32])
                .unwrap()
                .verify(&key, expires, &signature, 999),
            Err(SignatureError::Invalid),
            "another secret"
        );
        assert_eq!(
            signer.verify(&key, expires, "not base64!", 999),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn processes_sharing_a_directory_share_one_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".url-signing-key");
        let first = UrlSigner::load_or_create(&path).unwrap();
        let second = UrlSigner::load_or_create(&path).unwrap();
        let key = ObjectKey::new("jobs", "j1", "a.png").unwrap();
        assert_eq!(first.sign(&key, 5), second.sign(&key, 5));
        assert_ne!(
            first.sign(&key, 5),
            UrlSigner::new(&[1; 32]).unwrap().sign(&key, 5)
        );
        assert_eq!(UrlSigner::new(&[]).map(|_| ()), None);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary key file is left");
    }
}
