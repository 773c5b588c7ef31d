//! What a test can switch at run time on the fake Replicate: request faults (statuses, a
//! connection closed after accepting, hangs), forced failures, lost or duplicated webhooks,
//! timing and output lifetime, as one patch-like [`Scenario`] (also JSON).

use serde::{Deserialize, Serialize};

/// What a request gets instead of its normal answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// This HTTP status with Replicate's problem body for it (429 says "Request was
    /// throttled…"); `Retry-After` is set when `retry_after_seconds` is.
    Status {
        /// The HTTP status code.
        status: u16,
        /// The `Retry-After` value, in seconds.
        #[serde(default)]
        retry_after_seconds: Option<u64>,
    },
    /// Create only: start the prediction (it runs, bills and calls its webhook), then close
    /// the connection without answering. On other routes: close without answering.
    AcceptThenDrop,
    /// Create only: start the prediction, then never answer (held until the fake stops).
    /// On other routes: never answer.
    AcceptThenHang,
}

impl Fault {
    /// A plain status, e.g. `Fault::status(500)`.
    pub fn status(status: u16) -> Self {
        Self::Status {
            status,
            retry_after_seconds: None,
        }
    }

    /// `429` with `Retry-After: seconds`, as Replicate throttles.
    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        Self::Status {
            status: 429,
            retry_after_seconds: Some(retry_after_seconds),
        }
    }
}

/// The next `count` requests of a kind get `fault`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultBurst {
    /// How many requests get the fault.
    pub count: u32,
    /// What they get.
    pub fault: Fault,
}

/// The next `count` accepted predictions end `failed` with `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForcedFailures {
    /// How many predictions fail.
    pub count: u32,
    /// Their `error`.
    pub error: String,
}

/// A change of behaviour: each field that is set replaces the current setting, the others
/// stay. The same JSON is accepted by `POST /_fake/scenario`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Faults for the next creates (any of the three create routes; `count: 0` clears).
    pub create_faults: Option<FaultBurst>,
    /// Faults for the next reads and cancels of a prediction.
    pub get_faults: Option<FaultBurst>,
    /// Predictions accepted from now on that must fail.
    pub failures: Option<ForcedFailures>,
    /// The next this-many webhook deliveries are silently not sent.
    pub lose_webhooks: Option<u32>,
    /// Deliver every webhook twice with the same `webhook-id` (a retry).
    pub duplicate_webhooks: Option<bool>,
    /// Milliseconds in `starting`.
    pub starting_millis: Option<u64>,
    /// Milliseconds of `processing` (the generation time).
    pub generation_millis: Option<u64>,
    /// Seconds outputs stay available after completion (0 removes them at once).
    pub output_ttl_seconds: Option<u64>,
}

impl Scenario {
    /// The next `count` creates answer `fault`.
    pub fn create_faults(count: u32, fault: Fault) -> Self {
        Self {
            create_faults: Some(FaultBurst { count, fault }),
            ..Self::default()
        }
    }

    /// The next `count` reads or cancels answer `fault`.
    pub fn get_faults(count: u32, fault: Fault) -> Self {
        Self {
            get_faults: Some(FaultBurst { count, fault }),
            ..Self::default()
        }
    }

    /// The next `count` predictions fail with `error`.
    pub fn failures(count: u32, error: impl Into<String>) -> Self {
        Self {
            failures: Some(ForcedFailures {
                count,
                error: error.into(),
            }),
            ..Self::default()
        }
    }

    /// The next `count` webhooks are lost.
    pub fn lose_webhooks(count: u32) -> Self {
        Self {
            lose_webhooks: Some(count),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_round_trip_as_json() {
        let scenario = Scenario::create_faults(2, Fault::rate_limited(30));
        let json = serde_json::to_value(&scenario).unwrap();
        assert_eq!(json["create_faults"]["fault"]["kind"], "status");
        assert_eq!(serde_json::from_value::<Scenario>(json).unwrap(), scenario);
        let dropped: Scenario = serde_json::from_str(
            r#"{"create_faults":{"count":1,"fault":{"kind":"accept_then_drop"}},"lose_webhooks":3}"#,
        )
        .unwrap();
        assert_eq!(dropped.create_faults.unwrap().fault, Fault::AcceptThenDrop);
        assert_eq!(dropped.lose_webhooks, Some(3));
        assert!(serde_json::from_str::<Scenario>(r#"{"nope":1}"#).is_err());
    }
}
