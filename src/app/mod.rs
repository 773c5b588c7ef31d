//! Wiring: building the application state from config (database, migrations, storage,
//! providers), the engine with every workflow registered, and running the roles — HTTP,
//! in-process workers, maintenance — until shutdown. Nothing in the crate imports it.

pub mod commands;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use secrecy::SecretString;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::clock::now_ms;
use crate::config::Config;
use crate::db::Db;
use crate::engine::{Engine, Registry, Settings, Wakers};
use crate::http::serve::{ServeSettings, serve};
use crate::metrics::Metrics;
use crate::provider::client::SonautoClient;
use crate::provider::download::{AllowedHost, MediaDownloader};
use crate::provider::fake::FakeSonauto;
use crate::render::Renderer;
use crate::state::{App, AppState};
use crate::workflows::song::api::intake::SubmissionGate;
use crate::workflows::song::progress::ProgressBoard;
use crate::workflows::song::status_cache::StatusCache;

/// How often stale rate-limit windows and worker rows are pruned.
const MAINTENANCE_INTERVAL: Duration = Duration::from_secs(600);
/// Rate windows this old can no longer influence a decision.
const RATE_WINDOW_RETENTION_MS: i64 = 3 * 3_600_000;
/// Worker rows silent this long are forgotten.
const WORKER_ROW_RETENTION_MS: i64 = 24 * 3_600_000;

/// Connects to the database, applies migrations, prepares storage and builds the state.
pub async fn build(config: Config) -> anyhow::Result<AppState> {
    config.validate().context("invalid configuration")?;
    let db = Db::connect(&config.database)
        .await
        .with_context(|| format!("connecting to {}", config.database.redacted_url()))?;
    db.migrate().await.context("applying migrations")?;
    db.ensure_provider_slots(config.provider.max_concurrent_requests)
        .await
        .context("creating provider slots")?;
    let store = crate::workflows::store(&config.storage).context("opening storage")?;
    store
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
    let submission_gate = SubmissionGate::new(config.limits.max_concurrent_submissions, cores * 2);
    let renderer = Renderer::new(config.render.clone()).context("preparing the renderer")?;
    let jobs = crate::workflows::jobs::runtime::JobsRuntime::start(&config).await?;
    let tts = config
        .tts
        .engine()
        .context("preparing the narration voice")?;
    let voice = config
        .tts
        .voice_settings()
        .context("the narration voice's settings")?;
    Ok(Arc::new(App {
        config,
        db,
        store,
        metrics: Metrics::new(),
        submission_gate,
        provider,
        downloader,
        renderer,
        wakers: Wakers::default(),
        progress: ProgressBoard::default(),
        status_cache: StatusCache::default(),
        demo_provider,
        jobs,
        tts,
        voice,
        draining: AtomicBool::new(false),
    }))
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
        tasks.spawn(crate::engine::worker::run(engine(&app)?, shutdown.clone()));
    }
    if roles.http || roles.workers {
        tasks.spawn(crate::workflows::song::sweep::run(
            app.clone(),
            shutdown.clone(),
        ));
    }
    Ok(Running {
        app,
        http_addr,
        shutdown,
        tasks,
    })
}

/// The job engine over `app`, with every workflow registered.
pub fn engine(app: &AppState) -> anyhow::Result<Engine<AppState>> {
    let mut registry = Registry::default();
    crate::workflows::register(&mut registry, app);
    registry.check().context("registering job kinds")?;
    let settings = Settings {
        lease_ms: app.lease_ms(),
        retry_schedule: app.retry_schedule(),
        shutdown_grace: app.config.http.shutdown_grace(),
        idle_poll: Duration::from_millis(500),
    };
    Ok(Engine::new(app.clone(), registry, settings))
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
    let mut demo = config.demo_provider.clone();
    demo.sing_lyrics |= !config.provider.demo_songs_instrumental;
    let fake = crate::provider::fake::start(demo, listener)
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
