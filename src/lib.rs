//! Serenade: a service that turns a five-field form into a personalised AI love song for a pet,
//! delivered as a spinning-record MP4 — and the engine for asynchronous AI media jobs under it.
//! `engine` runs jobs and knows no workflow; `workflows` holds the systems built on it; `state`
//! is what handlers and jobs share; `app` wires it all (nothing imports it). See `docs/`.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod engine;
pub mod error;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod provider;
pub mod render;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod tts;
pub mod webhooks;
pub mod workflows;
