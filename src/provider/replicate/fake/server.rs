//! The fake's HTTP/1 server: an accept loop with one task per connection, so a handler can
//! close its own connection without answering ([`DropConnection`]), the way a load balancer
//! reset or a crashed origin looks to a client. Stopping drains connections gracefully.

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

/// How long stopping waits for open connections to finish their answer.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// Given to every request (as an extension): closes the request's connection at once.
#[derive(Debug, Clone)]
pub struct DropConnection(CancellationToken);

impl DropConnection {
    /// Closes the connection; the handler's answer is never written.
    pub fn now(&self) {
        self.0.cancel();
    }
}

/// Serves `router` on `listener` until `shutdown`, then waits for open connections.
pub async fn run(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => break,
        };
        match accepted {
            Ok((stream, _)) => {
                connections.spawn(serve_connection(stream, router.clone(), shutdown.clone()));
            }
            Err(error) => {
                // Out of file descriptors and the like: pause instead of spinning.
                tracing::warn!(%error, "fake Replicate could not accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    connections.close();
    connections.wait().await;
}

async fn serve_connection(stream: TcpStream, router: Router, shutdown: CancellationToken) {
    let kill = CancellationToken::new();
    let handle = DropConnection(kill.clone());
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(handle.clone());
        router.clone().oneshot(request)
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        served = connection.as_mut() => {
            if let Err(error) = served {
                tracing::debug!(%error, "fake Replicate connection ended with an error");
            }
        }
        // Dropping the connection closes the socket with the answer unwritten.
        () = kill.cancelled() => {}
        () = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            if tokio::time::timeout(STOP_GRACE, connection).await.is_err() {
                tracing::debug!("fake Replicate dropped a connection that outlived the stop");
            }
        }
    }
}
