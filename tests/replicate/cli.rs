//! `serenade fake-replicate`: the binary serves the fake with the configured token and secret,
//! runs a prediction through the client, and exits cleanly on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use serenade::provider::replicate::PredictionStatus;

use crate::harness::{client_for, image_call};

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

#[tokio::test]
async fn the_cli_serves_predictions_and_stops_on_sigterm() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_serenade"))
        .args(["fake-replicate", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--starting-millis", "10", "--generation-millis", "50"])
        .env("FAKE_REPLICATE_API_TOKEN", "cli-token")
        .env("FAKE_REPLICATE_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = client_for(
        &format!("http://127.0.0.1:{port}/v1"),
        "cli-token",
        Duration::from_secs(10),
    );
    let up = Instant::now();
    let secret = loop {
        match client.default_webhook_secret().await {
            Ok(secret) => break secret,
            Err(error) => {
                assert!(error.is_retryable(), "{error:?}");
                assert!(up.elapsed() < Duration::from_secs(20), "fake did not start");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    assert_eq!(secret.to_whsec().expose_secret(), SECRET);
    let mut call = image_call("from the command line", 2);
    call.wait_seconds = Some(20);
    let done = client.create_prediction(&call).await.unwrap();
    assert_eq!(done.status, PredictionStatus::Succeeded);
    assert_eq!(done.output_urls().len(), 2);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "fake did not exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
}
