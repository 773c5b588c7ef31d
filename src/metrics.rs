//! The metric catalogue: every name and help text in one place, the registry they live in, and
//! the Prometheus text rendering served at `/metrics`. HTTP labels use the matched route
//! template only, so label cardinality stays bounded.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

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

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.5, 12))
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
        Self {
            registry,
            http_requests,
            http_request_duration,
            submissions_accepted,
            submissions_rejected,
            submissions_by_status,
            live_workers,
        }
    }

    /// Counts one answered request.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
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
    }

    /// Counts one refused submission under its error code.
    pub fn reject_submission(&self, code: &str) {
        self.submissions_rejected
            .get_or_create(&ReasonLabels {
                reason: code.to_owned(),
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
