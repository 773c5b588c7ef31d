//! Progress for people: the stage in words, the place in the queue and an ETA from recent
//! throughput. The queue snapshot is shared by every poll and refreshed at most every two
//! seconds, so a status poll stays one indexed lookup.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Mutex;
use utoipa::ToSchema;

use crate::db::{Db, DbError};
use crate::domain::submission::EntryStatus;

/// How long a queue snapshot is reused.
const SNAPSHOT_TTL: Duration = Duration::from_secs(2);
/// Pending submissions the snapshot reads at most (positions beyond show as this many).
const SNAPSHOT_LIMIT: i64 = 20_000;
/// Assumed provider time per song before any song has finished.
const DEFAULT_GENERATION_MS: f64 = 150_000.0;
/// Assumed download + render time before any song has finished.
const DEFAULT_FINISHING_MS: f64 = 20_000.0;

/// Where a submission is, in the words the waiting page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Queued,
    WritingLyrics,
    Composing,
    ProducingVideo,
    Ready,
    Failed,
}

impl Stage {
    /// The stage of a submission from its overall and provider statuses.
    pub fn of(status: EntryStatus, provider_status: Option<&str>, received: bool) -> Self {
        match status {
            EntryStatus::Pending => Self::Queued,
            EntryStatus::Success => Self::Ready,
            EntryStatus::Fail => Self::Failed,
            EntryStatus::Processing if received => Self::ProducingVideo,
            EntryStatus::Processing => match provider_status {
                Some("RECEIVED" | "PROMPT" | "TASK_SENT") | None => Self::WritingLyrics,
                Some("SUCCESS") => Self::ProducingVideo,
                Some(_) => Self::Composing,
            },
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Waiting for a free studio",
            Self::WritingLyrics => "Writing the lyrics",
            Self::Composing => "Composing your song",
            Self::ProducingVideo => "Producing your video",
            Self::Ready => "Your song is ready",
            Self::Failed => "We couldn't make this song",
        }
    }
}

/// The queue as of one moment.
#[derive(Debug)]
pub struct QueueSnapshot {
    pending_created_at: Vec<i64>,
    generation_ms: f64,
    finishing_ms: f64,
    slots: u32,
}

impl QueueSnapshot {
    /// 1-based place of a pending submission created at `created_at`.
    pub fn position(&self, created_at: i64) -> u64 {
        let ahead = self
            .pending_created_at
            .partition_point(|time| *time < created_at);
        u64::try_from(ahead).unwrap_or(u64::MAX).saturating_add(1)
    }

    /// Seconds until the video is likely ready.
    pub fn eta_seconds(
        &self,
        stage: Stage,
        position: u64,
        sent_at: Option<i64>,
        received_at: Option<i64>,
        now: i64,
    ) -> Option<u64> {
        let since = |time: Option<i64>| time.map_or(0.0, |time| (now - time).max(0) as f64);
        let remaining_ms = match stage {
            Stage::Queued => {
                let waves = position.div_ceil(u64::from(self.slots.max(1))) as f64;
                waves * self.generation_ms + self.finishing_ms
            }
            Stage::WritingLyrics | Stage::Composing => {
                (self.generation_ms - since(sent_at)).max(10_000.0) + self.finishing_ms
            }
            Stage::ProducingVideo => (self.finishing_ms - since(received_at)).max(5_000.0),
            Stage::Ready | Stage::Failed => return None,
        };
        Some((remaining_ms / 1000.0).ceil() as u64)
    }
}

/// The shared, briefly cached queue snapshot. Reads take a plain mutex just long enough to
/// clone an `Arc`; only a refresh (at most one at a time) waits on the database.
#[derive(Debug, Default)]
pub struct ProgressBoard {
    cached: std::sync::Mutex<Option<(Instant, Arc<QueueSnapshot>)>>,
    refreshing: Mutex<()>,
}

impl ProgressBoard {
    fn fresh(&self) -> Option<Arc<QueueSnapshot>> {
        let cached = self
            .cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cached
            .as_ref()
            .filter(|(taken, _)| taken.elapsed() < SNAPSHOT_TTL)
            .map(|(_, snapshot)| snapshot.clone())
    }

    /// The current snapshot, refreshed when older than two seconds.
    pub async fn snapshot(&self, db: &Db, slots: u32) -> Result<Arc<QueueSnapshot>, DbError> {
        if let Some(snapshot) = self.fresh() {
            return Ok(snapshot);
        }
        let _refresh = self.refreshing.lock().await;
        if let Some(snapshot) = self.fresh() {
            return Ok(snapshot);
        }
        let durations = db.recent_durations().await?;
        let snapshot = Arc::new(QueueSnapshot {
            pending_created_at: db.pending_created_times(SNAPSHOT_LIMIT).await?,
            generation_ms: durations.generation_ms.unwrap_or(DEFAULT_GENERATION_MS),
            finishing_ms: durations.finishing_ms.unwrap_or(DEFAULT_FINISHING_MS),
            slots,
        });
        let mut cached = self
            .cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *cached = Some((Instant::now(), snapshot.clone()));
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> QueueSnapshot {
        QueueSnapshot {
            pending_created_at: vec![10, 20, 30, 40],
            generation_ms: 100_000.0,
            finishing_ms: 20_000.0,
            slots: 2,
        }
    }

    #[test]
    fn positions_count_the_older_pending_submissions() {
        assert_eq!(snapshot().position(10), 1);
        assert_eq!(snapshot().position(30), 3);
        assert_eq!(snapshot().position(99), 5);
    }

    #[test]
    fn etas_grow_with_the_waves_ahead() {
        let queue = snapshot();
        assert_eq!(
            queue.eta_seconds(Stage::Queued, 1, None, None, 0),
            Some(120)
        );
        assert_eq!(
            queue.eta_seconds(Stage::Queued, 3, None, None, 0),
            Some(220)
        );
        assert_eq!(
            queue.eta_seconds(Stage::Composing, 0, Some(0), None, 40_000),
            Some(80)
        );
        assert_eq!(queue.eta_seconds(Stage::Ready, 0, None, None, 0), None);
    }

    #[test]
    fn stages_follow_the_provider() {
        assert_eq!(
            Stage::of(EntryStatus::Processing, Some("PROMPT"), false),
            Stage::WritingLyrics
        );
        assert_eq!(
            Stage::of(EntryStatus::Processing, Some("GENERATING"), false),
            Stage::Composing
        );
        assert_eq!(
            Stage::of(EntryStatus::Processing, Some("SAVING"), true),
            Stage::ProducingVideo
        );
        assert_eq!(Stage::of(EntryStatus::Pending, None, false), Stage::Queued);
    }
}
