//! What a test can switch at run time: request faults (status codes, hangs), forced failures,
//! timing, credits and webhook delivery, as one patch-like [`Scenario`] (also JSON).

use serde::{Deserialize, Serialize};

use super::config::{WebhookBody, WebhookMode};

/// What a request is answered with instead of being served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// This HTTP status with Sonauto's body for it (`{"detail": …}`); `Retry-After` is set
    /// when `retry_after_seconds` is.
    Status {
        /// The HTTP status code.
        status: u16,
        /// The `Retry-After` value, in seconds.
        #[serde(default)]
        retry_after_seconds: Option<u64>,
    },
    /// Never answer (the request is held until the fake stops).
    Hang,
    /// POST only: create the generation (it runs and is billed) but never answer, the case
    /// that makes retrying a timed-out POST double-bill. On a GET it is [`Fault::Hang`].
    AcceptThenHang,
    /// POST only: create the generation (it runs and is billed), then answer `status` with a
    /// body carrying no task id — a gateway 502/504 after the origin accepted, or a 2xx whose
    /// body lost the id. On a GET it is a plain [`Fault::Status`].
    AcceptThenStatus {
        /// The HTTP status code of the answer.
        status: u16,
    },
}

impl Fault {
    /// A plain status fault, e.g. `Fault::status(500)`.
    pub fn status(status: u16) -> Self {
        Self::Status {
            status,
            retry_after_seconds: None,
        }
    }

    /// `429 Too Many Requests` with `Retry-After: seconds`.
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

/// The next `count` accepted generations end in FAILURE with `error_message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForcedFailures {
    /// How many generations fail.
    pub count: u32,
    /// Their `error_message`.
    pub error_message: String,
}

/// A change of behaviour: each field that is set replaces the current setting, the others
/// stay. The same JSON is accepted by `POST /_fake/scenario`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Faults for the next POSTs to `/v1/generations/v3` (`count: 0` clears).
    pub post_faults: Option<FaultBurst>,
    /// Faults for the next GETs on `/v1` (status, generation, credits).
    pub get_faults: Option<FaultBurst>,
    /// Faults for the next song downloads from the CDN.
    pub cdn_faults: Option<FaultBurst>,
    /// Every GET on `/v1` answers 503 for this many seconds from now (a read outage by the
    /// clock rather than by count; 0 ends one).
    pub read_outage_seconds: Option<f64>,
    /// Generations accepted from now on that must fail.
    pub failures: Option<ForcedFailures>,
    /// Delay between two statuses.
    pub step_millis: Option<u64>,
    /// Total RECEIVED→terminal time, spread over the steps; wins over `step_millis`.
    pub generation_seconds: Option<f64>,
    /// Subscription credits balance.
    pub credits: Option<u64>,
    /// Pay-as-you-go credits balance.
    pub payg_credits: Option<u64>,
    /// Share (0..=1) of generations that fail at random.
    pub fail_ratio: Option<f64>,
    /// Which status changes produce a webhook.
    pub webhook_mode: Option<WebhookMode>,
    /// The webhook body shape.
    pub webhook_body: Option<WebhookBody>,
    /// Deliver every webhook twice.
    pub duplicate_webhooks: Option<bool>,
    /// Follow each terminal webhook with a stale intermediate one.
    pub out_of_order_webhooks: Option<bool>,
    /// Probability (0..=1) that each webhook is not sent.
    pub drop_webhooks: Option<f64>,
    /// How long songs stay on the CDN after SUCCESS (0 expires them at once).
    pub cdn_ttl_seconds: Option<u64>,
}

impl Scenario {
    /// The next `count` POSTs answer `fault`.
    pub fn post_faults(count: u32, fault: Fault) -> Self {
        Self {
            post_faults: Some(FaultBurst { count, fault }),
            ..Self::default()
        }
    }

    /// The next `count` generations end in FAILURE with `error_message`.
    pub fn failures(count: u32, error_message: impl Into<String>) -> Self {
        Self {
            failures: Some(ForcedFailures {
                count,
                error_message: error_message.into(),
            }),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_round_trip_as_json() {
        let scenario = Scenario::post_faults(3, Fault::rate_limited(2));
        let json = serde_json::to_value(&scenario).unwrap();
        assert_eq!(json["post_faults"]["fault"]["kind"], "status");
        let back: Scenario = serde_json::from_value(json).unwrap();
        assert_eq!(back, scenario);
        let hang: Scenario =
            serde_json::from_str(r#"{"post_faults":{"count":1,"fault":{"kind":"hang"}}}"#).unwrap();
        assert_eq!(hang.post_faults.unwrap().fault, Fault::Hang);
        let gateway: Scenario = serde_json::from_str(
            r#"{"post_faults":{"count":2,"fault":{"kind":"accept_then_status","status":504}}}"#,
        )
        .unwrap();
        assert_eq!(
            gateway.post_faults.unwrap().fault,
            Fault::AcceptThenStatus { status: 504 }
        );
    }
}
