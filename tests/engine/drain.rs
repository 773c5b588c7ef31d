//! `Engine::drain`: runs follow-up jobs enqueued by running ones until the queues are idle,
//! reports what ran by kind, waits for jobs due within its horizon, and gives up with
//! `StillBusy` after its limit.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serenade::engine::Job;
use serenade::engine::drain::DrainError;

use crate::kinds::{Chain, Echo, Links, Note};
use crate::support::{all_rows, engine, only_row, run_on_both};

fn note(text: &str) -> Note {
    Note {
        text: text.into(),
        number: 0,
        tags: Vec::new(),
        flag: None,
    }
}

#[tokio::test]
async fn drain_runs_a_chain_to_completion_and_counts_by_kind() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        db.enqueue(&Chain::new_job(&Links { left: 4 }))
            .await
            .unwrap();
        db.enqueue(&Echo::new_job(&note("beside the chain")))
            .await
            .unwrap();
        let report = engine
            .drain(Duration::ZERO, Duration::from_secs(20))
            .await
            .unwrap();
        let expected: BTreeMap<String, usize> =
            [("chain".to_owned(), 5), ("echo".to_owned(), 1)].into();
        assert_eq!(report.ran, expected);
        assert_eq!(report.total(), 6);
        let rows = all_rows(&db).await;
        assert_eq!(rows.len(), 6);
        assert!(rows.iter().all(|row| row.state == "completed"), "{rows:#?}");
        let mut links: Vec<u32> = rows
            .iter()
            .filter(|row| row.kind == "chain")
            .map(|row| serde_json::from_str::<Links>(&row.payload).unwrap().left)
            .collect();
        links.sort_unstable();
        assert_eq!(links, [0, 1, 2, 3, 4]);
    })
    .await;
}

#[tokio::test]
async fn drain_waits_for_a_job_due_within_its_horizon() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        db.enqueue(&Echo::new_job(&note("later")).after_ms(300))
            .await
            .unwrap();
        let started = Instant::now();
        let report = engine
            .drain(Duration::from_secs(2), Duration::from_secs(20))
            .await
            .unwrap();
        assert_eq!(report.of("echo"), 1);
        let done = only_row(&db, "echo").await;
        assert_eq!(done.state, "completed");
        assert!(
            (299..=301).contains(&(done.run_at - done.created_at)),
            "{done:?}"
        );
        assert!(
            done.finalized_at.unwrap() >= done.run_at,
            "not run before it was due"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    })
    .await;
}

#[tokio::test]
async fn drain_gives_up_with_still_busy_after_its_limit() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        db.enqueue(&Echo::new_job(&note("now"))).await.unwrap();
        db.enqueue(&Echo::new_job(&note("in a minute")).after_ms(60_000))
            .await
            .unwrap();
        let limit = Duration::from_millis(200);
        match engine.drain(Duration::from_secs(120), limit).await {
            Err(DrainError::StillBusy { busy, waited, ran }) => {
                assert_eq!(busy, 1);
                assert!(waited >= limit);
                assert_eq!(ran, [("echo".to_owned(), 1)].into());
            }
            other => panic!("expected StillBusy, got {other:?}"),
        }
        let report = engine
            .drain(Duration::from_secs(30), Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(
            report.total(),
            0,
            "the minute-away job is outside the horizon"
        );
    })
    .await;
}
