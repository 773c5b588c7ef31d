//! The metric catalogue: every name and help text in one place, the registry they live in, and
//! the Prometheus text rendering served at `/metrics`. Every label that comes from request data
//! is drawn from a fixed set, so a client cannot grow the series count: HTTP routes are the
//! matched route template (never the raw path), methods outside the standard ones count as
//! `OTHER`, and callback statuses the provider does not document count as `OTHER`.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

pub mod jobs;

use self::jobs::{EndpointLabels, JobsMetrics};

/// Labels of an answered HTTP request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

/// Labels of an HTTP latency observation.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

/// Labels of a rejected submission.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: String,
}

/// Labels of a submission-status gauge.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabels {
    pub status: String,
}

/// Labels of a pipeline step run.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StepLabels {
    pub kind: String,
    pub result: String,
}

/// Labels of a provider API call.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    pub call: String,
}

/// Labels of a provider API error.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallErrorLabels {
    pub call: String,
    pub error: String,
}

/// Labels of a received webhook.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WebhookLabels {
    pub status: String,
    pub duplicate: bool,
}

/// Labels of a job-state gauge.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobStateLabels {
    pub kind: String,
    pub state: String,
}

/// The methods counted under their own name; any other is `OTHER`.
const COUNTED_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
];

/// The provider's documented callback statuses (plus `UNKNOWN` for a body without one); any
/// other is `OTHER`.
const COUNTED_WEBHOOK_STATUSES: [&str; 13] = [
    "RECEIVED",
    "PROMPT",
    "TASK_SENT",
    "GENERATE_TASK_STARTED",
    "BEGINNING_GENERATION",
    "GENERATING",
    "GENERATING_STREAMING_READY",
    "DECOMPRESSING",
    "SAVING",
    "SUCCESS",
    "FAILURE",
    "REQUESTED",
    "UNKNOWN",
];

/// `value` when it is one of `known`, otherwise `OTHER`.
fn bounded(value: &str, known: &[&'static str]) -> &'static str {
    known
        .iter()
        .find(|candidate| **candidate == value)
        .copied()
        .unwrap_or("OTHER")
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.5, 12))
}

fn step_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 2.5, 14))
}

/// Every metric the service exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_request_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub submissions_accepted: Counter,
    pub submissions_rejected: Family<ReasonLabels, Counter>,
    pub submissions_by_status: Family<StatusLabels, Gauge>,
    pub live_workers: Gauge,
    pub step_duration: Family<StepLabels, Histogram, fn() -> Histogram>,
    pub provider_latency: Family<CallLabels, Histogram, fn() -> Histogram>,
    pub provider_errors: Family<CallErrorLabels, Counter>,
    pub webhooks: Family<WebhookLabels, Counter>,
    pub jobs_by_state: Family<JobStateLabels, Gauge>,
    pub oldest_pending_seconds: Gauge,
    pub provider_slots_in_use: Gauge,
    pub provider_credits: Gauge,
    /// 1 while dispatch is paused by an account-level refusal.
    pub provider_paused: Gauge,
    /// POSTs sent again after an unanswered one (each may have billed twice).
    pub provider_possible_duplicates: Gauge,
    /// Seed 002's names for the jobs API.
    pub jobs: JobsMetrics,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered",
            http_requests.clone(),
        );
        let http_request_duration =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "http_request_duration_seconds",
            "Time to produce an HTTP response",
            http_request_duration.clone(),
        );
        let jobs = JobsMetrics::register(&mut registry);
        let submissions_accepted = Counter::default();
        registry.register(
            "submissions_accepted",
            "Submissions stored",
            submissions_accepted.clone(),
        );
        let submissions_rejected = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "submissions_rejected",
            "Submissions refused, by error code",
            submissions_rejected.clone(),
        );
        let submissions_by_status = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "submissions",
            "Submissions by overall status (read at scrape time)",
            submissions_by_status.clone(),
        );
        let live_workers = Gauge::default();
        registry.register(
            "live_workers",
            "Worker processes with a recent heartbeat",
            live_workers.clone(),
        );
        let step_duration =
            Family::<StepLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                step_histogram,
            );
        registry.register(
            "pipeline_step_duration_seconds",
            "Pipeline step run time by kind and result",
            step_duration.clone(),
        );
        let provider_latency =
            Family::<CallLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "provider_request_duration_seconds",
            "Provider API latency by call",
            provider_latency.clone(),
        );
        let provider_errors = Family::<CallErrorLabels, Counter>::default();
        registry.register(
            "provider_errors",
            "Provider API errors by call and code",
            provider_errors.clone(),
        );
        let webhooks = Family::<WebhookLabels, Counter>::default();
        registry.register(
            "provider_webhooks",
            "Provider callbacks received",
            webhooks.clone(),
        );
        let jobs_by_state = Family::<JobStateLabels, Gauge>::default();
        registry.register(
            "jobs",
            "Queue jobs by kind and state (read at scrape time)",
            jobs_by_state.clone(),
        );
        let oldest_pending_seconds = Gauge::default();
        registry.register(
            "oldest_pending_submission_age_seconds",
            "Age of the oldest pending submission",
            oldest_pending_seconds.clone(),
        );
        let provider_slots_in_use = Gauge::default();
        registry.register(
            "provider_slots_in_use",
            "Provider generations in flight (slots held)",
            provider_slots_in_use.clone(),
        );
        let provider_credits = Gauge::default();
        registry.register(
            "provider_credits",
            "Usable provider credits at the last refresh",
            provider_credits.clone(),
        );
        let provider_paused = Gauge::default();
        registry.register(
            "provider_dispatch_paused",
            "1 while the provider refuses our account (401/403) and dispatch waits for a probe",
            provider_paused.clone(),
        );
        let provider_possible_duplicates = Gauge::default();
        registry.register(
            "provider_possible_duplicate_posts",
            "Generation POSTs sent again after an unanswered one (each may have billed twice)",
            provider_possible_duplicates.clone(),
        );
        Self {
            registry,
            provider_paused,
            provider_possible_duplicates,
            step_duration,
            provider_latency,
            provider_errors,
            webhooks,
            jobs_by_state,
            oldest_pending_seconds,
            provider_slots_in_use,
            provider_credits,
            http_requests,
            http_request_duration,
            submissions_accepted,
            submissions_rejected,
            submissions_by_status,
            live_workers,
            jobs,
        }
    }

    /// Counts one answered request; `route` must be a route template (or a fixed word).
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = bounded(method, &COUNTED_METHODS);
        self.http_requests
            .get_or_create(&HttpLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.http_request_duration
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
        self.jobs
            .api_request_duration
            .get_or_create(&EndpointLabels {
                method: method.to_owned(),
                endpoint: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one refused submission under its error code.
    pub fn reject_submission(&self, code: &str) {
        self.submissions_rejected
            .get_or_create(&ReasonLabels {
                reason: code.to_owned(),
            })
            .inc();
    }

    /// Records one pipeline step run.
    pub fn observe_step(&self, kind: &str, result: &str, elapsed: Duration) {
        self.step_duration
            .get_or_create(&StepLabels {
                kind: kind.to_owned(),
                result: result.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Records one provider API call and its error code, if it failed.
    pub fn observe_provider_call(&self, call: &str, error: Option<&str>, elapsed: Duration) {
        self.provider_latency
            .get_or_create(&CallLabels {
                call: call.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
        if let Some(error) = error {
            self.provider_errors
                .get_or_create(&CallErrorLabels {
                    call: call.to_owned(),
                    error: error.to_owned(),
                })
                .inc();
        }
    }

    /// Counts one received webhook.
    pub fn observe_webhook(&self, status: &str, first: bool) {
        self.webhooks
            .get_or_create(&WebhookLabels {
                status: bounded(status, &COUNTED_WEBHOOK_STATUSES).to_owned(),
                duplicate: !first,
            })
            .inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut text = String::with_capacity(8 * 1024);
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_from_request_data_stay_in_a_fixed_set() {
        let metrics = Metrics::new();
        for n in 0..50 {
            let method = format!("X{n}");
            metrics.observe_request(&method, "unmatched", 405, Duration::from_millis(1));
            metrics.observe_webhook(&format!("MADE_UP_{n}"), true);
        }
        metrics.observe_webhook("GENERATING", true);
        let text = metrics.render();
        assert!(!text.contains("X1"), "{text}");
        assert!(!text.contains("MADE_UP"), "{text}");
        assert!(text.contains(
            "http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"405\"} 50"
        ));
        assert!(text.contains("status=\"OTHER\""), "{text}");
        assert!(text.contains("status=\"GENERATING\""), "{text}");
    }
}
