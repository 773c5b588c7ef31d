//! Run-time control of the fake Replicate: [`FakeReplicateControl`] applies a [`Scenario`],
//! reads the counters ([`FakeReplicateStats`]) and guards the predictions behind one lock.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::config::FakeReplicateConfig;
use super::prediction::FakePrediction;
use super::scenario::{Fault, FaultBurst, ForcedFailures, Scenario};

/// Counters since start or the last reset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FakeReplicateStats {
    /// Every create request, whatever its answer.
    pub creates: u64,
    /// Creates that started a prediction.
    pub accepted: u64,
    /// Creates refused for their body (400/422).
    pub rejected: u64,
    /// Reads of a prediction.
    pub gets: u64,
    /// Cancel requests.
    pub cancels: u64,
    /// Reads of the webhook secret.
    pub secret_gets: u64,
    /// Predictions that ended `succeeded`, `failed` or `canceled`.
    pub succeeded: u64,
    pub failed: u64,
    pub canceled: u64,
    /// Webhook deliveries answered with a 2xx (a retry that succeeds counts once).
    pub webhooks_sent: u64,
    /// Webhook attempts that got a non-2xx or no answer.
    pub webhook_attempts_failed: u64,
    /// Webhook deliveries deliberately not sent.
    pub webhooks_lost: u64,
    /// Requests for output files, and those refused because the file expired or is unknown.
    pub file_gets: u64,
    pub file_misses: u64,
    /// `/v1` requests refused for a missing or wrong token.
    pub unauthorized: u64,
}

/// Everything a [`Scenario`] can change.
#[derive(Debug, Clone)]
pub(super) struct Behaviour {
    pub starting: Duration,
    pub generation: Duration,
    pub output_ttl: Duration,
    pub create_faults: Option<FaultBurst>,
    pub get_faults: Option<FaultBurst>,
    pub failures: Option<ForcedFailures>,
    pub lose_webhooks: u32,
    pub duplicate_webhooks: bool,
}

impl Behaviour {
    /// Takes one forced failure, if any is left: its error.
    pub(super) fn take_forced_failure(&mut self) -> Option<String> {
        let failures = self.failures.as_mut().filter(|f| f.count > 0)?;
        failures.count -= 1;
        Some(failures.error.clone())
    }

    /// True when the next webhook must be lost (and counts it down).
    pub(super) fn take_lost_webhook(&mut self) -> bool {
        let lose = self.lose_webhooks > 0;
        self.lose_webhooks = self.lose_webhooks.saturating_sub(1);
        lose
    }
}

/// Takes one fault from a burst, if any is left.
pub(super) fn take_fault(burst: &mut Option<FaultBurst>) -> Option<Fault> {
    let current = burst.as_mut().filter(|burst| burst.count > 0)?;
    current.count -= 1;
    Some(current.fault.clone())
}

/// The mutable state of the fake, under [`FakeReplicateControl`]'s lock.
#[derive(Debug)]
pub(super) struct Inner {
    pub behaviour: Behaviour,
    pub stats: FakeReplicateStats,
    pub predictions: HashMap<String, FakePrediction>,
}

/// Changes the fake's behaviour while it runs and reads its state.
#[derive(Debug)]
pub struct FakeReplicateControl {
    inner: Mutex<Inner>,
}

impl FakeReplicateControl {
    pub(super) fn new(config: &FakeReplicateConfig) -> Self {
        let behaviour = Behaviour {
            starting: Duration::from_millis(config.starting_millis),
            generation: Duration::from_millis(config.generation_millis),
            output_ttl: Duration::from_secs(config.output_ttl_seconds),
            create_faults: None,
            get_faults: None,
            failures: None,
            lose_webhooks: 0,
            duplicate_webhooks: false,
        };
        Self {
            inner: Mutex::new(Inner {
                behaviour,
                stats: FakeReplicateStats::default(),
                predictions: HashMap::new(),
            }),
        }
    }

    /// Runs `f` under the lock (never held across an `.await`).
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut inner)
    }

    /// Applies every field `scenario` sets. Running predictions use the new timing from
    /// their next step, and the new lifetime at once.
    pub fn set_scenario(&self, scenario: Scenario) {
        self.with(|inner| {
            let behaviour = &mut inner.behaviour;
            if scenario.create_faults.is_some() {
                behaviour.create_faults = scenario.create_faults;
            }
            if scenario.get_faults.is_some() {
                behaviour.get_faults = scenario.get_faults;
            }
            if scenario.failures.is_some() {
                behaviour.failures = scenario.failures;
            }
            if let Some(count) = scenario.lose_webhooks {
                behaviour.lose_webhooks = count;
            }
            if let Some(duplicate) = scenario.duplicate_webhooks {
                behaviour.duplicate_webhooks = duplicate;
            }
            if let Some(millis) = scenario.starting_millis {
                behaviour.starting = Duration::from_millis(millis);
            }
            if let Some(millis) = scenario.generation_millis {
                behaviour.generation = Duration::from_millis(millis);
            }
            if let Some(seconds) = scenario.output_ttl_seconds {
                behaviour.output_ttl = Duration::from_secs(seconds);
            }
        });
    }

    /// The next `count` creates answer `fault`.
    pub fn fail_next_creates(&self, count: u32, fault: Fault) {
        self.set_scenario(Scenario::create_faults(count, fault));
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> FakeReplicateStats {
        self.with(|inner| inner.stats)
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.with(|inner| inner.stats = FakeReplicateStats::default());
    }

    /// The wire status of a prediction, if it exists.
    pub fn prediction_status(&self, id: &str) -> Option<&'static str> {
        self.with(|inner| inner.predictions.get(id).map(|p| p.status.as_str()))
    }

    /// The ids of every prediction the fake accepted, in no particular order.
    pub fn prediction_ids(&self) -> Vec<String> {
        self.with(|inner| inner.predictions.keys().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_failures_and_lost_webhooks_run_out() {
        let control = FakeReplicateControl::new(&FakeReplicateConfig::default());
        control.fail_next_creates(1, Fault::status(500));
        control.set_scenario(Scenario {
            lose_webhooks: Some(1),
            ..Scenario::failures(1, "boom")
        });
        control.with(|inner| {
            let behaviour = &mut inner.behaviour;
            assert_eq!(
                take_fault(&mut behaviour.create_faults),
                Some(Fault::status(500))
            );
            assert_eq!(take_fault(&mut behaviour.create_faults), None);
            assert_eq!(behaviour.take_forced_failure().as_deref(), Some("boom"));
            assert_eq!(behaviour.take_forced_failure(), None);
            assert!(behaviour.take_lost_webhook());
            assert!(!behaviour.take_lost_webhook());
        });
    }
}
