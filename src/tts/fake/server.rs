//! The fake's HTTP/1 accept loop, one task per connection, so that a handler can close its
//! own connection without answering ([`Hangup`]) the way a crashed origin or a reset looks to
//! a client. Stopping lets open connections finish briefly, then drops them.

use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// How long a stop waits for open connections.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// Put on every request: closes its connection at once, the answer unwritten.
#[derive(Debug, Clone)]
pub struct Hangup(CancellationToken);

impl Hangup {
    /// Closes the connection.
    pub fn now(&self) {
        self.0.cancel();
    }
}

/// Serves `router` on `listener` until `stop` is cancelled.
pub async fn run(listener: TcpListener, router: Router, stop: CancellationToken) {
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stop.cancelled() => break,
        };
        match accepted {
            Ok((stream, _)) => {
                connections.spawn(connection(stream, router.clone(), stop.clone()));
            }
            Err(error) => {
                tracing::warn!(%error, "fake TTS could not accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    connections.close();
    connections.wait().await;
}

async fn connection(stream: TcpStream, router: Router, stop: CancellationToken) {
    let hangup = CancellationToken::new();
    let handle = Hangup(hangup.clone());
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(handle.clone());
        router.clone().oneshot(request)
    });
    let serving = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(serving);
    tokio::select! {
        served = serving.as_mut() => {
            if let Err(error) = served {
                tracing::debug!(%error, "fake TTS connection ended with an error");
            }
        }
        // Returning drops the connection: the socket closes with nothing written.
        () = hangup.cancelled() => {}
        () = stop.cancelled() => {
            serving.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(STOP_GRACE, serving).await;
        }
    }
}
