//! `POST /v1/audio/speech` as OpenAI answers it: the Bearer key (401 `invalid_api_key`), the
//! body checked field by field (400 with OpenAI's `{"error": {message, type, param, code}}`,
//! 404 `model_not_found`, 422 for input with nothing to say), then a WAV (or raw PCM) whose
//! length follows the text. Injected faults come first.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use super::control::Fault;
use super::server::Hangup;
use super::state::Shared;
use super::voice;
use crate::tts::espeak::parse_edge_voice;
use crate::tts::wav::Pcm;

/// OpenAI's longest `input`.
pub const MAX_INPUT_CHARS: usize = 4096;
/// OpenAI's built-in voices (Edge-style names are accepted too, as compatible servers do).
pub const VOICES: &[&str] = &[
    "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse",
];
/// The request fields OpenAI knows.
const FIELDS: &[&str] = &[
    "model",
    "input",
    "voice",
    "response_format",
    "speed",
    "instructions",
    "stream_format",
];
/// Formats OpenAI offers; the fake produces the last two.
const FORMATS: &[&str] = &["mp3", "opus", "aac", "flac", "wav", "pcm"];

/// A refusal with OpenAI's error body.
#[derive(Debug)]
pub struct ApiRefusal {
    status: StatusCode,
    message: String,
    kind: &'static str,
    param: Option<&'static str>,
    code: Option<&'static str>,
}

impl ApiRefusal {
    fn invalid(param: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            kind: "invalid_request_error",
            param: Some(param),
            code: Some(code),
        }
    }
}

impl IntoResponse for ApiRefusal {
    fn into_response(self) -> Response {
        let body = json!({"error": {
            "message": self.message,
            "type": self.kind,
            "param": self.param,
            "code": self.code,
        }});
        (self.status, Json(body)).into_response()
    }
}

/// A valid request.
#[derive(Debug, Clone, PartialEq)]
pub struct Speech {
    pub input: String,
    pub voice: String,
    pub format: &'static str,
    pub speed: f64,
}

/// `POST /v1/audio/speech`.
pub async fn speech(
    State(shared): State<Arc<Shared>>,
    Extension(hangup): Extension<Hangup>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match shared.control.begin_request() {
        Some(Fault::Status {
            status,
            retry_after_seconds,
        }) => return fault_status(status, retry_after_seconds),
        Some(Fault::DropConnection) => {
            hangup.now();
            // Wait for the connection task to drop this request: answering now could race
            // the hang-up and get written.
            shared.stop.cancelled().await;
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        Some(Fault::NotWav) => {
            return (
                [(header::CONTENT_TYPE, "audio/mpeg")],
                b"ID3\x04\x00\x00\x00\x00\x00\x00not a wav".to_vec(),
            )
                .into_response();
        }
        Some(Fault::Delay { millis }) => {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(millis)) => {}
                () = shared.stop.cancelled() => {
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
            }
        }
        None => {}
    }
    if !authorized(&shared, &headers) {
        shared.control.count(|stats| stats.unauthorized += 1);
        return unauthorized(&headers);
    }
    let speech = match validate(&body, &shared.models) {
        Ok(speech) => speech,
        Err(refusal) => {
            shared.control.count(|stats| stats.rejected += 1);
            return refusal.into_response();
        }
    };
    let samples = voice::speak(
        &speech.input,
        &speech.voice,
        speech.speed,
        shared.sample_rate,
        shared.chars_per_second,
    );
    shared.control.count(|stats| {
        stats.succeeded += 1;
        stats.characters += speech.input.chars().count() as u64;
    });
    let pcm = Pcm::new(shared.sample_rate, samples);
    if speech.format == "pcm" {
        let raw: Vec<u8> = pcm.samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        return ([(header::CONTENT_TYPE, "audio/pcm")], raw).into_response();
    }
    ([(header::CONTENT_TYPE, "audio/wav")], pcm.to_wav_bytes()).into_response()
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|key| key == shared.api_key)
}

/// OpenAI's 401, which names a missing key differently from a wrong one.
fn unauthorized(headers: &HeaderMap) -> Response {
    let (message, code) = if headers.contains_key(header::AUTHORIZATION) {
        (
            "Incorrect API key provided. You can find your API key in your account settings.",
            Some("invalid_api_key"),
        )
    } else {
        (
            "You didn't provide an API key. You need to provide your API key in an \
             Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            None,
        )
    };
    ApiRefusal {
        status: StatusCode::UNAUTHORIZED,
        message: message.into(),
        kind: "invalid_request_error",
        param: None,
        code,
    }
    .into_response()
}

/// An injected status with the body OpenAI gives it.
fn fault_status(status: u16, retry_after_seconds: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (message, kind, code) = match status {
        StatusCode::UNAUTHORIZED => (
            "Incorrect API key provided.",
            "invalid_request_error",
            Some("invalid_api_key"),
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "Rate limit reached for requests. Please try again later.",
            "requests",
            Some("rate_limit_exceeded"),
        ),
        status if status.is_server_error() => (
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            None,
        ),
        _ => (
            "Forced by the fake TTS server.",
            "invalid_request_error",
            None,
        ),
    };
    let mut response = ApiRefusal {
        status,
        message: message.into(),
        kind,
        param: None,
        code,
    }
    .into_response();
    if let Some(seconds) = retry_after_seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The request, or OpenAI's refusal of it.
pub fn validate(body: &[u8], models: &[String]) -> Result<Speech, ApiRefusal> {
    let object: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => object,
        _ => {
            return Err(ApiRefusal {
                status: StatusCode::BAD_REQUEST,
                message: "We could not parse the JSON body of your request. The body must be a \
                          JSON object."
                    .into(),
                kind: "invalid_request_error",
                param: None,
                code: None,
            });
        }
    };
    if let Some(unknown) = object.keys().find(|key| !FIELDS.contains(&key.as_str())) {
        return Err(ApiRefusal {
            status: StatusCode::BAD_REQUEST,
            message: format!("Unrecognized request argument supplied: {unknown}"),
            kind: "invalid_request_error",
            param: None,
            code: None,
        });
    }
    let model = required_string(&object, "model")?;
    if !models.iter().any(|known| known.trim() == model) {
        return Err(ApiRefusal {
            status: StatusCode::NOT_FOUND,
            message: format!("The model `{model}` does not exist or you do not have access to it."),
            kind: "invalid_request_error",
            param: None,
            code: Some("model_not_found"),
        });
    }
    let input = required_string(&object, "input")?;
    let length = input.chars().count();
    if length == 0 {
        return Err(ApiRefusal::invalid(
            "input",
            "string_below_min_length",
            "Invalid 'input': string too short. Expected a string with minimum length 1, \
             but got an empty string instead.",
        ));
    }
    if length > MAX_INPUT_CHARS {
        return Err(ApiRefusal::invalid(
            "input",
            "string_above_max_length",
            format!(
                "Invalid 'input': string too long. Expected a string with maximum length \
                 {MAX_INPUT_CHARS}, but got a string with length {length} instead."
            ),
        ));
    }
    let voice = required_string(&object, "voice")?;
    if !(VOICES.contains(&voice) || parse_edge_voice(voice).is_some()) {
        return Err(ApiRefusal::invalid(
            "voice",
            "invalid_value",
            format!(
                "Invalid value: '{voice}'. Supported values are: {} (or an Edge voice name \
                 such as 'en-US-JennyNeural').",
                VOICES.join(", ")
            ),
        ));
    }
    let format = match object.get("response_format") {
        None => "mp3",
        Some(Value::String(format)) => FORMATS
            .iter()
            .find(|known| **known == format)
            .copied()
            .ok_or_else(|| {
                ApiRefusal::invalid(
                    "response_format",
                    "invalid_value",
                    format!(
                        "Invalid value: '{format}'. Supported values are: {}.",
                        FORMATS.join(", ")
                    ),
                )
            })?,
        Some(_) => return Err(wrong_type("response_format", "a string")),
    };
    if !matches!(format, "wav" | "pcm") {
        return Err(ApiRefusal::invalid(
            "response_format",
            "unsupported_value",
            format!("The fake TTS server produces only 'wav' and 'pcm', not '{format}'."),
        ));
    }
    let speed = match object.get("speed") {
        None => 1.0,
        Some(Value::Number(number)) => number.as_f64().unwrap_or(f64::NAN),
        Some(_) => return Err(wrong_type("speed", "a number")),
    };
    if !(0.25..=4.0).contains(&speed) {
        let code = if speed < 0.25 {
            "decimal_below_min_value"
        } else {
            "decimal_above_max_value"
        };
        return Err(ApiRefusal::invalid(
            "speed",
            code,
            format!("Invalid 'speed': {speed} is outside 0.25 to 4.0."),
        ));
    }
    for optional in ["instructions", "stream_format"] {
        if object.get(optional).is_some_and(|value| !value.is_string()) {
            return Err(wrong_type(optional, "a string"));
        }
    }
    if object.get("stream_format").and_then(Value::as_str) == Some("sse") {
        return Err(ApiRefusal::invalid(
            "stream_format",
            "unsupported_value",
            "The fake TTS server does not stream server-sent events.",
        ));
    }
    if !input.chars().any(char::is_alphanumeric) {
        return Err(ApiRefusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: "Invalid 'input': there is nothing to speak (no letters or digits).".into(),
            kind: "invalid_request_error",
            param: Some("input"),
            code: Some("unspeakable_input"),
        });
    }
    Ok(Speech {
        input: input.to_owned(),
        voice: voice.to_owned(),
        format,
        speed,
    })
}

fn required_string<'a>(
    object: &'a Map<String, Value>,
    name: &'static str,
) -> Result<&'a str, ApiRefusal> {
    match object.get(name) {
        Some(Value::String(value)) => Ok(value),
        None | Some(Value::Null) => Err(ApiRefusal::invalid(
            name,
            "missing_required_parameter",
            format!("Missing required parameter: '{name}'."),
        )),
        Some(_) => Err(wrong_type(name, "a string")),
    }
}

fn wrong_type(name: &'static str, expected: &str) -> ApiRefusal {
    ApiRefusal::invalid(
        name,
        "invalid_type",
        format!("Invalid type for '{name}': expected {expected}."),
    )
}

#[cfg(test)]
#[path = "api_tests.rs"]
mod tests;
