//! `POST /api/submissions`: acceptance, validation in form order, photo hygiene, the atomic
//! cookie quota, and "a rejected submission leaves nothing behind".

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, on_postgres, photos, valid_submission};

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json body")
}

async fn stored_photo(app: &TestApp, session_id: &str) -> Vec<u8> {
    std::fs::read(app.uploads_dir().join(format!("{session_id}.jpg"))).expect("stored photo")
}

#[tokio::test]
async fn a_valid_submission_is_stored_with_a_new_cookie() {
    let app = TestApp::spawn().await;

    let response = app.post_submission(&valid_submission()).await;

    assert_eq!(response.status(), StatusCode::OK);
    let body = json_of(response).await;
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "Submission received successfully");
    let session_id = body["session_id"].as_str().unwrap();
    assert_eq!(session_id.len(), 24);
    let cookie = body["cookie_id"].as_str().unwrap();
    assert!(
        cookie.starts_with("cookie_") && cookie.len() == 31,
        "{cookie}"
    );
    let stored = image::load_from_memory(&stored_photo(&app, session_id).await).unwrap();
    assert_eq!((stored.width(), stored.height()), (600, 600));
    let status = json_of(
        app.get(&format!("/api/submissions/{session_id}/status"))
            .await,
    )
    .await;
    assert_eq!(status["status"], "pending");
    app.stop().await;
}

#[tokio::test]
async fn a_returning_visitor_gets_no_cookie_id_key() {
    let app = TestApp::spawn().await;
    let first = json_of(app.post_submission(&valid_submission()).await).await;
    let mut again = valid_submission();
    again["cookie_id"] = first["cookie_id"].clone();

    let body = json_of(app.post_submission(&again).await).await;

    assert_eq!(body["success"], true);
    assert!(body.get("cookie_id").is_none(), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn names_from_any_script_with_apostrophes_and_hyphens_are_accepted() {
    let app = TestApp::spawn().await;
    for (pet, owner) in [
        ("Zoë", "O'Brien"),
        ("Anne-Marie", "José María"),
        ("Мурка", "山田 太郎"),
    ] {
        let mut body = valid_submission();
        body["pet_name"] = json!(pet);
        body["owner_name"] = json!(owner);
        let response = app.post_submission(&body).await;
        assert_eq!(response.status(), StatusCode::OK, "{pet} / {owner}");
    }
    app.stop().await;
}

#[tokio::test]
async fn each_broken_rule_gets_its_code_and_field_and_leaves_nothing_behind() {
    let app = TestApp::spawn().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("pet_name", Value::Null, "field_required"),
        ("pet_name", json!("Toby1"), "invalid_name"),
        ("pet_name", json!("T"), "invalid_name"),
        ("pet_name", json!("a".repeat(101)), "invalid_name"),
        ("pet_type", json!("dog"), "invalid_choice"),
        ("pet_type", json!("Dragon"), "invalid_choice"),
        ("photo", Value::Null, "field_required"),
        ("photo", json!("%%%not-base64%%%"), "invalid_image_data"),
        (
            "photo",
            json!(photos::base64(b"GIF89a....")),
            "invalid_image_format",
        ),
        (
            "photo",
            json!(photos::jpeg_base64(399, 600)),
            "image_too_small",
        ),
        (
            "photo",
            json!(photos::base64(&photos::jpeg(600, 600)[..300])),
            "image_corrupt",
        ),
        ("music_vibe", json!("Jazz"), "invalid_choice"),
        ("owner_name", json!(""), "field_required"),
        ("owner_name", json!("Bob <script>"), "invalid_name"),
        ("cookie_id", json!("cookie x"), "invalid_cookie_id"),
    ];
    for (field, value, code) in cases {
        let mut body = valid_submission();
        body[field] = value;

        let response = app.post_submission(&body).await;

        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field} {code}");
        let error = json_of(response).await;
        assert_eq!(error["success"], false);
        assert_eq!(error["error"], code, "{field}: {error}");
        assert_eq!(error["field"], field);
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
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
async fn the_first_broken_field_in_form_order_is_reported() {
    let app = TestApp::spawn().await;
    let mut body = valid_submission();
    body["owner_name"] = json!("X");
    body["music_vibe"] = json!("nope");
    let error = json_of(app.post_submission(&body).await).await;
    assert_eq!(error["field"], "music_vibe");
    app.stop().await;
}

#[tokio::test]
async fn malformed_bodies_and_wrong_content_types_are_rejected_clearly() {
    let app = TestApp::spawn().await;
    let not_json = app
        .client
        .post(app.url("/api/submissions"))
        .header("content-type", "application/json")
        .body("{\"pet_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(not_json).await["error"], "invalid_json");

    let wrong_type = app
        .client
        .post(app.url("/api/submissions"))
        .body("pet_name=Toby")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json_of(wrong_type).await["error"], "unsupported_media_type");

    let wrong_shape = app.post_submission(&json!({"pet_name": 5})).await;
    assert_eq!(wrong_shape.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(wrong_shape).await["error"], "invalid_json");
    app.stop().await;
}

#[tokio::test]
async fn a_png_claiming_50000_square_is_refused_fast_without_decoding() {
    let app = TestApp::spawn().await;
    let mut body = valid_submission();
    body["photo"] = json!(photos::base64(&photos::png_claiming(50_000, 50_000)));

    let started = Instant::now();
    let response = app.post_submission(&body).await;

    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json_of(response).await["error"],
        "image_dimensions_too_large"
    );
    app.stop().await;
}

#[tokio::test]
async fn png_and_data_url_photos_are_stored_as_jpeg() {
    let app = TestApp::spawn().await;
    let mut body = valid_submission();
    body["photo"] = json!(format!(
        "data:image/png;base64,{}",
        photos::base64(&photos::png(640, 480))
    ));
    let created = json_of(app.post_submission(&body).await).await;
    let stored = stored_photo(&app, created["session_id"].as_str().unwrap()).await;
    assert!(stored.starts_with(&[0xFF, 0xD8, 0xFF]));
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (600, 600));
    app.stop().await;
}

#[tokio::test]
async fn a_jpeg_with_gps_exif_is_stored_without_it_and_turned_upright() {
    let app = TestApp::spawn().await;
    let original = photos::with_exif(&photos::encode_jpeg(&photos::marked_landscape()), 6);
    assert!(photos::contains(&original, b"Exif\0\0"));
    let mut body = valid_submission();
    body["photo"] = json!(photos::base64(&original));

    let created = json_of(app.post_submission(&body).await).await;

    let stored = stored_photo(&app, created["session_id"].as_str().unwrap()).await;
    assert!(!photos::contains(&stored, b"Exif"), "EXIF survived");
    assert!(
        !photos::contains(&stored, &[0xFF, 0xE1]),
        "an APP1 segment survived"
    );
    let decoded = image::load_from_memory(&stored).unwrap().to_rgb8();
    // Orientation 6 turns the picture 90° clockwise: the red corner moves to the top right.
    let top_right = decoded.get_pixel(560, 40);
    let top_left = decoded.get_pixel(40, 40);
    assert!(
        top_right[0] > 200 && top_right[1] < 60,
        "top right {top_right:?}"
    );
    assert!(top_left[0] < 180, "top left {top_left:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_jpeg_with_an_html_tail_is_stored_clean() {
    let app = TestApp::spawn().await;
    let mut polyglot = photos::jpeg(600, 600);
    polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    let mut body = valid_submission();
    body["photo"] = json!(photos::base64(&polyglot));

    let created = json_of(app.post_submission(&body).await).await;

    let stored = stored_photo(&app, created["session_id"].as_str().unwrap()).await;
    assert!(!photos::contains(&stored, b"<script"));
    assert!(stored.ends_with(&[0xFF, 0xD9]));
    app.stop().await;
}

#[tokio::test]
async fn a_cookie_at_its_quota_gets_429_with_the_counts() {
    let app = TestApp::builder()
        .configure(|c| c.limits.form_submit_retry = 2)
        .spawn()
        .await;
    let first = json_of(app.post_submission(&valid_submission()).await).await;
    let mut again = valid_submission();
    again["cookie_id"] = first["cookie_id"].clone();
    assert_eq!(app.post_submission(&again).await.status(), StatusCode::OK);

    let refused = app.post_submission(&again).await;

    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = json_of(refused).await;
    assert_eq!(body["error"], "rate_limit_exceeded");
    assert_eq!(body["attempts_used"], 2);
    assert_eq!(body["max_attempts"], 2);
    assert_eq!(app.uploaded_files().len(), 2);
    app.stop().await;
}

async fn twenty_parallel_submissions_at_nine_used_accept_exactly_one(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let first = json_of(app.post_submission(&valid_submission()).await).await;
    let cookie = first["cookie_id"].clone();
    let mut body = valid_submission();
    body["cookie_id"] = cookie;
    for _ in 0..8 {
        assert_eq!(app.post_submission(&body).await.status(), StatusCode::OK);
    }

    let attempts = (0..20).map(|_| app.post_submission(&body));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|response| response.status())
        .collect();

    let accepted = statuses
        .iter()
        .filter(|status| **status == StatusCode::OK)
        .count();
    let refused = statuses
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((accepted, refused), (1, 19), "{statuses:?}");
    assert_eq!(app.uploaded_files().len(), 10);
    assert_eq!(
        app.db().submission_status_counts().await.unwrap().pending,
        10
    );
    app.stop().await;
}

#[tokio::test]
async fn twenty_parallel_submissions_at_nine_used_accept_exactly_one_on_sqlite() {
    twenty_parallel_submissions_at_nine_used_accept_exactly_one(Backend::Sqlite).await;
}

#[tokio::test]
async fn twenty_parallel_submissions_at_nine_used_accept_exactly_one_on_postgres() {
    on_postgres(twenty_parallel_submissions_at_nine_used_accept_exactly_one).await;
}
