//! Retry delays: the spec's schedule (10 s → 30 s → 60 s, then the last step repeated) with
//! ±20 % jitter so retries of a burst spread out; a provider's `Retry-After` is a floor, capped
//! at [`MAX_RETRY_AFTER`] so a hostile or broken header cannot park a job for ever. Transient
//! faults that spend no attempt back off exponentially from the schedule's first step.

use std::time::Duration;

use rand::RngExt;

/// Share of each delay added or removed at random.
const JITTER: f64 = 0.2;

/// The longest wait a provider's `Retry-After` may impose.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// Doublings of the first schedule step a run of transient faults goes through.
const MAX_DOUBLINGS: u32 = 6;

/// `Retry-After`, capped at [`MAX_RETRY_AFTER`].
pub fn capped(retry_after: Option<Duration>) -> Duration {
    retry_after.unwrap_or_default().min(MAX_RETRY_AFTER)
}

/// Delay before the retry that follows failed attempt number `attempt` (1-based).
pub fn retry_delay(schedule: &[Duration], attempt: i32, retry_after: Option<Duration>) -> Duration {
    let index = usize::try_from(attempt.max(1) - 1).unwrap_or(0);
    let base = schedule
        .get(index)
        .or_else(|| schedule.last())
        .copied()
        .unwrap_or(Duration::from_secs(10));
    with_jitter(base).max(capped(retry_after))
}

/// Delay before the next try after `streak` transient faults in a row (0 for the first):
/// the schedule's first step doubled per fault, never above its last step, with jitter;
/// `retry_after` (capped) is a floor.
pub fn transient_delay(
    schedule: &[Duration],
    streak: u32,
    retry_after: Option<Duration>,
) -> Duration {
    let first = schedule.first().copied().unwrap_or(Duration::from_secs(10));
    let ceiling = schedule.last().copied().unwrap_or(first).max(first);
    let base = first
        .saturating_mul(1 << streak.min(MAX_DOUBLINGS))
        .min(ceiling);
    with_jitter(base).max(capped(retry_after))
}

fn with_jitter(base: Duration) -> Duration {
    let factor = 1.0 + rand::rng().random_range(-JITTER..=JITTER);
    base.mul_f64(factor)
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

    #[test]
    fn a_huge_retry_after_is_capped() {
        let huge = Some(Duration::from_secs(u64::MAX));
        assert_eq!(retry_delay(&spec_schedule(), 1, huge), MAX_RETRY_AFTER);
        assert_eq!(transient_delay(&spec_schedule(), 0, huge), MAX_RETRY_AFTER);
    }

    #[test]
    fn transient_delays_double_up_to_the_last_step() {
        for (streak, base) in [(0, 10.0), (1, 20.0), (2, 40.0), (3, 60.0), (40, 60.0)] {
            for _ in 0..50 {
                let delay = transient_delay(&spec_schedule(), streak, None).as_secs_f64();
                assert!(
                    delay >= base * 0.8 - 1e-9 && delay <= base * 1.2 + 1e-9,
                    "{streak}: {delay}"
                );
            }
        }
    }
}
