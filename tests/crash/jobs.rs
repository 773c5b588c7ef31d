//! kill -9 of a real worker while it persists a jobs-API output: after the object is
//! published to the store and before the database records it. A fresh worker rescues the
//! output; the job ends `succeeded` with every output stored exactly once (one object per
//! output, its checksum the recorded one), the provider made the images once, and no staging
//! file is left behind.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use serenade::clock::now_ms;
use serenade::db::Db;
use serenade::engine::staging::STAGING_PREFIX;
use serenade::provider::replicate::fake::{FakeReplicate, FakeReplicateConfig};
use serenade::workflows::jobs::keys::generate_key;
use serenade::workflows::jobs::keys::store::NewApiKey;

use crate::common::{Backend, TestApp, on_postgres};

fn spawn_worker(app: &TestApp, fake: &FakeReplicate, failpoint: Option<&str>, n: usize) -> Child {
    let config = &app.app.config;
    let log = std::fs::File::create(app.dir.join(format!("jobs-worker-{n}.log"))).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_serenade"));
    command
        .arg("worker")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", config.database.database_url.expose_secret())
        .env("STORAGE_DIR", &config.storage.storage_dir)
        .env("REPLICATE_API_TOKEN", fake.api_token())
        .env("REPLICATE_API_URL", fake.api_url())
        .env("JOBS_OUTPUT_ALLOWED_HOSTS", fake.addr().to_string())
        .env("JOBS_POLL_INTERVAL_MS", "100")
        .env("JOB_LEASE_SECONDS", "3")
        .env("RETRY_BACKOFF_SECONDS", "1")
        .env("SHUTDOWN_GRACE_SECONDS", "2")
        .env("RUST_LOG", "warn,serenade=info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
    if let Some(failpoint) = failpoint {
        command.env("SERENADE_FAILPOINT", failpoint);
    }
    command.spawn().unwrap()
}

/// Published objects under `dir` (staging directories left out).
fn objects_under(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|path| !path.to_string_lossy().contains(STAGING_PREFIX))
        .collect()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

async fn scalar(db: &Db, sql: &'static str, id: &str) -> i64 {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

async fn wait_for(what: &str, within: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_kill_during_output_persistence_loses_nothing(backend: Backend) {
    let fake = FakeReplicate::start(FakeReplicateConfig {
        starting_millis: 0,
        generation_millis: 200,
        ..FakeReplicateConfig::default()
    })
    .await
    .unwrap();
    let (token, url, host) = (
        fake.api_token().to_owned(),
        fake.api_url(),
        fake.addr().to_string(),
    );
    let app = TestApp::builder()
        .backend(backend)
        .configure(move |config| {
            config.jobs.replicate_api_token = Some(SecretString::from(token));
            config.jobs.replicate_api_url = url;
            config.jobs.jobs_output_allowed_hosts = host;
        })
        .spawn()
        .await;
    let key = generate_key();
    app.db()
        .insert_api_key(&NewApiKey {
            id: "key_crash".into(),
            name: "crash test".into(),
            secret_hash: key.secret_hash.clone(),
            admin: false,
            requests_per_minute: 1000,
            jobs_per_day: None,
            created_at: now_ms(),
        })
        .await
        .unwrap();
    let created: Value = app
        .client
        .post(app.url("/api/v1/jobs"))
        .header("x-api-key", &key.token)
        .json(&json!({"prompt": "three foxes", "num_outputs": 3, "seed": 3}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let job_dir = app.app.config.storage.storage_dir.join("jobs").join(&id);

    let mut victim = spawn_worker(
        &app,
        &fake,
        Some("pause-after-publish:jobs.persist_output"),
        0,
    );
    wait_for(
        "an output published but not recorded",
        Duration::from_secs(60),
        async || {
            !objects_under(&job_dir).is_empty()
                && scalar(
                    app.db(),
                    "select count(*) from api_job_outputs where job_id = $1 and status = 'pending'",
                    &id,
                )
                .await
                    == 3
        },
    )
    .await;
    victim.kill().unwrap();
    victim.wait().unwrap();

    let mut rescuer = spawn_worker(&app, &fake, None, 1);
    wait_for("the job to succeed", Duration::from_secs(90), async || {
        scalar(
            app.db(),
            "select count(*) from api_jobs where id = $1 and status = 'succeeded'",
            &id,
        )
        .await
            == 1
    })
    .await;
    rescuer.kill().unwrap();
    rescuer.wait().unwrap();

    let stored = objects_under(&job_dir);
    assert_eq!(
        stored.len(),
        3,
        "one object per output, none twice: {stored:?}"
    );
    let view: Value = app
        .client
        .get(app.url(&format!("/api/v1/jobs/{id}")))
        .header("x-api-key", &key.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for output in view["outputs"].as_array().unwrap() {
        assert_eq!(output["status"], "stored");
        let path = app
            .app
            .config
            .storage
            .storage_dir
            .join(output["key"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        use sha2::Digest;
        let digest: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(output["sha256"].as_str().unwrap(), digest);
    }
    let persisted_attempts = scalar(
        app.db(),
        "select cast(max(attempt) as bigint) from jobs where owner = 'job:' || $1 and kind = 'jobs.persist_output'",
        &id,
    )
    .await;
    assert!(persisted_attempts >= 2, "the killed attempt was counted");
    assert_eq!(
        fake.control().stats().accepted,
        1,
        "the images were made once"
    );
    let leftovers: Vec<PathBuf> = files_under(&app.app.config.storage.storage_dir)
        .into_iter()
        .filter(|path| path.to_string_lossy().contains(STAGING_PREFIX))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    app.stop().await;
    fake.stop().await;
}

#[tokio::test]
async fn a_kill_during_output_persistence_loses_nothing_on_sqlite() {
    a_kill_during_output_persistence_loses_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_kill_during_output_persistence_loses_nothing_on_postgres() {
    on_postgres(a_kill_during_output_persistence_loses_nothing).await;
}
