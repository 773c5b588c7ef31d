//! Shared test harness: the real app spawned on `127.0.0.1:0` against a fresh SQLite file or
//! a fresh PostgreSQL database, sample photos, and the PostgreSQL opt-in rule (skip when
//! `TEST_DATABASE_URL` is unset, fail instead when `SERENADE_REQUIRE_POSTGRES=1`).

#![allow(dead_code)]

pub mod photos;
pub mod postgres;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Value, json};
use serenade::app::{Roles, Running, build, start};
use serenade::config::site::SiteConfig;
use serenade::config::{
    AdminConfig, Config, DatabaseConfig, HttpConfig, JobsConfig, LimitsConfig, PipelineConfig,
    ProviderConfig, StorageConfig,
};
use serenade::db::Db;
use serenade::provider::download::DownloadConfig;
use serenade::provider::fake::FakeSonautoConfig;
use serenade::render::RenderConfig;
use serenade::state::App;
use tempfile::TempDir;

pub use postgres::{TestDatabase, postgres_url};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A configuration suitable for tests: temp storage, generous limits, short timeouts.
pub fn test_config(dir: &Path, database_url: String) -> Config {
    Config {
        http: HttpConfig {
            bind: "127.0.0.1:0".parse().expect("address"),
            public_base_url: None,
            trusted_proxies: Default::default(),
            header_read_timeout_seconds: 5,
            request_timeout_seconds: 30,
            shutdown_grace_seconds: 5,
        },
        database: DatabaseConfig {
            database_url: SecretString::from(database_url),
            database_max_connections: 8,
        },
        storage: StorageConfig {
            storage_dir: dir.join("storage"),
            img_storage: None,
            audio_storage: None,
            video_storage: None,
            objects: Default::default(),
        },
        limits: LimitsConfig {
            form_submit_retry: 10,
            submissions_per_ip_per_hour: 0,
            results_per_ip_per_hour: 0,
            max_concurrent_submissions: 32,
        },
        provider: ProviderConfig {
            sonauto_api_key: None,
            external_api_url: "https://api.treblo.com/v1".into(),
            webhook_base_url: None,
            max_concurrent_requests: 10,
            max_retries: 3,
            webhook_timeout_minutes: 0.05,
            generation_deadline_minutes: 0.5,
            reconcile_poll_seconds: 1,
            adoption_window_seconds: 120,
            api_request_timeout_seconds: 5,
            min_available_credits: 5000,
            song_credit_cost: 100,
            credits_refresh_minutes: 10.0,
            output_format: "mp3".into(),
            // Instrumental for speed; tests/pipeline/sung.rs turns the voice on.
            demo_songs_instrumental: true,
        },
        media: DownloadConfig::default(),
        pipeline: PipelineConfig {
            provider_workers: 8,
            job_lease_seconds: 4,
            retry_backoff_seconds: vec![1, 1, 2],
            file_retention_days: 30,
        },
        render: RenderConfig {
            render_temp_dir: Some(dir.join("render-tmp")),
            ..RenderConfig::default()
        },
        demo_provider: FakeSonautoConfig {
            step_millis: 60,
            song_seconds: 6,
            ..FakeSonautoConfig::default()
        },
        jobs: JobsConfig {
            jobs_poll_interval_ms: 100,
            demo_replicate_generation_millis: 200,
            ..JobsConfig::default()
        },
        tts: serenade::tts::TtsConfig::default(),
        slideshow: serenade::workflows::slideshow::config::SlideshowConfig::default(),
        admin: AdminConfig {
            admin_user: None,
            admin_password: None,
        },
        site: SiteConfig {
            terms_url: "/terms".into(),
            privacy_url: "/privacy".into(),
        },
    }
}

/// A running app and the means to reach it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub app: Arc<App>,
    running: Option<Running>,
    _database: Option<Arc<TestDatabase>>,
    _dir: Arc<TempDir>,
    pub dir: PathBuf,
}

/// One change to the test configuration.
type ConfigTweak = Box<dyn FnOnce(&mut Config)>;

/// Builds a [`TestApp`] with overrides.
pub struct TestAppBuilder {
    backend: Backend,
    workers: bool,
    tweak: Vec<ConfigTweak>,
    share_with: Option<(Arc<TempDir>, Option<Arc<TestDatabase>>, String)>,
}

impl TestApp {
    /// An app on SQLite serving HTTP only (no pipeline workers).
    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            backend: Backend::Sqlite,
            workers: false,
            tweak: Vec::new(),
            share_with: None,
        }
    }

    /// A second web process on the same database and storage.
    pub fn sibling(&self) -> TestAppBuilder {
        let url =
            secrecy::ExposeSecret::expose_secret(&self.app.config.database.database_url).to_owned();
        TestAppBuilder {
            backend: Backend::Sqlite,
            workers: false,
            tweak: Vec::new(),
            share_with: Some((self._dir.clone(), self._database.clone(), url)),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db(&self) -> &Db {
        &self.app.db
    }

    pub fn uploads_dir(&self) -> PathBuf {
        self.app.config.storage.img_dir()
    }

    /// Files (names) currently in the uploads directory.
    pub fn uploaded_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.uploads_dir())
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    pub async fn post_submission(&self, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/submissions"))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Runs SQL against the app's database (test set-up only).
    pub async fn execute(&self, sql: &'static str, session_id: &str) {
        match self.db() {
            Db::Sqlite(pool) => {
                sqlx::query(sql)
                    .bind(session_id)
                    .execute(pool)
                    .await
                    .expect("sql");
            }
            Db::Postgres(pool) => {
                sqlx::query(sql)
                    .bind(session_id)
                    .execute(pool)
                    .await
                    .expect("sql");
            }
        }
    }

    /// Runs SQL with no parameters against the app's database (test set-up only).
    pub async fn execute_unbound(&self, sql: &'static str) {
        match self.db() {
            Db::Sqlite(pool) => {
                sqlx::query(sql).execute(pool).await.expect("sql");
            }
            Db::Postgres(pool) => {
                sqlx::query(sql).execute(pool).await.expect("sql");
            }
        }
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }
}

impl TestAppBuilder {
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Also runs the pipeline's workers (with the in-process demo provider).
    pub fn with_workers(mut self) -> Self {
        self.workers = true;
        self
    }

    /// Runs on a database and storage the test prepared itself (`dir` holds `storage/`; the
    /// backend follows `url`), e.g. one created at an older schema.
    pub fn on_existing(
        mut self,
        dir: Arc<TempDir>,
        database: Option<Arc<TestDatabase>>,
        url: String,
    ) -> Self {
        self.share_with = Some((dir, database, url));
        self
    }

    pub fn configure(mut self, tweak: impl FnOnce(&mut Config) + 'static) -> Self {
        self.tweak.push(Box::new(tweak));
        self
    }

    pub async fn spawn(self) -> TestApp {
        init_test_logging();
        let (dir, database, url) = match self.share_with {
            Some(shared) => shared,
            None => {
                let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
                match self.backend {
                    Backend::Sqlite => {
                        let url = format!("sqlite://{}", dir.path().join("serenade.db").display());
                        (dir, None, url)
                    }
                    Backend::Postgres => {
                        let database = Arc::new(TestDatabase::create().await);
                        let url = database.url.clone();
                        (dir, Some(database), url)
                    }
                }
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let mut config = test_config(dir.path(), url);
        config.http.bind = listener.local_addr().expect("bound address");
        for tweak in self.tweak {
            tweak(&mut config);
        }
        let app = build(config).await.expect("app builds");
        let roles = Roles {
            http: true,
            workers: self.workers,
        };
        let running = start(app.clone(), roles, Some(listener))
            .await
            .expect("app starts");
        let addr = running.http_addr.expect("http address");
        TestApp {
            addr,
            base: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
            app,
            running: Some(running),
            _database: database,
            dir: dir.path().to_path_buf(),
            _dir: dir,
        }
    }
}

/// With `TEST_LOG=1`, the app's logs go to the test output (filter with `RUST_LOG`).
fn init_test_logging() {
    if std::env::var("TEST_LOG").as_deref() == Ok("1") {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("serenade=debug"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
}

/// A complete, valid submission body.
pub fn valid_submission() -> Value {
    json!({
        "pet_name": "Toby",
        "pet_type": "Dog",
        "photo": photos::jpeg_base64(600, 600),
        "music_vibe": "Romantic",
        "owner_name": "Matt",
        "cookie_id": null
    })
}

/// Runs `test` on PostgreSQL when it is configured; see [`postgres_url`].
pub async fn on_postgres<F, Fut>(test: F)
where
    F: FnOnce(Backend) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if postgres_url().is_some() {
        test(Backend::Postgres).await;
    }
}
