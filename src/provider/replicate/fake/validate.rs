//! Checks a create body the way Replicate does for an image model like flux-schnell: JSON
//! object, a valid `version` on `/v1/predictions`, `input.prompt` required, `num_outputs`
//! 1..=4, a URL `webhook` and known `webhook_events_filter` names. Refusals carry a
//! problem-details body with `invalid_fields` ([INF] shape).

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::prediction::Event;

/// The most outputs one prediction makes.
pub const MAX_OUTPUTS: u64 = 4;

/// A create body that passed the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateRequest {
    pub version: Option<String>,
    pub input: Value,
    pub prompt: String,
    pub num_outputs: u32,
    pub webhook: Option<String>,
    pub events: Vec<Event>,
}

/// A refused body: its status and problem fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub status: StatusCode,
    pub title: &'static str,
    /// `(field, kind, description)` of each problem.
    pub problems: Vec<(String, &'static str, String)>,
}

impl Invalid {
    fn one(title: &'static str, field: &str, kind: &'static str, description: &str) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            title,
            problems: vec![(field.to_owned(), kind, description.to_owned())],
        }
    }

    /// `{"title", "detail", "status", "invalid_fields"}`.
    pub fn body(&self) -> Value {
        let detail: String = self
            .problems
            .iter()
            .map(|(field, _, description)| format!("- {field}: {description}\n"))
            .collect();
        let fields: Vec<Value> = self
            .problems
            .iter()
            .map(|(field, kind, description)| {
                json!({"type": kind, "field": field, "description": description})
            })
            .collect();
        json!({
            "title": self.title,
            "detail": detail,
            "status": self.status.as_u16(),
            "invalid_fields": fields,
        })
    }
}

/// Parses and checks a create body; `version_required` on `POST /v1/predictions`.
pub fn parse(body: &[u8], version_required: bool) -> Result<CreateRequest, Invalid> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(Invalid {
            status: StatusCode::BAD_REQUEST,
            ..Invalid::one(
                "Invalid JSON",
                "body",
                "invalid_json",
                "must be a JSON object",
            )
        });
    };
    let version = match body.get("version") {
        None if version_required => {
            return Err(Invalid::one(
                "Invalid version",
                "version",
                "required",
                "version is required",
            ));
        }
        None => None,
        Some(Value::String(version)) if is_valid_version(version) => Some(version.clone()),
        Some(_) => {
            return Err(Invalid::one(
                "Invalid version or not permitted",
                "version",
                "invalid",
                "must be {owner}/{name}, {owner}/{name}:{version id} or a 64-hex version id",
            ));
        }
    };
    let input = body.get("input").cloned().unwrap_or(Value::Null);
    let (prompt, num_outputs) = check_input(&input)?;
    let webhook = match body.get("webhook") {
        None | Some(Value::Null) => None,
        Some(Value::String(url)) if url.starts_with("https://") || url.starts_with("http://") => {
            Some(url.clone())
        }
        Some(_) => {
            return Err(Invalid::one(
                "Invalid webhook",
                "webhook",
                "format",
                "must be a URL",
            ));
        }
    };
    let events = match body.get("webhook_events_filter") {
        None | Some(Value::Null) => Event::DEFAULT.to_vec(),
        Some(Value::Array(names)) => names
            .iter()
            .map(|name| name.as_str().and_then(Event::parse))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                Invalid::one(
                    "Invalid webhook events filter",
                    "webhook_events_filter",
                    "enum",
                    "each entry must be one of start, output, logs, completed",
                )
            })?,
        Some(_) => {
            return Err(Invalid::one(
                "Invalid webhook events filter",
                "webhook_events_filter",
                "invalid_type",
                "must be an array",
            ));
        }
    };
    Ok(CreateRequest {
        version,
        input,
        prompt,
        num_outputs,
        webhook,
        events,
    })
}

/// The prompt and output count of a valid input.
fn check_input(input: &Value) -> Result<(String, u32), Invalid> {
    const TITLE: &str = "Input validation failed";
    let Value::Object(fields) = input else {
        return Err(Invalid::one(
            TITLE,
            "input",
            "invalid_type",
            "input must be an object",
        ));
    };
    let prompt = match fields.get("prompt") {
        Some(Value::String(prompt)) if !prompt.trim().is_empty() => prompt.clone(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(Invalid::one(
                TITLE,
                "input.prompt",
                "required",
                "prompt is required",
            ));
        }
        Some(_) => {
            return Err(Invalid::one(
                TITLE,
                "input.prompt",
                "invalid_type",
                "Invalid type. Expected: string",
            ));
        }
    };
    let num_outputs = match fields.get("num_outputs") {
        None | Some(Value::Null) => 1,
        Some(value) => match value.as_u64() {
            Some(count @ 1..=MAX_OUTPUTS) => count as u32,
            Some(0) => {
                return Err(Invalid::one(
                    TITLE,
                    "input.num_outputs",
                    "number_one_of",
                    "Must be greater than or equal to 1",
                ));
            }
            Some(_) => {
                return Err(Invalid::one(
                    TITLE,
                    "input.num_outputs",
                    "number_lte",
                    "Must be less than or equal to 4",
                ));
            }
            None => {
                return Err(Invalid::one(
                    TITLE,
                    "input.num_outputs",
                    "invalid_type",
                    "Invalid type. Expected: integer",
                ));
            }
        },
    };
    Ok((prompt, num_outputs))
}

/// `{owner}/{name}`, `{owner}/{name}:{64 hex}` or `{64 hex}`.
fn is_valid_version(version: &str) -> bool {
    let is_hex64 = |text: &str| text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit());
    let is_name = |text: &str| {
        !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    let (model, id) = match version.split_once(':') {
        Some((model, id)) => (model, Some(id)),
        None => (version, None),
    };
    match (model.split_once('/'), id) {
        (Some((owner, name)), id) => is_name(owner) && is_name(name) && id.is_none_or(is_hex64),
        (None, None) => is_hex64(model),
        (None, Some(_)) => false,
    }
}

/// The `model` and `version` a prediction created with `version` reports: a bare id gets the
/// fake's stand-in model, an official model alone gets the version `hidden`.
pub fn model_and_version_id(version: &str) -> (String, String) {
    match version.split_once(':') {
        Some((model, id)) => (model.to_owned(), id.to_owned()),
        None if version.contains('/') => (version.to_owned(), "hidden".to_owned()),
        None => ("fake/image-model".to_owned(), version.to_owned()),
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
