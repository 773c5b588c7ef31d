//! Replicate predictions (PROVIDERS.md §2): the HTTP client with errors classified for the
//! jobs engine, the prediction object, the webhook receiving side (Standard Webhooks, see
//! `crate::webhooks`), and a faithful fake Replicate server for tests and demos (`fake`).

mod client;
mod error;
pub mod fake;
mod prediction;
mod request;
mod retry_after;
mod webhook;

pub use client::{DEFAULT_API_URL, ReplicateClient};
pub use error::ReplicateError;
pub use prediction::{Prediction, PredictionStatus, PredictionUrls};
pub use request::{CreatePrediction, MAX_WAIT_SECONDS, PredictionTarget, WebhookEvent};
pub use retry_after::parse_retry_after;
pub use webhook::{ReplicateWebhook, ReplicateWebhookError, parse_prediction, verify_webhook};
