//! Serves HTTP, and socket upgrades, with deadlines for slow clients.
//!
//! Written out rather than `axum::serve` because that gives hyper no timer,
//! and without one hyper waits for request headers forever: a client that
//! sends half a request line and then nothing holds a connection for good
//! (slowloris), and enough of them take every connection. Here the headers of
//! each request must arrive within the HTTP timeout; bodies are bounded by the
//! same timeout in the router (`RequestBodyTimeoutLayer`).

use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// Accepts connections until `stop`, then lets the requests in progress finish.
pub async fn serve(listener: TcpListener, app: Router, header_timeout: Duration, stop: CancellationToken) {
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    loop {
        let (stream, peer) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let app = app.clone();
        // The peer's address reaches handlers as `ConnectInfo` (the socket caps).
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request.map(Body::new))
        });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, error, "connection ended with an error");
            }
        });
    }
    graceful.shutdown().await;
}
