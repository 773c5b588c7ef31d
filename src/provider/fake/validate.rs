//! Validation of `POST /v1/generations/v3` bodies, with the FastAPI-style 422 details the real
//! API returns (docs/provider.md, "The calls we make" and "Errors"): field checks first, then the cross-field rules.

use serde::Deserialize;
use serde_json::{Value, json};

const OUTPUT_FORMATS: &[&str] = &["ogg", "mp3", "flac", "wav", "m4a"];
const BIT_RATES: &[i64] = &[128, 192, 256, 320];
const STREAM_FORMATS: &[&str] = &["ogg", "mp3"];

/// The body as sent; unknown fields are ignored, as FastAPI does.
#[derive(Debug, Default, Deserialize)]
pub struct CreateGeneration {
    pub prompt: Option<String>,
    pub tags: Option<Vec<String>>,
    pub lyrics: Option<String>,
    pub instrumental: Option<bool>,
    pub prompt_strength: Option<f64>,
    pub output_format: Option<String>,
    pub output_bit_rate: Option<i64>,
    pub webhook_url: Option<String>,
    pub align_lyrics: Option<bool>,
    pub enable_streaming: Option<bool>,
    pub stream_format: Option<String>,
    pub negative_tags: Option<Vec<String>>,
    pub length_range: Option<Vec<i64>>,
}

/// The `detail` entries of a 422 answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid(pub Vec<Value>);

impl Invalid {
    /// The response body: `{"detail": [...]}`.
    pub fn body(&self) -> Value {
        json!({ "detail": self.0 })
    }
}

/// Parses and checks a request body against the real API's rules.
pub fn parse(body: &[u8], allowed_tags: &[String]) -> Result<CreateGeneration, Invalid> {
    let request: CreateGeneration = serde_json::from_slice(body).map_err(|error| {
        let (kind, msg) = if error.is_data() {
            (
                "model_attributes_type",
                format!("Input is invalid: {error}"),
            )
        } else {
            ("json_invalid", "JSON decode error".to_owned())
        };
        Invalid(vec![
            json!({ "type": kind, "loc": ["body", error.column()], "msg": msg }),
        ])
    })?;
    let mut errors = field_errors(&request, allowed_tags);
    if errors.is_empty() {
        errors.extend(cross_field_error(&request));
    }
    if errors.is_empty() {
        Ok(request)
    } else {
        Err(Invalid(errors))
    }
}

fn value_error(field: &str, message: &str) -> Value {
    json!({
        "type": "value_error",
        "loc": ["body", field],
        "msg": format!("Value error, {message}"),
    })
}

fn field_errors(request: &CreateGeneration, allowed_tags: &[String]) -> Vec<Value> {
    let mut errors = Vec::new();
    if let Some(format) = &request.output_format
        && !OUTPUT_FORMATS.contains(&format.as_str())
    {
        errors.push(value_error(
            "output_format",
            &format!("output_format must be one of {}", OUTPUT_FORMATS.join(", ")),
        ));
    }
    if let Some(rate) = request.output_bit_rate
        && !BIT_RATES.contains(&rate)
    {
        errors.push(value_error(
            "output_bit_rate",
            "output_bit_rate must be one of 128, 192, 256, 320",
        ));
    }
    if let Some(format) = &request.stream_format
        && !STREAM_FORMATS.contains(&format.as_str())
    {
        errors.push(value_error(
            "stream_format",
            "stream_format must be ogg or mp3",
        ));
    }
    if let Some(range) = &request.length_range
        && let Some(message) = length_range_problem(range)
    {
        errors.push(value_error("length_range", &message));
    }
    for field in ["tags", "negative_tags"] {
        let tags = if field == "tags" {
            &request.tags
        } else {
            &request.negative_tags
        };
        let invalid: Vec<&str> = tags
            .iter()
            .flatten()
            .filter(|tag| !allowed_tags.iter().any(|ok| ok.eq_ignore_ascii_case(tag)))
            .map(String::as_str)
            .collect();
        if !invalid.is_empty() {
            errors.push(value_error(
                field,
                &format!("Invalid tags: {}", invalid.join(", ")),
            ));
        }
    }
    if let Some(url) = &request.webhook_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        errors.push(json!({
            "type": "url_parsing",
            "loc": ["body", "webhook_url"],
            "msg": "Input should be a valid URL, relative URL without a base",
        }));
    }
    errors
}

/// `[min, max]` seconds, multiples of 30, min in 0..=270, max in 30..=300, max > min.
fn length_range_problem(range: &[i64]) -> Option<String> {
    let [min, max] = range else {
        return Some("length_range must be two numbers [min, max]".to_owned());
    };
    if min % 30 != 0 || max % 30 != 0 {
        return Some(format!(
            "length_range values must be multiples of 30, got [{min}, {max}]"
        ));
    }
    if !(0..=270).contains(min) || !(30..=300).contains(max) || max <= min {
        return Some(format!(
            "length_range must satisfy 0 <= min <= 270, 30 <= max <= 300 and max > min, \
             got [{min}, {max}]"
        ));
    }
    None
}

fn cross_field_error(request: &CreateGeneration) -> Option<Value> {
    let has_prompt = request.prompt.is_some();
    let has_tags = request.tags.is_some();
    let has_lyrics = request.lyrics.is_some();
    if !has_prompt && !has_tags && !has_lyrics {
        return Some(value_error(
            "prompt",
            "at least one of tags, lyrics, or prompt must be provided",
        ));
    }
    if has_prompt && has_tags && has_lyrics {
        return Some(value_error(
            "prompt",
            "cannot provide all three tags, lyrics, and prompt",
        ));
    }
    if !has_prompt && has_tags != has_lyrics {
        return Some(value_error(
            "prompt",
            "prompt is required when only tags or only lyrics are given \
             (send an empty prompt to let the AI choose)",
        ));
    }
    if request.instrumental == Some(true) && has_lyrics {
        return Some(value_error(
            "lyrics",
            "cannot provide lyrics for an instrumental song",
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: Value) -> Result<CreateGeneration, Invalid> {
        let allowed = vec!["pop".to_owned(), "romantic".to_owned()];
        parse(body.to_string().as_bytes(), &allowed)
    }

    fn field_of(result: Result<CreateGeneration, Invalid>) -> String {
        let invalid = result.expect_err("should be refused");
        invalid.0[0]["loc"][1]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn accepts_the_recommended_body() {
        let body = json!({"prompt": "a love song for Matt and Toby", "instrumental": false,
            "output_format": "mp3", "output_bit_rate": 192, "tags": ["Pop"],
            "length_range": [30, 60], "unknown": 1});
        assert!(check(body).is_ok());
    }

    #[test]
    fn refuses_each_documented_mistake() {
        assert_eq!(field_of(check(json!({}))), "prompt");
        assert_eq!(
            field_of(check(
                json!({"prompt": "", "tags": ["pop"], "lyrics": "la"})
            )),
            "prompt"
        );
        assert_eq!(field_of(check(json!({"tags": ["pop"]}))), "prompt");
        assert_eq!(
            field_of(check(
                json!({"prompt": "", "lyrics": "la", "instrumental": true})
            )),
            "lyrics"
        );
        assert_eq!(
            field_of(check(json!({"prompt": "x", "output_format": "aac"}))),
            "output_format"
        );
        assert_eq!(
            field_of(check(json!({"prompt": "x", "output_bit_rate": 160}))),
            "output_bit_rate"
        );
        for range in [
            json!([40, 60]),
            json!([60, 30]),
            json!([0, 330]),
            json!([30]),
        ] {
            assert_eq!(
                field_of(check(json!({"prompt": "x", "length_range": range}))),
                "length_range"
            );
        }
        assert_eq!(
            field_of(check(json!({"prompt": "x", "tags": ["love song"]}))),
            "tags"
        );
        assert_eq!(
            field_of(check(json!({"prompt": "x", "webhook_url": "ftp://x"}))),
            "webhook_url"
        );
    }

    #[test]
    fn invalid_tags_are_named_in_the_message() {
        let invalid = check(json!({"prompt": "x", "tags": ["pop", "valentine"]})).unwrap_err();
        assert_eq!(invalid.0[0]["msg"], "Value error, Invalid tags: valentine");
        assert_eq!(invalid.0[0]["type"], "value_error");
    }

    #[test]
    fn broken_json_is_a_422_too() {
        let invalid = parse(b"{not json", &[]).unwrap_err();
        assert_eq!(invalid.0[0]["type"], "json_invalid");
    }
}
