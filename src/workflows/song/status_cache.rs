//! A small per-id cache of status-poll rows, so the waiting page's polling (and a crowd of
//! shared links) does not become one database read per request. Rows of submissions still in
//! progress live [`LIVE_TTL`]: a status change is visible to pollers within that time, in every
//! process. Terminal rows (success, fail) never change and live [`TERMINAL_TTL`]. The cache
//! holds at most `capacity` rows: two generations of half that size, the older one dropped
//! whole when the newer fills, so neither a lookup nor an insert ever scans the map.
//! Only the row is cached; queue position and ETA are computed per request, so they keep
//! moving.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::submission::EntryStatus;
use crate::workflows::song::store::submissions::StatusRow;

/// Longest a cached row of an unfinished submission is served.
pub const LIVE_TTL: Duration = Duration::from_secs(1);
/// Longest a cached row of a finished submission is served.
pub const TERMINAL_TTL: Duration = Duration::from_secs(600);
/// Rows kept at most by the service's cache.
pub const DEFAULT_CAPACITY: usize = 20_000;

#[derive(Debug, Clone)]
struct Entry {
    row: StatusRow,
    expires: Instant,
}

#[derive(Debug, Default)]
struct Generations {
    current: HashMap<String, Entry>,
    previous: HashMap<String, Entry>,
}

/// Status rows by session id, each with an expiry.
#[derive(Debug)]
pub struct StatusCache {
    generations: Mutex<Generations>,
    generation_size: usize,
}

impl Default for StatusCache {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl StatusCache {
    /// A cache holding at most `capacity` rows (at least 2).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            generations: Mutex::new(Generations::default()),
            generation_size: (capacity / 2).max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        self.generations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached row of `session_id`, if one is still fresh at `now`.
    pub fn get(&self, session_id: &str, now: Instant) -> Option<StatusRow> {
        let generations = self.lock();
        generations
            .current
            .get(session_id)
            .or_else(|| generations.previous.get(session_id))
            .filter(|entry| now < entry.expires)
            .map(|entry| entry.row.clone())
    }

    /// Remembers `row`, read from the database at `now`.
    pub fn insert(&self, row: StatusRow, now: Instant) {
        let ttl = if EntryStatus::from_column(&row.entry_status).is_terminal() {
            TERMINAL_TTL
        } else {
            LIVE_TTL
        };
        let key = row.session_id.clone();
        let entry = Entry {
            row,
            expires: now + ttl,
        };
        let mut generations = self.lock();
        generations.previous.remove(&key);
        if generations.current.len() >= self.generation_size
            && !generations.current.contains_key(&key)
        {
            let full = std::mem::take(&mut generations.current);
            generations.previous = full;
        }
        generations.current.insert(key, entry);
    }

    /// Rows held now, fresh or not.
    pub fn len(&self) -> usize {
        let generations = self.lock();
        generations.current.len() + generations.previous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, status: &str) -> StatusRow {
        StatusRow {
            session_id: id.into(),
            created_at: 0,
            entry_status: status.into(),
            provider_status: None,
            sent_to_llm: None,
            received_from_llm: None,
        }
    }

    #[test]
    fn an_unfinished_row_expires_after_the_live_ttl() {
        let cache = StatusCache::default();
        let start = Instant::now();
        cache.insert(row("a", "pending"), start);
        assert_eq!(
            cache.get("a", start + LIVE_TTL / 2).unwrap().entry_status,
            "pending"
        );
        assert!(cache.get("a", start + LIVE_TTL).is_none());
    }

    #[test]
    fn a_finished_row_lives_longer() {
        let cache = StatusCache::default();
        let start = Instant::now();
        cache.insert(row("a", "success"), start);
        assert!(cache.get("a", start + LIVE_TTL * 10).is_some());
        assert!(cache.get("a", start + TERMINAL_TTL).is_none());
    }

    #[test]
    fn a_newer_row_replaces_the_older_one() {
        let cache = StatusCache::default();
        let start = Instant::now();
        cache.insert(row("a", "pending"), start);
        let later = start + LIVE_TTL;
        cache.insert(row("a", "processing"), later);
        assert_eq!(cache.get("a", later).unwrap().entry_status, "processing");
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn the_cache_never_holds_more_than_its_capacity() {
        let cache = StatusCache::with_capacity(100);
        let now = Instant::now();
        for n in 0..1_000 {
            cache.insert(row(&format!("id{n}"), "success"), now);
            assert!(cache.len() <= 100, "{} rows after {n}", cache.len());
        }
        assert!(cache.get("id999", now).is_some());
        assert!(cache.get("id0", now).is_none());
    }

    #[test]
    fn a_row_refreshed_from_the_older_generation_is_not_counted_twice() {
        let cache = StatusCache::with_capacity(4);
        let now = Instant::now();
        for id in ["a", "b", "c"] {
            cache.insert(row(id, "pending"), now);
        }
        cache.insert(row("a", "processing"), now);
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get("a", now).unwrap().entry_status, "processing");
    }
}
