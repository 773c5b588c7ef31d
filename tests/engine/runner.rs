//! The real worker loops (`Engine::start`): woken queues run their jobs, every loop ends on
//! shutdown, a run outlasting the grace period is released without spending its attempt, and
//! a lost lease aborts an ordinary run while a `FINISH_AFTER_LEASE_LOSS` kind finishes its run
//! with its write fenced.

use std::time::Duration;

use serenade::db::Db;
use serenade::engine::drain::wait_until_idle;
use serenade::engine::{Context, Engine, Job, Settings};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::context::{Event, TestCtx};
use crate::holding::{Hold, Stall, Stubborn};
use crate::kinds::{Chain, Echo, Links, MAIN, Note, SLOW, suite_registry};
use crate::support::{all_rows, engine_with, expire_lease, row, run_on_both, settings};

const WORKER: &str = "test-worker";

fn start(engine: &Engine<TestCtx>) -> (CancellationToken, JoinSet<()>) {
    let shutdown = CancellationToken::new();
    let mut tasks = JoinSet::new();
    engine.start(WORKER, &shutdown, &mut tasks);
    (shutdown, tasks)
}

/// Cancels `shutdown` and checks that every loop (one per queue, plus maintenance) ends.
async fn stop(engine: &Engine<TestCtx>, shutdown: CancellationToken, mut tasks: JoinSet<()>) {
    shutdown.cancel();
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        let mut ended = 0;
        while let Some(joined) = tasks.join_next().await {
            joined.unwrap();
            ended += 1;
        }
        ended
    })
    .await
    .expect("every loop ends after shutdown");
    assert_eq!(ended, engine.registry.queues().len() + 1);
}

async fn wait_idle(db: &Db) {
    wait_until_idle(db, Duration::from_secs(1), Duration::from_secs(20))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn started_loops_run_woken_jobs_and_end_on_shutdown() {
    run_on_both(|db| async move {
        // Idle loops look again only once a minute: the wake-ups drive this test.
        let slow_polls = Settings {
            idle_poll: Duration::from_secs(60),
            ..settings()
        };
        let engine = engine_with(&db, suite_registry(), slow_polls);
        let (shutdown, tasks) = start(&engine);
        for number in 0..20 {
            let note = Note {
                text: "woken".into(),
                number,
                tags: Vec::new(),
                flag: None,
            };
            db.enqueue(&Echo::new_job(&note)).await.unwrap();
        }
        db.enqueue(&Chain::new_job(&Links { left: 3 }))
            .await
            .unwrap();
        engine.ctx.wakers().wake(MAIN);
        wait_idle(&db).await;

        let rows = all_rows(&db).await;
        assert_eq!(rows.len(), 24);
        for done in &rows {
            assert_eq!((done.state.as_str(), done.attempt), ("completed", 1));
            assert_eq!(done.lease_owner.as_deref(), Some(WORKER));
        }
        let log = engine.ctx.log.clone();
        let echoed = log
            .events()
            .iter()
            .filter(|event| matches!(event, Event::Echoed { .. }))
            .count();
        assert_eq!(echoed, 20);
        assert_eq!(log.steps("chain"), ["done"; 4]);
        stop(&engine, shutdown, tasks).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_releases_a_run_that_outlasts_the_grace_period() {
    run_on_both(|db| async move {
        let short_grace = Settings {
            shutdown_grace: Duration::from_millis(200),
            ..settings()
        };
        let engine = engine_with(&db, suite_registry(), short_grace);
        let (shutdown, tasks) = start(&engine);
        db.enqueue(&Stall::new_job(&Hold { block_ms: 30_000 }))
            .await
            .unwrap();
        engine.ctx.wakers().wake(SLOW);
        let log = engine.ctx.log.clone();
        log.until(Duration::from_secs(10), |events| {
            events
                .iter()
                .any(|event| matches!(event, Event::Ran { .. }))
        })
        .await;
        stop(&engine, shutdown, tasks).await;
        let released = all_rows(&db).await.remove(0);
        assert_eq!(
            (released.state.as_str(), released.attempt),
            ("available", 0)
        );
        assert_eq!(released.claim_token, None);
        log.until(Duration::from_secs(5), |events| {
            events
                .iter()
                .any(|event| matches!(event, Event::Dropped { .. }))
        })
        .await;
        assert!(
            log.steps("stall").is_empty(),
            "a released run has no outcome"
        );
    })
    .await;
}

/// Takes the lease away from a running job the way a rescue does, retrying when the job's
/// heartbeat renewed the lease between the two statements.
async fn take_lease(engine: &Engine<TestCtx>, db: &Db, id: &str) {
    for _ in 0..50 {
        expire_lease(db, id).await;
        engine.rescue_expired().await;
        if !row(db, id).await.error_messages().is_empty() {
            return;
        }
    }
    panic!("could not take the lease of {id}");
}

fn first_run_of(events: &[Event], of_kind: &str) -> Option<String> {
    events.iter().find_map(|event| match event {
        Event::Ran { kind, job, attempt } if *kind == of_kind && *attempt == 1 => Some(job.clone()),
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_lease_aborts_a_run_unless_its_kind_finishes_fenced() {
    run_on_both(|db| async move {
        let short_lease = Settings {
            lease_ms: 300,
            ..settings()
        };
        let engine = engine_with(&db, suite_registry(), short_lease);
        let (shutdown, tasks) = start(&engine);
        db.enqueue(&Stall::new_job(&Hold { block_ms: 30_000 }))
            .await
            .unwrap();
        db.enqueue(&Stubborn::new_job(&Hold { block_ms: 1_500 }))
            .await
            .unwrap();
        engine.ctx.wakers().wake(SLOW);
        let log = engine.ctx.log.clone();
        log.until(Duration::from_secs(10), |events| {
            first_run_of(events, "stall").is_some() && first_run_of(events, "stubborn").is_some()
        })
        .await;
        let events = log.events();
        let stall = first_run_of(&events, "stall").unwrap();
        let stubborn = first_run_of(&events, "stubborn").unwrap();
        take_lease(&engine, &db, &stall).await;
        take_lease(&engine, &db, &stubborn).await;

        let aborted = Event::Dropped {
            job: stall.clone(),
            attempt: 1,
        };
        let finished_fenced = Event::Finished {
            job: stubborn.clone(),
            attempt: 1,
            committed: false,
        };
        log.until(Duration::from_secs(15), |events| {
            events.contains(&aborted) && events.contains(&finished_fenced)
        })
        .await;
        wait_idle(&db).await;

        for id in [&stall, &stubborn] {
            let done = row(&db, id).await;
            assert_eq!((done.state.as_str(), done.attempt), ("completed", 2));
        }
        let events = log.events();
        let finished_first = |job: &String| {
            events.iter().any(|event| {
                matches!(event, Event::Finished { job: finished, attempt: 1, .. } if finished == job)
            })
        };
        assert!(!finished_first(&stall), "the ordinary run was aborted");
        assert!(finished_first(&stubborn), "the finishing kind ran to its end");
        let dropped_stubborn = events
            .iter()
            .any(|event| matches!(event, Event::Dropped { job, .. } if *job == stubborn));
        assert!(!dropped_stubborn);
        // The aborted run is observed as a lost lease. The finishing kind's first attempt may
        // be observed as `lease_lost` or, when its run ends before the heartbeat notices on a
        // loaded machine, not at all (its own commit was fenced, checked above); either way
        // its second attempt completes (the two may be observed in either order).
        let mut stall_steps = log.steps(Stall::KIND);
        stall_steps.sort_unstable();
        assert_eq!(stall_steps, ["done", "lease_lost"], "stall");
        let stubborn_steps = log.steps(Stubborn::KIND);
        assert!(stubborn_steps.contains(&"done"), "stubborn: {stubborn_steps:?}");
        stop(&engine, shutdown, tasks).await;
    })
    .await;
}
