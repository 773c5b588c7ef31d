//! Signed webhooks: the Standard Webhooks v1 scheme (docs: PROVIDERS.md §3) that Replicate
//! signs its callbacks with, and that any callback we send ourselves can use.

pub mod standard;

pub use standard::{
    HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, SignedHeaders, TIMESTAMP_TOLERANCE,
    WebhookHeaders, WebhookSecret, WebhookSecretError, WebhookVerifyError, unix_seconds,
    verify_with_secret,
};
