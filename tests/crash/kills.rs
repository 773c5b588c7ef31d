//! kill -9 of real worker processes: during each step, and at random under load.

use std::time::Duration;

use rand::RngExt;

use crate::cluster::Cluster;
use crate::common::{Backend, on_postgres};
use crate::helpers::{failure_reason, job_attempts, running_job, status_of, submit};

/// Where the worker is killed: a failpoint and the job kind that is then running.
const KILL_POINTS: [(&str, &str); 6] = [
    ("pause:send", "send"),
    ("pause-after-post:send", "send"),
    ("pause:reconcile", "reconcile"),
    ("pause:fetch_details", "fetch_details"),
    ("pause:download_audio", "download_audio"),
    ("pause:render_video", "render_video"),
];

async fn a_killed_step_is_rescued_and_finishes_once(backend: Backend) {
    let mut cluster = Cluster::start(backend, 900).await;
    for (failpoint, kind) in KILL_POINTS {
        let id = submit(&cluster.app).await;
        let victim = cluster.spawn_worker(Some(failpoint));
        cluster
            .wait_until(
                Duration::from_secs(60),
                &format!("{kind} running ({failpoint})"),
                || running_job(&cluster.app, &id, kind),
            )
            .await;

        cluster.kill_worker(victim);
        let rescuer = cluster.spawn_worker(None);
        cluster
            .wait_until(
                // Generous: the rescue waits out a 3 s lease and runs beside other crash tests.
                Duration::from_secs(180),
                &format!("{id} to finish after killing {failpoint}"),
                || async { status_of(&cluster.app, &id).await == "success" },
            )
            .await;

        let attempts = job_attempts(&cluster.app, &id, kind).await;
        assert_eq!(attempts.len(), 1, "{failpoint}: one {kind} job");
        assert!(
            attempts[0] >= 2,
            "{failpoint}: the killed attempt was not counted"
        );
        cluster.kill_worker(rescuer);
    }
    let stats = cluster.fake.control().stats();
    assert_eq!(
        stats.accepted,
        KILL_POINTS.len() as u64,
        "a generation was billed twice: {stats:?}"
    );
    assert_eq!(cluster.video_files().len(), KILL_POINTS.len());
    assert!(
        cluster.leftover_temp_files().is_empty(),
        "{:?}",
        cluster.leftover_temp_files()
    );
    assert_eq!(cluster.app.db().provider_slots_in_use().await.unwrap(), 0);
    cluster.stop().await;
}

#[tokio::test]
async fn a_killed_step_is_rescued_and_finishes_once_on_sqlite() {
    a_killed_step_is_rescued_and_finishes_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_killed_step_is_rescued_and_finishes_once_on_postgres() {
    on_postgres(a_killed_step_is_rescued_and_finishes_once).await;
}

/// Submissions in the load test (`SERENADE_CRASH_SUBMISSIONS` overrides the 200).
fn load_size() -> usize {
    std::env::var("SERENADE_CRASH_SUBMISSIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}

async fn four_workers_under_random_kills_finish_everything_within_the_limit(backend: Backend) {
    let mut cluster = Cluster::start(backend, 1500).await;
    for _ in 0..4 {
        cluster.spawn_worker(None);
    }
    let submissions =
        futures_util::future::join_all((0..load_size()).map(|_| submit(&cluster.app))).await;

    let started = std::time::Instant::now();
    let mut kills = 0;
    loop {
        let mut unfinished = 0;
        for id in &submissions {
            if !matches!(
                status_of(&cluster.app, id).await.as_str(),
                "success" | "fail"
            ) {
                unfinished += 1;
            }
        }
        if unfinished == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{unfinished} submissions never finished"
        );
        let victim = rand::rng().random_range(0..cluster.worker_count());
        cluster.restart_worker(victim);
        kills += 1;
        tokio::time::sleep(Duration::from_millis(rand::rng().random_range(2000..5000))).await;
    }

    let stats = cluster.fake.control().stats();
    assert!(
        stats.max_in_flight <= 10,
        "the provider saw {} generations at once",
        stats.max_in_flight
    );
    assert!(kills >= 5, "only {kills} kills");
    let mut succeeded = 0;
    let mut reasons = std::collections::BTreeMap::<String, usize>::new();
    for id in &submissions {
        if status_of(&cluster.app, id).await == "success" {
            succeeded += 1;
        } else {
            *reasons
                .entry(failure_reason(&cluster.app, id).await)
                .or_default() += 1;
        }
    }
    eprintln!("failures by reason: {reasons:?}");
    eprintln!(
        "{succeeded}/{} succeeded under {kills} kills; provider max in flight {}",
        submissions.len(),
        stats.max_in_flight
    );
    assert_eq!(cluster.video_files().len(), succeeded);
    cluster
        .wait_until(Duration::from_secs(30), "slots to be free", || async {
            cluster.app.db().provider_slots_in_use().await.unwrap() == 0
        })
        .await;
    cluster.stop().await;
}

#[tokio::test]
async fn four_workers_under_random_kills_finish_everything_within_the_limit_on_sqlite() {
    if crate::common::postgres_url().is_some() {
        return; // The PostgreSQL run below covers it; both together would double the time.
    }
    four_workers_under_random_kills_finish_everything_within_the_limit(Backend::Sqlite).await;
}

#[tokio::test]
async fn four_workers_under_random_kills_finish_everything_within_the_limit_on_postgres() {
    on_postgres(four_workers_under_random_kills_finish_everything_within_the_limit).await;
}
