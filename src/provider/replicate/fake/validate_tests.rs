//! Tests of the fake's create-body checks: what passes, each refusal and its problem body.

use serde_json::json;

use super::*;

fn parse_json(body: Value, version_required: bool) -> Result<CreateRequest, Invalid> {
    parse(body.to_string().as_bytes(), version_required)
}

fn problem_field(result: Result<CreateRequest, Invalid>) -> String {
    let invalid = result.unwrap_err();
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    invalid.problems[0].0.clone()
}

#[test]
fn a_full_model_request_passes() {
    let request = parse_json(
        json!({"input": {"prompt": "a fox", "num_outputs": 3, "seed": 7},
               "webhook": "https://example.com/hook",
               "webhook_events_filter": ["start", "completed"]}),
        false,
    )
    .unwrap();
    assert_eq!(request.prompt, "a fox");
    assert_eq!(request.num_outputs, 3);
    assert_eq!(request.webhook.as_deref(), Some("https://example.com/hook"));
    assert_eq!(request.events, [Event::Start, Event::Completed]);
    assert_eq!(request.input["seed"], 7);
}

#[test]
fn defaults_are_one_output_and_the_output_and_completed_events() {
    let request = parse_json(json!({"input": {"prompt": "a fox"}}), false).unwrap();
    assert_eq!(request.num_outputs, 1);
    assert_eq!(request.events, Event::DEFAULT);
    assert_eq!(request.webhook, None);
}

#[test]
fn a_missing_or_blank_prompt_is_refused_with_a_problem_body() {
    for input in [json!({}), json!({"prompt": "  "}), json!({"prompt": null})] {
        let invalid = parse_json(json!({ "input": input }), false).unwrap_err();
        let body = invalid.body();
        assert_eq!(body["status"], 422);
        assert_eq!(body["title"], "Input validation failed");
        assert_eq!(body["detail"], "- input.prompt: prompt is required\n");
        assert_eq!(body["invalid_fields"][0]["field"], "input.prompt");
    }
    assert_eq!(
        problem_field(parse_json(json!({"input": {"prompt": 3}}), false)),
        "input.prompt"
    );
    assert_eq!(problem_field(parse_json(json!({}), false)), "input");
}

#[test]
fn num_outputs_must_be_an_integer_from_one_to_four() {
    for bad in [json!(0), json!(5), json!(2.5), json!("2"), json!(-1)] {
        let result = parse_json(json!({"input": {"prompt": "x", "num_outputs": bad}}), false);
        assert_eq!(problem_field(result), "input.num_outputs", "{bad}");
    }
    let four = parse_json(json!({"input": {"prompt": "x", "num_outputs": 4}}), false);
    assert_eq!(four.unwrap().num_outputs, 4);
}

#[test]
fn webhooks_and_filters_are_checked() {
    let input = json!({"prompt": "x"});
    let bad_url = parse_json(json!({"input": input, "webhook": "ftp://x"}), false);
    assert_eq!(problem_field(bad_url), "webhook");
    let bad_event = parse_json(
        json!({"input": input, "webhook_events_filter": ["start", "finished"]}),
        false,
    );
    assert_eq!(problem_field(bad_event), "webhook_events_filter");
}

#[test]
fn versions_take_the_three_documented_forms() {
    let hex = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";
    for good in [
        "replicate/hello-world".to_owned(),
        format!("replicate/hello-world:{hex}"),
        hex.to_owned(),
    ] {
        let request = parse_json(json!({"version": good, "input": {"prompt": "x"}}), true);
        assert_eq!(request.unwrap().version.as_deref(), Some(good.as_str()));
    }
    for bad in ["", "hello", "a/b:short", "a/b/c", &format!(":{hex}")] {
        let result = parse_json(json!({"version": bad, "input": {"prompt": "x"}}), true);
        assert_eq!(problem_field(result), "version", "{bad}");
    }
    let missing = parse_json(json!({"input": {"prompt": "x"}}), true);
    assert_eq!(problem_field(missing), "version");
    assert_eq!(
        model_and_version_id(&format!("a/b:{hex}")),
        ("a/b".to_owned(), hex.to_owned())
    );
    assert_eq!(
        model_and_version_id("a/b"),
        ("a/b".to_owned(), "hidden".to_owned())
    );
}

#[test]
fn a_body_that_is_not_a_json_object_is_a_bad_request() {
    for body in [&b"not json"[..], b"[1,2]", b""] {
        assert_eq!(
            parse(body, false).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }
}
