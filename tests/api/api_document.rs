//! The API document tells the truth: required fields are required and not nullable, routes
//! declare the statuses they can answer, and rejections the framework produces itself (405)
//! carry the flat error body. scripts/schemathesis checks the rest against a live server.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::TestApp;

async fn document(app: &TestApp) -> Value {
    app.get("/openapi.json").await.json().await.unwrap()
}

fn declared_statuses(document: &Value, path: &str, method: &str) -> Vec<String> {
    document["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} is not documented"))
        .keys()
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_submission_schema_requires_every_form_field_and_a_non_null_photo() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    let schema = &document["components"]["schemas"]["SubmissionRequest"];

    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field.as_str().unwrap())
        .collect();
    for field in ["pet_name", "pet_type", "photo", "music_vibe", "owner_name"] {
        assert!(
            required.contains(&field),
            "{field} not required: {required:?}"
        );
    }
    assert_eq!(schema["properties"]["photo"]["type"], "string");
    assert_eq!(
        schema["properties"]["pet_type"]["enum"],
        serde_json::json!(["Dog", "Cat", "Bird", "Fish", "Other"])
    );
    assert_eq!(
        schema["properties"]["cookie_id"]["type"],
        serde_json::json!(["string", "null"])
    );

    let callback = &document["components"]["schemas"]["TaskCallback"];
    assert_eq!(callback["required"], serde_json::json!(["task_id"]));
    app.stop().await;
}

#[tokio::test]
async fn routes_declare_the_statuses_they_can_answer() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;

    let submissions = declared_statuses(&document, "/api/submissions", "post");
    for status in ["200", "400", "408", "413", "415", "429", "500", "503"] {
        assert!(
            submissions.contains(&status.to_owned()),
            "{status}: {submissions:?}"
        );
    }
    let metrics = declared_statuses(&document, "/metrics", "get");
    for status in ["200", "401", "404", "408", "500"] {
        assert!(
            metrics.contains(&status.to_owned()),
            "{status}: {metrics:?}"
        );
    }
    let results = declared_statuses(&document, "/api/results/{session_id}", "get");
    assert!(!results.contains(&"202".to_owned()), "{results:?}");
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("408") && responses.contains_key("500"),
                "{method} {path}"
            );
        }
    }
    let session = &document["paths"]["/api/submissions/{session_id}/status"]["get"]["parameters"]
        [0]["schema"];
    assert_eq!(session["pattern"], "^[a-z][a-z0-9]{23}$");
    app.stop().await;
}

#[tokio::test]
async fn a_known_path_with_another_method_is_a_flat_405_with_allow() {
    let app = TestApp::spawn().await;

    let response = app.get("/api/submissions").await;

    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("POST"), "{allow}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"], "method_not_allowed");
    app.stop().await;
}

#[tokio::test]
async fn an_oversize_streamed_webhook_body_is_a_flat_413() {
    let app = TestApp::spawn().await;
    let chunks = (0..4).map(|_| Ok::<_, std::io::Error>(vec![b' '; 128 * 1024]));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));

    let response = app
        .client
        .post(app.url("/api/webhook"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "payload_too_large");
    app.stop().await;
}
