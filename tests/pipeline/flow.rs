//! A submission becomes a song video: every spec column filled, files stored, the slot freed,
//! on both databases; and the provider's failures and silences end in a clear state.

use std::time::Duration;

use serde_json::Value;
use serenade::provider::fake::{Fault, Scenario};

use crate::common::{Backend, on_postgres};
use crate::helpers::{finished, jobs, outcome, pipeline_app, rows, scenario, stats, submit};

#[derive(Debug, sqlx::FromRow)]
struct SpecColumns {
    sent_to_llm: Option<i64>,
    llm_task_id: Option<String>,
    received_from_llm: Option<i64>,
    llm_response: Option<String>,
    llm_full_response: Option<String>,
    llm_status: Option<String>,
    lyrics: Option<String>,
    generated_song_path: Option<String>,
    video_creation_start: Option<i64>,
    video_creation_end: Option<i64>,
    generated_video_path: Option<String>,
    provider_status: Option<String>,
}

async fn a_submission_becomes_a_video_exactly_once(backend: Backend) {
    let app = pipeline_app(backend).spawn().await;
    let id = submit(&app).await;

    let status = finished(&app, &id, Duration::from_secs(90)).await;

    assert_eq!(status["status"], "success", "{status}");
    assert_eq!(status["stage"], "ready");
    let columns: SpecColumns = rows(
        app.db(),
        "select sent_to_llm, llm_task_id, received_from_llm, llm_response, llm_full_response, \
         llm_status, lyrics, generated_song_path, video_creation_start, video_creation_end, \
         generated_video_path, provider_status from submissions where session_id = $1",
        &id,
    )
    .await
    .pop()
    .unwrap();
    assert!(
        columns.sent_to_llm.is_some() && columns.llm_task_id.is_some(),
        "{columns:?}"
    );
    assert!(columns.received_from_llm >= columns.sent_to_llm);
    assert!(
        columns
            .llm_response
            .as_deref()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(
        columns
            .llm_full_response
            .as_deref()
            .unwrap()
            .contains("\"SUCCESS\"")
    );
    assert_eq!(columns.llm_status.as_deref(), Some("success"));
    assert_eq!(columns.provider_status.as_deref(), Some("SUCCESS"));
    assert_eq!(
        columns.generated_song_path,
        Some(format!("/storage/audio/{id}.mp3"))
    );
    assert!(columns.video_creation_end >= columns.video_creation_start);
    assert_eq!(
        columns.generated_video_path,
        Some(format!("/storage/video/{id}.mp4"))
    );
    let lyrics = columns.lyrics.unwrap();
    assert!(
        lyrics.contains("Toby") && lyrics.contains("Matt"),
        "{lyrics}"
    );

    let result: Value = app
        .get(&format!("/api/results/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(result["success"], true);
    for file in [
        format!("video/{id}.mp4"),
        format!("video/{id}-poster.jpg"),
        format!("video/{id}-og.jpg"),
        format!("audio/{id}.mp3"),
    ] {
        let response = app.get(&format!("/storage/{file}")).await;
        assert_eq!(response.status(), 200, "{file}");
    }
    let kinds: Vec<(String, String, i32)> = jobs(app.db(), &id).await;
    let completed: Vec<&str> = kinds
        .iter()
        .filter(|(_, state, _)| state == "completed")
        .map(|(kind, _, _)| kind.as_str())
        .collect();
    assert_eq!(
        completed,
        [
            "send",
            "reconcile",
            "fetch_details",
            "download_audio",
            "render_video"
        ],
        "{kinds:?}"
    );
    assert_eq!(app.db().provider_slots_in_use().await.unwrap(), 0);
    let fake = stats(&app);
    assert_eq!((fake.posts, fake.accepted), (1, 1));
    assert_eq!(fake.cdn_requests_with_authorization, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_submission_becomes_a_video_exactly_once_on_sqlite() {
    a_submission_becomes_a_video_exactly_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_submission_becomes_a_video_exactly_once_on_postgres() {
    on_postgres(a_submission_becomes_a_video_exactly_once).await;
}

#[tokio::test]
async fn duplicate_and_out_of_order_webhooks_change_nothing() {
    let app = pipeline_app(Backend::Sqlite).spawn().await;
    scenario(
        &app,
        Scenario {
            duplicate_webhooks: Some(true),
            out_of_order_webhooks: Some(true),
            ..Scenario::default()
        },
    );
    let id = submit(&app).await;

    assert_eq!(
        finished(&app, &id, Duration::from_secs(90)).await["status"],
        "success"
    );

    let all = jobs(app.db(), &id).await;
    for kind in [
        "reconcile",
        "fetch_details",
        "download_audio",
        "render_video",
    ] {
        assert_eq!(
            all.iter().filter(|(k, _, _)| k == kind).count(),
            1,
            "{kind}: {all:?}"
        );
    }
    assert!(stats(&app).webhooks_sent > 10);
    app.stop().await;
}

#[tokio::test]
async fn lost_webhooks_are_recovered_by_polling_the_provider() {
    let app = pipeline_app(Backend::Sqlite).spawn().await;
    scenario(
        &app,
        Scenario {
            drop_webhooks: Some(1.0),
            ..Scenario::default()
        },
    );
    let id = submit(&app).await;

    assert_eq!(
        finished(&app, &id, Duration::from_secs(90)).await["status"],
        "success"
    );
    assert_eq!(stats(&app).webhooks_sent, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_provider_failure_fails_the_submission_with_its_reason() {
    let app = pipeline_app(Backend::Sqlite).spawn().await;
    scenario(
        &app,
        Scenario::failures(1, "Generation failed due to content policy"),
    );
    let id = submit(&app).await;

    assert_eq!(
        finished(&app, &id, Duration::from_secs(60)).await["status"],
        "fail"
    );
    let (status, error) = outcome(app.db(), &id).await;
    assert_eq!(status, "fail");
    assert!(error.unwrap().contains("content policy"));
    let result: Value = app
        .get(&format!("/api/results/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        result["message"],
        "Video generation failed. Please try again."
    );
    assert_eq!(app.db().provider_slots_in_use().await.unwrap(), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_generation_still_unfinished_at_the_deadline_fails_but_keeps_its_slot() {
    let app = pipeline_app(Backend::Sqlite)
        .configure(|c| {
            c.provider.webhook_timeout_minutes = 0.01;
            c.provider.generation_deadline_minutes = 0.08;
        })
        .spawn()
        .await;
    scenario(
        &app,
        Scenario {
            generation_seconds: Some(600.0),
            drop_webhooks: Some(1.0),
            ..Scenario::default()
        },
    );
    let id = submit(&app).await;

    assert_eq!(
        finished(&app, &id, Duration::from_secs(60)).await["status"],
        "fail"
    );
    assert!(outcome(app.db(), &id).await.1.unwrap().contains("deadline"));
    // The generation may still be running at the provider: its slot is held until the slot's
    // own lease (deadline + margin) lapses, so the provider's limit holds.
    let holders = app.db().provider_slot_holders().await.unwrap();
    assert!(
        holders
            .iter()
            .any(|(_, holder)| holder.as_deref() == Some(id.as_str())),
        "{holders:?}"
    );
    assert_eq!(app.db().provider_slots_in_use().await.unwrap(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_rejected_request_fails_at_once_without_retrying() {
    let app = pipeline_app(Backend::Sqlite).spawn().await;
    scenario(&app, Scenario::post_faults(1, Fault::status(422)));
    let id = submit(&app).await;

    assert_eq!(
        finished(&app, &id, Duration::from_secs(30)).await["status"],
        "fail"
    );
    assert!(
        outcome(app.db(), &id)
            .await
            .1
            .unwrap()
            .contains("provider_rejected")
    );
    assert_eq!(stats(&app).posts, 1);
    app.stop().await;
}

#[tokio::test]
async fn rate_limits_are_retried_without_spending_attempts() {
    let app = pipeline_app(Backend::Sqlite).spawn().await;
    scenario(&app, Scenario::post_faults(5, Fault::rate_limited(1)));
    let id = submit(&app).await;

    assert_eq!(
        finished(&app, &id, Duration::from_secs(90)).await["status"],
        "success"
    );
    let fake = stats(&app);
    assert_eq!((fake.posts, fake.accepted), (6, 1), "{fake:?}");
    let send: Vec<_> = jobs(app.db(), &id)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "send")
        .collect();
    assert_eq!(send[0].2, 1, "429s spent attempts: {send:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_server_error_on_the_post_keeps_the_slot_and_resends_only_after_the_window() {
    let app = pipeline_app(Backend::Sqlite)
        .configure(|c| c.provider.adoption_window_seconds = 2)
        .spawn()
        .await;
    scenario(
        &app,
        Scenario {
            drop_webhooks: Some(1.0),
            ..Scenario::post_faults(1, Fault::status(503))
        },
    );
    let id = submit(&app).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while stats(&app).posts == 0 {
        assert!(std::time::Instant::now() < deadline, "never posted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(stats(&app).posts, 1, "resent inside the adoption window");
    assert_eq!(
        app.db().provider_slots_in_use().await.unwrap(),
        1,
        "the slot of a POST that may exist was freed"
    );

    assert_eq!(
        finished(&app, &id, Duration::from_secs(90)).await["status"],
        "success"
    );
    let fake = stats(&app);
    assert_eq!((fake.posts, fake.accepted), (2, 1), "{fake:?}");
    let (resends,): (i32,) = rows(
        app.db(),
        "select possible_duplicate_posts from submissions where session_id = $1",
        &id,
    )
    .await
    .pop()
    .unwrap();
    assert_eq!(resends, 1, "the resend is recorded as a possible duplicate");
    app.stop().await;
}

#[tokio::test]
async fn an_unanswered_post_is_never_sent_twice_and_its_generation_is_adopted() {
    let app = pipeline_app(Backend::Sqlite)
        .configure(|c| c.provider.api_request_timeout_seconds = 1)
        .spawn()
        .await;
    scenario(&app, Scenario::post_faults(1, Fault::AcceptThenHang));
    let id = submit(&app).await;

    assert_eq!(
        finished(&app, &id, Duration::from_secs(90)).await["status"],
        "success"
    );
    let fake = stats(&app);
    assert_eq!(
        fake.accepted, 1,
        "the generation was billed twice: {fake:?}"
    );
    assert_eq!(fake.posts, 1);
    app.stop().await;
}
