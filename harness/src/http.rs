//! A small HTTP/1.1 client on hyper, in two roles: the user's browser (it keeps the cookies the
//! IdP sets and never follows redirects, so the caller reads each `Location`) and the relying
//! party's backend (no cookies), which is also the HTTP client `openidconnect` calls.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};
use serde_json::Value;

/// A transport failure (never an HTTP error status: those are answers).
#[derive(Debug)]
pub struct HttpError(pub String);

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

/// An HTTP answer, read whole.
pub struct Reply {
    /// The request line, for messages.
    pub request: String,
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body's `error` member.
    pub fn error(&self) -> Option<String> {
        self.json()["error"].as_str().map(str::to_owned)
    }

    /// A header's value.
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Location` of a redirect.
    pub fn location(&self) -> Option<&str> {
        self.header(header::LOCATION)
    }

    /// Whether the answer sets a cookie.
    pub fn sets_cookie(&self) -> bool {
        self.headers.contains_key(header::SET_COOKIE)
    }

    /// A one-line description for error messages: request, status and the start of the body.
    pub fn summary(&self) -> String {
        let body = String::from_utf8_lossy(&self.body);
        let body: String = body.chars().take(200).collect();
        format!("{} -> {} {body}", self.request, self.status.as_u16())
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {}", self.request, self.status)?;
        for (name, value) in &self.headers {
            write!(f, "\n  {name}: {}", value.to_str().unwrap_or("<binary>"))?;
        }
        write!(f, "\n  {}", String::from_utf8_lossy(&self.body))
    }
}

/// The client; [`Http::browser`] keeps cookies, [`Http::backend`] does not.
#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    jar: Option<std::sync::Arc<Mutex<BTreeMap<String, String>>>>,
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http").field("keeps_cookies", &self.jar.is_some()).finish()
    }
}

impl Http {
    /// A user agent that keeps the cookies it is given (all from the one IdP origin it talks to).
    pub fn browser() -> Self {
        Self { jar: Some(Default::default()), ..Self::backend() }
    }

    /// A server-side client: no cookies. Its connections send each request at once
    /// (`TCP_NODELAY`): a request is written whole, so Nagle's algorithm would only hold back
    /// the tail of one that spans two writes until the peer's delayed ACK.
    pub fn backend() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        // What `build_http` would set: TCP keepalive probes after the pool's idle timeout.
        connector.set_keepalive(Some(std::time::Duration::from_secs(90)));
        Self { client: Client::builder(TokioExecutor::new()).build(connector), jar: None }
    }

    /// The same connection pool with an empty cookie jar: a new browser profile.
    pub fn fresh_browser(&self) -> Self {
        Self { client: self.client.clone(), jar: Some(Default::default()) }
    }

    /// The cookies held, by name.
    pub fn cookies(&self) -> BTreeMap<String, String> {
        self.jar.as_ref().and_then(|jar| jar.lock().ok().map(|j| j.clone())).unwrap_or_default()
    }

    /// Sends `request` (with the jar's cookies) and reads the answer (keeping its cookies).
    pub async fn send(&self, request: Request<Vec<u8>>) -> Result<Reply, HttpError> {
        let (mut parts, body) = request.into_parts();
        let line = format!("{} {}", parts.method, parts.uri);
        let cookies = self.cookies();
        if !cookies.is_empty() {
            let value = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            let value = HeaderValue::from_str(&value).map_err(|e| HttpError(e.to_string()))?;
            parts.headers.insert(header::COOKIE, value);
        }
        let request = Request::from_parts(parts, Full::new(Bytes::from(body)));
        let response = self.client.request(request).await.map_err(|e| HttpError(format!("{line}: {e:?}")))?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| HttpError(format!("{line}: {e}")))?.to_bytes().to_vec();
        if let Some(jar) = &self.jar {
            let mut jar = jar.lock().map_err(|_| HttpError("cookie jar poisoned".into()))?;
            for set in parts.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
                let mut attributes = set.split(';');
                let Some((name, value)) = attributes.next().and_then(|pair| pair.trim().split_once('='))
                else {
                    continue;
                };
                let expired = attributes.any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
                if expired || value.is_empty() {
                    jar.remove(name);
                } else {
                    jar.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        Ok(Reply { request: line, status: parts.status, headers: parts.headers, body })
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> Result<Reply, HttpError> {
        let request = Request::get(url).body(Vec::new()).map_err(|e| HttpError(e.to_string()))?;
        self.send(request).await
    }

    /// `GET url` with a bearer token.
    pub async fn get_bearer(&self, url: &str, token: &str) -> Result<Reply, HttpError> {
        let request = Request::get(url)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Vec::new())
            .map_err(|e| HttpError(e.to_string()))?;
        self.send(request).await
    }

    /// `POST url` with a JSON body.
    pub async fn post_json(&self, url: &str, body: &Value) -> Result<Reply, HttpError> {
        let request = Request::post(url)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_string().into_bytes())
            .map_err(|e| HttpError(e.to_string()))?;
        self.send(request).await
    }

    /// `POST url` with a form body.
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Result<Reply, HttpError> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let request = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(body.into_bytes())
            .map_err(|e| HttpError(e.to_string()))?;
        self.send(request).await
    }
}

/// openidconnect's HTTP client.
impl<'c> AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let reply = self.send(request).await?;
            let mut response = Response::new(reply.body);
            *response.status_mut() = reply.status;
            *response.headers_mut() = reply.headers;
            Ok(response)
        })
    }
}
