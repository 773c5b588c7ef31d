//! The media downloader against local servers: what it refuses (metadata endpoints, unlisted
//! or private hosts, plain http, redirects, oversized bodies, slow servers), what it accepts
//! (a host listed with its port, the fake Sonauto's CDN), and that it never sends credentials.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod accepts;
mod limits;
mod refusals;
mod server;
