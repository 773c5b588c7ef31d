//! Standard Webhooks v1 (HMAC-SHA256): the `whsec_` secret, signing `{id}.{timestamp}.{body}`
//! into `v1,<base64>` signatures, and verifying the three `webhook-*` headers against the raw
//! body with a ±5 minute timestamp tolerance and a constant-time comparison.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngExt;
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The message id: stable across retries of one message (the idempotency key).
pub const HEADER_ID: &str = "webhook-id";
/// Unix seconds of this delivery attempt.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Space-separated `v1,<base64>` signatures (several during a key rotation).
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// How far a timestamp may be from `now`, either way (the reference libraries' constant).
pub const TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(5 * 60);

const SECRET_PREFIX: &str = "whsec_";
const SIGNATURE_VERSION: &str = "v1";
/// Bytes of key in a generated secret (the spec asks for 24 to 64).
const GENERATED_KEY_BYTES: usize = 32;

/// A secret that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookSecretError {
    #[error("a webhook secret starts with `whsec_`")]
    MissingPrefix,
    #[error("the webhook secret is not valid base64 after `whsec_`")]
    NotBase64,
    #[error("the webhook secret holds no key")]
    Empty,
}

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookVerifyError {
    #[error("the `{0}` header is missing")]
    MissingHeader(&'static str),
    #[error("the `{0}` header is not readable text")]
    UnreadableHeader(&'static str),
    #[error("the webhook timestamp is not a Unix time in seconds")]
    BadTimestamp,
    #[error("the webhook timestamp is {age_seconds} s old, beyond the tolerance")]
    TooOld { age_seconds: u64 },
    #[error("the webhook timestamp is {ahead_seconds} s in the future, beyond the tolerance")]
    TooNew { ahead_seconds: u64 },
    #[error("no webhook signature matches the body")]
    NoMatchingSignature,
    #[error("the webhook secret is unusable: {0}")]
    BadSecret(#[from] WebhookSecretError),
}

/// The three header values of one delivery, borrowed from wherever they were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookHeaders<'a> {
    pub id: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

impl<'a> WebhookHeaders<'a> {
    /// Reads `webhook-id`, `webhook-timestamp` and `webhook-signature`.
    pub fn from_header_map(headers: &'a HeaderMap) -> Result<Self, WebhookVerifyError> {
        let read = |name: &'static str| {
            headers
                .get(name)
                .ok_or(WebhookVerifyError::MissingHeader(name))?
                .to_str()
                .map_err(|_| WebhookVerifyError::UnreadableHeader(name))
        };
        Ok(Self {
            id: read(HEADER_ID)?,
            timestamp: read(HEADER_TIMESTAMP)?,
            signature: read(HEADER_SIGNATURE)?,
        })
    }
}

/// The headers a sender attaches to one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
}

impl SignedHeaders {
    /// `(name, value)` pairs, ready for a request builder.
    pub fn pairs(&self) -> [(&'static str, String); 3] {
        [
            (HEADER_ID, self.id.clone()),
            (HEADER_TIMESTAMP, self.timestamp.to_string()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ]
    }
}

/// A symmetric signing key; its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct WebhookSecret {
    key: SecretSlice<u8>,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(whsec_[REDACTED])")
    }
}

impl WebhookSecret {
    /// Reads `whsec_<base64 key>`, as providers hand it out.
    pub fn parse(text: &str) -> Result<Self, WebhookSecretError> {
        let encoded = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(WebhookSecretError::MissingPrefix)?;
        let key = BASE64
            .decode(encoded)
            .map_err(|_| WebhookSecretError::NotBase64)?;
        if key.is_empty() {
            return Err(WebhookSecretError::Empty);
        }
        Ok(Self { key: key.into() })
    }

    /// A fresh random secret (32 bytes of key).
    pub fn generate() -> Self {
        let key: [u8; GENERATED_KEY_BYTES] = rand::rng().random();
        Self {
            key: key.to_vec().into(),
        }
    }

    /// The `whsec_…` text form, to store or hand to a sender.
    pub fn to_whsec(&self) -> SecretString {
        format!("{SECRET_PREFIX}{}", BASE64.encode(self.key.expose_secret())).into()
    }

    /// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. The id must not contain `.`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let digest = self.digest(id, &timestamp.to_string(), body);
        format!("{SIGNATURE_VERSION},{}", BASE64.encode(digest))
    }

    /// The headers for delivering `body` as message `id` at `timestamp` (Unix seconds).
    pub fn signed_headers(&self, id: &str, timestamp: i64, body: &[u8]) -> SignedHeaders {
        SignedHeaders {
            id: id.to_owned(),
            timestamp,
            signature: self.sign(id, timestamp, body),
        }
    }

    /// Accepts a delivery when its timestamp is within [`TIMESTAMP_TOLERANCE`] of `now` and
    /// one of its `v1` signatures is ours over the exact raw `body`.
    pub fn verify(
        &self,
        headers: &WebhookHeaders<'_>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookVerifyError> {
        check_timestamp(headers.timestamp, now)?;
        // The signed content holds the header's text exactly as sent.
        let expected = self.digest(headers.id, headers.timestamp, body);
        let mut matched = subtle::Choice::from(0);
        for entry in headers
            .signature
            .split(' ')
            .filter(|entry| !entry.is_empty())
        {
            let Some((version, encoded)) = entry.split_once(',') else {
                continue;
            };
            if version != SIGNATURE_VERSION {
                continue;
            }
            if let Ok(candidate) = BASE64.decode(encoded) {
                matched |= candidate.as_slice().ct_eq(expected.as_slice());
            }
        }
        if bool::from(matched) {
            Ok(())
        } else {
            Err(WebhookVerifyError::NoMatchingSignature)
        }
    }

    fn digest(&self, id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length, so this never fails for a non-empty key.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.key.expose_secret()) else {
            return Vec::new();
        };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().to_vec()
    }
}

/// Parses `secret_text` and verifies one delivery with it (for a secret read from config or
/// fetched from a provider).
pub fn verify_with_secret(
    secret_text: &str,
    headers: &WebhookHeaders<'_>,
    body: &[u8],
    now: SystemTime,
) -> Result<(), WebhookVerifyError> {
    WebhookSecret::parse(secret_text)?.verify(headers, body, now)
}

/// Accepts a Unix-seconds timestamp within the tolerance of `now`.
fn check_timestamp(text: &str, now: SystemTime) -> Result<(), WebhookVerifyError> {
    let timestamp: i64 = text.parse().map_err(|_| WebhookVerifyError::BadTimestamp)?;
    let now = unix_seconds(now);
    let tolerance = TIMESTAMP_TOLERANCE.as_secs();
    let age = i128::from(now) - i128::from(timestamp);
    if age > i128::from(tolerance) {
        return Err(WebhookVerifyError::TooOld {
            age_seconds: u64::try_from(age).unwrap_or(u64::MAX),
        });
    }
    if -age > i128::from(tolerance) {
        return Err(WebhookVerifyError::TooNew {
            ahead_seconds: u64::try_from(-age).unwrap_or(u64::MAX),
        });
    }
    Ok(())
}

/// Seconds since the Unix epoch (negative before it).
pub fn unix_seconds(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

#[cfg(test)]
#[path = "standard_tests.rs"]
mod tests;
