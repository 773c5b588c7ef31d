//! What every store does, run on the local store and on S3: objects put whole and read back,
//! any number per owner listed in order and only that owner's, deletes that are idempotent,
//! staged files published, a probe that proves writes, and keys no store accepts.

use serenade::storage::{LocalStore, ObjectKey, S3Store, Store};

use crate::s3_server::S3Server;

fn key(owner: &str, name: &str) -> ObjectKey {
    ObjectKey::new("contract", owner, name).unwrap()
}

async fn every_store_keeps_many_objects_per_owner(store: &dyn Store) {
    store.prepare().await.unwrap();
    store.check_writable().await.unwrap();
    let names = ["out-2.png", "out-0.png", "out-1.png", "meta.json"];
    for name in names {
        store
            .put(&key("j1", name), name.as_bytes().to_vec())
            .await
            .unwrap();
    }
    store.put(&key("j10", "other.png"), vec![9]).await.unwrap();
    let listed: Vec<String> = store
        .list("contract", "j1")
        .await
        .unwrap()
        .iter()
        .map(|key| key.name().to_owned())
        .collect();
    assert_eq!(listed, ["meta.json", "out-0.png", "out-1.png", "out-2.png"]);
    for name in names {
        let stored = store.read(&key("j1", name)).await.unwrap();
        assert_eq!(stored.as_deref(), Some(name.as_bytes()));
    }
    assert_eq!(store.read(&key("j1", "missing.png")).await.unwrap(), None);

    let replaced = key("j1", "out-0.png");
    store.put(&replaced, b"second".to_vec()).await.unwrap();
    assert_eq!(store.read(&replaced).await.unwrap().unwrap(), b"second");

    store.delete(&replaced).await.unwrap();
    store.delete(&replaced).await.unwrap();
    assert_eq!(store.read(&replaced).await.unwrap(), None);
    assert_eq!(store.list("contract", "j1").await.unwrap().len(), 3);

    let video = key("j2", "video.mp4");
    let staging = store.staging_root(&video).unwrap().join(".staging-test");
    std::fs::create_dir_all(&staging).unwrap();
    let staged = staging.join("video.mp4");
    std::fs::write(&staged, vec![7u8; 300_000]).unwrap();
    store.publish(&video, &staged).await.unwrap();
    assert_eq!(store.read(&video).await.unwrap().unwrap().len(), 300_000);
    assert_eq!(store.list("contract", "j2").await.unwrap(), vec![video]);
    std::fs::remove_dir_all(&staging).unwrap();
}

#[tokio::test]
async fn the_local_store_keeps_the_contract() {
    let root = tempfile::tempdir().unwrap();
    let store = LocalStore::new(root.path());
    every_store_keeps_many_objects_per_owner(&store).await;
}

#[tokio::test]
async fn the_s3_store_keeps_the_contract() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let store = S3Store::new(&server.config(), scratch.path().to_path_buf()).unwrap();
    every_store_keeps_many_objects_per_owner(&store).await;
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_s3_server() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let mut config = server.config();
    config.s3_secret_access_key = Some("not-the-secret".to_owned().into());
    let scratch = tempfile::tempdir().unwrap();
    let store = S3Store::new(&config, scratch.path().to_path_buf()).unwrap();
    assert!(store.put(&key("j1", "a.png"), vec![1]).await.is_err());
    assert!(store.check_writable().await.is_err());
}
