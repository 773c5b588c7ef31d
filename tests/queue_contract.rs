//! The song's queue properties at the database level (docs/queue.md, "Properties"), on SQLite
//! always and on PostgreSQL when `TEST_DATABASE_URL` is set: fenced song transitions after a
//! lost lease, the structural provider-slot limit enforced by the dispatch gate inside the
//! claim, and early webhooks. The engine's own properties (claim exclusivity, rescue, snooze,
//! backoff, periodic keys) are proven with a test job kind in `tests/engine/`.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use common::{TestDatabase, postgres_url};
use secrecy::SecretString;
use serenade::config::DatabaseConfig;
use serenade::db::Db;
use serenade::domain::ids::{CookieId, SessionId};
use serenade::engine::{Gate, Job};
use serenade::workflows::song::gates::ProviderSlotFree;
use serenade::workflows::song::kinds::{Reconcile, queues, step};
use serenade::workflows::song::steps::send_commit::SendStart;
use serenade::workflows::song::store::submissions::NewSubmission;

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
async fn submission(db: &Db) -> SessionId {
    let session_id = SessionId::generate();
    let new = NewSubmission {
        photo_path: format!("/storage/uploads/{session_id}.jpg"),
        session_id: session_id.clone(),
        cookie_id: CookieId::generate().as_str().to_owned(),
        owner_name: "Matt".into(),
        pet_name: "Toby".into(),
        pet_type: "Dog".into(),
        music_vibe: "Romantic".into(),
        webhook_token: "secret".into(),
        created_at: serenade::clock::now_ms(),
    };
    db.insert_submission(&new, 10, 3).await.unwrap();
    session_id
}

/// The dispatch queue's claim condition (a free provider slot), as the engine folds it in.
fn slot_gate(db: &Db) -> Option<String> {
    ProviderSlotFree
        .claim_condition()
        .map(|sql| sql.pick(db.dialect()).to_owned())
}

/// The submission a claimed song job carries.
fn job_submission(job: &serenade::engine::ClaimedJob) -> String {
    let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap();
    payload["submission_id"].as_str().unwrap().to_owned()
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
async fn a_worker_that_lost_its_lease_cannot_complete() {
    run_on_both(|db| async move {
        db.ensure_provider_slots(10).await.unwrap();
        let session = submission(&db).await;
        let stale = db
            .claim_job(
                queues::DISPATCH,
                slot_gate(&db).as_deref(),
                "worker-a",
                30_000,
            )
            .await
            .unwrap()
            .unwrap();
        expire_lease(&db, &stale.id).await;
        assert!(db.rescue_job(&stale, 0).await.unwrap());
        let fresh = db
            .claim_job(
                queues::DISPATCH,
                slot_gate(&db).as_deref(),
                "worker-b",
                30_000,
            )
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
            db.begin_send(&stale, session.as_str(), 60_000)
                .await
                .unwrap(),
            SendStart::LeaseLost
        ));
        let reconcile = step::<Reconcile>(&session, 3, 0);
        assert!(
            !db.complete_send(
                &stale,
                session.as_str(),
                "task-a",
                60_000,
                reconcile.clone()
            )
            .await
            .unwrap()
        );
        assert!(
            !db.fail_submission(&stale, session.as_str(), "stale", false)
                .await
                .unwrap()
        );
        assert!(!db.retry_job(&stale, 0, "stale").await.unwrap());
        let row = db.pipeline_row(session.as_str()).await.unwrap().unwrap();
        assert_eq!(row.entry_status, "pending");
        assert!(row.llm_task_id.is_none());

        // Worker B completes normally, exactly once.
        assert!(matches!(
            db.begin_send(&fresh, session.as_str(), 60_000)
                .await
                .unwrap(),
            SendStart::Ready { .. }
        ));
        assert!(
            db.complete_send(
                &fresh,
                session.as_str(),
                "task-b",
                60_000,
                reconcile.clone()
            )
            .await
            .unwrap()
        );
        assert!(
            !db.complete_send(&fresh, session.as_str(), "task-c", 60_000, reconcile)
                .await
                .unwrap()
        );
        let row = db.pipeline_row(session.as_str()).await.unwrap().unwrap();
        assert_eq!(row.llm_task_id.as_deref(), Some("task-b"));
        assert_eq!(row.entry_status, "processing");
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
        while let Some(job) = db
            .claim_job(queues::DISPATCH, slot_gate(&db).as_deref(), "w", 30_000)
            .await
            .unwrap()
        {
            match db
                .begin_send(&job, &job_submission(&job), 60_000)
                .await
                .unwrap()
            {
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
            .claim_job(queues::DISPATCH, slot_gate(&db).as_deref(), "w", 30_000)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            db.begin_send(&job, &job_submission(&job), 60_000)
                .await
                .unwrap(),
            SendStart::Ready { .. }
        ));
        // The provider's first callback lands before our task id is stored.
        assert!(
            db.record_provider_event(session.as_str(), Some("task-1"), "RECEIVED", "{}", 1)
                .await
                .unwrap()
        );
        assert!(
            !db.record_provider_event(session.as_str(), Some("task-1"), "RECEIVED", "{}", 2)
                .await
                .unwrap()
        );

        let reconcile = step::<Reconcile>(&session, 3, 600_000);
        assert!(
            db.complete_send(&job, session.as_str(), "task-1", 60_000, reconcile)
                .await
                .unwrap()
        );

        let next = db
            .claim_job(queues::PROVIDER, None, "w", 30_000)
            .await
            .unwrap();
        assert_eq!(
            next.map(|job| job.kind),
            Some(Reconcile::KIND.to_owned()),
            "reconcile waited for the timeout"
        );
    })
    .await;
}
