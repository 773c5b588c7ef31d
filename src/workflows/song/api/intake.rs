//! Admission of submissions, so a burst cannot exhaust memory or CPU. At most
//! `MAX_CONCURRENT_SUBMISSIONS` submissions are handled at once per process (each may hold a
//! 7 MB body and its decoded photo); one more is shed at once with 503 `server_busy` and
//! `Retry-After`, before its body is read. Photo decodes run on the blocking pool, at most
//! a fixed number at a time, and each decode holds its permit itself: a request that times out
//! or is abandoned cannot free a slot while its decode still runs.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{ApiError, ApiResult};

/// What a shed client is told to wait before trying again.
pub const BUSY_RETRY_AFTER: Duration = Duration::from_secs(5);

/// The two bounds: submissions in flight, and photo decodes running.
#[derive(Debug, Clone)]
pub struct SubmissionGate {
    in_flight: Arc<Semaphore>,
    decodes: Arc<Semaphore>,
}

impl SubmissionGate {
    /// A gate admitting `max_in_flight` submissions and running `max_decodes` decodes at once
    /// (each at least 1).
    pub fn new(max_in_flight: usize, max_decodes: usize) -> Self {
        Self {
            in_flight: Arc::new(Semaphore::new(max_in_flight.max(1))),
            decodes: Arc::new(Semaphore::new(max_decodes.max(1))),
        }
    }

    /// Admits one submission for as long as the returned permit lives, or answers 503.
    pub fn admit(&self) -> ApiResult<OwnedSemaphorePermit> {
        self.in_flight
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::Overloaded {
                retry_after: BUSY_RETRY_AFTER,
            })
    }

    /// Runs `work` on the blocking pool once a decode permit is free. The permit moves into
    /// the blocking task and is released when `work` returns, whatever became of the caller.
    pub async fn run_bounded<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = self.decodes.clone().acquire_owned().await?;
        let output = tokio::task::spawn_blocking(move || {
            let output = work();
            drop(permit);
            output
        })
        .await?;
        Ok(output)
    }

    /// Decode permits free now.
    pub fn idle_decoders(&self) -> usize {
        self.decodes.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submissions_beyond_the_cap_are_shed_with_a_retry_hint() {
        let gate = SubmissionGate::new(2, 1);
        let first = gate.admit().unwrap();
        let _second = gate.admit().unwrap();
        let shed = gate.admit().unwrap_err();
        assert_eq!(shed.code(), "server_busy");
        assert_eq!(shed.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        drop(first);
        assert!(gate.admit().is_ok());
    }

    #[tokio::test]
    async fn a_decode_keeps_its_permit_after_its_request_is_gone() {
        let gate = SubmissionGate::new(4, 1);
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let request = tokio::spawn({
            let gate = gate.clone();
            async move {
                gate.run_bounded(move || {
                    let _ = started_tx.send(());
                    let _ = release_rx.recv();
                })
                .await
            }
        });
        started_rx.await.unwrap();
        request.abort();
        assert!(request.await.unwrap_err().is_cancelled());
        assert_eq!(gate.idle_decoders(), 0, "the running decode still holds it");

        release_tx.send(()).unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while gate.idle_decoders() == 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "permit never returned"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[tokio::test]
    async fn decodes_beyond_the_bound_wait_their_turn() {
        let gate = SubmissionGate::new(4, 1);
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let first = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run_bounded(move || release_rx.recv().is_ok()).await }
        });
        while gate.idle_decoders() != 0 {
            tokio::task::yield_now().await;
        }
        let second = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run_bounded(|| 7).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!second.is_finished(), "ran while the only decoder was busy");
        release_tx.send(()).unwrap();
        assert!(first.await.unwrap().unwrap());
        assert_eq!(second.await.unwrap().unwrap(), 7);
    }
}
