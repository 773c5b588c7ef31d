//! The song's tables and their queries, as `impl Db` blocks one per table family:
//! submissions, provider slots, the webhook inbox, credits, the dispatch pause, rate-limit
//! windows, the send bookkeeping and the steps' fenced transitions.

pub mod credits;
pub mod events;
pub mod pause;
pub mod rate_limits;
pub mod send;
pub mod slots;
pub mod submissions;
pub mod transitions;
