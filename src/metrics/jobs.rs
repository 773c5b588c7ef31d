//! Seed 002's metric names for the jobs API: `job_completion_rate` (jobs ended, by status),
//! `job_processing_time_seconds`, `job_queue_depth` (by its three priority queues),
//! `provider_health_status` (1 healthy, 0.5 degraded, 0 unhealthy) and
//! `api_request_duration_seconds` (by endpoint template). The counts and gauges are read from
//! the database at scrape time, so every node reports the whole service.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of a jobs-API status count.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobStatusLabels {
    pub status: String,
}

/// Labels of a priority queue's depth (`high_priority`, `default`, `low_priority`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabels {
    pub queue: String,
}

/// Labels of a provider's health.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProviderLabels {
    pub provider: String,
}

/// Labels of a job's run time.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobKindLabels {
    pub kind: String,
    pub status: String,
}

/// Labels of an API latency observation.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub method: String,
    pub endpoint: String,
}

fn processing_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.1, 2.0, 16))
}

fn api_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.5, 12))
}

/// The jobs API's metrics.
#[derive(Debug)]
pub struct JobsMetrics {
    pub completions: Family<JobStatusLabels, Gauge>,
    pub processing_time: Family<JobKindLabels, Histogram, fn() -> Histogram>,
    pub queue_depth: Family<QueueLabels, Gauge>,
    pub provider_health: Family<ProviderLabels, Gauge<f64, AtomicU64>>,
    pub api_request_duration: Family<EndpointLabels, Histogram, fn() -> Histogram>,
}

impl JobsMetrics {
    /// Creates the families and registers them in `registry`.
    pub fn register(registry: &mut Registry) -> Self {
        let completions = Family::<JobStatusLabels, Gauge>::default();
        registry.register(
            "job_completion_rate",
            "Jobs of the jobs API ended, by status (read at scrape time)",
            completions.clone(),
        );
        let processing_time =
            Family::<JobKindLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                processing_histogram,
            );
        registry.register(
            "job_processing_time_seconds",
            "Time from a job's start to its end, observed by the process that ended it",
            processing_time.clone(),
        );
        let queue_depth = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "job_queue_depth",
            "Jobs waiting for the provider, by priority queue (read at scrape time)",
            queue_depth.clone(),
        );
        let provider_health = Family::<ProviderLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "provider_health_status",
            "Provider health: 1 healthy, 0.5 degraded, 0 unhealthy",
            provider_health.clone(),
        );
        let api_request_duration =
            Family::<EndpointLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                api_histogram,
            );
        registry.register(
            "api_request_duration_seconds",
            "API latency by endpoint template",
            api_request_duration.clone(),
        );
        Self {
            completions,
            processing_time,
            queue_depth,
            provider_health,
            api_request_duration,
        }
    }

    /// The seed's queue name of a priority.
    pub fn queue_name(priority: &str) -> &'static str {
        match priority {
            "high" => "high_priority",
            "low" => "low_priority",
            _ => "default",
        }
    }
}
