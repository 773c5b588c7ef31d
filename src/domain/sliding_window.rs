//! Sliding-window rate arithmetic: the previous fixed window's hits are weighted by how much
//! of it still overlaps the last hour, so a client cannot double its budget at a boundary.

use std::time::Duration;

/// A limit of `limit` hits per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlidingWindow {
    pub limit: u32,
    pub window_ms: i64,
}

impl SlidingWindow {
    /// Start of the fixed window containing `now_ms`.
    pub fn current_start(&self, now_ms: i64) -> i64 {
        now_ms - now_ms.rem_euclid(self.window_ms)
    }

    /// Share of the previous window still counted at `now_ms`, in `[0, 1]`.
    fn previous_weight(&self, now_ms: i64) -> f64 {
        let elapsed = (now_ms - self.current_start(now_ms)) as f64;
        1.0 - elapsed / self.window_ms as f64
    }

    /// How many hits the current window may hold at `now_ms`, given the previous window's.
    pub fn current_allowance(&self, previous_hits: u32, now_ms: i64) -> u32 {
        let carried = (f64::from(previous_hits) * self.previous_weight(now_ms)).floor();
        let carried = carried.clamp(0.0, f64::from(self.limit)) as u32;
        self.limit - carried
    }

    /// How long until one more hit would be allowed, given both windows' counts. A hit fits
    /// when `floor(previous × weight) < limit − current`, and the weight falls linearly.
    pub fn retry_after(&self, previous_hits: u32, current_hits: u32, now_ms: i64) -> Duration {
        let window = self.window_ms as f64;
        let limit = f64::from(self.limit);
        let current_start = self.current_start(now_ms) as f64;
        let fits_at = if current_hits < self.limit && previous_hits > 0 {
            let weight = (limit - f64::from(current_hits)) / f64::from(previous_hits);
            current_start + (1.0 - weight.min(1.0)) * window
        } else {
            // This window is full; in the next one it becomes the weighted previous window.
            let weight = limit / f64::from(current_hits.max(1));
            current_start + window + (1.0 - weight.min(1.0)) * window
        };
        let wait_ms = (fits_at - now_ms as f64 + 1.0).max(0.0);
        Duration::from_secs((wait_ms / 1000.0).ceil().max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn an_empty_history_allows_the_whole_limit() {
        let window = SlidingWindow {
            limit: 20,
            window_ms: HOUR,
        };
        assert_eq!(window.current_allowance(0, 5 * HOUR + 10), 20);
    }

    #[test]
    fn the_previous_window_counts_in_proportion_to_its_overlap() {
        let window = SlidingWindow {
            limit: 20,
            window_ms: HOUR,
        };
        assert_eq!(window.current_allowance(20, 5 * HOUR), 0);
        assert_eq!(window.current_allowance(20, 5 * HOUR + HOUR / 2), 10);
        assert_eq!(window.current_allowance(20, 6 * HOUR - 1), 20);
    }

    /// Whether one more hit fits at `at`, given hits per fixed window start.
    fn fits(window: SlidingWindow, hits: &[(i64, u32)], at: i64) -> bool {
        let start = window.current_start(at);
        let count = |window_start: i64| {
            hits.iter()
                .find(|(s, _)| *s == window_start)
                .map_or(0, |(_, n)| *n)
        };
        count(start) < window.current_allowance(count(start - window.window_ms), at)
    }

    #[test]
    fn retry_after_points_at_the_moment_a_hit_fits_again() {
        let window = SlidingWindow {
            limit: 20,
            window_ms: HOUR,
        };
        for (hits, now) in [
            (vec![(5 * HOUR, 20)], 5 * HOUR + HOUR / 4),
            (vec![(4 * HOUR, 30), (5 * HOUR, 5)], 5 * HOUR + 60_000),
            (vec![(4 * HOUR, 10), (5 * HOUR, 20)], 5 * HOUR + HOUR / 2),
        ] {
            let previous = hits
                .iter()
                .find(|(s, _)| *s == 4 * HOUR)
                .map_or(0, |(_, n)| *n);
            let current = hits
                .iter()
                .find(|(s, _)| *s == 5 * HOUR)
                .map_or(0, |(_, n)| *n);
            assert!(!fits(window, &hits, now));
            let wait =
                i64::try_from(window.retry_after(previous, current, now).as_millis()).unwrap();
            assert!(
                fits(window, &hits, now + wait),
                "{hits:?} not allowed after {wait} ms"
            );
            assert!(
                !fits(window, &hits, now + wait - 2_000),
                "{hits:?} allowed before {wait} ms"
            );
        }
    }
}
