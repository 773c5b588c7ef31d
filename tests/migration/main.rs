//! The upgrade keeps work alive: a database made by the previous release (migrations
//! 0001–0003) with jobs queued, held by a worker whose lease has not run out, backing off and
//! mid-pipeline is migrated to the current schema, every row is checked, and then the current
//! release's workers run all of it to a finished video — on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/mod.rs"]
mod common;

mod checks;
mod in_flight;
mod old_release;

use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use serenade::provider::fake::{FakeSonauto, FakeSonautoConfig};

use crate::common::{Backend, TestApp, TestDatabase, on_postgres};

/// Provider slots, as the test configuration's `MAX_CONCURRENT_REQUESTS` makes them.
const SLOTS: u32 = 10;

#[tokio::test]
async fn work_in_flight_survives_the_upgrade_on_sqlite() {
    upgrade_and_run(Backend::Sqlite).await;
}

#[tokio::test]
async fn work_in_flight_survives_the_upgrade_on_postgres() {
    on_postgres(upgrade_and_run).await;
}

async fn upgrade_and_run(backend: Backend) {
    // The provider outlives the upgrade: it already knows the generations under way.
    let fake = start_fake().await;
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let (database, url) = match backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}", dir.path().join("serenade.db").display());
            (None, url)
        }
        Backend::Postgres => {
            let database = Arc::new(TestDatabase::create().await);
            let url = database.url.clone();
            (Some(database), url)
        }
    };
    let storage_dir = dir.path().join("storage");

    let db = old_release::create(&url, SLOTS).await;
    let written = in_flight::write(&db, &fake, &storage_dir).await;
    let migrating = Instant::now();
    db.migrate().await.unwrap();
    let migrated_in = migrating.elapsed();
    assert!(db.migrations_applied().await.unwrap());
    checks::jobs_carried_over(&db, &written).await;
    db.close().await;

    let running = Instant::now();
    let app = TestApp::builder()
        .on_existing(dir, database, url)
        .with_workers()
        .configure(use_provider(&fake))
        .spawn()
        .await;
    let videos = checks::until_all_done(app.db(), &written, Duration::from_secs(120)).await;
    eprintln!(
        "{backend:?}: migrated in {migrated_in:?}; all work done {:?} after start",
        running.elapsed()
    );
    assert_eq!(videos.len(), written.submissions.len());
    for video in &videos {
        checks::video_on_disk(&storage_dir, video);
    }
    let credits = app.db().credits().await.unwrap();
    assert!(
        credits.is_some(),
        "the refresh_credits job stored no balance"
    );
    app.stop().await;
    fake.stop().await;
}

async fn start_fake() -> FakeSonauto {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = FakeSonautoConfig {
        step_millis: 60,
        song_seconds: 6,
        ..FakeSonautoConfig::default()
    };
    serenade::provider::fake::start(config, listener)
        .await
        .unwrap()
}

/// Points the app at `fake` (as a real provider: no demo provider of its own), with a short
/// adoption window so the POST the previous release's worker may have sent is resolved soon,
/// and small videos.
fn use_provider(fake: &FakeSonauto) -> impl FnOnce(&mut serenade::config::Config) + 'static {
    let (key, api_url, host) = (
        fake.api_key().to_owned(),
        fake.api_url(),
        fake.addr().to_string(),
    );
    move |config| {
        config.provider.sonauto_api_key = Some(SecretString::from(key));
        config.provider.external_api_url = api_url;
        config.media.media_allowed_hosts = host.parse().unwrap();
        config.provider.adoption_window_seconds = 2;
        config.render.video_size = 240;
    }
}
