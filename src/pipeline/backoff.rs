//! Retry delays: the spec's schedule (10 s → 30 s → 60 s, then the last step repeated) with
//! ±20 % jitter so retries of a burst spread out; a provider's `Retry-After` is a floor.

use std::time::Duration;

use rand::RngExt;

/// Share of each delay added or removed at random.
const JITTER: f64 = 0.2;

/// Delay before the retry that follows failed attempt number `attempt` (1-based).
pub fn retry_delay(schedule: &[Duration], attempt: i32, retry_after: Option<Duration>) -> Duration {
    let index = usize::try_from(attempt.max(1) - 1).unwrap_or(0);
    let base = schedule
        .get(index)
        .or_else(|| schedule.last())
        .copied()
        .unwrap_or(Duration::from_secs(10));
    let factor = 1.0 + rand::rng().random_range(-JITTER..=JITTER);
    base.mul_f64(factor).max(retry_after.unwrap_or_default())
}

/// `base` plus up to `spread` of random extra, so snoozing jobs do not wake in lockstep.
pub fn jittered(base: Duration, spread: Duration) -> Duration {
    base + spread.mul_f64(rand::rng().random_range(0.0..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_schedule() -> Vec<Duration> {
        [10, 30, 60].map(Duration::from_secs).to_vec()
    }

    #[test]
    fn delays_follow_the_schedule_within_the_jitter() {
        for (attempt, base) in [(1, 10.0), (2, 30.0), (3, 60.0), (7, 60.0)] {
            for _ in 0..50 {
                let delay = retry_delay(&spec_schedule(), attempt, None).as_secs_f64();
                assert!(
                    delay >= base * 0.8 - 1e-9 && delay <= base * 1.2 + 1e-9,
                    "{attempt}: {delay}"
                );
            }
        }
    }

    #[test]
    fn retry_after_is_a_floor() {
        let delay = retry_delay(&spec_schedule(), 1, Some(Duration::from_secs(120)));
        assert_eq!(delay, Duration::from_secs(120));
    }
}
