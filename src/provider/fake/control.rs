//! Run-time control of the fake: [`FakeControl`] applies a [`Scenario`], reads the counters
//! ([`FakeStats`]), and guards the shared state (generations, credits) behind one lock.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::config::{FakeSonautoConfig, WebhookBody, WebhookMode};
use super::generation::Generation;
use super::scenario::{Fault, FaultBurst, ForcedFailures, Scenario};

/// Counters since start or the last reset (`in_flight` is a gauge and survives resets).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FakeStats {
    /// Every POST to `/v1/generations/v3`, whatever its answer.
    pub posts: u64,
    /// POSTs that created a generation.
    pub accepted: u64,
    /// Accepted generations not yet SUCCESS/FAILURE.
    pub in_flight: u64,
    /// The largest `in_flight` seen.
    pub max_in_flight: u64,
    /// Generations that reached SUCCESS.
    pub succeeded: u64,
    /// Generations that reached FAILURE.
    pub failed: u64,
    /// Webhooks answered with a 2xx.
    pub webhooks_sent: u64,
    /// Webhooks that got a non-2xx or no answer.
    pub webhooks_failed: u64,
    /// Webhooks deliberately not sent (drop mode).
    pub webhooks_dropped: u64,
    /// Requests to `GET /v1/generations/status/{id}`.
    pub status_gets: u64,
    /// Requests to `GET /v1/generations/{id}`.
    pub generation_gets: u64,
    /// Requests to `GET /v1/credits/balance`.
    pub credit_gets: u64,
    /// Requests to the CDN.
    pub cdn_gets: u64,
    /// CDN requests that carried an `Authorization` header (a client bug: must stay 0).
    pub cdn_requests_with_authorization: u64,
    /// `/v1` requests refused for a missing or wrong key.
    pub unauthorized: u64,
}

/// The credits balance, as `GET /v1/credits/balance` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Subscription credits, spent first.
    pub num_credits: u64,
    /// Pay-as-you-go credits.
    pub num_credits_payg: u64,
}

impl Balance {
    /// Usable credits: both kinds together.
    pub fn total(self) -> u64 {
        self.num_credits.saturating_add(self.num_credits_payg)
    }

    /// Charges `amount`, subscription credits first.
    pub fn charge(&mut self, amount: u64) {
        let from_subscription = amount.min(self.num_credits);
        self.num_credits -= from_subscription;
        self.num_credits_payg = self
            .num_credits_payg
            .saturating_sub(amount - from_subscription);
    }
}

/// How long a generation takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Timing {
    StepMillis(u64),
    GenerationSeconds(f64),
}

impl Timing {
    /// The delay before each of `steps` status changes.
    pub(super) fn step_delay(self, steps: usize) -> Duration {
        match self {
            Self::StepMillis(millis) => Duration::from_millis(millis),
            Self::GenerationSeconds(seconds) => {
                Duration::try_from_secs_f64(seconds.max(0.0) / steps.max(1) as f64)
                    .unwrap_or(Duration::ZERO)
            }
        }
    }
}

/// Everything a [`Scenario`] can change.
#[derive(Debug, Clone)]
pub(super) struct Behaviour {
    pub timing: Timing,
    pub post_faults: Option<FaultBurst>,
    pub get_faults: Option<FaultBurst>,
    pub read_outage_until: Option<std::time::Instant>,
    pub cdn_faults: Option<FaultBurst>,
    pub failures: Option<ForcedFailures>,
    pub fail_ratio: f64,
    pub webhook_mode: WebhookMode,
    pub webhook_body: WebhookBody,
    pub duplicate_webhooks: bool,
    pub out_of_order_webhooks: bool,
    pub drop_webhooks: f64,
    pub cdn_ttl: Duration,
}

impl Behaviour {
    /// Takes one forced failure, if any is left: its error message.
    pub(super) fn take_forced_failure(&mut self) -> Option<String> {
        let failures = self
            .failures
            .as_mut()
            .filter(|failures| failures.count > 0)?;
        failures.count -= 1;
        Some(failures.error_message.clone())
    }
}

/// The mutable state of the fake, under [`FakeControl`]'s lock.
#[derive(Debug)]
pub(super) struct Inner {
    pub behaviour: Behaviour,
    pub stats: FakeStats,
    pub balance: Balance,
    pub generations: HashMap<String, Generation>,
}

impl Inner {
    /// The fault a GET gets now: a clock-bound outage first, then a counted burst.
    pub(super) fn take_get_fault(&mut self) -> Option<Fault> {
        let outage = self
            .behaviour
            .read_outage_until
            .is_some_and(|until| std::time::Instant::now() < until);
        if outage {
            return Some(Fault::status(503));
        }
        Self::take_fault(&mut self.behaviour.get_faults)
    }

    /// Takes one fault from a burst, if any is left.
    pub(super) fn take_fault(burst: &mut Option<FaultBurst>) -> Option<Fault> {
        let current = burst.as_mut().filter(|burst| burst.count > 0)?;
        current.count -= 1;
        Some(current.fault.clone())
    }
}

/// Changes the fake's behaviour while it runs and reads its counters.
#[derive(Debug)]
pub struct FakeControl {
    inner: Mutex<Inner>,
}

impl FakeControl {
    pub(super) fn new(config: &FakeSonautoConfig) -> Self {
        let timing = match config.generation_seconds {
            Some(seconds) => Timing::GenerationSeconds(seconds),
            None => Timing::StepMillis(config.step_millis),
        };
        let behaviour = Behaviour {
            timing,
            post_faults: None,
            get_faults: None,
            read_outage_until: None,
            cdn_faults: None,
            failures: None,
            fail_ratio: config.fail_ratio,
            webhook_mode: config.webhook_mode,
            webhook_body: config.webhook_body,
            duplicate_webhooks: config.duplicate_webhooks,
            out_of_order_webhooks: config.out_of_order_webhooks,
            drop_webhooks: config.drop_webhooks,
            cdn_ttl: Duration::from_secs(config.cdn_ttl_hours.saturating_mul(3600)),
        };
        Self {
            inner: Mutex::new(Inner {
                behaviour,
                stats: FakeStats::default(),
                balance: Balance {
                    num_credits: config.initial_credits,
                    num_credits_payg: 0,
                },
                generations: HashMap::new(),
            }),
        }
    }

    /// Runs `f` under the lock (never held across an `.await`).
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut inner)
    }

    /// Applies every field `scenario` sets; generations already running pick up timing and
    /// webhook changes at their next step.
    pub fn set_scenario(&self, scenario: Scenario) {
        self.with(|inner| {
            let behaviour = &mut inner.behaviour;
            if let Some(millis) = scenario.step_millis {
                behaviour.timing = Timing::StepMillis(millis);
            }
            if let Some(seconds) = scenario.generation_seconds {
                behaviour.timing = Timing::GenerationSeconds(seconds);
            }
            set(&mut behaviour.post_faults, scenario.post_faults.map(Some));
            set(&mut behaviour.get_faults, scenario.get_faults.map(Some));
            set(&mut behaviour.cdn_faults, scenario.cdn_faults.map(Some));
            if let Some(seconds) = scenario.read_outage_seconds {
                behaviour.read_outage_until = Duration::try_from_secs_f64(seconds)
                    .ok()
                    .filter(|length| !length.is_zero())
                    .map(|length| std::time::Instant::now() + length);
            }
            set(&mut behaviour.failures, scenario.failures.map(Some));
            set(&mut behaviour.fail_ratio, scenario.fail_ratio);
            set(&mut behaviour.webhook_mode, scenario.webhook_mode);
            set(&mut behaviour.webhook_body, scenario.webhook_body);
            set(
                &mut behaviour.duplicate_webhooks,
                scenario.duplicate_webhooks,
            );
            set(
                &mut behaviour.out_of_order_webhooks,
                scenario.out_of_order_webhooks,
            );
            set(&mut behaviour.drop_webhooks, scenario.drop_webhooks);
            set(
                &mut behaviour.cdn_ttl,
                scenario.cdn_ttl_seconds.map(Duration::from_secs),
            );
            set(&mut inner.balance.num_credits, scenario.credits);
            set(&mut inner.balance.num_credits_payg, scenario.payg_credits);
        });
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> FakeStats {
        self.with(|inner| inner.stats)
    }

    /// Zeroes the counters; `in_flight` keeps its value and `max_in_flight` restarts from it.
    pub fn reset_stats(&self) {
        self.with(|inner| {
            let in_flight = inner.stats.in_flight;
            inner.stats = FakeStats {
                in_flight,
                max_in_flight: in_flight,
                ..FakeStats::default()
            };
        });
    }

    /// The current credits balance.
    pub fn balance(&self) -> Balance {
        self.with(|inner| inner.balance)
    }

    /// The wire status of a generation, if it exists.
    pub fn generation_status(&self, task_id: &str) -> Option<&'static str> {
        self.with(|inner| {
            inner
                .generations
                .get(task_id)
                .map(|generation| generation.status.as_str())
        })
    }
}

fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *target = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_take_subscription_credits_first() {
        let mut balance = Balance {
            num_credits: 50,
            num_credits_payg: 200,
        };
        balance.charge(100);
        assert_eq!(
            balance,
            Balance {
                num_credits: 0,
                num_credits_payg: 150
            }
        );
    }

    #[test]
    fn a_fault_burst_runs_out() {
        let mut burst = Some(FaultBurst {
            count: 2,
            fault: Fault::status(500),
        });
        assert_eq!(Inner::take_fault(&mut burst), Some(Fault::status(500)));
        assert_eq!(Inner::take_fault(&mut burst), Some(Fault::status(500)));
        assert_eq!(Inner::take_fault(&mut burst), None);
    }

    #[test]
    fn generation_time_is_spread_over_the_steps() {
        let delay = Timing::GenerationSeconds(8.0).step_delay(8);
        assert_eq!(delay, Duration::from_secs(1));
    }
}
