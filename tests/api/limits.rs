//! Per-IP hourly limits: enforced through the database (they hold across web processes),
//! `Retry-After` on 429, `X-Forwarded-For` honoured only from trusted proxies, and status
//! polling never charged to the results budget.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, TestApp, on_postgres, valid_submission};

#[tokio::test]
async fn the_submission_limit_answers_429_with_retry_after() {
    let app = TestApp::builder()
        .configure(|c| c.limits.submissions_per_ip_per_hour = 2)
        .spawn()
        .await;
    for _ in 0..2 {
        assert_eq!(
            app.post_submission(&valid_submission()).await.status(),
            StatusCode::OK
        );
    }

    let refused = app.post_submission(&valid_submission()).await;

    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=7200).contains(&retry_after), "{retry_after}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests");
    assert_eq!(app.uploaded_files().len(), 2);
    app.stop().await;
}

async fn limits_hold_across_two_web_processes(backend: Backend) {
    let first = TestApp::builder()
        .backend(backend)
        .configure(|c| c.limits.submissions_per_ip_per_hour = 3)
        .spawn()
        .await;
    let second = first
        .sibling()
        .configure(|c| c.limits.submissions_per_ip_per_hour = 3)
        .spawn()
        .await;

    let mut statuses = Vec::new();
    for app in [&first, &second, &first, &second] {
        statuses.push(app.post_submission(&valid_submission()).await.status());
    }

    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    second.stop().await;
    first.stop().await;
}

#[tokio::test]
async fn limits_hold_across_two_web_processes_on_sqlite() {
    limits_hold_across_two_web_processes(Backend::Sqlite).await;
}

#[tokio::test]
async fn limits_hold_across_two_web_processes_on_postgres() {
    on_postgres(limits_hold_across_two_web_processes).await;
}

#[tokio::test]
async fn status_polls_are_free_and_results_are_charged() {
    let app = TestApp::builder()
        .configure(|c| c.limits.results_per_ip_per_hour = 3)
        .spawn()
        .await;
    let created: Value = app
        .post_submission(&valid_submission())
        .await
        .json()
        .await
        .unwrap();
    let id = created["session_id"].as_str().unwrap();

    for _ in 0..20 {
        let poll = app.get(&format!("/api/submissions/{id}/status")).await;
        assert_eq!(poll.status(), StatusCode::OK);
    }
    for _ in 0..3 {
        assert_eq!(
            app.get(&format!("/api/results/{id}")).await.status(),
            StatusCode::BAD_REQUEST
        );
    }

    let refused = app.get(&format!("/api/results/{id}")).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    app.stop().await;
}

#[tokio::test]
async fn forwarded_for_is_ignored_from_untrusted_peers() {
    let app = TestApp::builder()
        .configure(|c| c.limits.submissions_per_ip_per_hour = 1)
        .spawn()
        .await;
    let send = |ip: &'static str| {
        app.client
            .post(app.url("/api/submissions"))
            .header("x-forwarded-for", ip)
            .json(&valid_submission())
            .send()
    };
    assert_eq!(send("198.51.100.1").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        send("198.51.100.2").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}

#[tokio::test]
async fn forwarded_for_from_a_trusted_proxy_separates_clients() {
    let app = TestApp::builder()
        .configure(|c| {
            c.limits.submissions_per_ip_per_hour = 1;
            c.http.trusted_proxies = "127.0.0.1".parse().unwrap();
        })
        .spawn()
        .await;
    let send = |ip: &'static str| {
        app.client
            .post(app.url("/api/submissions"))
            .header("x-forwarded-for", ip)
            .json(&valid_submission())
            .send()
    };
    assert_eq!(send("198.51.100.1").await.unwrap().status(), StatusCode::OK);
    assert_eq!(send("198.51.100.2").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        send("198.51.100.1").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}

#[tokio::test]
async fn forwarded_for_entries_with_ports_are_read_as_their_address() {
    let app = TestApp::builder()
        .configure(|c| {
            c.limits.submissions_per_ip_per_hour = 1;
            c.http.trusted_proxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap();
        })
        .spawn()
        .await;
    let send = |xff: &'static str| {
        app.client
            .post(app.url("/api/submissions"))
            .header("x-forwarded-for", xff)
            .json(&valid_submission())
            .send()
    };
    // The same client behind ports that change per connection: one budget.
    assert_eq!(
        send("198.51.100.1:40001").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        send("198.51.100.1:40002, 10.0.0.7:443")
            .await
            .unwrap()
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client, and IPv6 in brackets with and without a port.
    assert_eq!(
        send("198.51.100.2:40001").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        send("[2001:db8:1:2::7]:5555").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        send("[2001:db8:1:2::8]").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "same IPv6 /64"
    );
    app.stop().await;
}
