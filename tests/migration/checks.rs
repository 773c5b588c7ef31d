//! What must hold after the upgrade: every job row carried over column for column (the lane
//! as its queue, the submission as a payload the song's kinds parse and as the owner
//! `song:<id>`), and then, with workers running, every submission finished with a video and
//! every job written before the upgrade completed.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use serenade::db::Db;
use serenade::workflows::song::kinds::{NoPayload, SubmissionRef};

use crate::in_flight::InFlight;
use crate::old_release::{OldJob, on_both};

/// A job row as the new release reads it.
#[derive(Debug, sqlx::FromRow)]
struct MigratedJob {
    id: String,
    kind: String,
    queue: String,
    payload: String,
    owner: Option<String>,
    priority: i32,
    state: String,
    run_at: i64,
    attempt: i32,
    max_attempts: i32,
    claim_token: Option<String>,
    lease_owner: Option<String>,
    lease_expires_at: Option<i64>,
    errors: String,
    unique_key: Option<String>,
    periodic_key: Option<String>,
    created_at: i64,
    updated_at: i64,
    finalized_at: Option<i64>,
}

const SELECT_JOBS: &str = "select id, kind, queue, payload, owner, priority, state, run_at, \
     attempt, max_attempts, claim_token, lease_owner, lease_expires_at, errors, unique_key, \
     periodic_key, created_at, updated_at, finalized_at from jobs order by id";

/// Every job written before the upgrade is there, unchanged but for its new shape.
pub async fn jobs_carried_over(db: &Db, written: &InFlight) {
    let migrated: Vec<MigratedJob> =
        on_both!(db, |pool| sqlx::query_as(SELECT_JOBS).fetch_all(pool).await).unwrap();
    assert_eq!(migrated.len(), written.jobs.len(), "jobs lost or added");
    for old in &written.jobs {
        let new = migrated
            .iter()
            .find(|job| job.id == old.id)
            .unwrap_or_else(|| panic!("job {} ({}) lost", old.id, old.kind));
        carried_over(old, new);
        if old.state == "running" {
            assert!(
                new.lease_expires_at > Some(serenade::clock::now_ms()),
                "{} job {}: its lease ran out before the upgrade finished; the case is void",
                old.kind,
                old.id
            );
        }
    }
}

fn carried_over(old: &OldJob, new: &MigratedJob) {
    let what = format!("{} job {} ({})", old.kind, old.id, old.state);
    assert_eq!(new.queue, old.lane, "{what}: queue");
    let payload: Value = serde_json::from_str(&new.payload)
        .unwrap_or_else(|error| panic!("{what}: payload {:?}: {error}", new.payload));
    match &old.submission_id {
        Some(id) => {
            assert_eq!(payload, json!({ "submission_id": id }), "{what}: payload");
            let step: SubmissionRef = serde_json::from_value(payload).unwrap();
            assert_eq!(step.submission_id.as_str(), id, "{what}: payload");
            assert_eq!(new.owner, Some(format!("song:{id}")), "{what}: owner");
        }
        None => {
            assert_eq!(payload, json!({}), "{what}: payload");
            let _: NoPayload = serde_json::from_value(payload).unwrap();
            assert_eq!(new.owner, None, "{what}: owner");
        }
    }
    assert_eq!(new.priority, 0, "{what}: priority");
    assert_eq!(
        (new.kind.as_str(), new.state.as_str(), new.run_at),
        (old.kind, old.state, old.run_at),
        "{what}: kind, state, run_at"
    );
    assert_eq!(
        (new.attempt, new.max_attempts, &new.errors),
        (old.attempt, old.max_attempts, &old.errors),
        "{what}: attempts and errors"
    );
    assert_eq!(
        (&new.claim_token, &new.lease_owner, new.lease_expires_at),
        (&old.claim_token, &old.lease_owner, old.lease_expires_at),
        "{what}: claim and lease"
    );
    assert_eq!(
        (&new.unique_key, &new.periodic_key),
        (&old.unique_key, &old.periodic_key),
        "{what}: keys"
    );
    assert_eq!(
        (new.created_at, new.updated_at, new.finalized_at),
        (old.created_at, old.updated_at, old.finalized_at),
        "{what}: timestamps"
    );
}

/// `(session_id, entry_status, error, generated_video_path)` of every submission.
type SubmissionState = (String, String, Option<String>, Option<String>);

/// Waits until every submission succeeded and every job written before the upgrade
/// completed; fails at once if a submission fails. Returns the submissions' video paths.
pub async fn until_all_done(db: &Db, written: &InFlight, within: Duration) -> Vec<String> {
    let deadline = Instant::now() + within;
    loop {
        let submissions: Vec<SubmissionState> = on_both!(db, |pool| {
            sqlx::query_as(
                "select session_id, entry_status, error, generated_video_path from submissions",
            )
            .fetch_all(pool)
            .await
        })
        .unwrap();
        if let Some((id, _, error, _)) = submissions.iter().find(|row| row.1 == "fail") {
            panic!(
                "{} failed: {error:?}\n{}",
                situation(written, id),
                job_table(db).await
            );
        }
        let unfinished_jobs = unfinished(db, written).await;
        if submissions.iter().all(|row| row.1 == "success") && unfinished_jobs.is_empty() {
            return submissions
                .into_iter()
                .map(|(id, _, _, video)| video.unwrap_or_else(|| panic!("{id}: no video")))
                .collect();
        }
        assert!(
            Instant::now() < deadline,
            "not done after {within:?}: {submissions:?}, unfinished jobs {unfinished_jobs:?}\n{}",
            job_table(db).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Jobs written before the upgrade that have not completed: `(kind, state)`.
async fn unfinished(db: &Db, written: &InFlight) -> Vec<(String, String)> {
    let states: Vec<(String, String, String)> = on_both!(db, |pool| {
        sqlx::query_as("select id, kind, state from jobs")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    states
        .into_iter()
        .filter(|(id, _, state)| state != "completed" && written.jobs.iter().any(|j| &j.id == id))
        .map(|(_, kind, state)| (kind, state))
        .collect()
}

/// Every job, for a failure message.
async fn job_table(db: &Db) -> String {
    let rows: Vec<(String, Option<String>, String, i32, String)> = on_both!(db, |pool| {
        sqlx::query_as("select kind, owner, state, attempt, errors from jobs order by created_at")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    rows.iter()
        .map(|row| format!("{row:?}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn situation(written: &InFlight, session_id: &str) -> String {
    let (situation, _) = written
        .submissions
        .iter()
        .find(|(_, id)| id == session_id)
        .expect("a written submission");
    format!("{session_id} ({situation})")
}

/// The video at public path `video` (`/storage/video/<file>`) is a non-empty file under
/// `storage_dir`.
pub fn video_on_disk(storage_dir: &Path, video: &str) {
    let relative = video
        .strip_prefix("/storage/")
        .unwrap_or_else(|| panic!("unexpected video path {video}"));
    let size = std::fs::metadata(storage_dir.join(relative))
        .unwrap_or_else(|error| panic!("{video}: {error}"))
        .len();
    assert!(size > 0, "{video} is empty");
}
