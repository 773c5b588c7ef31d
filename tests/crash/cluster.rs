//! A small deployment for crash tests: the fake provider in the test process (it outlives
//! every worker), one web app (HTTP only) and any number of real `serenade worker` processes
//! that the test can SIGKILL and restart.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serenade::provider::fake::{FakeSonauto, FakeSonautoConfig};

use crate::common::{Backend, TestApp};

/// The fake provider, the web app and the worker processes.
pub struct Cluster {
    pub fake: FakeSonauto,
    pub app: TestApp,
    workers: Vec<Child>,
    started: usize,
}

impl Cluster {
    pub async fn start(backend: Backend, generation_millis: u64) -> Self {
        Self::start_with_songs_of(backend, generation_millis, 6).await
    }

    /// A cluster whose provider's songs last `song_seconds`.
    pub async fn start_with_songs_of(
        backend: Backend,
        generation_millis: u64,
        song_seconds: u32,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake_config = FakeSonautoConfig {
            step_millis: generation_millis / 9,
            song_seconds,
            ..FakeSonautoConfig::default()
        };
        let fake = serenade::provider::fake::start(fake_config, listener)
            .await
            .unwrap();
        let (api_url, key, host) = (
            fake.api_url(),
            fake.api_key().to_owned(),
            fake.addr().to_string(),
        );
        let app = TestApp::builder()
            .backend(backend)
            .configure(move |c| {
                c.provider.sonauto_api_key = Some(SecretString::from(key));
                c.provider.external_api_url = api_url;
                c.media.media_allowed_hosts = host.parse().unwrap();
                // The load test submits hundreds at once from one client; shedding them
                // (503 beyond the per-process cap) is not what it is about.
                c.limits.max_concurrent_submissions = 1000;
            })
            .spawn()
            .await;
        Self {
            fake,
            app,
            workers: Vec::new(),
            started: 0,
        }
    }

    fn render_temp(&self) -> PathBuf {
        self.app.dir.join("worker-render-tmp")
    }

    /// Starts one more `serenade worker`; `failpoint` arms `SERENADE_FAILPOINT`.
    pub fn spawn_worker(&mut self, failpoint: Option<&str>) -> usize {
        self.spawn_worker_with(failpoint, &[])
    }

    /// As `spawn_worker`, with more environment variables.
    pub fn spawn_worker_with(&mut self, failpoint: Option<&str>, env: &[(&str, &str)]) -> usize {
        let config = &self.app.app.config;
        let log = std::fs::File::create(self.app.dir.join(format!("worker-{}.log", self.started)))
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_serenade"));
        command
            .arg("worker")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", config.database.database_url.expose_secret())
            .env("STORAGE_DIR", &config.storage.storage_dir)
            .env("SONAUTO_API_KEY", self.fake.api_key())
            .env("EXTERNAL_API_URL", self.fake.api_url())
            .env("MEDIA_ALLOWED_HOSTS", self.fake.addr().to_string())
            .env("WEBHOOK_BASE_URL", &self.app.base)
            .env("JOB_LEASE_SECONDS", "3")
            .env("RETRY_BACKOFF_SECONDS", "1")
            .env("WEBHOOK_TIMEOUT_MINUTES", "0.05")
            .env("GENERATION_DEADLINE_MINUTES", "3")
            .env("RECONCILE_POLL_SECONDS", "1")
            .env("API_REQUEST_TIMEOUT_SECONDS", "5")
            .env("VIDEO_SIZE", "240")
            .env("RENDER_CONCURRENCY", "1")
            .env("RENDER_TEMP_DIR", self.render_temp())
            .env("SHUTDOWN_GRACE_SECONDS", "2")
            .env("RUST_LOG", "warn,serenade=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(failpoint) = failpoint {
            command.env("SERENADE_FAILPOINT", failpoint);
        }
        command.envs(env.iter().copied());
        self.workers.push(command.spawn().unwrap());
        self.started += 1;
        self.workers.len() - 1
    }

    /// SIGKILLs worker `index` and waits for it to be gone.
    pub fn kill_worker(&mut self, index: usize) {
        let child = &mut self.workers[index];
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Sends `signal` (e.g. `STOP`, `CONT`) to worker `index`.
    pub fn signal_worker(&self, index: usize, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.workers[index].id().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Replaces worker `index` with a fresh process.
    pub fn restart_worker(&mut self, index: usize) {
        self.kill_worker(index);
        let fresh = self.spawn_worker(None);
        self.workers.swap(index, fresh);
        self.workers.pop();
    }

    /// The process id of worker `index`.
    pub fn worker_pid(&self, index: usize) -> u32 {
        self.workers[index].id()
    }

    /// Where the workers' renders make their scratch directories.
    pub fn worker_render_temp(&self) -> PathBuf {
        self.render_temp()
    }

    pub fn worker_count(&self) -> usize {
        self.workers.len()
    }

    /// Files left behind by interrupted writes: dot-files in storage, anything in the render
    /// temp directory.
    pub fn leftover_temp_files(&self) -> Vec<PathBuf> {
        let config = &self.app.app.config.storage;
        let mut leftovers = Vec::new();
        for dir in [config.img_dir(), config.audio_dir(), config.video_dir()] {
            leftovers.extend(list(&dir).into_iter().filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with('.'))
            }));
        }
        leftovers.extend(list(&self.render_temp()));
        leftovers
    }

    pub fn video_files(&self) -> Vec<PathBuf> {
        list(&self.app.app.config.storage.video_dir())
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "mp4"))
            .collect()
    }

    /// Waits until `condition` holds.
    pub async fn wait_until<F, Fut>(&self, within: Duration, what: &str, mut condition: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + within;
        while !condition().await {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn stop(mut self) {
        for index in 0..self.workers.len() {
            self.kill_worker(index);
        }
        self.app.stop().await;
        self.fake.stop().await;
    }
}

fn list(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .collect()
        })
        .unwrap_or_default()
}
