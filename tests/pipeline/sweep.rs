//! The sweep of stale files, on SQLite and PostgreSQL: stale render scratch directories,
//! temporary files and orphan uploads go; a file a submission row owns, anything fresh and
//! anything not named by us stay. A process sweeps as it starts.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serenade::config::StorageConfig;
use serenade::domain::ids::SessionId;
use serenade::workflows::song::files::{Area, SongLayout};
use serenade::workflows::song::sweep::{SweepPlan, sweep};

use crate::common::{Backend, TestApp, on_postgres};
use crate::helpers::submit;

const HOUR: Duration = Duration::from_secs(3600);

/// Writes `path` (and its directory) with a modification time `old` in the past.
fn file_aged(path: &Path, old: Duration) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"bytes").unwrap();
    set_age(path, old);
    path.to_path_buf()
}

fn set_age(path: &Path, old: Duration) {
    std::fs::File::open(path)
        .unwrap()
        .set_modified(SystemTime::now() - old)
        .unwrap();
}

/// A render scratch directory holding a clip, last changed `old` ago.
fn render_dir_aged(root: &Path, name: &str, old: Duration) -> PathBuf {
    let dir = root.join(name);
    file_aged(&dir.join("turn.mp4"), old);
    set_age(&dir, old);
    dir
}

fn stored(storage: &SongLayout, area: Area, suffix: &str) -> PathBuf {
    storage
        .dir(area)
        .join(format!("{}{suffix}", SessionId::generate()))
}

async fn the_sweep_removes_only_stale_leftovers_and_orphans(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let owned = submit(&app).await;
    // Directories of their own, out of reach of the app's start-up sweep; the files are named
    // for sessions as the app would name them.
    let storage = SongLayout::from_config(&StorageConfig {
        storage_dir: app.dir.join("swept-storage"),
        img_storage: None,
        audio_storage: None,
        video_storage: None,
        objects: Default::default(),
    });
    let render_root = app.dir.join("swept-render");
    let owned_photo = file_aged(
        &storage.dir(Area::Uploads).join(format!("{owned}.jpg")),
        HOUR,
    );
    let owned_video = file_aged(&storage.dir(Area::Video).join(format!("{owned}.mp4")), HOUR);

    let gone = [
        file_aged(&stored(&storage, Area::Uploads, ".jpg"), HOUR),
        file_aged(&stored(&storage, Area::Audio, ".mp3"), HOUR),
        file_aged(&stored(&storage, Area::Video, "-og.jpg"), HOUR),
        file_aged(&storage.dir(Area::Uploads).join(".a.jpg.x1.tmp"), HOUR),
        file_aged(&storage.dir(Area::Video).join(".a.mp4.x2.part"), HOUR),
        file_aged(&storage.dir(Area::Audio).join(".health-probe-7"), HOUR),
        render_dir_aged(&render_root, "serenade-render-old", HOUR),
        render_dir_aged(storage.dir(Area::Video), ".staging-killed", HOUR),
    ];
    let minutes = |n: u64| Duration::from_secs(n * 60);
    let kept = [
        owned_photo,
        owned_video,
        file_aged(&stored(&storage, Area::Uploads, ".jpg"), minutes(2)),
        file_aged(&storage.dir(Area::Audio).join(".a.m4a.x3.part"), minutes(2)),
        file_aged(&storage.dir(Area::Uploads).join("notes.txt"), HOUR),
        render_dir_aged(&render_root, "serenade-render-fresh", minutes(2)),
        render_dir_aged(&render_root, "someone-elses", HOUR),
        render_dir_aged(storage.dir(Area::Audio), ".staging-publishing", minutes(2)),
    ];
    let two_days_old_orphan = file_aged(&stored(&storage, Area::Uploads, ".jpg"), 48 * HOUR);

    let mut plan = SweepPlan {
        layout: storage,
        render_temp_root: render_root,
        stale_age: minutes(10),
        orphan_lookback: Some(24 * HOUR),
    };
    sweep(app.db(), &plan, SystemTime::now()).await.unwrap();
    for path in &gone {
        assert!(!path.exists(), "{} survived the sweep", path.display());
    }
    for path in &kept {
        assert!(path.exists(), "{} was swept", path.display());
    }
    assert!(
        two_days_old_orphan.exists(),
        "a periodic sweep looked past its lookback"
    );

    plan.orphan_lookback = None;
    let swept = sweep(app.db(), &plan, SystemTime::now()).await.unwrap();
    assert_eq!(swept.orphans, vec![two_days_old_orphan.clone()]);
    assert!(!two_days_old_orphan.exists());
    let again = sweep(app.db(), &plan, SystemTime::now()).await.unwrap();
    assert_eq!(again, Default::default(), "a second sweep found more");
    assert!(kept.iter().all(|path| path.exists()));
    app.stop().await;
}

#[tokio::test]
async fn the_sweep_removes_only_stale_leftovers_and_orphans_on_sqlite() {
    the_sweep_removes_only_stale_leftovers_and_orphans(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_sweep_removes_only_stale_leftovers_and_orphans_on_postgres() {
    on_postgres(the_sweep_removes_only_stale_leftovers_and_orphans).await;
}

#[tokio::test]
async fn a_starting_process_sweeps_what_a_crash_left() {
    let dir = tempfile::tempdir().unwrap();
    let (storage_dir, render_root) = (dir.path().join("storage"), dir.path().join("render"));
    let orphan = file_aged(
        &storage_dir
            .join("uploads")
            .join(format!("{}.jpg", SessionId::generate())),
        HOUR,
    );
    let part = file_aged(&storage_dir.join("video").join(".v.mp4.x.part"), HOUR);
    let scratch = render_dir_aged(&render_root, "serenade-render-crashed", HOUR);
    let (storage_for_app, render_for_app) = (storage_dir.clone(), render_root.clone());

    let app = TestApp::builder()
        .configure(move |config| {
            config.storage.storage_dir = storage_for_app;
            config.render.render_temp_dir = Some(render_for_app);
        })
        .spawn()
        .await;

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while [&orphan, &part, &scratch].iter().any(|path| path.exists()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the start-up sweep did not run"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}
