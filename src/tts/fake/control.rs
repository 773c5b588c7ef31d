//! Run-time control of the fake speech API: faults for the next N requests ([`Fault`]: a
//! status with OpenAI's error body, a connection closed unanswered, a non-WAV answer, a slow
//! answer) and the request counters ([`FakeTtsStats`]).

use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

/// What a request gets instead of its normal answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// This status with OpenAI's error body for it; `Retry-After` when given.
    Status {
        status: u16,
        #[serde(default)]
        retry_after_seconds: Option<u64>,
    },
    /// The request is read, then the connection closed without an answer.
    DropConnection,
    /// `200` with `Content-Type: audio/mpeg` and bytes that are not a WAV.
    NotWav,
    /// The normal answer, after `millis`.
    Delay { millis: u64 },
}

impl Fault {
    /// A plain status, e.g. `Fault::status(500)`.
    pub fn status(status: u16) -> Self {
        Self::Status {
            status,
            retry_after_seconds: None,
        }
    }

    /// `429` with `Retry-After: seconds`.
    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        Self::Status {
            status: 429,
            retry_after_seconds: Some(retry_after_seconds),
        }
    }
}

/// The next `count` requests get `fault`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultBurst {
    pub count: u32,
    pub fault: Fault,
}

/// Counters since start or the last reset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FakeTtsStats {
    /// Every `POST /v1/audio/speech`, whatever its answer.
    pub requests: u64,
    /// Requests answered with audio.
    pub succeeded: u64,
    /// Requests refused for a missing or wrong key.
    pub unauthorized: u64,
    /// Requests refused for their body (400, 404, 422).
    pub rejected: u64,
    /// Requests that got an injected fault.
    pub faulted: u64,
    /// Characters of input spoken by the succeeded requests.
    pub characters: u64,
}

#[derive(Debug, Default)]
struct Inner {
    faults: Option<FaultBurst>,
    stats: FakeTtsStats,
}

/// Changes the fake's behaviour while it runs and reads its counters.
#[derive(Debug, Default)]
pub struct FakeTtsControl {
    inner: Mutex<Inner>,
}

impl FakeTtsControl {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut inner)
    }

    /// The next `count` requests get `fault` (replacing any pending faults; 0 clears).
    pub fn fail_next(&self, count: u32, fault: Fault) {
        self.with(|inner| inner.faults = Some(FaultBurst { count, fault }));
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> FakeTtsStats {
        self.with(|inner| inner.stats)
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.with(|inner| inner.stats = FakeTtsStats::default());
    }

    /// Counts a request and takes its fault, if one is pending.
    pub(super) fn begin_request(&self) -> Option<Fault> {
        self.with(|inner| {
            inner.stats.requests += 1;
            let burst = inner.faults.as_mut().filter(|burst| burst.count > 0)?;
            burst.count -= 1;
            inner.stats.faulted += 1;
            Some(burst.fault.clone())
        })
    }

    /// Updates the counters.
    pub(super) fn count(&self, f: impl FnOnce(&mut FakeTtsStats)) {
        self.with(|inner| f(&mut inner.stats));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_runs_out_and_is_counted() {
        let control = FakeTtsControl::default();
        control.fail_next(2, Fault::rate_limited(3));
        assert_eq!(control.begin_request(), Some(Fault::rate_limited(3)));
        assert_eq!(control.begin_request(), Some(Fault::rate_limited(3)));
        assert_eq!(control.begin_request(), None);
        let stats = control.stats();
        assert_eq!((stats.requests, stats.faulted), (3, 2));
        control.reset_stats();
        assert_eq!(control.stats(), FakeTtsStats::default());
    }

    #[test]
    fn faults_round_trip_as_json() {
        let burst = FaultBurst {
            count: 1,
            fault: Fault::DropConnection,
        };
        let json = serde_json::to_string(&burst).unwrap();
        assert_eq!(json, r#"{"count":1,"fault":{"kind":"drop_connection"}}"#);
        assert_eq!(serde_json::from_str::<FaultBurst>(&json).unwrap(), burst);
    }
}
