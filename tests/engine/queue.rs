//! The queue's operations on the database: one claim per job among racing claimers, fencing
//! of a worker that lost its lease, the attempt accounting of snooze and retry, and the
//! unique and periodic keys (including periodic scheduling from two processes).

use std::collections::{HashMap, HashSet};

use serenade::engine::{Job, NewJob};

use crate::kinds::{Echo, MAIN, Note};
use crate::support::{
    all_rows, claim, engine_with, expire_lease, make_due, only_row, row, run_on_both, settings,
};

fn note(text: &str) -> Note {
    Note {
        text: text.into(),
        number: 7,
        tags: Vec::new(),
        flag: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_job_is_claimed_once_by_racing_claimers() {
    run_on_both(|db| async move {
        for index in 0..60 {
            assert!(
                db.enqueue(&Echo::new_job(&note(&format!("{index}"))))
                    .await
                    .unwrap()
            );
        }
        let mut claimers = tokio::task::JoinSet::new();
        for claimer in 0..8 {
            let db = db.clone();
            claimers.spawn(async move {
                let worker = format!("claimer-{claimer}");
                let mut claimed = Vec::new();
                while let Some(job) = claim(&db, MAIN, &worker).await {
                    claimed.push((job.id, job.attempt, worker.clone()));
                }
                claimed
            });
        }
        let claims: Vec<(String, i32, String)> = claimers.join_all().await.concat();
        let ids: HashSet<&String> = claims.iter().map(|(id, ..)| id).collect();
        assert_eq!(claims.len(), 60, "every job claimed");
        assert_eq!(ids.len(), 60, "no job claimed twice");
        let holder: HashMap<&String, &String> =
            claims.iter().map(|(id, _, worker)| (id, worker)).collect();
        for stored in all_rows(&db).await {
            assert_eq!(stored.state, "running");
            assert_eq!(stored.attempt, 1);
            assert_eq!(stored.lease_owner.as_ref(), Some(holder[&stored.id]));
        }
        assert!(claims.iter().all(|(_, attempt, _)| *attempt == 1));
    })
    .await;
}

#[tokio::test]
async fn a_worker_that_lost_its_lease_is_fenced_and_the_rescue_keeps_the_attempt() {
    run_on_both(|db| async move {
        db.enqueue(&Echo::new_job(&note("fenced"))).await.unwrap();
        let stale = claim(&db, MAIN, "worker-a").await.unwrap();
        assert_eq!(stale.attempt, 1);
        expire_lease(&db, &stale.id).await;
        assert!(db.rescue_job(&stale, 0).await.unwrap());
        let rescued = row(&db, &stale.id).await;
        assert_eq!(rescued.state, "available");
        assert_eq!(rescued.attempt, 1, "a rescue keeps the attempt count");
        assert_eq!(rescued.claim_token, None);
        assert!(rescued.error_messages()[0].contains("lease expired"));

        let fenced = async |db: &serenade::db::Db| {
            assert!(!db.heartbeat_job(&stale, 30_000).await.unwrap());
            assert!(!db.retry_job(&stale, 0, "late").await.unwrap());
            assert!(!db.snooze_job(&stale, 0).await.unwrap());
            assert!(!db.backoff_job(&stale, 0, "late").await.unwrap());
            assert!(!db.complete_job(&stale).await.unwrap());
            assert!(!db.discard_job(&stale, "late").await.unwrap());
        };
        fenced(&db).await;
        assert_eq!(row(&db, &stale.id).await.state, "available");

        let fresh = claim(&db, MAIN, "worker-b").await.unwrap();
        assert_eq!(fresh.id, stale.id);
        assert_eq!(fresh.attempt, 2, "re-claimed with attempt 2");
        assert_ne!(fresh.claim_token, stale.claim_token);
        fenced(&db).await;
        let held = row(&db, &fresh.id).await;
        assert_eq!(held.state, "running");
        assert_eq!(held.claim_token.as_ref(), Some(&fresh.claim_token));
        assert_eq!(held.lease_owner.as_deref(), Some("worker-b"));
        assert_eq!(
            held.error_messages().len(),
            1,
            "stale writes recorded nothing"
        );
        assert!(
            !db.rescue_job(&fresh, 0).await.unwrap(),
            "a live lease is not rescued"
        );
        assert!(db.complete_job(&fresh).await.unwrap());
        assert_eq!(row(&db, &fresh.id).await.state, "completed");
    })
    .await;
}

#[tokio::test]
async fn snooze_refunds_the_attempt() {
    run_on_both(|db| async move {
        db.enqueue(&Echo::new_job(&note("snooze"))).await.unwrap();
        let first = claim(&db, MAIN, "worker-a").await.unwrap();
        assert_eq!(first.attempt, 1);
        assert!(db.snooze_job(&first, 0).await.unwrap());
        let snoozed = row(&db, &first.id).await;
        assert_eq!((snoozed.state.as_str(), snoozed.attempt), ("available", 0));
        assert!(snoozed.error_messages().is_empty(), "a snooze is no error");
        let again = claim(&db, MAIN, "worker-b").await.unwrap();
        assert_eq!(again.attempt, 1, "the snoozed attempt was not spent");
    })
    .await;
}

#[tokio::test]
async fn retry_spends_the_attempt_and_holds_the_job_until_its_run_at() {
    run_on_both(|db| async move {
        db.enqueue(&Echo::new_job(&note("retry"))).await.unwrap();
        let first = claim(&db, MAIN, "worker-a").await.unwrap();
        assert!(db.retry_job(&first, 60_000, "boom").await.unwrap());
        let waiting = row(&db, &first.id).await;
        assert_eq!((waiting.state.as_str(), waiting.attempt), ("available", 1));
        assert!(
            (59_990..=60_010).contains(&waiting.delay_ms()),
            "{waiting:?}"
        );
        assert_eq!(waiting.error_messages(), ["boom"]);
        for worker in ["worker-a", "worker-b", "worker-c"] {
            assert!(
                claim(&db, MAIN, worker).await.is_none(),
                "not before run_at"
            );
        }
        assert_eq!(db.busy_job_count(0).await.unwrap(), 0);
        assert_eq!(db.busy_job_count(120_000).await.unwrap(), 1);
        make_due(&db, &first.id).await;
        let second = claim(&db, MAIN, "worker-b").await.unwrap();
        assert_eq!(second.attempt, 2, "the retried attempt was spent");
    })
    .await;
}

#[tokio::test]
async fn a_periodic_key_inserts_once_ever() {
    run_on_both(|db| async move {
        let job = || Echo::new_job(&note("nightly")).periodic("echo:2024-01-01");
        assert!(db.enqueue(&job()).await.unwrap());
        assert!(!db.enqueue(&job()).await.unwrap(), "while waiting");
        let claimed = claim(&db, MAIN, "worker-a").await.unwrap();
        assert!(db.complete_job(&claimed).await.unwrap());
        assert!(!db.enqueue(&job()).await.unwrap(), "after it completed");
        let other = Echo::new_job(&note("next night")).periodic("echo:2024-01-02");
        assert!(db.enqueue(&other).await.unwrap(), "another period");
        assert_eq!(all_rows(&db).await.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_unique_key_inserts_once_while_live() {
    run_on_both(|db| async move {
        let job = || Echo::new_job(&note("unique")).unique("echo:one");
        assert!(db.enqueue(&job()).await.unwrap());
        assert!(!db.enqueue(&job()).await.unwrap(), "while available");
        let claimed = claim(&db, MAIN, "worker-a").await.unwrap();
        assert!(!db.enqueue(&job()).await.unwrap(), "while running");
        assert!(db.complete_job(&claimed).await.unwrap());
        assert!(
            db.enqueue(&job()).await.unwrap(),
            "once the first completed"
        );
        assert!(!db.enqueue(&job()).await.unwrap(), "the new one is live");
        let mut states: Vec<String> = all_rows(&db).await.into_iter().map(|r| r.state).collect();
        states.sort();
        assert_eq!(states, ["available", "completed"]);
    })
    .await;
}

#[tokio::test]
async fn periodic_jobs_are_scheduled_once_across_processes() {
    run_on_both(|db| async move {
        let schedule = |_: &crate::context::TestCtx, _now_ms: i64| -> Vec<NewJob> {
            vec![Echo::new_job(&note("periodic")).periodic("echo:period-1")]
        };
        let processes = [(); 2].map(|()| {
            let mut registry = crate::kinds::suite_registry();
            registry.periodic(schedule);
            engine_with(&db, registry, settings())
        });
        for process in processes.iter().chain(processes.iter()) {
            process.schedule_periodic().await;
        }
        let scheduled = only_row(&db, "echo").await;
        assert_eq!(scheduled.state, "available");
    })
    .await;
}

#[tokio::test]
async fn wake_unique_makes_a_waiting_job_due_now() {
    run_on_both(|db| async move {
        let later = Echo::new_job(&note("later"))
            .unique("echo:wake")
            .after_ms(60_000);
        db.enqueue(&later).await.unwrap();
        assert!(claim(&db, MAIN, "worker-a").await.is_none());
        assert!(!db.wake_unique("echo:nothing").await.unwrap());
        assert!(db.wake_unique("echo:wake").await.unwrap());
        let woken = claim(&db, MAIN, "worker-a").await.unwrap();
        assert_eq!(woken.attempt, 1);
        assert!(
            !db.wake_unique("echo:wake").await.unwrap(),
            "a running job is not waiting"
        );
    })
    .await;
}

#[tokio::test]
async fn cancelling_an_owner_cancels_its_waiting_jobs_only() {
    run_on_both(|db| async move {
        let first = Echo::new_job(&note("first"))
            .owned_by("owner:1")
            .priority(10);
        let second = Echo::new_job(&note("second"))
            .owned_by("owner:1")
            .unique("echo:second");
        let other = Echo::new_job(&note("other")).owned_by("owner:2");
        for job in [&first, &second, &other] {
            assert!(db.enqueue(job).await.unwrap());
        }
        let running = claim(&db, MAIN, "worker-a").await.unwrap();
        assert_eq!(
            running.owner.as_deref(),
            Some("owner:1"),
            "higher priority first"
        );
        assert_eq!(db.cancel_owned_jobs("owner:1").await.unwrap(), 1);
        let mut states: Vec<(String, String)> = all_rows(&db)
            .await
            .into_iter()
            .map(|row| {
                (
                    serde_json::from_str::<Note>(&row.payload).unwrap().text,
                    row.state,
                )
            })
            .collect();
        states.sort();
        let expected = [
            ("first", "running"),
            ("other", "available"),
            ("second", "cancelled"),
        ]
        .map(|(text, state)| (text.to_owned(), state.to_owned()));
        assert_eq!(states, expected);
        assert!(
            db.complete_job(&running).await.unwrap(),
            "the running job finishes"
        );
        assert!(
            db.enqueue(&second).await.unwrap(),
            "a cancelled job no longer holds its unique key"
        );
    })
    .await;
}
