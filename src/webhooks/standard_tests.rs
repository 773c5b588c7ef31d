//! Tests of Standard Webhooks signing and verification: the spec's test vector, forgeries,
//! wrong secrets, replays outside the tolerance, key rotation and malformed headers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue};
use secrecy::ExposeSecret;

use super::*;

const VECTOR_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const VECTOR_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const VECTOR_TIMESTAMP: i64 = 1_649_367_553;
const VECTOR_BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
const VECTOR_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap())
}

fn vector_secret() -> WebhookSecret {
    WebhookSecret::parse(VECTOR_SECRET).unwrap()
}

fn headers<'a>(timestamp: &'a str, signature: &'a str) -> WebhookHeaders<'a> {
    WebhookHeaders {
        id: VECTOR_ID,
        timestamp,
        signature,
    }
}

#[test]
fn signing_reproduces_the_spec_test_vector() {
    let signature = vector_secret().sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY);
    assert_eq!(signature, VECTOR_SIGNATURE);
}

#[test]
fn the_test_vector_verifies_at_its_own_time() {
    let timestamp = VECTOR_TIMESTAMP.to_string();
    let delivery = headers(&timestamp, VECTOR_SIGNATURE);
    let verified = vector_secret().verify(&delivery, VECTOR_BODY, at(VECTOR_TIMESTAMP + 10));
    assert_eq!(verified, Ok(()));
    let by_text = verify_with_secret(VECTOR_SECRET, &delivery, VECTOR_BODY, at(VECTOR_TIMESTAMP));
    assert_eq!(by_text, Ok(()));
}

#[test]
fn a_forged_body_is_refused() {
    let timestamp = VECTOR_TIMESTAMP.to_string();
    let forged = br#"{"email":"attacker@example.com","username":"test_user"}"#;
    let verified = vector_secret().verify(
        &headers(&timestamp, VECTOR_SIGNATURE),
        forged,
        at(VECTOR_TIMESTAMP),
    );
    assert_eq!(verified, Err(WebhookVerifyError::NoMatchingSignature));
}

#[test]
fn a_changed_id_or_timestamp_breaks_the_signature() {
    let secret = vector_secret();
    let timestamp = VECTOR_TIMESTAMP.to_string();
    let other_id = WebhookHeaders {
        id: "msg_other",
        ..headers(&timestamp, VECTOR_SIGNATURE)
    };
    let now = at(VECTOR_TIMESTAMP);
    assert_eq!(
        secret.verify(&other_id, VECTOR_BODY, now),
        Err(WebhookVerifyError::NoMatchingSignature)
    );
    let later = (VECTOR_TIMESTAMP + 1).to_string();
    assert_eq!(
        secret.verify(&headers(&later, VECTOR_SIGNATURE), VECTOR_BODY, now),
        Err(WebhookVerifyError::NoMatchingSignature)
    );
}

#[test]
fn another_secret_does_not_verify() {
    let timestamp = VECTOR_TIMESTAMP.to_string();
    let verified = WebhookSecret::generate().verify(
        &headers(&timestamp, VECTOR_SIGNATURE),
        VECTOR_BODY,
        at(VECTOR_TIMESTAMP),
    );
    assert_eq!(verified, Err(WebhookVerifyError::NoMatchingSignature));
}

#[test]
fn replays_outside_the_tolerance_are_refused_both_ways() {
    let secret = vector_secret();
    let timestamp = VECTOR_TIMESTAMP.to_string();
    let delivery = headers(&timestamp, VECTOR_SIGNATURE);
    let edge = VECTOR_TIMESTAMP + 300;
    assert_eq!(secret.verify(&delivery, VECTOR_BODY, at(edge)), Ok(()));
    assert_eq!(
        secret.verify(&delivery, VECTOR_BODY, at(edge + 1)),
        Err(WebhookVerifyError::TooOld { age_seconds: 301 })
    );
    assert_eq!(
        secret.verify(&delivery, VECTOR_BODY, at(VECTOR_TIMESTAMP - 300)),
        Ok(())
    );
    assert_eq!(
        secret.verify(&delivery, VECTOR_BODY, at(VECTOR_TIMESTAMP - 3600)),
        Err(WebhookVerifyError::TooNew {
            ahead_seconds: 3600
        })
    );
}

#[test]
fn one_valid_signature_among_several_is_enough() {
    let secret = WebhookSecret::generate();
    let body = b"{\"status\":\"succeeded\"}";
    let now = 1_800_000_000;
    let ours = secret.sign("msg_1", now, body);
    let old_key = WebhookSecret::generate().sign("msg_1", now, body);
    let list = format!("v1a,c29tZSBlZDI1NTE5 {old_key}  v1,!!notbase64 {ours}");
    let timestamp = now.to_string();
    let delivery = WebhookHeaders {
        id: "msg_1",
        timestamp: &timestamp,
        signature: &list,
    };
    assert_eq!(secret.verify(&delivery, body, at(now)), Ok(()));
    let without_ours = format!("v1a,c29tZSBlZDI1NTE5 {old_key}");
    let delivery = WebhookHeaders {
        signature: &without_ours,
        ..delivery
    };
    assert_eq!(
        secret.verify(&delivery, body, at(now)),
        Err(WebhookVerifyError::NoMatchingSignature)
    );
}

#[test]
fn a_signature_of_another_version_is_ignored() {
    let secret = vector_secret();
    let timestamp = VECTOR_TIMESTAMP.to_string();
    let relabelled = VECTOR_SIGNATURE.replacen("v1,", "v2,", 1);
    assert_eq!(
        secret.verify(
            &headers(&timestamp, &relabelled),
            VECTOR_BODY,
            at(VECTOR_TIMESTAMP)
        ),
        Err(WebhookVerifyError::NoMatchingSignature)
    );
}

#[test]
fn timestamps_must_be_integers() {
    let secret = vector_secret();
    for bad in ["", "soon", "1649367553.5", " 1649367553"] {
        assert_eq!(
            secret.verify(&headers(bad, VECTOR_SIGNATURE), VECTOR_BODY, at(0)),
            Err(WebhookVerifyError::BadTimestamp),
            "{bad:?}"
        );
    }
}

#[test]
fn headers_are_read_from_a_header_map() {
    let mut map = HeaderMap::new();
    map.insert(HEADER_ID, HeaderValue::from_static(VECTOR_ID));
    map.insert(HEADER_TIMESTAMP, HeaderValue::from_static("1649367553"));
    assert_eq!(
        WebhookHeaders::from_header_map(&map),
        Err(WebhookVerifyError::MissingHeader(HEADER_SIGNATURE))
    );
    map.insert(HEADER_SIGNATURE, HeaderValue::from_static(VECTOR_SIGNATURE));
    let read = WebhookHeaders::from_header_map(&map).unwrap();
    assert_eq!(read, headers("1649367553", VECTOR_SIGNATURE));
    assert_eq!(
        vector_secret().verify(&read, VECTOR_BODY, at(VECTOR_TIMESTAMP)),
        Ok(())
    );
    map.insert(HEADER_ID, HeaderValue::from_bytes(b"msg_\xff").unwrap());
    assert_eq!(
        WebhookHeaders::from_header_map(&map),
        Err(WebhookVerifyError::UnreadableHeader(HEADER_ID))
    );
}

#[test]
fn secrets_need_the_prefix_and_base64() {
    assert_eq!(
        WebhookSecret::parse("C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap_err(),
        WebhookSecretError::MissingPrefix
    );
    assert_eq!(
        WebhookSecret::parse("whsec_not base64!").unwrap_err(),
        WebhookSecretError::NotBase64
    );
    assert_eq!(
        WebhookSecret::parse("whsec_").unwrap_err(),
        WebhookSecretError::Empty
    );
    let timestamp = VECTOR_TIMESTAMP.to_string();
    assert_eq!(
        verify_with_secret(
            "secret",
            &headers(&timestamp, VECTOR_SIGNATURE),
            VECTOR_BODY,
            at(VECTOR_TIMESTAMP)
        ),
        Err(WebhookVerifyError::BadSecret(
            WebhookSecretError::MissingPrefix
        ))
    );
}

#[test]
fn generated_secrets_round_trip_and_differ() {
    let secret = WebhookSecret::generate();
    let text = secret.to_whsec();
    assert!(text.expose_secret().starts_with("whsec_"));
    let again = WebhookSecret::parse(text.expose_secret()).unwrap();
    assert_eq!(again.sign("m", 1, b"x"), secret.sign("m", 1, b"x"));
    assert_ne!(
        WebhookSecret::generate().sign("m", 1, b"x"),
        secret.sign("m", 1, b"x")
    );
    assert!(!format!("{secret:?}").contains(&text.expose_secret()[6..]));
}

#[test]
fn signed_headers_verify_as_a_receiver_reads_them() {
    let secret = WebhookSecret::generate();
    let body = br#"{"id":"p1"}"#;
    let signed = secret.signed_headers("msg_p1_start", 1_900_000_000, body);
    let mut map = HeaderMap::new();
    for (name, value) in signed.pairs() {
        map.insert(name, HeaderValue::from_str(&value).unwrap());
    }
    let read = WebhookHeaders::from_header_map(&map).unwrap();
    assert_eq!(secret.verify(&read, body, at(1_900_000_120)), Ok(()));
    assert_eq!(unix_seconds(at(1_900_000_000)), 1_900_000_000);
    assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(5)), -5);
}
