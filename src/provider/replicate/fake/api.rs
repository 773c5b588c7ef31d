//! The `/v1` routes of the fake Replicate (PROVIDERS.md §2.2, §2.4): create a prediction on any
//! of the three create endpoints (with `Prefer: wait`), read it, cancel it, and read the
//! webhook secret. Refusals (auth, faults, problem bodies) live in `refusals`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use secrecy::ExposeSecret;
use serde_json::json;
use tokio::sync::mpsc;

use super::control::take_fault;
use super::ids;
use super::prediction::{Event, FakePrediction, Status, WebhookTarget};
use super::refusals::{fault_response, guard, not_found, refuse_bad_token};
use super::scenario::Fault;
use super::server::DropConnection;
use super::state::Shared;
use super::timeline::{self, change, complete, notify};
use super::validate::{self, CreateRequest};
use super::webhook;

/// The longest `Prefer: wait` honoured.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// `POST /v1/predictions` (with `version`).
pub async fn create_with_version(
    State(shared): State<Arc<Shared>>,
    Extension(connection): Extension<DropConnection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create(shared, connection, headers, body, None).await
}

/// `POST /v1/models/{owner}/{name}/predictions` and the deployments twin.
pub async fn create_for_model(
    State(shared): State<Arc<Shared>>,
    Extension(connection): Extension<DropConnection>,
    Path((owner, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create(
        shared,
        connection,
        headers,
        body,
        Some(format!("{owner}/{name}")),
    )
    .await
}

async fn create(
    shared: Arc<Shared>,
    connection: DropConnection,
    headers: HeaderMap,
    body: Bytes,
    model: Option<String>,
) -> Response {
    let fault = shared.control.with(|inner| {
        inner.stats.creates += 1;
        take_fault(&mut inner.behaviour.create_faults)
    });
    if let Some(fault @ Fault::Status { .. }) = fault {
        return fault_response(&shared, &connection, fault).await;
    }
    if let Some(refused) = refuse_bad_token(&shared, &headers) {
        return refused;
    }
    let request = match validate::parse(&body, model.is_none()) {
        Ok(request) => request,
        Err(invalid) => {
            shared.control.with(|inner| inner.stats.rejected += 1);
            return (invalid.status, Json(invalid.body())).into_response();
        }
    };
    let id = accept(&shared, request, model);
    tracing::info!(prediction.id = %id, "fake Replicate accepted a prediction");
    tokio::spawn(timeline::run(shared.clone(), id.clone()));
    if let Some(fault) = fault {
        return fault_response(&shared, &connection, fault).await;
    }
    if let Some(wait) = requested_wait(&headers) {
        timeline::wait_for_end(&shared, &id, wait).await;
    }
    match shared.snapshot(&id) {
        Some(body) => (StatusCode::CREATED, Json(body)).into_response(),
        None => not_found(),
    }
}

/// Stores a new `starting` prediction, starts its webhook delivery and sends `start`.
fn accept(shared: &Arc<Shared>, request: CreateRequest, model: Option<String>) -> String {
    let (model, version) = match (model, &request.version) {
        (Some(model), _) => (model, "hidden".to_owned()),
        (None, Some(version)) => validate::model_and_version_id(version),
        (None, None) => ("fake/image-model".to_owned(), "hidden".to_owned()),
    };
    let webhook = request.webhook.map(|url| {
        let (deliveries, queue) = mpsc::unbounded_channel();
        tokio::spawn(webhook::deliver(shared.clone(), url, queue));
        WebhookTarget {
            deliveries,
            events: request.events,
        }
    });
    let id = ids::prediction_id();
    let prediction = FakePrediction {
        id: id.clone(),
        model,
        version,
        input: request.input,
        prompt: request.prompt,
        num_outputs: request.num_outputs,
        status: Status::Starting,
        logs: String::new(),
        outputs: Vec::new(),
        error: None,
        created_at: ids::now_utc(),
        started_at: None,
        completed_at: None,
        created: Instant::now(),
        started: None,
        completed: None,
        webhook,
        planned_failure: None,
    };
    shared.control.with(|inner| {
        let mut prediction = prediction;
        prediction.planned_failure = inner.behaviour.take_forced_failure();
        notify(
            &prediction,
            &[Event::Start],
            &shared.public_base_url,
            inner.behaviour.output_ttl,
        );
        inner.predictions.insert(id.clone(), prediction);
        inner.stats.accepted += 1;
    });
    shared.announce_change();
    id
}

/// `GET /v1/predictions/{id}`.
pub async fn get_prediction(
    State(shared): State<Arc<Shared>>,
    Extension(connection): Extension<DropConnection>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let fault = shared.control.with(|inner| {
        inner.stats.gets += 1;
        take_fault(&mut inner.behaviour.get_faults)
    });
    if let Some(refused) = guard(&shared, &connection, &headers, fault).await {
        return refused;
    }
    match shared.snapshot(&id) {
        Some(body) => Json(body).into_response(),
        None => not_found(),
    }
}

/// `POST /v1/predictions/{id}/cancel`: a running prediction becomes `canceled`; a finished
/// one is answered as it is.
pub async fn cancel_prediction(
    State(shared): State<Arc<Shared>>,
    Extension(connection): Extension<DropConnection>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let fault = shared.control.with(|inner| {
        inner.stats.cancels += 1;
        take_fault(&mut inner.behaviour.get_faults)
    });
    if let Some(refused) = guard(&shared, &connection, &headers, fault).await {
        return refused;
    }
    change(&shared, &id, |prediction, stats| {
        stats.canceled += 1;
        complete(prediction, Status::Canceled)
    });
    match shared.snapshot(&id) {
        Some(body) => Json(body).into_response(),
        None => not_found(),
    }
}

/// `GET /v1/webhooks/default/secret`: `{"key": "whsec_…"}`.
pub async fn webhook_secret(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    shared.control.with(|inner| inner.stats.secret_gets += 1);
    if let Some(refused) = refuse_bad_token(&shared, &headers) {
        return refused;
    }
    let key = shared.secret.to_whsec();
    Json(json!({ "key": key.expose_secret() })).into_response()
}

/// `Prefer: wait` (60 s) or `Prefer: wait=N` (clamped to 1..=60).
fn requested_wait(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("prefer")?.to_str().ok()?;
    let seconds = value.split(',').map(str::trim).find_map(|preference| {
        if preference == "wait" {
            return Some(MAX_WAIT.as_secs());
        }
        preference.strip_prefix("wait=")?.trim().parse::<u64>().ok()
    })?;
    Some(Duration::from_secs(seconds.clamp(1, MAX_WAIT.as_secs())))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn prefer_wait_takes_both_forms_and_is_clamped() {
        let wait = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert("prefer", HeaderValue::from_static(value));
            requested_wait(&headers)
        };
        assert_eq!(wait("wait"), Some(Duration::from_secs(60)));
        assert_eq!(wait("wait=5"), Some(Duration::from_secs(5)));
        assert_eq!(
            wait("respond-async, wait=600"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(wait("wait=0"), Some(Duration::from_secs(1)));
        assert_eq!(wait("wait=soon"), None);
        assert_eq!(requested_wait(&HeaderMap::new()), None);
    }
}
