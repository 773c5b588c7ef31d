//! A real S3-compatible server for one test: `s3s-fs` on a free port over a temporary
//! directory, with one bucket, killed on drop.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serenade::config::{ObjectStorageConfig, StorageBackend};
use tempfile::TempDir;

pub const BUCKET: &str = "serenade-test";
const ACCESS_KEY: &str = "serenade-test-key";
const SECRET_KEY: &str = "serenade-test-secret";

pub struct S3Server {
    child: Child,
    pub endpoint: String,
    _dir: TempDir,
}

/// The `s3s-fs` binary, if this machine has one.
fn binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("S3S_FS") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("s3s-fs"))
            .find(|candidate| candidate.is_file())
    })
}

impl S3Server {
    /// A running server, or `None` (the test then skips) when `s3s-fs` is missing and
    /// `SERENADE_REQUIRE_S3` is not `1`.
    pub fn start() -> Option<Self> {
        let Some(binary) = binary() else {
            assert_ne!(
                std::env::var("SERENADE_REQUIRE_S3").as_deref(),
                Ok("1"),
                "SERENADE_REQUIRE_S3=1 but no s3s-fs binary (set S3S_FS or run scripts/test)"
            );
            eprintln!("skipped: no s3s-fs binary (set S3S_FS)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(BUCKET)).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    /// The service's settings for this server.
    pub fn config(&self) -> ObjectStorageConfig {
        ObjectStorageConfig {
            storage_backend: StorageBackend::S3,
            s3_bucket: Some(BUCKET.into()),
            s3_endpoint: Some(self.endpoint.clone()),
            s3_access_key_id: Some(ACCESS_KEY.into()),
            s3_secret_access_key: Some(SECRET_KEY.to_owned().into()),
            ..ObjectStorageConfig::default()
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
