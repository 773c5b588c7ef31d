//! The daily cleanup: files of finished submissions older than the retention go, twice over
//! changes nothing more, and pending or processing submissions keep everything.

use std::time::Duration;

use serenade::clock::now_ms;
use serenade::workflows::song::steps::cleanup::clean_expired_files;

use crate::common::Backend;
use crate::helpers::{finished, pipeline_app, submit};

const DAY_MS: i64 = 86_400_000;

#[tokio::test]
async fn cleanup_removes_only_expired_finished_files_and_is_idempotent() {
    let app = pipeline_app(Backend::Sqlite).spawn().await;
    let done = submit(&app).await;
    assert_eq!(
        finished(&app, &done, Duration::from_secs(90)).await["status"],
        "success"
    );
    let live = submit(&app).await;
    app.execute(
        "update submissions set entry_status = 'processing' where session_id = $1",
        &live,
    )
    .await;
    let storage = &app.app.config.storage;
    let done_files = [
        storage.img_dir().join(format!("{done}.jpg")),
        storage.video_dir().join(format!("{done}.mp4")),
        storage.video_dir().join(format!("{done}-og.jpg")),
    ];
    assert!(done_files.iter().all(|file| file.exists()));

    let in_a_month = now_ms() + 31 * DAY_MS;
    assert_eq!(
        clean_expired_files(&app.app, now_ms()).await.unwrap(),
        0,
        "nothing is old yet"
    );
    assert_eq!(clean_expired_files(&app.app, in_a_month).await.unwrap(), 1);
    assert_eq!(
        clean_expired_files(&app.app, in_a_month).await.unwrap(),
        0,
        "a second run changes nothing"
    );

    assert!(
        done_files.iter().all(|file| !file.exists()),
        "expired files survived"
    );
    assert!(
        storage.img_dir().join(format!("{live}.jpg")).exists(),
        "a live submission lost its photo"
    );
    app.stop().await;
}
