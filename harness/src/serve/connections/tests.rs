use std::io::{Read, Write};
use std::time::Instant;

use axum::routing::get;

use super::*;

async fn start(limits: ConnectionLimits) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let router = Router::new().route(
        "/peer",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
    );
    tokio::spawn(serve(listener, router, limits, std::future::pending()));
    address
}

#[tokio::test]
async fn a_client_that_sends_no_request_head_is_disconnected_after_the_header_read_timeout() {
    let limits =
        ConnectionLimits { header_read: Duration::from_millis(300), max_age: Duration::from_secs(60) };
    let address = start(limits).await;
    let (closed_after, response) = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut slow = std::net::TcpStream::connect(address).expect("connect");
        slow.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        slow.write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\n").expect("a partial head");
        let mut buffer = Vec::new();
        let _ = slow.read_to_end(&mut buffer);
        let closed_after = started.elapsed();

        // A whole request is answered, with the client's address available to handlers.
        let mut client = std::net::TcpStream::connect(address).expect("connect");
        client.write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("request");
        let mut response = String::new();
        client.read_to_string(&mut response).expect("response");
        (closed_after, response)
    })
    .await
    .expect("the client thread");
    assert!(closed_after < Duration::from_secs(3), "the slow client was cut off: {closed_after:?}");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("127.0.0.1"), "{response}");
}
