//! API keys for the generic jobs API. A key is `srn_` and 43 random base64url characters,
//! shown once when it is created; the database keeps only its SHA-256, so a leaked table
//! grants nothing. Keys are created, listed and revoked from the CLI (`command`), looked up
//! per request from `X-API-Key` or `Authorization: Bearer` (`caller`), each with its own
//! request rate and daily job quota; an admin key sees every key's jobs.

pub mod caller;
pub mod command;
pub mod store;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt;
use sha2::{Digest, Sha256};

/// The prefix every key carries (recognisable in logs and secret scanners).
pub const KEY_PREFIX: &str = "srn_";
/// The built-in key keyless requests act as (`JOBS_ANONYMOUS_ACCESS`); made by migration
/// 0006 with a stored hash no token can produce.
pub const ANONYMOUS_KEY_ID: &str = "anonymous";
/// Requests per minute a key gets unless created with another limit.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 120;

/// A freshly generated key: the secret to hand over once, and what is stored.
#[derive(Debug)]
pub struct GeneratedKey {
    pub token: String,
    pub secret_hash: String,
}

/// A new random key.
pub fn generate_key() -> GeneratedKey {
    let secret: [u8; 32] = rand::rng().random();
    let token = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
    let secret_hash = hash_token(&token);
    GeneratedKey { token, secret_hash }
}

/// The stored form of a presented key.
pub fn hash_token(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// Whether a presented value could be a key at all (checked before any lookup).
pub fn looks_like_key(token: &str) -> bool {
    token.len() == KEY_PREFIX.len() + 43
        && token.starts_with(KEY_PREFIX)
        && token[KEY_PREFIX.len()..]
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_recognisable_and_stored_only_as_a_hash() {
        let first = generate_key();
        let second = generate_key();
        assert_ne!(first.token, second.token);
        assert!(looks_like_key(&first.token), "{}", first.token);
        assert_eq!(first.secret_hash, hash_token(&first.token));
        assert!(!first.secret_hash.contains(&first.token[KEY_PREFIX.len()..]));
        assert!(!looks_like_key("srn_short"));
        assert!(!looks_like_key(&first.token.replace(KEY_PREFIX, "abc_")));
        assert!(!looks_like_key(&format!(
            "{}!",
            &first.token[..first.token.len() - 1]
        )));
    }
}
