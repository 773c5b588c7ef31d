use super::*;

fn key(owner: &str, name: &str) -> ObjectKey {
    ObjectKey::new("jobs", owner, name).unwrap()
}

#[tokio::test]
async fn a_job_holds_any_number_of_files_and_lists_them() {
    let root = tempfile::tempdir().unwrap();
    let store = LocalStore::new(root.path());
    store.prepare().await.unwrap();
    for name in ["output-2.png", "output-0.png", "output-1.png"] {
        store
            .put(&key("j1", name), name.as_bytes().to_vec())
            .await
            .unwrap();
    }
    store
        .put(&key("j2", "other.txt"), b"x".to_vec())
        .await
        .unwrap();
    let listed = store.list("jobs", "j1").await.unwrap();
    let names: Vec<&str> = listed.iter().map(ObjectKey::name).collect();
    assert_eq!(names, ["output-0.png", "output-1.png", "output-2.png"]);
    assert_eq!(
        store
            .read(&key("j1", "output-1.png"))
            .await
            .unwrap()
            .as_deref(),
        Some(&b"output-1.png"[..])
    );
    assert_eq!(
        store.local_path(&key("j1", "output-1.png")).unwrap(),
        root.path().join("jobs/j1/output-1.png")
    );
    assert!(store.list("jobs", "nobody").await.unwrap().is_empty());
}

#[tokio::test]
async fn deleting_is_idempotent_and_reading_a_missing_object_is_none() {
    let root = tempfile::tempdir().unwrap();
    let store = LocalStore::new(root.path());
    let gone = key("j1", "a.bin");
    store.put(&gone, vec![1, 2, 3]).await.unwrap();
    store.delete(&gone).await.unwrap();
    store.delete(&gone).await.unwrap();
    assert_eq!(store.read(&gone).await.unwrap(), None);
}

#[tokio::test]
async fn a_staged_file_is_published_whole_and_staging_names_are_never_listed() {
    let root = tempfile::tempdir().unwrap();
    let store = LocalStore::new(root.path());
    let target = key("j1", "video.mp4");
    let staging = store.staging_root(&target).unwrap().join(".staging-token");
    std::fs::create_dir_all(&staging).unwrap();
    let staged = staging.join("video.mp4");
    std::fs::write(&staged, b"frames").unwrap();
    std::fs::write(staging.parent().unwrap().join(".video.mp4.x.tmp"), b"half").unwrap();
    store.publish(&target, &staged).await.unwrap();
    assert_eq!(
        store.read(&target).await.unwrap().as_deref(),
        Some(&b"frames"[..])
    );
    assert_eq!(store.list("jobs", "j1").await.unwrap(), vec![target]);
}

#[derive(Debug)]
struct Flat(std::path::PathBuf);

impl Layout for Flat {
    fn path(&self, key: &ObjectKey) -> Option<std::path::PathBuf> {
        (key.name() == "photo.jpg").then(|| self.0.join(format!("{}.jpg", key.owner())))
    }
    fn dirs(&self) -> Vec<std::path::PathBuf> {
        vec![self.0.clone()]
    }
    fn list(&self, workflow: &str, owner: &str) -> Vec<ObjectKey> {
        let key = ObjectKey::new(workflow, owner, "photo.jpg").unwrap();
        self.path(&key)
            .filter(|path| path.exists())
            .map(|_| key)
            .into_iter()
            .collect()
    }
}

#[tokio::test]
async fn a_mounted_layout_places_its_workflows_files_and_refuses_names_it_has_no_place_for() {
    let root = tempfile::tempdir().unwrap();
    let flat = root.path().join("flat");
    let store = LocalStore::new(root.path().join("rest")).mount("song", Flat(flat.clone()));
    store.prepare().await.unwrap();
    store.check_writable().await.unwrap();
    let photo = ObjectKey::new("song", "abc", "photo.jpg").unwrap();
    store.put(&photo, b"jpeg".to_vec()).await.unwrap();
    assert_eq!(std::fs::read(flat.join("abc.jpg")).unwrap(), b"jpeg");
    assert_eq!(store.list("song", "abc").await.unwrap(), vec![photo]);
    let unplaced = ObjectKey::new("song", "abc", "notes.txt").unwrap();
    assert!(matches!(
        store.put(&unplaced, Vec::new()).await,
        Err(StorageError::NoPlace { .. })
    ));
    let probes: Vec<_> = std::fs::read_dir(&flat).unwrap().collect();
    assert_eq!(probes.len(), 1, "the health probe left nothing behind");
}
