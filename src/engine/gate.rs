//! Admission gates: what a queue must satisfy before it claims. A gate is workflow code (the
//! song's provider slots, credits and dispatch pause); the engine only asks it, once per claim
//! attempt (`admits`), and folds its `claim_condition` — an SQL condition on the candidate row
//! `jobs`, so a scarce resource is checked in the same statement that takes the job — into the
//! claim. The engine's own SQL names no workflow table.

use super::job::BoxFuture;
use crate::db::DualSql;

/// One admission rule of a queue.
pub trait Gate<C>: Send + Sync {
    /// Whether the queue may claim now at all (checked before each claim).
    fn admits<'a>(&'a self, ctx: &'a C) -> BoxFuture<'a, bool>;

    /// A condition every claimed row must also meet, in both dialects.
    fn claim_condition(&self) -> Option<DualSql> {
        None
    }
}
