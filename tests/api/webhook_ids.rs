//! Provider callbacks with task ids that are missing, blank, not strings, holding a NUL,
//! enormous or unknown: each gets a clear 400 or 404, never a 500 — on SQLite and PostgreSQL
//! (whose text type cannot hold a NUL, so such input must never reach a query).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, on_postgres, valid_submission};

const TASK_ID: &str = "0b2a66c0-d9f2-43d2-9fa7-b9c95c29324d";

/// A submission already sent to the provider under [`TASK_ID`].
async fn sent_submission(app: &TestApp) -> String {
    let created: Value = app
        .post_submission(&valid_submission())
        .await
        .json()
        .await
        .unwrap();
    let id = created["session_id"].as_str().unwrap().to_owned();
    app.execute(
        "update submissions set llm_task_id = '0b2a66c0-d9f2-43d2-9fa7-b9c95c29324d', \
         entry_status = 'processing' where session_id = $1",
        &id,
    )
    .await;
    id
}

async fn post_raw(app: &TestApp, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn task_ids_get_clear_answers(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let id = sent_submission(&app).await;
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (json!({}), StatusCode::BAD_REQUEST, "field_required"),
        (
            json!({"task_id": null}),
            StatusCode::BAD_REQUEST,
            "field_required",
        ),
        (
            json!({"task_id": ""}),
            StatusCode::BAD_REQUEST,
            "field_required",
        ),
        (
            json!({"task_id": "  \t "}),
            StatusCode::BAD_REQUEST,
            "field_required",
        ),
        (
            json!({"task_id": 42}),
            StatusCode::BAD_REQUEST,
            "invalid_task_id",
        ),
        (
            json!({"task_id": ["a"]}),
            StatusCode::BAD_REQUEST,
            "invalid_task_id",
        ),
        (
            json!({"task_id": "ab\u{0}cd"}),
            StatusCode::BAD_REQUEST,
            "invalid_task_id",
        ),
        (
            json!({"task_id": "\u{0}"}),
            StatusCode::BAD_REQUEST,
            "invalid_task_id",
        ),
        (
            json!({"task_id": format!("{TASK_ID}\n")}),
            StatusCode::BAD_REQUEST,
            "invalid_task_id",
        ),
        (
            json!({"task_id": "x".repeat(257)}),
            StatusCode::BAD_REQUEST,
            "invalid_task_id",
        ),
        (
            json!({"task_id": "x".repeat(200_000)}),
            StatusCode::BAD_REQUEST,
            "invalid_task_id",
        ),
        (
            json!({"task_id": "x".repeat(256)}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            json!({"task_id": "no-such-task"}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            json!({"task_id": " 0b2a66c0"}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            json!({"task_id": "Ω-unknown"}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (body, status, code) in cases {
        let shown = body.to_string().chars().take(80).collect::<String>();
        let (got, answer) = post_raw(&app, "/api/webhook", body.to_string().into_bytes()).await;
        assert_eq!(got, status, "{shown}: {answer}");
        assert_eq!(answer["success"], false, "{shown}");
        assert_eq!(answer["error"], code, "{shown}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(answer["field"], "task_id", "{shown}");
        }
    }

    let known = json!({"task_id": TASK_ID, "status": "GENERATING"});
    let (status, answer) = post_raw(&app, "/api/webhook", known.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["message"], "Webhook processed");
    let row = app.db().find_submission(&id).await.unwrap().unwrap();
    assert_eq!(row.provider_status.as_deref(), Some("GENERATING"));
    app.stop().await;
}

#[tokio::test]
async fn task_ids_get_clear_answers_on_sqlite() {
    task_ids_get_clear_answers(Backend::Sqlite).await;
}

#[tokio::test]
async fn task_ids_get_clear_answers_on_postgres() {
    on_postgres(task_ids_get_clear_answers).await;
}

/// The per-submission URL takes any body; a NUL in it (raw or as a JSON escape) is neither
/// stored nor a 500.
async fn nul_bytes_in_a_callback_body_are_never_a_500(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let id = sent_submission(&app).await;
    let token = app
        .db()
        .webhook_target(&id)
        .await
        .unwrap()
        .unwrap()
        .webhook_token;
    let path = format!("/api/webhook/{id}.{token}");

    let mut raw =
        format!("{{\"task_id\": \"{TASK_ID}\", \"status\": \"SAVING\", \"x\": \"").into_bytes();
    raw.extend_from_slice(b"a\0b\"}");
    let (status, answer) = post_raw(&app, &path, raw).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let escaped = json!({"task_id": format!("{TASK_ID}\u{0}"), "status": "SUCCESS"});
    let (status, answer) = post_raw(&app, &path, escaped.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["message"], "Webhook ignored");

    let escaped_elsewhere =
        json!({"task_id": TASK_ID, "status": "DECOMPRESSING", "error_message": "a\u{0}b"});
    let (status, answer) = post_raw(&app, &path, escaped_elsewhere.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["message"], "Webhook processed");
    let row = app.db().find_submission(&id).await.unwrap().unwrap();
    assert_eq!(row.provider_status.as_deref(), Some("DECOMPRESSING"));
    app.stop().await;
}

#[tokio::test]
async fn nul_bytes_in_a_callback_body_are_never_a_500_on_sqlite() {
    nul_bytes_in_a_callback_body_are_never_a_500(Backend::Sqlite).await;
}

#[tokio::test]
async fn nul_bytes_in_a_callback_body_are_never_a_500_on_postgres() {
    on_postgres(nul_bytes_in_a_callback_body_are_never_a_500).await;
}
