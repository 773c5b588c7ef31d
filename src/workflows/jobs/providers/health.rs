//! A provider's health from its recent calls: healthy, degraded (a recent failure, or slow),
//! or unhealthy (several failures in a row), and the circuit breaker that opens on the
//! unhealthy edge — dispatch to the provider is held until `open_until`, then one call is let
//! through (half-open): a success closes the circuit, a failure opens it again.

use serde::Serialize;

/// Consecutive failures that open the circuit.
pub const FAILURES_TO_OPEN: i32 = 5;
/// How long an open circuit holds dispatch by default (`JOBS_CIRCUIT_OPEN_SECONDS`).
pub const OPEN_FOR_MS: i64 = 30_000;
/// Mean latency above which a provider is degraded.
pub const SLOW_MS: f64 = 5_000.0;
/// Weight of the newest call in the moving mean latency.
const LATENCY_WEIGHT: f64 = 0.2;

/// How a provider is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Healthy,
    Degraded,
    Unhealthy,
}

impl HealthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Degraded => "degraded",
            Self::Unhealthy => "unhealthy",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "degraded" => Self::Degraded,
            "unhealthy" => Self::Unhealthy,
            _ => Self::Healthy,
        }
    }

    /// Seed 002's `provider_health_status` gauge: 1, 0.5, 0.
    pub fn gauge(self) -> f64 {
        match self {
            Self::Healthy => 1.0,
            Self::Degraded => 0.5,
            Self::Unhealthy => 0.0,
        }
    }
}

/// One provider's record.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProviderHealth {
    pub provider: String,
    pub status: String,
    pub consecutive_failures: i32,
    pub total_successes: i64,
    pub total_failures: i64,
    pub avg_response_ms: Option<f64>,
    pub last_error: Option<String>,
    pub last_checked_at: Option<i64>,
    pub open_until: Option<i64>,
    pub cost_per_request: Option<f64>,
}

impl ProviderHealth {
    /// A provider never called.
    pub fn new(provider: &str) -> Self {
        Self {
            provider: provider.to_owned(),
            status: HealthStatus::Healthy.as_str().to_owned(),
            consecutive_failures: 0,
            total_successes: 0,
            total_failures: 0,
            avg_response_ms: None,
            last_error: None,
            last_checked_at: None,
            open_until: None,
            cost_per_request: None,
        }
    }

    /// The record after one more call that took `latency_ms` and failed with `error`, if it
    /// did.
    pub fn after_call(
        mut self,
        error: Option<&str>,
        latency_ms: f64,
        now: i64,
        open_for_ms: i64,
    ) -> Self {
        self.avg_response_ms = Some(match self.avg_response_ms {
            Some(mean) => mean + LATENCY_WEIGHT * (latency_ms - mean),
            None => latency_ms,
        });
        self.last_checked_at = Some(now);
        match error {
            None => {
                self.consecutive_failures = 0;
                self.total_successes += 1;
                self.open_until = None;
            }
            Some(error) => {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
                self.total_failures += 1;
                self.last_error = Some(error.to_owned());
                if self.consecutive_failures >= FAILURES_TO_OPEN {
                    self.open_until = Some(now + open_for_ms);
                }
            }
        }
        self.status = self.status_at().as_str().to_owned();
        self
    }

    fn status_at(&self) -> HealthStatus {
        if self.consecutive_failures >= FAILURES_TO_OPEN {
            HealthStatus::Unhealthy
        } else if self.consecutive_failures > 0
            || self.avg_response_ms.is_some_and(|mean| mean > SLOW_MS)
        {
            HealthStatus::Degraded
        } else {
            HealthStatus::Healthy
        }
    }

    pub fn health(&self) -> HealthStatus {
        HealthStatus::parse(&self.status)
    }

    /// Whether the circuit holds dispatch at `now`.
    pub fn is_open(&self, now: i64) -> bool {
        self.open_until.is_some_and(|until| until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_degrade_then_open_the_circuit_and_a_success_closes_it() {
        let mut health = ProviderHealth::new("replicate").after_call(None, 100.0, 0, OPEN_FOR_MS);
        assert_eq!(health.health(), HealthStatus::Healthy);
        for n in 1..FAILURES_TO_OPEN {
            health = health.after_call(Some("502"), 100.0, i64::from(n), OPEN_FOR_MS);
            assert_eq!(health.health(), HealthStatus::Degraded);
            assert!(!health.is_open(i64::from(n)));
        }
        health = health.after_call(Some("502"), 100.0, 10, OPEN_FOR_MS);
        assert_eq!(health.health(), HealthStatus::Unhealthy);
        assert!(health.is_open(10 + OPEN_FOR_MS - 1));
        assert!(
            !health.is_open(10 + OPEN_FOR_MS),
            "half-open after the hold"
        );
        health = health.after_call(Some("502"), 100.0, 10 + OPEN_FOR_MS, OPEN_FOR_MS);
        assert!(
            health.is_open(10 + OPEN_FOR_MS + 1),
            "a failed probe opens it again"
        );
        health = health.after_call(None, 100.0, 20 + 2 * OPEN_FOR_MS, OPEN_FOR_MS);
        assert_eq!(health.health(), HealthStatus::Healthy);
        assert!(!health.is_open(20 + 2 * OPEN_FOR_MS));
        assert_eq!((health.total_successes, health.total_failures), (2, 6));
    }

    #[test]
    fn a_slow_provider_is_degraded() {
        let mut health = ProviderHealth::new("replicate");
        for at in 0..20 {
            health = health.after_call(None, 9_000.0, at, OPEN_FOR_MS);
        }
        assert_eq!(health.health(), HealthStatus::Degraded);
    }
}
