//! The spec's contract for who is submitting: any cookie id of sane shape is counted literally
//! against `FORM_SUBMIT_RETRY` (an unknown one has used nothing, a returning one gets no
//! `cookie_id` back), absurd ones are a field error, and names holding control characters are
//! refused rather than silently changed — on SQLite and PostgreSQL (which cannot store a NUL).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, on_postgres, valid_submission};

async fn submit_as(app: &TestApp, cookie: &str) -> (StatusCode, Value) {
    let mut body = valid_submission();
    body["cookie_id"] = json!(cookie);
    let response = app.post_submission(&body).await;
    (response.status(), response.json().await.unwrap())
}

async fn client_chosen_cookie_ids_are_counted_per_id(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .configure(|c| c.limits.form_submit_retry = 2)
        .spawn()
        .await;
    for cookie in ["cookie_from_the_old_site", "legacy:42/site-a"] {
        // Never issued by this database: accepted, counted from zero, no key returned.
        for _ in 0..2 {
            let (status, body) = submit_as(&app, cookie).await;
            assert_eq!(status, StatusCode::OK, "{cookie}: {body}");
            assert!(body.get("cookie_id").is_none(), "{body}");
        }
        let (status, body) = submit_as(&app, cookie).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{cookie}: {body}");
        assert_eq!(body["attempts_used"], 2);
        assert_eq!(body["max_attempts"], 2);
    }
    let (status, _) = submit_as(&app, &"c".repeat(128)).await;
    assert_eq!(status, StatusCode::OK, "128 characters are sane");
    assert_eq!(
        app.db()
            .cookie_quota_used("cookie_from_the_old_site")
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        app.db().submission_status_counts().await.unwrap().pending,
        5
    );
    app.stop().await;
}

#[tokio::test]
async fn client_chosen_cookie_ids_are_counted_per_id_on_sqlite() {
    client_chosen_cookie_ids_are_counted_per_id(Backend::Sqlite).await;
}

#[tokio::test]
async fn client_chosen_cookie_ids_are_counted_per_id_on_postgres() {
    on_postgres(client_chosen_cookie_ids_are_counted_per_id).await;
}

async fn absurd_cookie_ids_are_a_field_error(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    for absurd in [
        "c".repeat(129),
        "cookie abc".into(),
        " cookie_abc".into(),
        "cookie_abc\n".into(),
        "cookie_\0abc".into(),
        "cookie_\u{7f}".into(),
        "cookié".into(),
    ] {
        let (status, body) = submit_as(&app, &absurd).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{absurd:?}: {body}");
        assert_eq!(body["error"], "invalid_cookie_id", "{absurd:?}");
        assert_eq!(body["field"], "cookie_id");
        assert!(body["message"].as_str().unwrap().contains("128"), "{body}");
    }
    for new_visitor in ["", "   ", "null"] {
        let (status, body) = submit_as(&app, new_visitor).await;
        assert_eq!(status, StatusCode::OK, "{new_visitor:?}");
        assert!(body["cookie_id"].as_str().unwrap().starts_with("cookie_"));
    }
    assert!(
        app.uploaded_files().len() == 3,
        "{:?}",
        app.uploaded_files()
    );
    app.stop().await;
}

#[tokio::test]
async fn absurd_cookie_ids_are_a_field_error_on_sqlite() {
    absurd_cookie_ids_are_a_field_error(Backend::Sqlite).await;
}

#[tokio::test]
async fn absurd_cookie_ids_are_a_field_error_on_postgres() {
    on_postgres(absurd_cookie_ids_are_a_field_error).await;
}

async fn names_with_control_characters_are_refused(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    for field in ["pet_name", "owner_name"] {
        for name in [
            "Toby\n",
            "To\tby",
            "\tToby",
            "To\0by",
            "Toby\0",
            "To\rby",
            "\n\t",
            "To\u{7f}by",
        ] {
            let mut body = valid_submission();
            body[field] = json!(name);
            let response = app.post_submission(&body).await;
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "{field} {name:?}"
            );
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["error"], "invalid_name", "{field} {name:?}: {error}");
            assert_eq!(error["field"], field);
        }
    }
    let mut padded = valid_submission();
    padded["pet_name"] = json!("  Toby  ");
    let created: Value = app.post_submission(&padded).await.json().await.unwrap();
    let id = created["session_id"].as_str().unwrap();
    let stored = app.db().find_submission(id).await.unwrap().unwrap();
    assert_eq!(stored.pet_name, "Toby");
    assert_eq!(app.uploaded_files().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn names_with_control_characters_are_refused_on_sqlite() {
    names_with_control_characters_are_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn names_with_control_characters_are_refused_on_postgres() {
    on_postgres(names_with_control_characters_are_refused).await;
}
