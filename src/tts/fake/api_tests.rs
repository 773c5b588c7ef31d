//! The fake speech API's request checks and answers.

use super::*;

fn models() -> Vec<String> {
    vec!["tts-1".into()]
}

fn check(body: Value) -> Result<Speech, (u16, Option<&'static str>, Option<&'static str>)> {
    validate(body.to_string().as_bytes(), &models())
        .map_err(|refusal| (refusal.status.as_u16(), refusal.param, refusal.code))
}

#[test]
fn a_valid_request_is_accepted_with_defaults() {
    let speech = check(json!({
        "model": "tts-1", "input": "Hello.", "voice": "en-US-JennyNeural",
        "response_format": "wav"
    }))
    .unwrap();
    assert_eq!(speech.speed, 1.0);
    assert_eq!(speech.format, "wav");
}

#[test]
fn each_field_is_checked_like_openai_does() {
    let ok = json!({"model": "tts-1", "input": "Hi", "voice": "alloy", "response_format": "wav"});
    let with = |key: &str, value: Value| {
        let mut body = ok.clone();
        body[key] = value;
        check(body).unwrap_err()
    };
    let without = |key: &str| {
        let mut body = ok.clone();
        body.as_object_mut().unwrap().remove(key);
        check(body).unwrap_err()
    };
    assert_eq!(
        without("input"),
        (400, Some("input"), Some("missing_required_parameter"))
    );
    assert_eq!(
        with("model", json!("tts-9")),
        (404, None, Some("model_not_found"))
    );
    assert_eq!(with("input", json!("")).2, Some("string_below_min_length"));
    assert_eq!(
        with("input", json!("a".repeat(4097))).2,
        Some("string_above_max_length")
    );
    assert_eq!(with("input", json!(42)).2, Some("invalid_type"));
    assert_eq!(
        with("voice", json!("robot")),
        (400, Some("voice"), Some("invalid_value"))
    );
    assert_eq!(
        with("response_format", json!("mp3")).2,
        Some("unsupported_value")
    );
    assert_eq!(
        with("response_format", json!("ogg")).2,
        Some("invalid_value")
    );
    assert_eq!(with("speed", json!(5)).2, Some("decimal_above_max_value"));
    assert_eq!(with("speed", json!("fast")).2, Some("invalid_type"));
    assert_eq!(with("input", json!("... !!")).0, 422);
    assert_eq!(with("pitch", json!(1)).0, 400);
    assert_eq!(without("response_format").2, Some("unsupported_value"));
    assert!(validate(b"not json", &models()).is_err());
}
