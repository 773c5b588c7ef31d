//! SIGSTOP of a worker for longer than its lease, then SIGCONT: another worker takes the job
//! over and finishes it; the woken worker must not complete, write or overwrite anything.

use std::os::unix::fs::MetadataExt;
use std::time::Duration;

use serenade::db::Db;

use crate::cluster::Cluster;
use crate::common::{Backend, on_postgres};
use crate::helpers::{running_job, status_of, submit};
use serenade::provider::fake::Scenario;

/// Everything the woken worker could touch: the submission's row, its jobs, its published
/// files (temporary ones are checked apart: they must all be gone).
#[derive(Debug, PartialEq, Eq)]
struct Footprint {
    submission: (String, Option<String>, i64),
    jobs: Vec<(String, String, i32, String, i64)>,
    files: Vec<(String, u64, u64, i64)>,
}

async fn footprint(cluster: &Cluster, id: &str) -> Footprint {
    let submission_sql = "select entry_status, generated_video_path, updated_at from submissions where session_id = $1";
    let jobs_sql = "select kind, state, attempt, errors, updated_at from jobs \
                    where owner = 'song:' || $1 order by kind";
    let (submission, jobs) = match cluster.app.db() {
        Db::Sqlite(pool) => (
            sqlx::query_as(submission_sql)
                .bind(id)
                .fetch_one(pool)
                .await
                .unwrap(),
            sqlx::query_as(jobs_sql)
                .bind(id)
                .fetch_all(pool)
                .await
                .unwrap(),
        ),
        Db::Postgres(pool) => (
            sqlx::query_as(submission_sql)
                .bind(id)
                .fetch_one(pool)
                .await
                .unwrap(),
            sqlx::query_as(jobs_sql)
                .bind(id)
                .fetch_all(pool)
                .await
                .unwrap(),
        ),
    };
    let storage = &cluster.app.app.config.storage;
    let mut files = Vec::new();
    for dir in [storage.audio_dir(), storage.video_dir()] {
        let published = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
        for entry in published {
            let meta = entry.metadata().unwrap();
            files.push((
                entry.file_name().to_string_lossy().into_owned(),
                meta.ino(),
                meta.len(),
                meta.mtime_nsec() + meta.mtime() * 1_000_000_000,
            ));
        }
    }
    files.sort();
    Footprint {
        submission,
        jobs,
        files,
    }
}

async fn a_worker_stopped_past_its_lease_changes_nothing_when_woken(backend: Backend) {
    let mut cluster = Cluster::start(backend, 900).await;
    let sleeper = cluster.spawn_worker(None);
    let id = submit(&cluster.app).await;
    cluster
        .wait_until(Duration::from_secs(60), "the render to start", || {
            running_job(&cluster.app, &id, "render_video")
        })
        .await;
    // Let the encode get under way so the stopped worker's ffmpeg has work to finish.
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster.signal_worker(sleeper, "STOP");

    let rescuer = cluster.spawn_worker(None);
    cluster
        .wait_until(Duration::from_secs(90), "the rescuer to finish", || async {
            status_of(&cluster.app, &id).await == "success"
        })
        .await;
    cluster.kill_worker(rescuer);
    let before = footprint(&cluster, &id).await;

    cluster.signal_worker(sleeper, "CONT");
    // Longer than a lease (3 s): the woken worker notices, and anything it would do is done.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let after = footprint(&cluster, &id).await;
    assert_eq!(before, after, "the woken worker changed something");
    // The woken worker removes its staging directory as it gives up; on a loaded machine
    // that may take a little longer than the lease.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !cluster.leftover_temp_files().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        cluster.leftover_temp_files().is_empty(),
        "{:?}",
        cluster.leftover_temp_files()
    );
    assert_eq!(cluster.video_files().len(), 1);
    assert_eq!(cluster.fake.control().stats().accepted, 1);
    cluster.stop().await;
}

#[tokio::test]
async fn a_worker_stopped_past_its_lease_changes_nothing_when_woken_on_sqlite() {
    a_worker_stopped_past_its_lease_changes_nothing_when_woken(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_worker_stopped_past_its_lease_changes_nothing_when_woken_on_postgres() {
    on_postgres(a_worker_stopped_past_its_lease_changes_nothing_when_woken).await;
}

/// A worker stopped between the provider's answer and storing the task id, with every
/// callback lost: the job's new owner can only learn the generation from the woken worker,
/// whose fenced-out completion records the task id instead of dropping it. One generation,
/// billed once, no resend.
async fn a_task_id_learned_after_losing_the_lease_is_recorded_not_lost(backend: Backend) {
    let mut cluster = Cluster::start(backend, 900).await;
    cluster.fake.control().set_scenario(Scenario {
        drop_webhooks: Some(1.0),
        ..Scenario::default()
    });
    let sleeper = cluster.spawn_worker(Some("pause-after-post:send:6"));
    let id = submit(&cluster.app).await;
    cluster
        .wait_until(
            Duration::from_secs(30),
            "the POST to be accepted",
            || async { cluster.fake.control().stats().accepted == 1 },
        )
        .await;
    cluster.signal_worker(sleeper, "STOP");
    let rescuer = cluster.spawn_worker(None);
    // The rescuer takes the send over once the lease (3 s) lapses and waits for a callback.
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_ne!(status_of(&cluster.app, &id).await, "success");
    cluster.signal_worker(sleeper, "CONT");
    cluster
        .wait_until(Duration::from_secs(60), "the song to be made", || async {
            status_of(&cluster.app, &id).await == "success"
        })
        .await;
    let stats = cluster.fake.control().stats();
    assert_eq!((stats.posts, stats.accepted), (1, 1), "{stats:?}");
    cluster.kill_worker(rescuer);
    cluster.stop().await;
}

#[tokio::test]
async fn a_task_id_learned_after_losing_the_lease_is_recorded_not_lost_on_sqlite() {
    a_task_id_learned_after_losing_the_lease_is_recorded_not_lost(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_task_id_learned_after_losing_the_lease_is_recorded_not_lost_on_postgres() {
    on_postgres(a_task_id_learned_after_losing_the_lease_is_recorded_not_lost).await;
}
