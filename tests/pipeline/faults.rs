//! The provider fault catalogue: each scenario runs a dozen submissions (more than the
//! provider's ten slots) through the real pipeline against the fake provider with a fault
//! injected, on SQLite and PostgreSQL, and checks the money path's properties — every
//! submission terminal; `success` unless the provider said FAILURE; never more generations in
//! flight than the limit; each song billed once except a counted, recorded resend; no slot
//! held and no temp file left at the end.

use std::path::Path;
use std::time::Duration;

use serenade::provider::fake::{Fault, FaultBurst, Scenario};

use crate::common::{Backend, TestApp, on_postgres};
use crate::helpers::{finished, pipeline_app, rows, scenario, stats, submit};

/// Submissions per scenario: more than the provider's 10 slots.
const SUBMISSIONS: usize = 12;
/// The provider's concurrency limit in the test configuration.
const PROVIDER_LIMIT: u64 = 10;

/// An app with workers whose generations take `generation_seconds`, a short adoption window
/// and a 1-second request timeout.
async fn app(backend: Backend, generation_seconds: f64) -> TestApp {
    let app = pipeline_app(backend)
        .configure(|config| {
            config.provider.adoption_window_seconds = 3;
            config.provider.api_request_timeout_seconds = 1;
            config.provider.generation_deadline_minutes = 2.0;
            // Small videos: the catalogue is about the provider, not the renderer.
            config.render.video_size = 240;
            config.admin.admin_user = Some("admin".into());
            config.admin.admin_password = Some(secrecy::SecretString::from("fault-catalogue"));
        })
        .spawn()
        .await;
    scenario(
        &app,
        Scenario {
            generation_seconds: Some(generation_seconds),
            ..Scenario::default()
        },
    );
    app
}

async fn submit_all(app: &TestApp) -> Vec<String> {
    futures_util::future::join_all((0..SUBMISSIONS).map(|_| submit(app))).await
}

/// What a scenario allows beyond the clean run.
#[derive(Debug, Default, Clone, Copy)]
struct Allowed {
    /// Submissions the provider itself failed.
    provider_failures: u64,
}

/// Waits for every submission and checks the catalogue's properties; returns the number of
/// possible duplicates recorded.
async fn assert_money_path_held(app: &TestApp, ids: &[String], allowed: Allowed) -> i64 {
    for id in ids {
        finished(app, id, Duration::from_secs(150)).await;
    }
    let mut failed = 0;
    let mut duplicates = 0;
    for id in ids {
        let (status, llm_status, error, resent): (String, Option<String>, Option<String>, i32) =
            rows(
                app.db(),
                "select entry_status, llm_status, error, possible_duplicate_posts \
                 from submissions where session_id = $1",
                id,
            )
            .await
            .pop()
            .unwrap();
        duplicates += i64::from(resent);
        if status == "fail" {
            failed += 1;
            assert_eq!(
                llm_status.as_deref(),
                Some("fail"),
                "{id} failed although the provider did not say FAILURE: {error:?}"
            );
        }
    }
    let provider = stats(app);
    assert_eq!(
        failed, provider.failed,
        "failures other than the provider's"
    );
    assert!(failed <= allowed.provider_failures);
    assert!(
        provider.max_in_flight <= PROVIDER_LIMIT,
        "the provider saw {} generations at once",
        provider.max_in_flight
    );
    assert_eq!(
        i64::try_from(provider.accepted).unwrap(),
        i64::try_from(ids.len()).unwrap() + duplicates,
        "songs billed beyond one each and the recorded resends: {provider:?}"
    );
    assert_eq!(app.db().provider_slots_in_use().await.unwrap(), 0);
    let leftovers = temp_files(app);
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    duplicates
}

/// Dot-files and staging directories in storage, anything in the render temp directory.
fn temp_files(app: &TestApp) -> Vec<String> {
    let storage = &app.app.config.storage;
    let mut found = Vec::new();
    for dir in [storage.img_dir(), storage.audio_dir(), storage.video_dir()] {
        found.extend(names(&dir).into_iter().filter(|name| name.starts_with('.')));
    }
    if let Some(render_temp) = &app.app.config.render.render_temp_dir {
        found.extend(names(render_temp));
    }
    found
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn burst(count: u32, fault: Fault) -> Option<FaultBurst> {
    Some(FaultBurst { count, fault })
}

/// Defines `$name_on_sqlite` and `$name_on_postgres` running `$body(backend)`.
macro_rules! on_both_databases {
    ($sqlite:ident, $postgres:ident, $body:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $body(Backend::Sqlite).await;
        }

        #[tokio::test]
        async fn $postgres() {
            on_postgres($body).await;
        }
    };
}

/// Reads of a generation fail for a while (503 on every GET, longer than the whole retry
/// budget): generations the provider accepted keep their slots and finish once it answers.
async fn read_outage(backend: Backend) {
    let app = app(backend, 1.5).await;
    let ids = submit_all(&app).await;
    scenario(
        &app,
        Scenario {
            read_outage_seconds: Some(8.0),
            ..Scenario::default()
        },
    );
    assert_money_path_held(&app, &ids, Allowed::default()).await;
    app.stop().await;
}
on_both_databases!(
    a_read_outage_fails_no_song_on_sqlite,
    a_read_outage_fails_no_song_on_postgres,
    read_outage
);

/// A storm of 429s with Retry-After on the POST: songs wait, none fails.
async fn rate_limit_storm(backend: Backend) {
    let app = app(backend, 1.0).await;
    scenario(
        &app,
        Scenario {
            post_faults: burst(30, Fault::rate_limited(1)),
            ..Scenario::default()
        },
    );
    let ids = submit_all(&app).await;
    assert_money_path_held(&app, &ids, Allowed::default()).await;
    app.stop().await;
}
on_both_databases!(
    a_rate_limit_storm_fails_no_song_on_sqlite,
    a_rate_limit_storm_fails_no_song_on_postgres,
    rate_limit_storm
);

/// A burst of 401s on the POST (a key rotation): dispatch pauses and resumes by itself.
async fn unauthorized_burst(backend: Backend) {
    let app = app(backend, 1.0).await;
    scenario(
        &app,
        Scenario {
            post_faults: burst(6, Fault::status(401)),
            ..Scenario::default()
        },
    );
    let ids = submit_all(&app).await;
    assert_money_path_held(&app, &ids, Allowed::default()).await;
    assert!(app.db().provider_pause().await.unwrap().is_none());
    app.stop().await;
}
on_both_databases!(
    a_burst_of_401s_fails_no_song_on_sqlite,
    a_burst_of_401s_fails_no_song_on_postgres,
    unauthorized_burst
);

/// POSTs accepted whose answers never come back; the callbacks bring their task ids.
async fn lost_post_answers_with_webhooks(backend: Backend) {
    let app = app(backend, 1.0).await;
    scenario(
        &app,
        Scenario {
            post_faults: burst(2, Fault::AcceptThenHang),
            ..Scenario::default()
        },
    );
    let ids = submit_all(&app).await;
    let duplicates = assert_money_path_held(&app, &ids, Allowed::default()).await;
    assert_eq!(duplicates, 0, "a callback named each lost generation");
    app.stop().await;
}
on_both_databases!(
    lost_post_answers_are_adopted_from_callbacks_on_sqlite,
    lost_post_answers_are_adopted_from_callbacks_on_postgres,
    lost_post_answers_with_webhooks
);

/// POSTs accepted whose answers never come back, and no callback either: after the adoption
/// window the POST is sent again and the possible duplicate recorded.
async fn lost_post_answers_without_webhooks(backend: Backend) {
    let app = app(backend, 1.0).await;
    scenario(
        &app,
        Scenario {
            post_faults: burst(2, Fault::AcceptThenHang),
            drop_webhooks: Some(1.0),
            ..Scenario::default()
        },
    );
    let ids = submit_all(&app).await;
    let duplicates = assert_money_path_held(&app, &ids, Allowed::default()).await;
    assert_eq!(
        duplicates, 2,
        "each silent POST was resent once and counted"
    );
    let metrics = admin_metrics(&app).await;
    assert!(
        metrics.contains("provider_possible_duplicate_posts 2"),
        "{metrics}"
    );
    app.stop().await;
}
on_both_databases!(
    silent_lost_posts_are_resent_once_and_recorded_on_sqlite,
    silent_lost_posts_are_resent_once_and_recorded_on_postgres,
    lost_post_answers_without_webhooks
);

/// A gateway error after the origin created the generation, and a 2xx without a task id:
/// both "may exist", so the slot is kept and the callback adopted — never a second POST.
async fn errors_after_create(backend: Backend) {
    let app = app(backend, 1.0).await;
    scenario(
        &app,
        Scenario {
            post_faults: burst(2, Fault::AcceptThenStatus { status: 504 }),
            ..Scenario::default()
        },
    );
    let mut ids = submit_all(&app).await;
    finished(&app, &ids[0], Duration::from_secs(60)).await;
    scenario(
        &app,
        Scenario {
            post_faults: burst(1, Fault::AcceptThenStatus { status: 200 }),
            ..Scenario::default()
        },
    );
    ids.push(submit(&app).await);
    let duplicates = assert_money_path_held(&app, &ids, Allowed::default()).await;
    assert_eq!(duplicates, 0);
    app.stop().await;
}
on_both_databases!(
    errors_after_a_create_never_bill_twice_on_sqlite,
    errors_after_a_create_never_bill_twice_on_postgres,
    errors_after_create
);

/// Callbacks duplicated, reordered and half of them dropped, with some provider FAILUREs.
async fn unruly_webhooks(backend: Backend) {
    let app = app(backend, 1.0).await;
    scenario(
        &app,
        Scenario {
            duplicate_webhooks: Some(true),
            out_of_order_webhooks: Some(true),
            drop_webhooks: Some(0.5),
            ..Scenario::failures(2, "Generation failed: content policy")
        },
    );
    let ids = submit_all(&app).await;
    assert_money_path_held(
        &app,
        &ids,
        Allowed {
            provider_failures: 2,
        },
    )
    .await;
    assert_eq!(stats(&app).failed, 2);
    app.stop().await;
}
on_both_databases!(
    duplicated_reordered_and_dropped_webhooks_change_nothing_on_sqlite,
    duplicated_reordered_and_dropped_webhooks_change_nothing_on_postgres,
    unruly_webhooks
);

/// `/metrics` with the test's admin credentials.
pub async fn admin_metrics(app: &TestApp) -> String {
    app.client
        .get(app.url("/metrics"))
        .basic_auth("admin", Some("fault-catalogue"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The provider refuses the key on every call: dispatch pauses for everyone, health reports
/// it, nothing is sent or failed; once the key works again a probe resumes by itself.
async fn account_refusal_pauses_dispatch(backend: Backend) {
    let app = app(backend, 0.5).await;
    scenario(
        &app,
        Scenario {
            post_faults: burst(100_000, Fault::status(401)),
            get_faults: burst(100_000, Fault::status(401)),
            ..Scenario::default()
        },
    );
    let ids = vec![submit(&app).await, submit(&app).await];
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let health = loop {
        let health: serde_json::Value = app.get("/api/health").await.json().await.unwrap();
        if health["provider"] == "paused" {
            break health;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never paused: {health}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(
        health["provider_reason"]
            .as_str()
            .unwrap()
            .starts_with("provider_unauthorized"),
        "{health}"
    );
    // Several probe intervals pass with the key still refused: nothing is sent or failed.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        admin_metrics(&app)
            .await
            .contains("provider_dispatch_paused 1")
    );
    let queue: serde_json::Value = app
        .client
        .get(app.url("/api/admin/queue-status"))
        .basic_auth("admin", Some("fault-catalogue"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        queue["dispatch_paused"]["reason"], "provider_unauthorized",
        "{queue}"
    );
    assert_eq!(queue["failed_submissions"], 0);
    assert_eq!(stats(&app).accepted, 0);
    assert!(
        stats(&app).credit_gets >= 2,
        "the pause is probed periodically"
    );

    scenario(
        &app,
        Scenario {
            post_faults: burst(0, Fault::status(401)),
            get_faults: burst(0, Fault::status(401)),
            ..Scenario::default()
        },
    );
    assert_money_path_held(&app, &ids, Allowed::default()).await;
    let health: serde_json::Value = app.get("/api/health").await.json().await.unwrap();
    assert_eq!(health["provider"], "available", "{health}");
    assert!(
        admin_metrics(&app)
            .await
            .contains("provider_dispatch_paused 0")
    );
    app.stop().await;
}
on_both_databases!(
    an_account_refusal_pauses_dispatch_until_a_probe_succeeds_on_sqlite,
    an_account_refusal_pauses_dispatch_until_a_probe_succeeds_on_postgres,
    account_refusal_pauses_dispatch
);

/// A `Retry-After` far beyond reason is capped, and the wake-up time stays an integer on
/// both databases (an overflowed sum would be stored as REAL by SQLite and never run).
async fn huge_retry_after(backend: Backend) {
    let app = app(backend, 0.5).await;
    scenario(
        &app,
        Scenario {
            post_faults: burst(1, Fault::rate_limited(u64::MAX / 2)),
            ..Scenario::default()
        },
    );
    let id = submit(&app).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let wait_ms = loop {
        let found: Vec<(i64, i64)> = rows(
            app.db(),
            "select run_at, updated_at from jobs where owner = 'song:' || $1 and kind = 'send' \
             and state = 'available' and errors like '%rate%'",
            &id,
        )
        .await;
        if let Some((run_at, updated_at)) = found.first() {
            break run_at - updated_at;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the 429 was never recorded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        (590_000..=610_000).contains(&wait_ms),
        "waits {wait_ms} ms, not the 10-minute cap"
    );
    if backend == Backend::Sqlite {
        let kinds: Vec<(String,)> = rows(
            app.db(),
            "select typeof(run_at) from jobs where owner = 'song:' || $1",
            &id,
        )
        .await;
        assert!(kinds.iter().all(|(kind,)| kind == "integer"), "{kinds:?}");
    }
    app.stop().await;
}
on_both_databases!(
    a_huge_retry_after_is_capped_on_sqlite,
    a_huge_retry_after_is_capped_on_postgres,
    huge_retry_after
);

/// The CDN fails the first downloads (502s, more than a step's attempts): the songs are paid
/// for, so they wait and none fails.
async fn cdn_blip(backend: Backend) {
    let app = app(backend, 0.5).await;
    scenario(
        &app,
        Scenario {
            cdn_faults: burst(40, Fault::status(502)),
            ..Scenario::default()
        },
    );
    let ids = submit_all(&app).await;
    assert_money_path_held(&app, &ids, Allowed::default()).await;
    app.stop().await;
}
on_both_databases!(
    a_cdn_blip_fails_no_paid_song_on_sqlite,
    a_cdn_blip_fails_no_paid_song_on_postgres,
    cdn_blip
);
