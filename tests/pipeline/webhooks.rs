//! The webhook endpoints: authentication by URL token, the spec's task-id route, late and
//! foreign callbacks, and the credits gate with the "sold out" intake.

use std::time::Duration;

use serde_json::{Value, json};
use serenade::clock::now_ms;
use serenade::provider::fake::Scenario;

use crate::common::{Backend, TestApp, valid_submission};
use crate::helpers::{finished, jobs, pipeline_app, rows, scenario, stats, submit};

async fn webhook_token(app: &TestApp, id: &str) -> String {
    let (token,): (String,) = rows(
        app.db(),
        "select webhook_token from submissions where session_id = $1",
        id,
    )
    .await
    .pop()
    .unwrap();
    token
}

#[tokio::test]
async fn webhooks_need_the_submissions_own_token() {
    let app = TestApp::spawn().await;
    let id = submit(&app).await;
    let token = webhook_token(&app, &id).await;
    let post = |path: String| {
        app.client
            .post(app.url(&path))
            .json(&json!({"task_id": "x", "status": "GENERATING"}))
            .send()
    };

    assert_eq!(
        post(format!("/api/webhook/{id}.wrong-secret"))
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        post(format!("/api/webhook/{id}")).await.unwrap().status(),
        404
    );
    assert_eq!(
        post("/api/webhook/..%2F..%2Fx.y".into())
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        post(format!("/api/webhook/{id}.{token}"))
            .await
            .unwrap()
            .status(),
        200
    );
    let status: Value = app
        .get(&format!("/api/submissions/{id}/status"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        status["provider_status"], "GENERATING",
        "an intermediate status is shown while waiting"
    );
    assert_eq!(
        status["status"], "pending",
        "a callback never moves the submission by itself"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_spec_route_finds_the_submission_by_task_id() {
    let app = pipeline_app(Backend::Sqlite).spawn().await;
    scenario(
        &app,
        Scenario {
            drop_webhooks: Some(1.0),
            ..Scenario::default()
        },
    );
    let unknown = app
        .client
        .post(app.url("/api/webhook"))
        .json(&json!({"task_id": "nope", "status": "SUCCESS"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let missing = app
        .client
        .post(app.url("/api/webhook"))
        .json(&json!({"status": "SUCCESS"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);

    let id = submit(&app).await;
    let done = finished(&app, &id, Duration::from_secs(90)).await;
    assert_eq!(done["status"], "success");
    let (task_id,): (String,) = rows(
        app.db(),
        "select llm_task_id from submissions where session_id = $1",
        &id,
    )
    .await
    .pop()
    .unwrap();
    let jobs_before = jobs(app.db(), &id).await;

    let late = app
        .client
        .post(app.url("/api/webhook"))
        .json(&json!({"task_id": task_id, "status": "SUCCESS"}))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 200);
    let body: Value = late.json().await.unwrap();
    assert_eq!(
        body,
        json!({"success": true, "message": "Webhook processed"})
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        jobs(app.db(), &id).await,
        jobs_before,
        "a late webhook started new work"
    );
    assert_eq!(
        finished(&app, &id, Duration::from_secs(1)).await["status"],
        "success"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_webhook_naming_another_task_is_ignored() {
    let app = pipeline_app(Backend::Sqlite).spawn().await;
    let id = submit(&app).await;
    finished(&app, &id, Duration::from_secs(90)).await;
    let token = webhook_token(&app, &id).await;
    let forged = app
        .client
        .post(app.url(&format!("/api/webhook/{id}.{token}")))
        .json(&json!({"task_id": "someone-else", "status": "FAILURE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 200);
    assert_eq!(
        finished(&app, &id, Duration::from_secs(1)).await["status"],
        "success"
    );
    app.stop().await;
}

#[tokio::test]
async fn without_credits_nothing_is_sent_and_intake_closes_until_refilled() {
    let app = pipeline_app(Backend::Sqlite).spawn().await;
    scenario(
        &app,
        Scenario {
            credits: Some(0),
            payg_credits: Some(0),
            ..Scenario::default()
        },
    );
    let first = submit(&app).await;
    // The POST answers 402; dispatch pauses and the balance is re-read.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while app
        .db()
        .credits()
        .await
        .unwrap()
        .is_none_or(|c| c.usable() > 0)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the 402 was not recorded"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(stats(&app).accepted, 0);
    let status: Value = app
        .get(&format!("/api/submissions/{first}/status"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "pending");
    let send = jobs(app.db(), &first)
        .await
        .into_iter()
        .find(|(kind, _, _)| kind == "send")
        .unwrap();
    assert!(send.2 <= 1, "waiting for credits spent attempts: {send:?}");

    let sold_out = app.post_submission(&valid_submission()).await;
    assert_eq!(sold_out.status(), 503);
    assert_eq!(sold_out.json::<Value>().await.unwrap()["error"], "sold_out");

    scenario(
        &app,
        Scenario {
            credits: Some(10_000),
            ..Scenario::default()
        },
    );
    app.db().store_credits(10_000, 0, now_ms()).await.unwrap();
    app.app
        .wakers
        .wake(serenade::workflows::song::kinds::queues::DISPATCH);
    assert_eq!(
        finished(&app, &first, Duration::from_secs(90)).await["status"],
        "success"
    );
    assert_eq!(stats(&app).accepted, 1);
    app.stop().await;
}
