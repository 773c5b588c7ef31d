//! What the engine makes of a run, through `drain` (which claims, runs and settles exactly
//! as a worker does): typed payloads, unreadable payloads, `on_exhausted` after the last
//! retry or a `Fail`, the default discard, the panic boundary, and the attempt accounting of
//! `Snooze` and `Backoff` outcomes.

use std::time::Duration;

use serenade::engine::{Job, NewJob, Settings};

use crate::context::Event;
use crate::kinds::{Doomed, Echo, MAIN, Note, Script, Scripted, Step, suite_registry};
use crate::support::{
    JobRow, drain, engine, engine_with, make_due, only_row, rows_of, run_on_both, settings,
};

#[tokio::test]
async fn typed_payloads_round_trip_through_the_database() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        let sent = Note {
            text: "Toby's \"song\" — ♪ 🐶\n\t\\ '; drop table jobs; --".into(),
            number: i64::MIN,
            tags: vec!["a".into(), String::new(), "ü".into()],
            flag: Some(false),
        };
        db.enqueue(&Echo::new_job(&sent)).await.unwrap();
        assert_eq!(drain(&engine).await.of("echo"), 1);
        let stored = only_row(&db, "echo").await;
        assert_eq!(stored.state, "completed");
        assert_eq!(serde_json::from_str::<Note>(&stored.payload).unwrap(), sent);
        let received: Vec<Note> = engine
            .ctx
            .log
            .events()
            .into_iter()
            .filter_map(|event| match event {
                Event::Echoed { note, .. } => Some(note),
                _ => None,
            })
            .collect();
        assert_eq!(received, [sent]);
    })
    .await;
}

#[tokio::test]
async fn an_unreadable_payload_ends_the_job_as_a_failure() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        let wrong_shape = NewJob::new(Echo::KIND, MAIN, r#"{"text": 5}"#.into());
        let not_json = NewJob::new(Doomed::KIND, MAIN, "not json".into());
        db.enqueue(&wrong_shape).await.unwrap();
        db.enqueue(&not_json).await.unwrap();
        assert_eq!(drain(&engine).await.total(), 2);
        for kind in ["echo", "doomed"] {
            let ended = only_row(&db, kind).await;
            assert_eq!((ended.state.as_str(), ended.attempt), ("discarded", 1));
            let messages = ended.error_messages();
            assert!(
                messages[0].starts_with(&format!("{kind}: unreadable payload")),
                "{messages:?}"
            );
            assert_eq!(engine.ctx.log.steps(kind), ["fail"]);
        }
        // Neither run nor `doomed`'s own `on_exhausted` can take an unreadable payload: the
        // engine discards the job itself.
        let events = engine.ctx.log.events();
        assert!(
            events
                .iter()
                .all(|event| matches!(event, Event::Step { .. })),
            "{events:#?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_attempts_retry_calls_on_exhausted_once() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        let job = Doomed::new_job(&Script::of(&[Step::Retry])).attempts(2);
        db.enqueue(&job).await.unwrap();
        assert_eq!(drain(&engine).await.of("doomed"), 2);
        let ended = only_row(&db, "doomed").await;
        let reason = "doomed: scripted failure on attempt 2".to_owned();
        assert_eq!(engine.ctx.log.exhausted(&ended.id), [(2, reason.clone())]);
        assert_eq!((ended.state.as_str(), ended.attempt), ("discarded", 2));
        assert_eq!(
            ended.error_messages(),
            ["scripted failure on attempt 1".to_owned(), reason]
        );
        assert_eq!(engine.ctx.log.steps("doomed"), ["retry", "retry"]);
    })
    .await;
}

#[tokio::test]
async fn an_error_from_run_spends_the_attempt_like_a_retry() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        let job = Doomed::new_job(&Script::of(&[Step::Error])).attempts(2);
        db.enqueue(&job).await.unwrap();
        assert_eq!(drain(&engine).await.of("doomed"), 2);
        let ended = only_row(&db, "doomed").await;
        let reason = "doomed: scripted error on attempt 2".to_owned();
        assert_eq!(engine.ctx.log.exhausted(&ended.id), [(2, reason)]);
        assert_eq!(ended.state, "discarded");
    })
    .await;
}

#[tokio::test]
async fn a_fail_calls_on_exhausted_once_on_the_first_attempt() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        let job = Doomed::new_job(&Script::of(&[Step::Fail])).attempts(3);
        db.enqueue(&job).await.unwrap();
        assert_eq!(drain(&engine).await.of("doomed"), 1);
        let ended = only_row(&db, "doomed").await;
        let reason = "the script says fail".to_owned();
        assert_eq!(engine.ctx.log.exhausted(&ended.id), [(1, reason.clone())]);
        assert_eq!((ended.state.as_str(), ended.attempt), ("discarded", 1));
        assert_eq!(ended.error_messages(), [reason]);
        assert_eq!(engine.ctx.log.steps("doomed"), ["fail"]);
    })
    .await;
}

fn owned_by<'a>(rows: &'a [JobRow], owner: &str) -> &'a JobRow {
    rows.iter()
        .find(|row| row.owner.as_deref() == Some(owner))
        .unwrap()
}

#[tokio::test]
async fn the_default_on_exhausted_discards_the_job() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        let retries = Scripted::new_job(&Script::of(&[Step::Retry])).attempts(2);
        let fails = Scripted::new_job(&Script::of(&[Step::Fail])).attempts(3);
        db.enqueue(&retries.owned_by("test:retries")).await.unwrap();
        db.enqueue(&fails.owned_by("test:fails")).await.unwrap();
        assert_eq!(drain(&engine).await.of("scripted"), 3);
        let rows = rows_of(&db, "scripted").await;
        let retried = owned_by(&rows, "test:retries");
        assert_eq!((retried.state.as_str(), retried.attempt), ("discarded", 2));
        assert_eq!(
            retried.error_messages().last().unwrap(),
            "scripted: scripted failure on attempt 2"
        );
        let failed = owned_by(&rows, "test:fails");
        assert_eq!((failed.state.as_str(), failed.attempt), ("discarded", 1));
        assert_eq!(failed.error_messages(), ["the script says fail"]);
    })
    .await;
}

#[tokio::test]
async fn a_panicking_job_is_retried_and_the_engine_goes_on() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        let job = Scripted::new_job(&Script::of(&[Step::Panic, Step::Complete]));
        db.enqueue(&job).await.unwrap();
        db.enqueue(&Echo::new_job(&Note {
            text: "after the panic".into(),
            number: 1,
            tags: Vec::new(),
            flag: None,
        }))
        .await
        .unwrap();
        let report = drain(&engine).await;
        assert_eq!((report.of("scripted"), report.of("echo")), (2, 1));
        let survived = only_row(&db, "scripted").await;
        assert_eq!(
            (survived.state.as_str(), survived.attempt),
            ("completed", 2)
        );
        assert_eq!(survived.error_messages(), ["the job panicked"]);
        assert_eq!(engine.ctx.log.steps("scripted"), ["retry", "done"]);
        assert_eq!(only_row(&db, "echo").await.state, "completed");
    })
    .await;
}

#[tokio::test]
async fn a_snooze_outcome_runs_again_without_spending_an_attempt() {
    run_on_both(|db| async move {
        let engine = engine(&db);
        let snooze = Step::Snooze { ms: 50 };
        let script = Script::of(&[snooze.clone(), snooze, Step::Complete]);
        db.enqueue(&Scripted::new_job(&script).attempts(1))
            .await
            .unwrap();
        assert_eq!(drain(&engine).await.of("scripted"), 3);
        let done = only_row(&db, "scripted").await;
        assert_eq!((done.state.as_str(), done.attempt), ("completed", 1));
        assert!(done.error_messages().is_empty());
        assert_eq!(
            engine.ctx.log.steps("scripted"),
            ["snooze", "snooze", "done"]
        );
    })
    .await;
}

#[tokio::test]
async fn backoff_refunds_the_attempt_records_the_error_and_grows_with_the_streak() {
    run_on_both(|db| async move {
        let schedule = [100, 60_000].map(Duration::from_millis).to_vec();
        let settings = Settings {
            retry_schedule: schedule,
            ..settings()
        };
        let engine = engine_with(&db, suite_registry(), settings);
        db.enqueue(&Scripted::new_job(&Script::of(&[Step::Backoff])))
            .await
            .unwrap();
        for (streak, base) in [(1, 100), (2, 200), (3, 400)] {
            // A zero horizon runs what is due now and returns once the job is backing off.
            let report = engine
                .drain(Duration::ZERO, Duration::from_secs(20))
                .await
                .unwrap();
            assert_eq!(report.of("scripted"), 1);
            let waiting = only_row(&db, "scripted").await;
            assert_eq!((waiting.state.as_str(), waiting.attempt), ("available", 0));
            assert_eq!(waiting.error_messages(), vec!["remote busy"; streak]);
            let delay = waiting.delay_ms();
            assert!(
                (base * 8 / 10 - 1..=base * 12 / 10 + 1).contains(&delay),
                "streak {streak}: {delay} ms"
            );
            make_due(&db, &waiting.id).await;
        }
        assert_eq!(engine.ctx.log.steps("scripted"), ["backoff"; 3]);
    })
    .await;
}
