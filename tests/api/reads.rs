//! Status polling, results, ids that are not cuid2 (404 before any lookup), and stored files.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, TestApp, on_postgres, valid_submission};

async fn submit(app: &TestApp) -> String {
    let body: Value = app
        .post_submission(&valid_submission())
        .await
        .json()
        .await
        .unwrap();
    body["session_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn status_reports_the_spec_fields() {
    let app = TestApp::spawn().await;
    let id = submit(&app).await;

    let body: Value = app
        .get(&format!("/api/submissions/{id}/status"))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(body["session_id"], id.as_str());
    assert_eq!(body["status"], "pending");
    let created = body["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    app.stop().await;
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404_with_the_flat_error() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/submissions/abcdefghijklmnopqrstuvwx/status",
        "/api/submissions/..%2F..%2Fetc%2Fpasswd/status",
        "/api/submissions/%2e%2e/status",
        "/api/submissions/ABCDEFGHIJKLMNOPQRSTUVWX/status",
        "/api/results/..%2Fserenade.db",
        "/api/results/x' or '1'='1",
        "/storage/uploads/..%2F..%2Fserenade.db",
        "/storage/uploads/..%2Fserenade.db",
        "/storage/../serenade.db",
        "/storage/uploads/abcdefghijklmnopqrstuvwx.jpg",
        "/storage/uploads/abcdefghijklmnopqrstuvwx.db",
        "/storage/secrets/abcdefghijklmnopqrstuvwx.jpg",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["success"], false, "{path}");
        assert_eq!(body["error"], "not_found", "{path}");
    }
    app.stop().await;
}

/// The body and status of `GET /api/results/{id}`.
async fn result_of(app: &TestApp, id: &str) -> (StatusCode, Value) {
    let response = app.get(&format!("/api/results/{id}")).await;
    (response.status(), response.json().await.unwrap())
}

/// Unknown → 404; pending, processing and fail → 400 with the true status; success → 200.
async fn results_answer_each_status_with_its_code(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let (status, body) = result_of(&app, "abcdefghijklmnopqrstuvwx").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");

    let id = submit(&app).await;
    for entry_status in ["pending", "processing"] {
        if entry_status == "processing" {
            app.execute(
                "update submissions set entry_status = 'processing' where session_id = $1",
                &id,
            )
            .await;
        }
        let (status, body) = result_of(&app, &id).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{entry_status}");
        assert_eq!(body["success"], false);
        assert_eq!(body["status"], entry_status);
        assert_eq!(body["error"], "song_not_ready");
        assert!(body.get("video_url").is_none(), "{body}");
        let message = body["message"].as_str().unwrap().to_lowercase();
        assert!(message.contains("still being made") && !message.contains("fail"));
    }

    app.execute(
        "update submissions set entry_status = 'success', lyrics = '[Chorus] Matt and Toby', \
         generated_video_path = '/storage/video/' || session_id || '.mp4' where session_id = $1",
        &id,
    )
    .await;
    let (status, body) = result_of(&app, &id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["success"], true);
    assert_eq!(body["status"], "success");
    assert_eq!(body["video_url"], format!("/storage/video/{id}.mp4"));
    assert_eq!(body["lyrics"], "[Chorus] Matt and Toby");
    assert_eq!(body["pet_name"], "Toby");
    assert_eq!(body["owner_name"], "Matt");
    assert!(body.get("error").is_none() && body.get("message").is_none());

    app.execute(
        "update submissions set entry_status = 'fail' where session_id = $1",
        &id,
    )
    .await;
    let (status, body) = result_of(&app, &id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["success"], false);
    assert_eq!(body["status"], "fail");
    assert_eq!(body["error"], "song_failed");
    assert_eq!(
        body["message"],
        "Video generation failed. Please try again."
    );
    assert!(body.get("video_url").is_none(), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn results_answer_each_status_with_its_code_on_sqlite() {
    results_answer_each_status_with_its_code(Backend::Sqlite).await;
}

#[tokio::test]
async fn results_answer_each_status_with_its_code_on_postgres() {
    on_postgres(results_answer_each_status_with_its_code).await;
}

#[tokio::test]
async fn stored_photos_are_served_with_type_nosniff_and_ranges() {
    let app = TestApp::spawn().await;
    let id = submit(&app).await;
    let path = format!("/storage/uploads/{id}.jpg");

    let whole = app.get(&path).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["content-type"], "image/jpeg");
    assert_eq!(whole.headers()["x-content-type-options"], "nosniff");
    let length = whole.bytes().await.unwrap().len();

    let part = app
        .client
        .get(app.url(&path))
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 0-99/{length}").as_str()
    );
    assert_eq!(part.bytes().await.unwrap().len(), 100);
    app.stop().await;
}
