//! The queue's properties at the database level (docs/queue.md, "Properties"), on SQLite always and on
//! PostgreSQL when `TEST_DATABASE_URL` is set: claim exclusivity, fenced completion after a
//! lost lease, rescue keeping the attempt count, snooze refunding it, persisted backoff,
//! periodic jobs once per period, the structural slot limit and early webhooks.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use std::collections::HashSet;

use common::{TestDatabase, postgres_url};
use secrecy::SecretString;
use serenade::config::DatabaseConfig;
use serenade::db::Db;
use serenade::db::jobs::{JobKind, Lane, NewJob};
use serenade::db::send::SendStart;
use serenade::db::submissions::NewSubmission;
use serenade::domain::ids::{CookieId, SessionId};

async fn connect(url: String) -> Db {
    let config = DatabaseConfig {
        database_url: SecretString::from(url),
        database_max_connections: 8,
    };
    let db = Db::connect(&config).await.unwrap();
    db.migrate().await.unwrap();
    db
}

/// A stored submission (with its `send` job); returns its id.
async fn submission(db: &Db) -> String {
    let session_id = SessionId::generate().to_string();
    let new = NewSubmission {
        photo_path: format!("/storage/uploads/{session_id}.jpg"),
        session_id: session_id.clone(),
        cookie_id: CookieId::generate().as_str().to_owned(),
        owner_name: "Matt".into(),
        pet_name: "Toby".into(),
        pet_type: "Dog".into(),
        music_vibe: "Romantic".into(),
        webhook_token: "secret".into(),
        created_at: serenade::db::now_ms(),
    };
    db.insert_submission(&new, 10, 3).await.unwrap();
    session_id
}

async fn run_on_both<F, Fut>(test: F)
where
    F: Fn(Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    test(
        connect(format!(
            "sqlite://{}",
            dir.path().join("queue.db").display()
        ))
        .await,
    )
    .await;
    if postgres_url().is_some() {
        let database = TestDatabase::create().await;
        test(connect(database.url.clone()).await).await;
    }
}

async fn job_state(db: &Db, job_id: &str) -> (String, i32) {
    let sql = "select state, attempt from jobs where id = $1";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sql)
            .bind(job_id)
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(sql)
            .bind(job_id)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

async fn expire_lease(db: &Db, job_id: &str) {
    let sql = "update jobs set lease_expires_at = 0 where id = $1";
    match db {
        Db::Sqlite(pool) => {
            sqlx::query(sql).bind(job_id).execute(pool).await.unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(sql).bind(job_id).execute(pool).await.unwrap();
        }
    }
}

#[tokio::test]
async fn each_job_is_claimed_once_by_racing_workers() {
    run_on_both(|db| async move {
        db.ensure_provider_slots(10).await.unwrap();
        for _ in 0..60 {
            db.enqueue(&NewJob {
                kind: JobKind::Cleanup,
                submission_id: None,
                delay_ms: 0,
                max_attempts: 3,
                unique_key: None,
                periodic_key: None,
            })
            .await
            .unwrap();
        }
        let workers = (0..8).map(|worker| {
            let db = db.clone();
            async move {
                let mut claimed = Vec::new();
                while let Some(job) = db
                    .claim_job(Lane::Maintenance, &format!("w{worker}"), 30_000)
                    .await
                    .unwrap()
                {
                    claimed.push(job.id);
                }
                claimed
            }
        });
        let claimed: Vec<String> = futures_util::future::join_all(workers)
            .await
            .into_iter()
            .flatten()
            .collect();
        let unique: HashSet<&String> = claimed.iter().collect();
        assert_eq!(claimed.len(), 60);
        assert_eq!(unique.len(), 60, "a job was claimed twice");
    })
    .await;
}

#[tokio::test]
async fn a_worker_that_lost_its_lease_cannot_complete() {
    run_on_both(|db| async move {
        db.ensure_provider_slots(10).await.unwrap();
        let session = submission(&db).await;
        let stale = db
            .claim_job(Lane::Dispatch, "worker-a", 30_000)
            .await
            .unwrap()
            .unwrap();
        expire_lease(&db, &stale.id).await;
        assert!(db.rescue_job(&stale, 0).await.unwrap());
        let fresh = db
            .claim_job(Lane::Dispatch, "worker-b", 30_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(fresh.id, stale.id);
        assert_eq!(
            fresh.attempt, 2,
            "rescue keeps the attempt; the new claim spends one"
        );

        // Worker A wakes up and tries everything it could do.
        assert!(!db.heartbeat_job(&stale, 30_000).await.unwrap());
        assert!(matches!(
            db.begin_send(&stale, 60_000).await.unwrap(),
            SendStart::LeaseLost
        ));
        let reconcile = NewJob::step(JobKind::Reconcile, &session, 3, 0);
        assert!(
            !db.complete_send(&stale, "task-a", 60_000, reconcile.clone())
                .await
                .unwrap()
        );
        assert!(!db.fail_submission(&stale, "stale", false).await.unwrap());
        assert!(!db.retry_job(&stale, 0, "stale").await.unwrap());
        let row = db.pipeline_row(&session).await.unwrap().unwrap();
        assert_eq!(row.entry_status, "pending");
        assert!(row.llm_task_id.is_none());

        // Worker B completes normally, exactly once.
        assert!(matches!(
            db.begin_send(&fresh, 60_000).await.unwrap(),
            SendStart::Ready { .. }
        ));
        assert!(
            db.complete_send(&fresh, "task-b", 60_000, reconcile.clone())
                .await
                .unwrap()
        );
        assert!(
            !db.complete_send(&fresh, "task-c", 60_000, reconcile)
                .await
                .unwrap()
        );
        let row = db.pipeline_row(&session).await.unwrap().unwrap();
        assert_eq!(row.llm_task_id.as_deref(), Some("task-b"));
        assert_eq!(row.entry_status, "processing");
    })
    .await;
}

#[tokio::test]
async fn snooze_refunds_the_attempt_and_retry_persists_its_backoff() {
    run_on_both(|db| async move {
        db.ensure_provider_slots(10).await.unwrap();
        submission(&db).await;
        let job = db
            .claim_job(Lane::Dispatch, "w", 30_000)
            .await
            .unwrap()
            .unwrap();
        assert!(db.snooze_job(&job, 0).await.unwrap());
        assert_eq!(job_state(&db, &job.id).await, ("available".into(), 0));

        let job = db
            .claim_job(Lane::Dispatch, "w", 30_000)
            .await
            .unwrap()
            .unwrap();
        assert!(db.retry_job(&job, 60_000, "provider 503").await.unwrap());
        assert_eq!(job_state(&db, &job.id).await, ("available".into(), 1));
        // Not runnable before its persisted run_at, whoever asks.
        assert!(
            db.claim_job(Lane::Dispatch, "other-process", 30_000)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn periodic_jobs_are_inserted_once_per_key() {
    run_on_both(|db| async move {
        let job = NewJob {
            kind: JobKind::Cleanup,
            submission_id: None,
            delay_ms: 0,
            max_attempts: 3,
            unique_key: None,
            periodic_key: Some("cleanup:2026-02-14".into()),
        };
        let inserted = futures_util::future::join_all((0..5).map(|_| db.enqueue(&job))).await;
        assert_eq!(
            inserted
                .into_iter()
                .filter(|r| *r.as_ref().unwrap())
                .count(),
            1
        );
        let claimed = db
            .claim_job(Lane::Maintenance, "w", 30_000)
            .await
            .unwrap()
            .unwrap();
        assert!(db.complete_job(&claimed).await.unwrap());
        assert!(
            !db.enqueue(&job).await.unwrap(),
            "a finished period must not run again"
        );
    })
    .await;
}

#[tokio::test]
async fn only_as_many_sends_start_as_there_are_slots() {
    run_on_both(|db| async move {
        db.ensure_provider_slots(3).await.unwrap();
        for _ in 0..5 {
            submission(&db).await;
        }
        let mut started = 0;
        let mut claimed = Vec::new();
        while let Some(job) = db.claim_job(Lane::Dispatch, "w", 30_000).await.unwrap() {
            match db.begin_send(&job, 60_000).await.unwrap() {
                SendStart::Ready { .. } => started += 1,
                SendStart::NoSlot => {}
                other => panic!("unexpected {other:?}"),
            }
            claimed.push(job);
        }
        assert_eq!(started, 3);
        assert_eq!(
            claimed.len(),
            3,
            "sends are not even claimed while every slot is held"
        );
        assert_eq!(db.provider_slots_in_use().await.unwrap(), 3);
        db.ensure_provider_slots(3).await.unwrap();
        assert_eq!(db.provider_slot_holders().await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn an_early_webhook_makes_reconcile_run_at_once() {
    run_on_both(|db| async move {
        db.ensure_provider_slots(10).await.unwrap();
        let session = submission(&db).await;
        let job = db
            .claim_job(Lane::Dispatch, "w", 30_000)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            db.begin_send(&job, 60_000).await.unwrap(),
            SendStart::Ready { .. }
        ));
        // The provider's first callback lands before our task id is stored.
        assert!(
            db.record_provider_event(&session, Some("task-1"), "RECEIVED", "{}", 1)
                .await
                .unwrap()
        );
        assert!(
            !db.record_provider_event(&session, Some("task-1"), "RECEIVED", "{}", 2)
                .await
                .unwrap()
        );

        let reconcile = NewJob::step(JobKind::Reconcile, &session, 3, 600_000);
        assert!(
            db.complete_send(&job, "task-1", 60_000, reconcile)
                .await
                .unwrap()
        );

        let next = db.claim_job(Lane::Provider, "w", 30_000).await.unwrap();
        assert_eq!(
            next.map(|job| job.kind),
            Some(JobKind::Reconcile),
            "reconcile waited for the timeout"
        );
    })
    .await;
}
