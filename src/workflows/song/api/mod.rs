//! JSON API handlers, one file per resource.

pub mod admin;
pub mod health;
pub mod intake;
pub mod rate_limit;
pub mod results;
pub mod submissions;
pub mod webhook;
