//! What the jobs workflow's kinds run.

pub mod generate;
pub mod persist;
