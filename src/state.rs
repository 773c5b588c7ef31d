//! The application state every handler and job receives: the capabilities they use —
//! configuration, database, file store, metrics, the provider client, downloader and demo
//! provider, the renderer, the engine's wake-ups — and the shared in-memory structures (intake
//! limits, waiting-page progress, status-poll cache). A leaf: it imports no route and no job;
//! `app` builds it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::config::Config;
use crate::db::Db;
use crate::engine::{Context, Wakers};
use crate::metrics::Metrics;
use crate::provider::client::SonautoClient;
use crate::provider::download::MediaDownloader;
use crate::provider::fake::FakeSonauto;
use crate::render::Renderer;
use crate::storage::Store;
use crate::tts::{SpeechEngine, VoiceSettings};
use crate::workflows::jobs::runtime::JobsRuntime;
use crate::workflows::song::api::intake::SubmissionGate;
use crate::workflows::song::progress::ProgressBoard;
use crate::workflows::song::status_cache::StatusCache;

/// Everything a request handler or worker needs, shared behind an `Arc`.
#[derive(Debug)]
pub struct App {
    pub config: Config,
    pub db: Db,
    /// Every workflow's stored files.
    pub store: Arc<dyn Store>,
    pub metrics: Metrics,
    /// Bounds submissions in flight and photo decodes (CPU and memory).
    pub submission_gate: SubmissionGate,
    /// The music provider's API.
    pub provider: SonautoClient,
    /// Guarded song downloads from the provider's CDN.
    pub downloader: MediaDownloader,
    /// The spinning-record video renderer.
    pub renderer: Renderer,
    /// In-process wake-ups of the engine's queues.
    pub wakers: Wakers,
    /// The shared queue snapshot behind positions and ETAs.
    pub progress: ProgressBoard,
    /// Recently read status-poll rows (short-lived; see `StatusCache`).
    pub status_cache: StatusCache,
    /// The built-in demo provider, when no `SONAUTO_API_KEY` is set.
    pub demo_provider: Option<FakeSonauto>,
    /// The jobs API's provider (Replicate or the built-in demo Replicate) and downloader.
    pub jobs: JobsRuntime,
    /// The narration voice (slideshows) and its settings.
    pub tts: Arc<dyn SpeechEngine>,
    pub voice: VoiceSettings,
    pub draining: AtomicBool,
}

/// The handle handlers receive as axum state.
pub type AppState = Arc<App>;

impl App {
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

impl Context for AppState {
    fn db(&self) -> &Db {
        &self.db
    }

    fn wakers(&self) -> &Wakers {
        &self.wakers
    }

    fn observe_step(&self, kind: &str, result: &'static str, elapsed: Duration) {
        self.metrics.observe_step(kind, result, elapsed);
    }
}
