//! `Engine::rescue_expired`: a job whose lease expired returns to the queue with its attempt
//! count (a live lease is left alone), and a job whose worker keeps dying ends through its
//! kind's `on_exhausted` after `max_attempts + CRASH_ALLOWANCE` expiries.

use serenade::engine::Job;
use serenade::engine::maintenance::CRASH_ALLOWANCE;

use crate::kinds::{Doomed, Echo, MAIN, Note, Script, Step};
use crate::support::{claim, engine, expire_lease, make_due, row, run_on_both};

#[tokio::test]
async fn rescue_returns_an_expired_job_and_leaves_a_live_lease_alone() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        for text in ["dies", "lives"] {
            let note = Note {
                text: text.into(),
                number: 0,
                tags: Vec::new(),
                flag: None,
            };
            db.enqueue(&Echo::new_job(&note)).await.unwrap();
        }
        let dead = claim(&db, MAIN, "worker-dead").await.unwrap();
        let alive = claim(&db, MAIN, "worker-alive").await.unwrap();
        expire_lease(&db, &dead.id).await;
        engine.rescue_expired().await;
        let rescued = row(&db, &dead.id).await;
        assert_eq!((rescued.state.as_str(), rescued.attempt), ("available", 1));
        assert_eq!(rescued.lease_owner, None);
        assert_eq!(
            rescued.error_messages(),
            ["lease expired: the worker stopped or stalled"]
        );
        let untouched = row(&db, &alive.id).await;
        assert_eq!(untouched.state, "running");
        assert_eq!(untouched.claim_token, Some(alive.claim_token.clone()));
        assert!(db.heartbeat_job(&alive, 30_000).await.unwrap());

        make_due(&db, &dead.id).await;
        let again = claim(&db, MAIN, "worker-next").await.unwrap();
        assert_eq!((again.id.as_str(), again.attempt), (dead.id.as_str(), 2));
    })
    .await;
}

#[tokio::test]
async fn expiries_beyond_the_crash_allowance_end_the_job_through_on_exhausted() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        let max_attempts = 2;
        let job = Doomed::new_job(&Script::of(&[Step::Complete])).attempts(max_attempts);
        db.enqueue(&job).await.unwrap();
        let expiries = max_attempts + CRASH_ALLOWANCE;
        for attempt in 1..=expiries {
            let held = claim(&db, MAIN, &format!("crashing-{attempt}"))
                .await
                .unwrap();
            assert_eq!(held.attempt, attempt);
            expire_lease(&db, &held.id).await;
            engine.rescue_expired().await;
            let after = row(&db, &held.id).await;
            let exhausted = engine.ctx.log.exhausted(&held.id);
            if attempt < expiries {
                assert_eq!(
                    (after.state.as_str(), after.attempt),
                    ("available", attempt)
                );
                assert!(exhausted.is_empty());
                make_due(&db, &held.id).await;
            } else {
                let reason = "doomed: the worker stopped on every attempt".to_owned();
                assert_eq!(exhausted, [(expiries, reason.clone())]);
                assert_eq!(
                    (after.state.as_str(), after.attempt),
                    ("discarded", expiries)
                );
                let messages = after.error_messages();
                assert_eq!(messages.len(), usize::try_from(expiries).unwrap());
                assert_eq!(messages.last(), Some(&reason));
            }
        }
        assert!(claim(&db, MAIN, "worker-late").await.is_none());
        engine.rescue_expired().await;
        assert_eq!(engine.ctx.log.exhausted(&job_id(&db).await).len(), 1);
    })
    .await;
}

async fn job_id(db: &serenade::db::Db) -> String {
    crate::support::only_row(db, Doomed::KIND).await.id
}
