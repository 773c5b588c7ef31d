//! Admission gates: a queue whose gate does not admit claims nothing while other queues run;
//! the gate's claim condition (on `jobs.owner` and `jobs.payload`) filters rows inside the
//! claim statement itself.

use std::collections::BTreeMap;
use std::time::Duration;

use serenade::db::Db;
use serenade::engine::drain::DrainError;
use serenade::engine::{Engine, Gate, Job};

use crate::context::TestCtx;
use crate::kinds::{Echo, GATED, Gated, Note, Switch, Ticket};
use crate::support::{all_rows, engine, rows_of, run_on_both};

async fn enqueue_tickets(db: &Db) {
    for (owner, blocked) in [
        ("allowed:1", false),
        ("denied:1", false),
        ("allowed:2", true),
    ] {
        let job = Gated::new_job(&Ticket { blocked }).owned_by(owner);
        assert!(db.enqueue(&job).await.unwrap());
    }
}

/// Drains briefly, expecting jobs left that cannot run; returns what ran and how many are left.
async fn drain_until_stuck(engine: &Engine<TestCtx>) -> (BTreeMap<String, usize>, i64) {
    match engine
        .drain(Duration::ZERO, Duration::from_millis(300))
        .await
    {
        Err(DrainError::StillBusy { busy, ran, .. }) => (ran, busy),
        other => panic!("expected jobs left behind the gate, got {other:?}"),
    }
}

fn ran(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs
        .iter()
        .map(|(kind, count)| ((*kind).to_owned(), *count))
        .collect()
}

/// `(owner, state, attempt)` of the gated jobs, sorted by owner.
async fn gated_rows(db: &Db) -> Vec<(String, String, i32)> {
    let mut rows: Vec<_> = rows_of(db, Gated::KIND)
        .await
        .into_iter()
        .map(|row| (row.owner.unwrap(), row.state, row.attempt))
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn a_closed_gate_claims_nothing_while_other_queues_run() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        engine.ctx.set_gate(false);
        enqueue_tickets(&db).await;
        let note = Note {
            text: "ungated".into(),
            number: 0,
            tags: Vec::new(),
            flag: None,
        };
        db.enqueue(&Echo::new_job(&note)).await.unwrap();
        let (ran_closed, left) = drain_until_stuck(&engine).await;
        assert_eq!(ran_closed, ran(&[("echo", 1)]));
        assert_eq!(left, 3);
        for (_, state, attempt) in gated_rows(&db).await {
            assert_eq!((state.as_str(), attempt), ("available", 0));
        }

        engine.ctx.set_gate(true);
        let (ran_open, left) = drain_until_stuck(&engine).await;
        assert_eq!(ran_open, ran(&[("gated", 1)]));
        assert_eq!(left, 2);
        let expected = [
            ("allowed:1", "completed", 1),
            ("allowed:2", "available", 0),
            ("denied:1", "available", 0),
        ]
        .map(|(owner, state, attempt)| (owner.to_owned(), state.to_owned(), attempt));
        assert_eq!(gated_rows(&db).await, expected);
    })
    .await;
}

#[tokio::test]
async fn the_claim_condition_filters_rows_inside_the_claim() {
    run_on_both(|db| async move {
        enqueue_tickets(&db).await;
        let condition = Switch
            .claim_condition()
            .map(|sql| sql.pick(db.dialect()).to_owned());
        let claim = |condition: Option<String>| {
            let db = db.clone();
            async move {
                db.claim_job(GATED, condition.as_deref(), "worker", 30_000)
                    .await
                    .unwrap()
            }
        };
        let admitted = claim(condition.clone()).await.unwrap();
        assert_eq!(admitted.owner.as_deref(), Some("allowed:1"));
        assert!(
            claim(condition.clone()).await.is_none(),
            "no other row meets the condition"
        );

        // A row that comes to meet the condition is claimable by the very next claim.
        let sql = "update jobs set owner = 'allowed:3' where owner = 'denied:1'";
        match &db {
            Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop),
            Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop),
        }
        .unwrap();
        let late = claim(condition.clone()).await.unwrap();
        assert_eq!(late.owner.as_deref(), Some("allowed:3"));
        assert!(claim(condition).await.is_none());

        // Without the condition the blocked ticket is claimable: the condition did the filtering.
        let unfiltered = claim(None).await.unwrap();
        assert_eq!(unfiltered.owner.as_deref(), Some("allowed:2"));
        let claimed: Vec<String> = all_rows(&db)
            .await
            .into_iter()
            .map(|row| row.state)
            .collect();
        assert_eq!(claimed, ["running"; 3]);
    })
    .await;
}
