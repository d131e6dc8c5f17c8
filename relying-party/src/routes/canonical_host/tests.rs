use axum::body::Body;
use axum::routing::{get, post};
use tower::ServiceExt;

use super::*;

fn router() -> Router {
    let origin = Url::parse("http://localhost:8080").expect("origin");
    redirect_to_origin(
        Router::new().route("/signin", get(|| async { "page" })).route("/x", post(|| async { "posted" })),
        &origin,
    )
}

async fn send(method: &str, uri: &str, host: Option<&str>) -> (StatusCode, Option<String>) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(host) = host {
        request = request.header(header::HOST, host);
    }
    let response = router().oneshot(request.body(Body::empty()).expect("request")).await.expect("infallible");
    let location = response.headers().get(header::LOCATION).map(|v| v.to_str().expect("ascii").to_owned());
    (response.status(), location)
}

#[tokio::test]
async fn another_host_name_is_redirected_to_the_origin_with_path_and_query() {
    assert_eq!(
        send("GET", "/signin?request=abc&step_up=1", Some("127.0.0.1:8080")).await,
        (StatusCode::TEMPORARY_REDIRECT, Some("http://localhost:8080/signin?request=abc&step_up=1".into()))
    );
    assert_eq!(
        send("POST", "/x", Some("127.0.0.1:8080")).await,
        (StatusCode::TEMPORARY_REDIRECT, Some("http://localhost:8080/x".into()))
    );
    assert_eq!(
        send("GET", "/signin", Some("localhost:9090")).await,
        (StatusCode::TEMPORARY_REDIRECT, Some("http://localhost:8080/signin".into()))
    );
}

#[tokio::test]
async fn the_origin_s_own_host_and_a_missing_host_pass_through() {
    assert_eq!(send("GET", "/signin", Some("localhost:8080")).await, (StatusCode::OK, None));
    assert_eq!(send("GET", "/signin", Some("LocalHost:8080")).await, (StatusCode::OK, None));
    assert_eq!(send("POST", "/x", Some("localhost:8080")).await, (StatusCode::OK, None));
    assert_eq!(send("GET", "/signin", None).await, (StatusCode::OK, None));
}

#[test]
fn a_default_port_may_be_implicit_on_either_side() {
    let origin = Url::parse("https://idp.example").expect("origin");
    assert!(same_authority(&origin, "idp.example"));
    assert!(same_authority(&origin, "idp.example:443"));
    assert!(!same_authority(&origin, "idp.example:8443"));
    assert!(!same_authority(&origin, "evil.example"));
}
