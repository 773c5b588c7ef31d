//! What every handler and timeline task of one fake instance shares: the fixed settings, the
//! run-time control, the webhook client and the stop signal.

use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::config::AudioFormat;
use super::control::FakeControl;

/// The state of one running fake.
#[derive(Debug)]
pub struct Shared {
    pub control: Arc<FakeControl>,
    pub api_key: String,
    /// Base of absolute CDN URLs, without a trailing slash.
    pub public_base_url: String,
    pub allowed_tags: Vec<String>,
    pub default_format: AudioFormat,
    pub song_seconds: u32,
    pub ffmpeg: PathBuf,
    /// Lyrics performed by this espeak-ng over the melody, when set.
    pub sing_with: Option<PathBuf>,
    /// Posts webhooks: short timeout, no redirects, no signature headers.
    pub webhooks: reqwest::Client,
    /// Cancelled by `FakeSonauto::stop`: timelines end and hung requests are released.
    pub shutdown: CancellationToken,
}
