//! Staged outputs and the store: a job attempt publishes any number of files under its own
//! keys only while it holds the job; an attempt that lost its lease publishes nothing, even
//! after the job's new owner has published, and leaves no staging directory behind.

use serenade::engine::Job;
use serenade::engine::staging::Staging;
use serenade::storage::{LocalStore, ObjectKey, Store};

use crate::kinds::{Echo, MAIN, Note};
use crate::support::{claim, expire_lease, run_on_both};

fn note() -> Note {
    Note {
        text: "outputs".into(),
        number: 1,
        tags: Vec::new(),
        flag: None,
    }
}

fn outputs(job: &str, count: usize) -> Vec<ObjectKey> {
    (0..count)
        .map(|index| ObjectKey::new("engine-test", job, &format!("out-{index}.txt")).unwrap())
        .collect()
}

/// Stages `text` into each key's staging file and tries to publish them all.
async fn stage_and_publish(
    db: &serenade::db::Db,
    store: &LocalStore,
    job: &serenade::engine::ClaimedJob,
    keys: &[ObjectKey],
    text: &str,
) -> bool {
    let staging = Staging::beside(store, &keys[0], job).await.unwrap();
    for key in keys {
        std::fs::write(staging.path_for(key), text).unwrap();
    }
    let keys: Vec<&ObjectKey> = keys.iter().collect();
    staging
        .publish(db, store, 30_000, job, &keys)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_job_publishes_many_outputs_and_a_fenced_attempt_none() {
    run_on_both(|db| async move {
        let root = tempfile::tempdir().unwrap();
        let store = LocalStore::new(root.path());
        store.prepare().await.unwrap();
        db.enqueue(&Echo::new_job(&note())).await.unwrap();

        let stale = claim(&db, MAIN, "worker-a").await.unwrap();
        let keys = outputs(&stale.id, 5);
        expire_lease(&db, &stale.id).await;
        assert!(db.rescue_job(&stale, 0).await.unwrap());
        let fresh = claim(&db, MAIN, "worker-b").await.unwrap();
        assert_eq!(fresh.id, stale.id);

        assert!(stage_and_publish(&db, &store, &fresh, &keys, "new owner").await);
        assert!(
            !stage_and_publish(&db, &store, &stale, &keys, "stale owner").await,
            "the stale attempt is fenced"
        );
        assert_eq!(store.list("engine-test", &fresh.id).await.unwrap(), keys);
        for key in &keys {
            let stored = store.read(key).await.unwrap().unwrap();
            assert_eq!(stored, b"new owner", "{key} kept the new owner's bytes");
        }
        let job_dir = root.path().join("engine-test").join(&fresh.id);
        let leftovers: Vec<String> = std::fs::read_dir(job_dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "staging left {leftovers:?}");
    })
    .await;
}
