//! The webhook URL rules: what is refused at creation and with which code, what the
//! allow-list opens, and the address check made at send time.

use super::*;

fn refusal(raw: &str, allowed: &[&str]) -> &'static str {
    let allowed: Vec<String> = allowed.iter().map(|entry| (*entry).to_owned()).collect();
    match check_webhook_url(raw, &allowed) {
        Ok(url) => panic!("{raw} was accepted as {url}"),
        Err(error) => error.code(),
    }
}

fn accepted(raw: &str, allowed: &[&str]) -> bool {
    let allowed: Vec<String> = allowed.iter().map(|entry| (*entry).to_owned()).collect();
    check_webhook_url(raw, &allowed).is_ok()
}

#[test]
fn public_https_urls_are_accepted() {
    assert!(accepted(
        "https://hooks.example.com/serenade?token=abc",
        &[]
    ));
    assert!(accepted("https://93.184.215.14:8443/hook", &[]));
    assert!(accepted("https://[2606:4700::1111]/hook", &[]));
}

#[test]
fn malformed_urls_are_refused_with_their_codes() {
    assert_eq!(refusal("not a url", &[]), "webhook_url_invalid");
    assert_eq!(refusal("/relative/hook", &[]), "webhook_url_invalid");
    assert_eq!(refusal("https://", &[]), "webhook_url_invalid");
    assert_eq!(
        refusal("ftp://hooks.example.com/x", &[]),
        "webhook_url_scheme"
    );
    assert_eq!(refusal("file:///etc/passwd", &[]), "webhook_url_scheme");
    assert_eq!(
        refusal("https://user:pw@hooks.example.com/x", &[]),
        "webhook_url_credentials"
    );
    assert_eq!(
        refusal("https://user@hooks.example.com/x", &[]),
        "webhook_url_credentials"
    );
    let long = format!("https://hooks.example.com/{}", "a".repeat(MAX_URL_CHARS));
    assert_eq!(refusal(&long, &[]), "webhook_url_too_long");
    let just_fits = format!("https://h.io/{}", "a".repeat(MAX_URL_CHARS - 13));
    assert_eq!(just_fits.len(), MAX_URL_CHARS);
    assert!(accepted(&just_fits, &[]));
}

#[test]
fn private_hosts_are_refused_unless_allow_listed() {
    for raw in [
        "http://10.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://127.0.0.1:9000/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:192.168.1.1]/hook",
        "https://2130706433/hook",
        "https://0x7f.1/hook",
        "https://localhost/hook",
        "https://LOCALHOST./hook",
        "https://api.localhost/hook",
    ] {
        assert_eq!(refusal(raw, &[]), "webhook_url_private", "{raw}");
    }
    assert!(accepted("http://127.0.0.1:9000/hook", &["127.0.0.1:9000"]));
    assert!(accepted("http://127.0.0.1:9000/hook", &["127.0.0.1"]));
    assert!(accepted(
        "http://2130706433:9000/hook",
        &[" 127.0.0.1:9000 "]
    ));
    assert!(accepted("http://[::1]:9000/hook", &["[::1]:9000"]));
    assert!(accepted("http://localhost:9000/hook", &["LocalHost:9000"]));
    assert_eq!(
        refusal("http://127.0.0.1:9001/hook", &["127.0.0.1:9000"]),
        "webhook_url_private"
    );
}

#[test]
fn plain_http_needs_an_allow_listed_host() {
    assert_eq!(
        refusal("http://hooks.example.com/x", &[]),
        "webhook_url_not_https"
    );
    assert_eq!(
        refusal("http://hooks.example.com/x", &["other.example.com"]),
        "webhook_url_not_https"
    );
    assert!(accepted(
        "http://hooks.example.com/x",
        &["hooks.example.com"]
    ));
    assert!(accepted(
        "http://hooks.example.com/x",
        &["hooks.example.com:80"]
    ));
    assert_eq!(
        refusal("http://hooks.example.com:8080/x", &["hooks.example.com:80"]),
        "webhook_url_not_https"
    );
}

#[test]
fn malformed_allow_list_entries_allow_nothing() {
    for entry in ["", "http://10.0.0.1", "10.0.0.1/x", "user@10.0.0.1", "[::1"] {
        assert_eq!(
            refusal("http://10.0.0.1/hook", &[entry]),
            "webhook_url_private",
            "{entry:?}"
        );
    }
}

#[test]
fn resolved_addresses_must_all_be_public_unless_the_host_is_listed() {
    let public: SocketAddr = "93.184.215.14:443".parse().unwrap();
    let private: SocketAddr = "10.1.2.3:443".parse().unwrap();
    assert!(check_addresses("hooks.example.com", &[public], false).is_ok());
    let refused = check_addresses("hooks.example.com", &[public, private], false).unwrap_err();
    assert_eq!(refused.code(), "webhook_url_private");
    assert!(refused.is_permanent());
    assert!(refused.to_string().contains("10.1.2.3"), "{refused}");
    assert!(check_addresses("hooks.example.com", &[private], true).is_ok());
    let empty = check_addresses("hooks.example.com", &[], true).unwrap_err();
    assert_eq!(empty.code(), "webhook_url_unresolvable");
    assert!(!empty.is_permanent());
}

#[tokio::test]
async fn an_allow_listed_name_resolves_and_a_private_literal_is_refused_at_send_time() {
    let allowed = vec!["localhost:9".to_owned()];
    let destination = resolve_webhook_url("http://localhost:9/hook", &allowed)
        .await
        .unwrap();
    assert!(!destination.addrs.is_empty());
    assert!(destination.addrs.iter().all(|addr| addr.port() == 9));
    assert!(destination.client().is_ok());
    let refused = resolve_webhook_url("http://10.0.0.1/hook", &[])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "webhook_url_private");
}
