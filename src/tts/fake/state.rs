//! What every request of one fake speech API shares: its fixed settings, the run-time
//! control and the stop signal.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::control::FakeTtsControl;

/// The state of one running fake.
#[derive(Debug)]
pub struct Shared {
    pub control: Arc<FakeTtsControl>,
    pub api_key: String,
    pub models: Vec<String>,
    pub sample_rate: u32,
    pub chars_per_second: f64,
    /// Cancelled by `FakeTts::stop`: delayed answers give up.
    pub stop: CancellationToken,
}
