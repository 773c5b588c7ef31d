//! Wiring: the shared application state, building it from config (database, migrations,
//! storage), and running the roles — HTTP, in-process workers, maintenance — until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use secrecy::SecretString;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::db::{Db, now_ms};
use crate::http::api::intake::SubmissionGate;
use crate::http::api::status_cache::StatusCache;
use crate::http::serve::{ServeSettings, serve};
use crate::metrics::Metrics;
use crate::pipeline::Wakers;
use crate::pipeline::progress::ProgressBoard;
use crate::provider::client::SonautoClient;
use crate::provider::download::{AllowedHost, MediaDownloader};
use crate::provider::fake::FakeSonauto;
use crate::render::Renderer;
use crate::storage::Storage;
use crate::worker;

/// How often stale rate-limit windows and worker rows are pruned.
const MAINTENANCE_INTERVAL: Duration = Duration::from_secs(600);
/// Rate windows this old can no longer influence a decision.
const RATE_WINDOW_RETENTION_MS: i64 = 3 * 3_600_000;
/// Worker rows silent this long are forgotten.
const WORKER_ROW_RETENTION_MS: i64 = 24 * 3_600_000;

/// Everything a request handler or worker needs, shared behind an `Arc`.
#[derive(Debug)]
pub struct App {
    pub config: Config,
    pub db: Db,
    pub storage: Storage,
    pub metrics: Metrics,
    /// Bounds submissions in flight and photo decodes (CPU and memory).
    pub submission_gate: SubmissionGate,
    /// The music provider's API.
    pub provider: SonautoClient,
    /// Guarded song downloads from the provider's CDN.
    pub downloader: MediaDownloader,
    /// The spinning-record video renderer.
    pub renderer: Renderer,
    /// In-process wake-ups of the worker lanes.
    pub wakers: Wakers,
    /// The shared queue snapshot behind positions and ETAs.
    pub progress: ProgressBoard,
    /// Recently read status-poll rows (short-lived; see `StatusCache`).
    pub status_cache: StatusCache,
    /// The built-in demo provider, when no `SONAUTO_API_KEY` is set.
    demo_provider: Option<FakeSonauto>,
    draining: AtomicBool,
}

/// The handle handlers receive as axum state.
pub type AppState = Arc<App>;

impl App {
    /// Connects to the database, applies migrations and prepares storage.
    pub async fn build(config: Config) -> anyhow::Result<AppState> {
        config.validate().context("invalid configuration")?;
        let db = Db::connect(&config.database)
            .await
            .with_context(|| format!("connecting to {}", config.database.redacted_url()))?;
        db.migrate().await.context("applying migrations")?;
        db.ensure_provider_slots(config.provider.max_concurrent_requests)
            .await
            .context("creating provider slots")?;
        let storage = Storage::from_config(&config.storage);
        storage
            .prepare()
            .await
            .context("creating storage directories")?;
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let demo_provider = match &config.provider.sonauto_api_key {
            Some(_) => None,
            None => Some(start_demo_provider(&config).await?),
        };
        let provider = match (&demo_provider, &config.provider.sonauto_api_key) {
            (Some(fake), _) => SonautoClient::new(
                &fake.api_url(),
                SecretString::from(fake.api_key().to_owned()),
                config.provider.request_timeout(),
            ),
            (None, key) => SonautoClient::new(
                &config.provider.external_api_url,
                key.clone()
                    .unwrap_or_else(|| SecretString::from(String::new())),
                config.provider.request_timeout(),
            ),
        }
        .context("building the provider client")?;
        let downloader = media_downloader(&config, demo_provider.as_ref())?;
        let submission_gate =
            SubmissionGate::new(config.limits.max_concurrent_submissions, cores * 2);
        let renderer = Renderer::new(config.render.clone()).context("preparing the renderer")?;
        Ok(Arc::new(Self {
            config,
            db,
            storage,
            metrics: Metrics::new(),
            submission_gate,
            provider,
            downloader,
            renderer,
            wakers: Wakers::default(),
            progress: ProgressBoard::default(),
            status_cache: StatusCache::default(),
            demo_provider,
            draining: AtomicBool::new(false),
        }))
    }

    /// True when no `SONAUTO_API_KEY` is configured and the built-in demo provider answers.
    pub fn uses_demo_provider(&self) -> bool {
        self.demo_provider.is_some()
    }

    /// The demo provider, when one runs (tests steer it through its controls).
    pub fn demo_provider(&self) -> Option<&FakeSonauto> {
        self.demo_provider.as_ref()
    }

    /// Lease length of a claimed job, in milliseconds.
    pub fn lease_ms(&self) -> i64 {
        i64::try_from(self.config.pipeline.job_lease_seconds * 1000).unwrap_or(30_000)
    }

    /// The retry delays after the 1st, 2nd, … failed attempt.
    pub fn retry_schedule(&self) -> Vec<Duration> {
        self.config
            .pipeline
            .retry_backoff_seconds
            .iter()
            .map(|seconds| Duration::from_secs(*seconds))
            .collect()
    }

    /// Attempts each provider-facing step gets (`MAX_RETRIES`).
    pub fn max_attempts(&self) -> i32 {
        i32::try_from(self.config.provider.max_retries).unwrap_or(3)
    }

    /// Attempts a render gets: the spec retries a failed render once.
    pub fn render_attempts(&self) -> i32 {
        2
    }

    /// Concurrent renders per worker process.
    pub fn render_concurrency(&self) -> usize {
        self.renderer.config().concurrency()
    }

    /// True once shutdown has begun; readiness then reports 503.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}

/// Which parts of the process run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    pub http: bool,
    pub workers: bool,
}

/// A started service: its address and the means to stop it.
#[derive(Debug)]
pub struct Running {
    pub app: AppState,
    pub http_addr: Option<SocketAddr>,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
}

impl Running {
    /// Stops accepting work, drains, and waits for every task.
    pub async fn stop(mut self) {
        self.app.draining.store(true, Ordering::Relaxed);
        self.shutdown.cancel();
        while self.tasks.join_next().await.is_some() {}
        self.app.db.close().await;
    }
}

/// Starts the chosen roles; HTTP serves on `listener` (bound by the caller, so tests can use
/// port 0).
pub async fn start(
    app: AppState,
    roles: Roles,
    listener: Option<TcpListener>,
) -> anyhow::Result<Running> {
    let shutdown = CancellationToken::new();
    let mut tasks = JoinSet::new();
    let mut http_addr = None;
    if roles.http {
        let listener = listener.context("the HTTP role needs a listener")?;
        http_addr = Some(listener.local_addr()?);
        let settings = ServeSettings {
            header_read_timeout: app.config.http.header_read_timeout(),
            shutdown_grace: app.config.http.shutdown_grace(),
        };
        let router = crate::http::router(app.clone());
        tasks.spawn(serve(listener, router, settings, shutdown.clone()));
        tasks.spawn(maintain(app.clone(), shutdown.clone()));
    }
    if roles.workers {
        tasks.spawn(worker::run(app.clone(), shutdown.clone()));
    }
    if roles.http || roles.workers {
        tasks.spawn(crate::pipeline::sweep::run(app.clone(), shutdown.clone()));
    }
    Ok(Running {
        app,
        http_addr,
        shutdown,
        tasks,
    })
}

/// Registers for SIGTERM and SIGINT now (so a signal that arrives while the service is still
/// starting is not fatal) and returns a future that resolves on the first of them.
pub fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

/// Starts the built-in fake provider on a loopback port (no `SONAUTO_API_KEY`: demo mode).
async fn start_demo_provider(config: &Config) -> anyhow::Result<FakeSonauto> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the demo provider")?;
    let fake = crate::provider::fake::start(config.demo_provider.clone(), listener)
        .await
        .context("starting the demo provider")?;
    tracing::warn!(url = %fake.api_url(), "no SONAUTO_API_KEY: songs come from the built-in demo provider");
    Ok(fake)
}

/// The song downloader; the demo provider's loopback CDN is allowed explicitly.
fn media_downloader(
    config: &Config,
    demo: Option<&FakeSonauto>,
) -> anyhow::Result<MediaDownloader> {
    let mut policy = config.media.policy();
    if let Some(fake) = demo {
        let host: AllowedHost = fake
            .addr()
            .to_string()
            .parse()
            .context("the demo provider's address")?;
        policy.allowed_hosts.push(host);
    }
    Ok(MediaDownloader::new(policy))
}

/// Periodic housekeeping of the HTTP role's own tables.
async fn maintain(app: AppState, shutdown: CancellationToken) {
    let mut ticker = tokio::time::interval(MAINTENANCE_INTERVAL);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = shutdown.cancelled() => return,
        }
        let now = now_ms();
        if let Err(error) = app
            .db
            .prune_rate_limits(now - RATE_WINDOW_RETENTION_MS)
            .await
        {
            tracing::warn!(error = ?error, "pruning rate-limit windows failed");
        }
        if let Err(error) = app.db.prune_workers(now - WORKER_ROW_RETENTION_MS).await {
            tracing::warn!(error = ?error, "pruning worker rows failed");
        }
    }
}
