//! Photos that do not decode completely are `image_corrupt` (a JPEG cut mid-scan would
//! otherwise be stored with a grey band); bytes after a whole image's end marker are dropped
//! and never stored — on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, on_postgres, photos, valid_submission};

async fn submit_photo(app: &TestApp, bytes: &[u8]) -> (StatusCode, Value) {
    let mut body = valid_submission();
    body["photo"] = json!(photos::base64(bytes));
    let response = app.post_submission(&body).await;
    (response.status(), response.json().await.unwrap())
}

async fn photos_cut_short_are_corrupt(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let whole = photos::jpeg(800, 800);
    let png = photos::png(640, 640);
    let mut cut_then_html = whole[..whole.len() * 2 / 3].to_vec();
    cut_then_html.extend_from_slice(b"<html><body>hi</body></html>");
    for (label, bytes) in [
        ("JPEG cut mid-scan", whole[..whole.len() / 2].to_vec()),
        (
            "JPEG missing only its end marker",
            whole[..whole.len() - 2].to_vec(),
        ),
        ("JPEG cut mid-scan with an HTML tail", cut_then_html),
        ("PNG cut mid-data", png[..png.len() / 2].to_vec()),
    ] {
        let (status, body) = submit_photo(&app, &bytes).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        assert_eq!(body["error"], "image_corrupt", "{label}: {body}");
        assert_eq!(body["field"], "photo");
    }
    assert!(
        app.uploaded_files().is_empty(),
        "{:?}",
        app.uploaded_files()
    );
    assert_eq!(
        app.db().submission_status_counts().await.unwrap().pending,
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn photos_cut_short_are_corrupt_on_sqlite() {
    photos_cut_short_are_corrupt(Backend::Sqlite).await;
}

#[tokio::test]
async fn photos_cut_short_are_corrupt_on_postgres() {
    on_postgres(photos_cut_short_are_corrupt).await;
}

async fn bytes_after_the_end_of_a_whole_photo_are_dropped(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 131 % 256) as u8).collect();
    for (label, mut bytes) in [
        ("JPEG", photos::jpeg(600, 600)),
        ("PNG", photos::png(640, 640)),
    ] {
        bytes.extend_from_slice(&garbage);
        bytes.extend_from_slice(b"<script>alert(1)</script>");

        let (status, body) = submit_photo(&app, &bytes).await;

        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        let id = body["session_id"].as_str().unwrap();
        let stored = std::fs::read(app.uploads_dir().join(format!("{id}.jpg"))).unwrap();
        assert!(stored.ends_with(&[0xFF, 0xD9]), "{label}");
        assert!(!photos::contains(&stored, b"<script"), "{label}");
        let decoded = image::load_from_memory(&stored).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (600, 600));
    }
    app.stop().await;
}

#[tokio::test]
async fn bytes_after_the_end_of_a_whole_photo_are_dropped_on_sqlite() {
    bytes_after_the_end_of_a_whole_photo_are_dropped(Backend::Sqlite).await;
}

#[tokio::test]
async fn bytes_after_the_end_of_a_whole_photo_are_dropped_on_postgres() {
    on_postgres(bytes_after_the_end_of_a_whole_photo_are_dropped).await;
}
