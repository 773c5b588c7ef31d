//! The music provider: the Sonauto/Treblo client used by the pipeline.

pub mod client;
