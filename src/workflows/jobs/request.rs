//! A job request as every route hands it in: the canonical body's fields, each checked with
//! a stable error code (`unknown_kind`, `unknown_model`, `invalid_num_outputs`,
//! `prompt_too_long`, `parameters_too_large`, …), normalised, and hashed so a repeated
//! `Idempotency-Key` can tell the same request from another one.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::model::{Priority, WEBHOOK_EVENTS};
use crate::config::JobsConfig;
use crate::error::ApiError;
use crate::workflows::slideshow::options::{self as slideshow, SlideshowOptions};

/// The kinds a job may be.
pub const KINDS: [&str; 2] = ["image", slideshow::KIND];
/// Longest prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 4_000;
/// Largest `parameters` or `metadata` object, serialised.
pub const MAX_OBJECT_BYTES: usize = 8 * 1024;
/// Most keys in `parameters` or `metadata`.
pub const MAX_OBJECT_KEYS: usize = 64;
/// Longest `user_id` and `Idempotency-Key`.
pub const MAX_ID_CHARS: usize = 255;
/// Most retries a job may ask for.
pub const MAX_RETRIES: i64 = 10;
/// Retries when a request names none (seed 001's `MAX_RETRIES`).
pub const DEFAULT_RETRIES: i64 = 3;
/// Output formats, as stored (`jpeg` is stored as `jpg`).
pub const OUTPUT_FORMATS: [&str; 3] = ["png", "jpg", "webp"];

/// A checked request.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRequest {
    pub kind: String,
    pub model: String,
    pub prompt: String,
    pub parameters: Map<String, Value>,
    pub num_outputs: u32,
    pub seed: Option<i64>,
    pub output_format: String,
    pub priority: Priority,
    pub max_retries: i64,
    pub metadata: Map<String, Value>,
    pub user_id: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_events: Vec<String>,
    /// Uploaded images a slideshow takes (from `parameters.image_ids`).
    pub image_ids: Vec<String>,
}

fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable {
        code,
        field,
        message: message.into(),
    }
}

/// The fields a request may carry; anything else is refused, so a typo is not ignored.
const FIELDS: [&str; 13] = [
    "kind",
    "model",
    "prompt",
    "parameters",
    "num_outputs",
    "seed",
    "output_format",
    "priority",
    "max_retries",
    "metadata",
    "user_id",
    "webhook_url",
    "webhook_events",
];

impl JobRequest {
    /// Checks a canonical body (`POST /api/v1/jobs`).
    pub fn from_body(body: &Value, config: &JobsConfig) -> Result<Self, ApiError> {
        let Some(object) = body.as_object() else {
            return Err(ApiError::BadRequest {
                code: "invalid_json",
                message: "The request body must be a JSON object.".into(),
            });
        };
        if let Some(unknown) = object.keys().find(|key| !FIELDS.contains(&key.as_str())) {
            return Err(invalid(
                "unknown_field",
                "body",
                format!(
                    "Unknown field `{unknown}`; the fields are {}.",
                    FIELDS.join(", ")
                ),
            ));
        }
        let text = |field: &'static str| -> Result<Option<String>, ApiError> {
            match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(value)) => Ok(Some(value.clone())),
                Some(_) => Err(invalid(
                    "invalid_type",
                    field,
                    format!("`{field}` must be a string."),
                )),
            }
        };
        let integer = |field: &'static str| -> Result<Option<i64>, ApiError> {
            match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                // JSON has one number type: 2.0 is the integer 2.
                Some(value) => whole_number(value).map(Some).ok_or_else(|| {
                    invalid(
                        "invalid_type",
                        field,
                        format!("`{field}` must be an integer."),
                    )
                }),
            }
        };
        let kind = text("kind")?.unwrap_or_else(|| "image".into());
        if !KINDS.contains(&kind.as_str()) {
            return Err(invalid(
                "unknown_kind",
                "kind",
                format!("Unknown kind `{kind}`; the kinds are {}.", KINDS.join(", ")),
            ));
        }
        let is_slideshow = kind == slideshow::KIND;
        let model = match text("model")? {
            None if is_slideshow => slideshow::MODEL.to_owned(),
            None => config.jobs_default_model.clone(),
            Some(model) => model,
        };
        if is_slideshow && model != slideshow::MODEL {
            return Err(invalid(
                "unknown_model",
                "model",
                format!("Slideshows are made by `{}`.", slideshow::MODEL),
            ));
        }
        if !is_slideshow && !config.allows_model(&model) {
            return Err(invalid(
                "unknown_model",
                "model",
                format!(
                    "Unknown model `{}`; the models are {}.",
                    clip(&model),
                    config.jobs_models.join(", ")
                ),
            ));
        }
        let prompt = text("prompt")?.unwrap_or_default();
        if prompt.trim().is_empty() {
            return Err(invalid(
                "prompt_required",
                "prompt",
                "`prompt` must not be empty.",
            ));
        }
        let longest = if is_slideshow {
            slideshow::MAX_CONTENT_CHARS
        } else {
            MAX_PROMPT_CHARS
        };
        if prompt.chars().count() > longest {
            return Err(invalid(
                "prompt_too_long",
                "prompt",
                format!("`prompt` must be at most {longest} characters."),
            ));
        }
        if prompt
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(invalid(
                "invalid_prompt",
                "prompt",
                "`prompt` must not contain control characters.",
            ));
        }
        let parameters = bounded_object(object.get("parameters"), "parameters")?;
        let metadata = bounded_object(object.get("metadata"), "metadata")?;
        let image_ids = if is_slideshow {
            SlideshowOptions::from_parameters(&parameters)?.image_ids
        } else {
            Vec::new()
        };
        let num_outputs = integer("num_outputs")?.unwrap_or(1);
        let max_outputs = if is_slideshow {
            1
        } else {
            i64::from(config.jobs_max_outputs)
        };
        if !(1..=max_outputs).contains(&num_outputs) {
            return Err(invalid(
                "invalid_num_outputs",
                "num_outputs",
                format!("`num_outputs` must be 1 to {max_outputs}."),
            ));
        }
        let seed = integer("seed")?;
        if seed.is_some_and(|seed| !(0..=i64::from(u32::MAX)).contains(&seed)) {
            return Err(invalid(
                "invalid_seed",
                "seed",
                "`seed` must be 0 to 4294967295.",
            ));
        }
        let output_format = match text("output_format")? {
            None if is_slideshow => "mp4".to_owned(),
            Some(format) if is_slideshow && format == "mp4" => format,
            Some(format) if is_slideshow => {
                return Err(invalid(
                    "invalid_output_format",
                    "output_format",
                    format!("A slideshow is an mp4, not `{}`.", clip(&format)),
                ));
            }
            None => "png".to_owned(),
            Some(format) if format == "jpeg" => "jpg".to_owned(),
            Some(format) if OUTPUT_FORMATS.contains(&format.as_str()) => format,
            Some(format) => {
                return Err(invalid(
                    "invalid_output_format",
                    "output_format",
                    format!(
                        "Unknown output_format `{}`; use png, jpg or webp.",
                        clip(&format)
                    ),
                ));
            }
        };
        let priority = match text("priority")? {
            None => Priority::Default,
            Some(raw) => Priority::parse(&raw).ok_or_else(|| {
                invalid(
                    "invalid_priority",
                    "priority",
                    "`priority` must be high, default or low.",
                )
            })?,
        };
        let max_retries = integer("max_retries")?.unwrap_or(DEFAULT_RETRIES);
        if !(0..=MAX_RETRIES).contains(&max_retries) {
            return Err(invalid(
                "invalid_max_retries",
                "max_retries",
                format!("`max_retries` must be 0 to {MAX_RETRIES}."),
            ));
        }
        let user_id = text("user_id")?;
        if user_id
            .as_ref()
            .is_some_and(|id| id.is_empty() || id.chars().count() > MAX_ID_CHARS)
        {
            return Err(invalid(
                "invalid_user_id",
                "user_id",
                format!("`user_id` must be 1 to {MAX_ID_CHARS} characters."),
            ));
        }
        let webhook_url = text("webhook_url")?;
        let webhook_events = match object.get("webhook_events") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(events)) => events
                .iter()
                .map(|event| match event.as_str() {
                    Some(name) if WEBHOOK_EVENTS.contains(&name) => Ok(name.to_owned()),
                    _ => Err(invalid(
                        "unknown_webhook_event",
                        "webhook_events",
                        format!("Webhook events are {}.", WEBHOOK_EVENTS.join(", ")),
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(invalid(
                    "invalid_type",
                    "webhook_events",
                    "`webhook_events` must be an array.",
                ));
            }
        };
        Ok(Self {
            kind,
            model,
            prompt,
            parameters,
            num_outputs: u32::try_from(num_outputs).unwrap_or(1),
            seed,
            output_format,
            priority,
            max_retries,
            metadata,
            user_id,
            webhook_url,
            webhook_events,
            image_ids,
        })
    }

    /// A stable digest of the request, for idempotency.
    pub fn digest(&self, dialect: &str) -> String {
        let canonical = json!({
            "dialect": dialect,
            "kind": self.kind,
            "model": self.model,
            "prompt": self.prompt,
            "parameters": self.parameters,
            "num_outputs": self.num_outputs,
            "seed": self.seed,
            "output_format": self.output_format,
            "priority": self.priority.as_str(),
            "max_retries": self.max_retries,
            "metadata": self.metadata,
            "user_id": self.user_id,
            "webhook_url": self.webhook_url,
            "webhook_events": self.webhook_events,
        });
        Sha256::digest(canonical.to_string().as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// A JSON number with no fractional part, as an integer.
fn whole_number(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|number| number.fract() == 0.0 && number.abs() < 9.0e15)
            .map(|number| number as i64)
    })
}

/// An object field of bounded size (absent or null: empty).
fn bounded_object(
    value: Option<&Value>,
    field: &'static str,
) -> Result<Map<String, Value>, ApiError> {
    let map = match value {
        None | Some(Value::Null) => return Ok(Map::new()),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            return Err(invalid(
                "invalid_type",
                field,
                format!("`{field}` must be an object."),
            ));
        }
    };
    if map.len() > MAX_OBJECT_KEYS
        || Value::Object(map.clone()).to_string().len() > MAX_OBJECT_BYTES
    {
        return Err(invalid(
            if field == "parameters" {
                "parameters_too_large"
            } else {
                "metadata_too_large"
            },
            field,
            format!(
                "`{field}` must have at most {MAX_OBJECT_KEYS} keys and {MAX_OBJECT_BYTES} bytes."
            ),
        ));
    }
    Ok(map)
}

/// A value quoted back in a message, cut to a sane length.
fn clip(raw: &str) -> String {
    raw.chars().take(80).collect()
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
