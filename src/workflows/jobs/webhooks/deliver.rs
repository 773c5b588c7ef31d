//! One delivery attempt of one event: the body (`type`, `timestamp`, and the job's canonical
//! view as `data`) signed with the key's secret per Standard Webhooks (the event's
//! `webhook-id` on every attempt), the URL checked and pinned (`target`), one POST, and the
//! attempt recorded whatever happened. What to do next is the caller's (`kind`).

use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::event::WebhookEventPayload;
use super::records::NewDelivery;
use super::target::{WebhookUrlError, resolve_webhook_url};
use crate::clock::now_ms;
use crate::domain::timestamp::rfc3339_from_ms;
use crate::state::AppState;
use crate::webhooks::{WebhookSecret, unix_seconds};
use crate::workflows::jobs::view::job_view;

/// The longest wait an endpoint's `Retry-After` may ask for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// How one attempt ended.
#[derive(Debug)]
pub enum Delivery {
    /// The endpoint answered 2xx.
    Delivered { status: u16 },
    /// The endpoint answered 410 Gone: it wants no more deliveries.
    Gone,
    /// Not sent: the URL is not allowed (recorded). Trying again cannot help.
    Refused(WebhookUrlError),
    /// Not sent and never will be: the job or its key no longer exists (nothing recorded).
    Abandoned(&'static str),
    /// Sent or tried, and failed in a way a later attempt may not (recorded).
    Failed {
        error: String,
        retry_after: Option<Duration>,
    },
}

/// The JSON body of an event.
pub fn event_body(event_type: &str, timestamp_ms: i64, data: Value) -> Value {
    json!({
        "type": event_type,
        "timestamp": rfc3339_from_ms(timestamp_ms),
        "data": data,
    })
}

/// Makes attempt number `attempt` (1-based) of `payload`'s event and records it.
pub async fn deliver(
    app: &AppState,
    payload: &WebhookEventPayload,
    attempt: i32,
) -> anyhow::Result<Delivery> {
    let Some(row) = app.db.api_job(&payload.job_id).await? else {
        return Ok(Delivery::Abandoned("the job no longer exists"));
    };
    let Some(secret) = app.db.api_key_webhook_secret(&payload.key_id).await? else {
        return Ok(Delivery::Abandoned("the job's API key no longer exists"));
    };
    let secret = WebhookSecret::parse(secret.expose_secret())
        .context("the key's stored webhook secret is unusable")?;
    let data = job_view(app, &row).await?;
    let body = serde_json::to_vec(&event_body(&payload.event_type, now_ms(), data))?;

    let started = Instant::now();
    let (status_code, delivery) = send(app, payload, &secret, body).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let error = match &delivery {
        Delivery::Delivered { .. } => None,
        Delivery::Gone => Some("the endpoint answered 410 Gone: no more deliveries".to_owned()),
        Delivery::Refused(error) => Some(format!("{}: {error}", error.code())),
        Delivery::Failed { error, .. } => Some(error.clone()),
        Delivery::Abandoned(reason) => Some((*reason).to_owned()),
    };
    app.db
        .record_webhook_delivery(&NewDelivery {
            event_id: &payload.event_id,
            job_id: &payload.job_id,
            event_type: &payload.event_type,
            attempt,
            url: &payload.url,
            status_code,
            error: error.as_deref(),
            duration_ms,
            delivered: matches!(delivery, Delivery::Delivered { .. }),
            at: now_ms(),
        })
        .await?;
    log(payload, attempt, &delivery);
    Ok(delivery)
}

/// Checks the URL and POSTs the signed body: the status the endpoint gave, if any, and what
/// it means.
async fn send(
    app: &AppState,
    payload: &WebhookEventPayload,
    secret: &WebhookSecret,
    body: Vec<u8>,
) -> (Option<u16>, Delivery) {
    let allowed = &app.config.jobs.jobs_webhook_allowed_hosts;
    let destination = match resolve_webhook_url(&payload.url, allowed).await {
        Ok(destination) => destination,
        Err(error) if error.is_permanent() => return (None, Delivery::Refused(error)),
        Err(error) => return (None, failed(format!("{}: {error}", error.code()), None)),
    };
    let client = match destination.client() {
        Ok(client) => client,
        Err(error) => return (None, failed(describe(&error), None)),
    };
    let timestamp = unix_seconds(SystemTime::now());
    let headers = secret.signed_headers(&payload.event_id, timestamp, &body);
    let mut request = client
        .post(destination.url.clone())
        .header(CONTENT_TYPE, "application/json")
        .body(body);
    for (name, value) in headers.pairs() {
        request = request.header(name, value);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => return (None, failed(describe(&error), None)),
    };
    let status = response.status();
    let delivery = if status.is_success() {
        Delivery::Delivered {
            status: status.as_u16(),
        }
    } else if status == reqwest::StatusCode::GONE {
        Delivery::Gone
    } else {
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(|seconds| Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
        let error = if status.is_redirection() {
            format!("the endpoint answered {status} (redirects are not followed)")
        } else {
            format!("the endpoint answered {status}")
        };
        failed(error, retry_after)
    };
    (Some(status.as_u16()), delivery)
}

fn failed(error: String, retry_after: Option<Duration>) -> Delivery {
    Delivery::Failed { error, retry_after }
}

/// A send error and its causes, without the URL (it may hold the client's token).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn log(payload: &WebhookEventPayload, attempt: i32, delivery: &Delivery) {
    let host = reqwest::Url::parse(&payload.url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default();
    let event = payload.event_id.as_str();
    let job = payload.job_id.as_str();
    match delivery {
        Delivery::Delivered { status } => tracing::info!(
            webhook.event = event, job.id = job, webhook.host = %host, attempt, status,
            "webhook {} delivered", payload.event_type
        ),
        Delivery::Gone => tracing::info!(
            webhook.event = event, job.id = job, webhook.host = %host, attempt,
            "webhook endpoint answered 410 Gone; no more deliveries"
        ),
        Delivery::Refused(error) => tracing::warn!(
            webhook.event = event, job.id = job, webhook.host = %host, error.code = error.code(),
            "webhook refused: {error}"
        ),
        Delivery::Failed { error, .. } => tracing::warn!(
            webhook.event = event, job.id = job, webhook.host = %host, attempt,
            "webhook delivery failed: {error}"
        ),
        Delivery::Abandoned(reason) => tracing::warn!(
            webhook.event = event,
            job.id = job,
            "webhook abandoned: {reason}"
        ),
    }
}
