//! The accept loop of `softfido serve`. Each connection is served by hyper (HTTP/1.1) with a
//! header-read timeout, so a client that sends its request head too slowly, or sits idle on a
//! kept-alive connection, is disconnected (slow-header attacks hold no connection for long), and
//! a maximum age after which the connection is closed gracefully (the request in progress
//! finishes). Each request carries the client's address as [`ConnectInfo`], for the password
//! throttle.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};

/// How long a connection may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// To send a request head, including the wait for the next request of a kept-alive
    /// connection.
    pub header_read: Duration,
    /// The connection's whole life, after which it is closed once its request is answered.
    pub max_age: Duration,
}

/// What `softfido serve` uses: 10 s for a request head, 2 minutes per connection.
pub const DEFAULT_LIMITS: ConnectionLimits =
    ConnectionLimits { header_read: Duration::from_secs(10), max_age: Duration::from_secs(120) };

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => return,
        };
        match accepted {
            Ok((stream, peer)) => {
                tokio::spawn(serve_connection(stream, peer, router.clone(), limits));
            }
            Err(error) => {
                // Out of file descriptors, or a connection reset before it was accepted: the
                // listener itself is fine; pause briefly so a persistent error does not spin.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

async fn serve_connection(stream: TcpStream, peer: SocketAddr, router: Router, limits: ConnectionLimits) {
    let service = TowerToHyperService::new(router.layer(axum::Extension(ConnectInfo(peer))));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let outcome = tokio::select! {
        outcome = connection.as_mut() => outcome,
        () = tokio::time::sleep(limits.max_age) => {
            connection.as_mut().graceful_shutdown();
            tokio::time::timeout(limits.header_read, connection.as_mut()).await.unwrap_or(Ok(()))
        }
    };
    if let Err(error) = outcome {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}

#[cfg(test)]
mod tests;
