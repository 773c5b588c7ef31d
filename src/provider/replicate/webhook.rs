//! Receiving Replicate's webhooks (PROVIDERS.md §2.6): verify the Standard Webhooks signature
//! over the raw body with the account's secret, then read the body as a [`Prediction`]. The
//! `webhook-id` is returned for de-duplication (retries reuse it; other events do not).

use std::time::SystemTime;

use axum::http::HeaderMap;

use super::prediction::Prediction;
use crate::webhooks::{WebhookHeaders, WebhookSecret, WebhookVerifyError};

/// A verified delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateWebhook {
    /// The message id: the same on every retry of this delivery.
    pub webhook_id: String,
    /// The prediction as it was when the event happened.
    pub prediction: Prediction,
}

/// Why a delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReplicateWebhookError {
    /// Missing headers, a stale or future timestamp, or no matching signature.
    #[error("the Replicate webhook is not authentic: {0}")]
    Unverified(#[from] WebhookVerifyError),
    /// Authentic but not a prediction object.
    #[error("the Replicate webhook body is not a prediction: {0}")]
    Body(#[source] serde_json::Error),
}

/// Verifies a delivery against `secret` at `now` and reads its prediction. Pass the body
/// exactly as received: re-serialized JSON does not verify.
pub fn verify_webhook(
    secret: &WebhookSecret,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<ReplicateWebhook, ReplicateWebhookError> {
    let signed = WebhookHeaders::from_header_map(headers)?;
    secret.verify(&signed, body, now)?;
    Ok(ReplicateWebhook {
        webhook_id: signed.id.to_owned(),
        prediction: parse_prediction(body).map_err(ReplicateWebhookError::Body)?,
    })
}

/// Reads a webhook (or API) body as a prediction, without any authentication.
pub fn parse_prediction(body: &[u8]) -> Result<Prediction, serde_json::Error> {
    serde_json::from_slice(body)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use axum::http::HeaderValue;

    use super::*;
    use crate::provider::replicate::PredictionStatus;

    const BODY: &[u8] = br#"{"id":"ufawqhfynnddngldkgtslldrkq","status":"succeeded","output":["https://replicate.delivery/p/out-0.png"]}"#;

    fn signed(secret: &WebhookSecret, body: &[u8], timestamp: i64) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in secret.signed_headers("msg_1", timestamp, body).pairs() {
            headers.insert(name, HeaderValue::from_str(&value).unwrap());
        }
        headers
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn a_signed_delivery_yields_its_prediction_and_id() {
        let secret = WebhookSecret::generate();
        let webhook = verify_webhook(
            &secret,
            &signed(&secret, BODY, 1_800_000_000),
            BODY,
            at(1_800_000_030),
        )
        .unwrap();
        assert_eq!(webhook.webhook_id, "msg_1");
        assert_eq!(webhook.prediction.status, PredictionStatus::Succeeded);
        assert_eq!(
            webhook.prediction.output_urls(),
            ["https://replicate.delivery/p/out-0.png"]
        );
    }

    #[test]
    fn forged_stale_or_unsigned_deliveries_are_refused() {
        let secret = WebhookSecret::generate();
        let headers = signed(&secret, BODY, 1_800_000_000);
        let forged = String::from_utf8_lossy(BODY).replace("succeeded", "failed");
        let refused = verify_webhook(&secret, &headers, forged.as_bytes(), at(1_800_000_000));
        assert!(matches!(
            refused,
            Err(ReplicateWebhookError::Unverified(
                WebhookVerifyError::NoMatchingSignature
            ))
        ));
        let stale = verify_webhook(&secret, &headers, BODY, at(1_800_001_000));
        assert!(matches!(
            stale,
            Err(ReplicateWebhookError::Unverified(
                WebhookVerifyError::TooOld { .. }
            ))
        ));
        let unsigned = verify_webhook(&secret, &HeaderMap::new(), BODY, at(1_800_000_000));
        assert!(matches!(
            unsigned,
            Err(ReplicateWebhookError::Unverified(
                WebhookVerifyError::MissingHeader(_)
            ))
        ));
    }

    #[test]
    fn an_authentic_body_that_is_no_prediction_is_a_body_error() {
        let secret = WebhookSecret::generate();
        let body = br#"{"hello":"world"}"#;
        let result = verify_webhook(&secret, &signed(&secret, body, 100), body, at(100));
        assert!(matches!(result, Err(ReplicateWebhookError::Body(_))));
    }
}
