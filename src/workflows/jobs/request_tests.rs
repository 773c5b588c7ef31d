//! The request checks: defaults, one code per broken rule, and the idempotency digest.

use super::*;

fn check(body: Value) -> Result<JobRequest, &'static str> {
    JobRequest::from_body(&body, &JobsConfig::default()).map_err(|error| error.code())
}

#[test]
fn a_minimal_request_gets_the_defaults() {
    let request = check(json!({"prompt": "a red fox"})).unwrap();
    assert_eq!(request.kind, "image");
    assert_eq!(request.model, JobsConfig::default().jobs_default_model);
    assert_eq!((request.num_outputs, request.max_retries), (1, 3));
    assert_eq!(request.output_format, "png");
    assert_eq!(request.priority, Priority::Default);
}

#[test]
fn each_bad_field_has_its_own_code() {
    let cases = [
        (json!({"prompt": "x", "kind": "hologram"}), "unknown_kind"),
        (
            json!({"prompt": "x", "model": "someone/else"}),
            "unknown_model",
        ),
        (
            json!({"prompt": "x", "num_outputs": 0}),
            "invalid_num_outputs",
        ),
        (
            json!({"prompt": "x", "num_outputs": 1000}),
            "invalid_num_outputs",
        ),
        (json!({"prompt": "x", "num_outputs": "2"}), "invalid_type"),
        (json!({"prompt": "   "}), "prompt_required"),
        (
            json!({"prompt": "x".repeat(MAX_PROMPT_CHARS + 1)}),
            "prompt_too_long",
        ),
        (json!({"prompt": "a\u{0}b"}), "invalid_prompt"),
        (
            json!({"prompt": "x", "parameters": {"big": "y".repeat(9000)}}),
            "parameters_too_large",
        ),
        (json!({"prompt": "x", "parameters": [1]}), "invalid_type"),
        (
            json!({"prompt": "x", "metadata": {"big": "y".repeat(9000)}}),
            "metadata_too_large",
        ),
        (json!({"prompt": "x", "seed": -1}), "invalid_seed"),
        (
            json!({"prompt": "x", "output_format": "bmp"}),
            "invalid_output_format",
        ),
        (
            json!({"prompt": "x", "priority": "urgent"}),
            "invalid_priority",
        ),
        (
            json!({"prompt": "x", "max_retries": 99}),
            "invalid_max_retries",
        ),
        (
            json!({"prompt": "x", "webhook_events": ["job.exploded"]}),
            "unknown_webhook_event",
        ),
        (json!({"prompt": "x", "colour": "red"}), "unknown_field"),
    ];
    for (body, code) in cases {
        assert_eq!(check(body.clone()).unwrap_err(), code, "{body}");
    }
}

#[test]
fn the_digest_tells_requests_apart() {
    let first = check(json!({"prompt": "a red fox"})).unwrap();
    let again = check(json!({"prompt": "a red fox", "output_format": "png"})).unwrap();
    let other = check(json!({"prompt": "a blue fox"})).unwrap();
    assert_eq!(first.digest("canonical"), again.digest("canonical"));
    assert_ne!(first.digest("canonical"), other.digest("canonical"));
    assert_ne!(first.digest("canonical"), first.digest("seed001"));
}
