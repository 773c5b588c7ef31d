//! The `serenade` binary itself: subcommands, config printing with secrets redacted, clear
//! errors on bad config, and a graceful exit on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn serenade() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_serenade"));
    for name in [
        "DATABASE_URL",
        "ADMIN_USER",
        "ADMIN_PASSWORD",
        "SERENADE_BIND",
        "STORAGE_DIR",
    ] {
        command.env_remove(name);
    }
    command
}

#[test]
fn config_print_redacts_secrets() {
    let output = serenade()
        .args(["config", "--print"])
        .env("DATABASE_URL", "postgres://app:hunter22@db:5432/serenade")
        .env("ADMIN_USER", "ops")
        .env("ADMIN_PASSWORD", "super-secret-password")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("DATABASE_URL=postgres://app:***@db:5432/serenade"),
        "{text}"
    );
    assert!(text.contains("ADMIN_PASSWORD=[redacted]"));
    assert!(text.contains("IMG_STORAGE=./storage/uploads"));
    assert!(!text.contains("hunter22") && !text.contains("super-secret-password"));
}

#[test]
fn database_passwords_in_the_query_are_redacted_too() {
    let url = "postgres://app:hunter22@127.0.0.1:1/serenade?sslmode=disable&password=hunter33";
    let printed = serenade()
        .args(["config", "--print"])
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    let text = String::from_utf8(printed.stdout).unwrap();
    assert!(
        text.contains(
            "DATABASE_URL=postgres://app:***@127.0.0.1:1/serenade?sslmode=disable&password=***"
        ),
        "{text}"
    );

    // A failed connection names the database without its password.
    let failed = serenade()
        .arg("migrate")
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    assert!(!failed.status.success());
    let errors = String::from_utf8(failed.stderr).unwrap();
    assert!(
        errors.contains("connecting to postgres://app:***@127.0.0.1:1/serenade"),
        "{errors}"
    );
    for shown in [&text, &errors] {
        assert!(
            !shown.contains("hunter22") && !shown.contains("hunter33"),
            "{shown}"
        );
    }
}

#[test]
fn config_check_explains_what_is_wrong() {
    let output = serenade()
        .args(["config", "--check"])
        .env("ADMIN_USER", "ops")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = String::from_utf8(output.stderr).unwrap();
    assert!(
        text.contains("ADMIN_PASSWORD: is required when ADMIN_USER is set"),
        "{text}"
    );

    let ok = serenade().args(["config", "--check"]).output().unwrap();
    assert!(ok.status.success());
}

#[test]
fn openapi_prints_the_document() {
    let output = serenade().arg("openapi").output().unwrap();
    assert!(output.status.success());
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(document["paths"]["/api/submissions"].is_object());
}

#[test]
fn migrate_creates_the_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nested/db.sqlite", dir.path().display());
    let output = serenade()
        .args(["migrate", "--database-url", &url])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("nested/db.sqlite").exists());
}

#[test]
fn serve_exits_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = serenade()
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/db.sqlite", dir.path().display()),
        )
        .env("STORAGE_DIR", dir.path().join("storage"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !is_ready(port) {
        assert!(Instant::now() < deadline, "server never became ready");
        std::thread::sleep(Duration::from_millis(50));
    }

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
        assert!(
            Instant::now() < deadline,
            "server did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

/// Whether `GET /readyz` answers 200.
fn is_ready(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /readyz HTTP/1.0\r\nHost: test\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200")
}
