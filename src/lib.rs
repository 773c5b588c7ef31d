//! Serenade: a service that turns a five-field form into a personalised AI love song for a pet,
//! delivered as a spinning-record MP4. See `docs/` and the README for the architecture.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod pipeline;
pub mod provider;
pub mod render;
pub mod storage;
pub mod telemetry;
pub mod worker;
