//! The `/v1` routes of the fake, faithful to docs/provider.md: start a v3 generation, read its
//! status (a bare JSON string) or full object, and read the credits balance.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::config::AudioFormat;
use super::control::Inner;
use super::generation::{Generation, Request, Status};
use super::scenario::Fault;
use super::state::Shared;
use super::timeline::{self, SONG_COST};
use super::webhook::chance;
use super::{ids, lyrics, validate};

/// The message of a generation failed by `--fail-ratio`.
const RANDOM_FAILURE: &str = "Generation failed: the model could not finish this song";

/// `POST /v1/generations/v3`.
pub async fn create_generation(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = shared.control.with(|inner| {
        inner.stats.posts += 1;
        Inner::take_fault(&mut inner.behaviour.post_faults)
    });
    let after_accept = match fault {
        Some(fault @ (Fault::AcceptThenHang | Fault::AcceptThenStatus { .. })) => Some(fault),
        Some(fault) => return fault_response(&shared, fault).await,
        None => None,
    };
    if let Some(refused) = refuse_bad_key(&shared, &headers) {
        return refused;
    }
    let request = match validate::parse(&body, &shared.allowed_tags) {
        Ok(request) => request,
        Err(invalid) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(invalid.body())).into_response();
        }
    };
    let generation = new_generation(&shared, request);
    let id = generation.id.clone();
    let accepted = shared.control.with(|inner| {
        if inner.balance.total() < SONG_COST {
            return false;
        }
        let mut generation = generation;
        generation.planned_failure = match inner.behaviour.take_forced_failure() {
            Some(message) => Some(message),
            None => chance(inner.behaviour.fail_ratio).then(|| RANDOM_FAILURE.to_owned()),
        };
        inner.generations.insert(id.clone(), generation);
        let stats = &mut inner.stats;
        stats.accepted += 1;
        stats.in_flight += 1;
        stats.max_in_flight = stats.max_in_flight.max(stats.in_flight);
        true
    });
    if !accepted {
        return detail(StatusCode::PAYMENT_REQUIRED, "Insufficient credits");
    }
    tracing::info!(task.id = %id, "fake Sonauto accepted a generation");
    tokio::spawn(timeline::run(shared.clone(), id.clone()));
    match after_accept {
        Some(Fault::AcceptThenStatus { status }) => answer_without_task_id(status),
        Some(_) => hang(&shared).await,
        None => Json(json!({ "task_id": id })).into_response(),
    }
}

fn new_generation(shared: &Shared, request: validate::CreateGeneration) -> Generation {
    let prompt_text = request.prompt.clone().unwrap_or_default();
    let instrumental = request.instrumental.unwrap_or(false);
    let lyrics = match (&request.lyrics, instrumental) {
        (Some(lyrics), _) => lyrics.clone(),
        (None, true) => String::new(),
        (None, false) => lyrics::write_lyrics(&prompt_text),
    };
    let tags = request
        .tags
        .clone()
        .unwrap_or_else(|| lyrics::pick_tags(&prompt_text, &shared.allowed_tags));
    let format = request
        .output_format
        .as_deref()
        .and_then(AudioFormat::from_output_format)
        .unwrap_or(shared.default_format);
    Generation {
        id: ids::uuid_v4(),
        created_at: ids::now_rfc3339(),
        request: Request {
            prompt: request.prompt,
            prompt_strength: request.prompt_strength.unwrap_or(2.0),
            instrumental,
            enable_streaming: request.enable_streaming.unwrap_or(false),
            align_lyrics: request.align_lyrics.unwrap_or(false),
            webhook_url: request.webhook_url,
        },
        tags,
        lyrics,
        format,
        status: Status::Received,
        planned_failure: None,
        finished_at: None,
    }
}

/// `GET /v1/generations/status/{id}`: `"GENERATING"`, or with `include_alignment=true`
/// `{"status", "alignment_status"}`.
pub async fn generation_status(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = guard_get(&shared, &headers, |stats| stats.status_gets += 1).await {
        return refused;
    }
    let include_alignment = query
        .get("include_alignment")
        .is_some_and(|value| matches!(value.to_ascii_lowercase().as_str(), "true" | "1" | "yes"));
    let found = shared.control.with(|inner| {
        inner.generations.get(&id).map(|generation| {
            if include_alignment {
                json!({
                    "status": generation.status.as_str(),
                    "alignment_status": generation.alignment_status(),
                })
            } else {
                json!(generation.status.as_str())
            }
        })
    });
    match found {
        Some(body) => Json(body).into_response(),
        None => not_found(),
    }
}

/// `GET /v1/generations/{id}`: the full generation object.
pub async fn generation(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = guard_get(&shared, &headers, |stats| stats.generation_gets += 1).await {
        return refused;
    }
    let found = shared.control.with(|inner| {
        inner
            .generations
            .get(&id)
            .map(|generation| generation.to_json(&shared.public_base_url))
    });
    match found {
        Some(body) => Json(body).into_response(),
        None => not_found(),
    }
}

/// `GET /v1/credits/balance`.
pub async fn credits_balance(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(refused) = guard_get(&shared, &headers, |stats| stats.credit_gets += 1).await {
        return refused;
    }
    Json(shared.control.balance()).into_response()
}

/// Counts a GET, then applies a pending GET fault and the key check: `Some` is the refusal.
async fn guard_get(
    shared: &Shared,
    headers: &HeaderMap,
    count: impl FnOnce(&mut super::control::FakeStats),
) -> Option<Response> {
    let fault = shared.control.with(|inner| {
        count(&mut inner.stats);
        inner.take_get_fault()
    });
    if let Some(fault) = fault {
        return Some(fault_response(shared, fault).await);
    }
    refuse_bad_key(shared, headers)
}

/// Unless the request has `Authorization: Bearer <key>`: `401 {"detail":"Invalid API key"}`.
fn refuse_bad_key(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if presented == Some(shared.api_key.as_str()) {
        return None;
    }
    shared.control.with(|inner| inner.stats.unauthorized += 1);
    Some(detail(StatusCode::UNAUTHORIZED, "Invalid API key"))
}

pub(super) async fn fault_response(shared: &Shared, fault: Fault) -> Response {
    let (status, retry_after) = match fault {
        Fault::Status {
            status,
            retry_after_seconds,
        } => (status, retry_after_seconds),
        Fault::AcceptThenStatus { status } => (status, None),
        Fault::Hang | Fault::AcceptThenHang => return hang(shared).await,
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match status.as_u16() {
        401 => detail(status, "Invalid API key"),
        402 => detail(status, "Insufficient credits"),
        422 => {
            let body = json!({"detail": [{"type": "value_error", "loc": ["body"],
                "msg": "Value error, forced by the fake Sonauto scenario"}]});
            (status, Json(body)).into_response()
        }
        429 => detail(status, "Rate limit exceeded"),
        _ => detail(status, status.canonical_reason().unwrap_or("Error")),
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The answer to a POST that created a generation but lost its id on the way back: a 2xx
/// with an empty object, or `status` with the gateway's own body.
fn answer_without_task_id(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::GATEWAY_TIMEOUT);
    if status.is_success() {
        return (status, Json(json!({}))).into_response();
    }
    detail(status, status.canonical_reason().unwrap_or("Gateway error"))
}

/// Holds the request until the fake stops, then answers 503.
async fn hang(shared: &Shared) -> Response {
    shared.shutdown.cancelled().await;
    detail(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
}

/// `{"detail": message}` with `status`.
pub fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

/// FastAPI's `404 {"detail":"Not Found"}`.
pub fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not Found")
}
