//! Persisted backoff: a retry's wait lives in the database, so a restart neither forgets it
//! nor retries early.

use std::time::Duration;

use serenade::provider::fake::{Fault, Scenario};

use crate::common::Backend;
use crate::helpers::{finished, jobs, pipeline_app, rows, scenario, stats, submit};

#[tokio::test]
async fn backoff_survives_a_restart() {
    let app = pipeline_app(Backend::Sqlite)
        .configure(|c| c.pipeline.retry_backoff_seconds = vec![8])
        .spawn()
        .await;
    // A 404 on the POST is the one refusal `send` retries at the cost of an attempt.
    scenario(&app, Scenario::post_faults(1, Fault::status(404)));
    let id = submit(&app).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !jobs(app.db(), &id)
        .await
        .iter()
        .any(|(kind, state, attempt)| kind == "send" && state == "available" && *attempt == 1)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the first attempt never failed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (run_at,): (i64,) = rows(
        app.db(),
        "select run_at from jobs where owner = 'song:' || $1 and kind = 'send'",
        &id,
    )
    .await
    .pop()
    .unwrap();
    let posts_before = stats(&app).posts;
    let sibling = app
        .sibling()
        .with_workers()
        .configure(|c| c.pipeline.retry_backoff_seconds = vec![8]);
    app.stop().await;

    let restarted = sibling.spawn().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (still,): (i64,) = rows(
        restarted.db(),
        "select run_at from jobs where owner = 'song:' || $1 and kind = 'send'",
        &id,
    )
    .await
    .pop()
    .unwrap();
    assert_eq!(still, run_at, "the restart moved the retry");
    assert_eq!(posts_before, 1);
    let send: Vec<_> = jobs(restarted.db(), &id)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "send")
        .collect();
    assert_eq!(send[0].1, "available", "retried before its time: {send:?}");

    assert_eq!(
        finished(&restarted, &id, Duration::from_secs(90)).await["status"],
        "success"
    );
    restarted.stop().await;
}

/// The adoption window of an unanswered POST runs from that POST: neither the snoozes while
/// waiting for a callback nor a restart start it again, so the resend comes once it passes.
#[tokio::test]
async fn the_adoption_window_runs_from_the_first_unanswered_post_across_a_restart() {
    let tune = |c: &mut serenade::config::Config| {
        c.provider.adoption_window_seconds = 5;
        c.provider.api_request_timeout_seconds = 1;
    };
    let app = pipeline_app(Backend::Sqlite).configure(tune).spawn().await;
    scenario(
        &app,
        Scenario {
            drop_webhooks: Some(1.0),
            ..Scenario::post_faults(1, Fault::AcceptThenHang)
        },
    );
    let id = submit(&app).await;
    let (db, session) = (app.db(), id.as_str());
    let stamp = move || async move {
        rows::<(Option<i64>,)>(
            db,
            "select send_started_at from submissions where session_id = $1",
            session,
        )
        .await
        .pop()
        .unwrap()
        .0
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let first_post = loop {
        if let Some(stamped) = stamp().await {
            break stamped;
        }
        assert!(std::time::Instant::now() < deadline, "never sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // The POST times out (1 s) and the send snoozes, looking for a callback.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        stamp().await,
        Some(first_post),
        "a snooze restarted the window"
    );
    let sibling = app.sibling().with_workers().configure(tune);
    app.stop().await;

    let restarted = sibling.spawn().await;
    assert_eq!(
        finished(&restarted, &id, Duration::from_secs(60)).await["status"],
        "success"
    );
    let (resends, sent_at): (i32, i64) = rows(
        restarted.db(),
        "select possible_duplicate_posts, send_started_at from submissions where session_id = $1",
        &id,
    )
    .await
    .pop()
    .unwrap();
    assert_eq!(
        resends, 1,
        "the silent POST was sent again once, and counted"
    );
    assert!(
        sent_at - first_post >= 5000,
        "resent {} ms after the first POST, inside the window",
        sent_at - first_post
    );
    restarted.stop().await;
}
