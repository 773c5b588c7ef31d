//! In-process wake-ups, one per queue: an enqueue or a freed resource runs the next job at
//! once instead of at the next poll (polling stays the correctness path).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

#[derive(Debug, Default)]
pub struct Wakers {
    by_queue: Mutex<HashMap<String, Arc<Notify>>>,
}

impl Wakers {
    /// The notifier of `queue`, created on first use.
    pub fn for_queue(&self, queue: &str) -> Arc<Notify> {
        let mut by_queue = self.by_queue.lock().unwrap_or_else(PoisonError::into_inner);
        by_queue.entry(queue.to_owned()).or_default().clone()
    }

    /// Wakes one idle worker loop of `queue`.
    pub fn wake(&self, queue: &str) {
        self.for_queue(queue).notify_one();
    }
}
