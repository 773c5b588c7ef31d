//! The song's tables and their queries, as `impl Db` blocks one per table family:
//! submissions, provider slots, the webhook inbox, credits, the dispatch pause, the row the
//! steps read, and failing a submission. (The shared rate-limit windows are `db::rate_limits`.) Each step's own fenced
//! transition is beside the step (`steps/*_commit.rs`).

pub mod credits;
pub mod events;
pub mod fail;
pub mod pause;
pub mod row;
pub mod slots;
pub mod submissions;
