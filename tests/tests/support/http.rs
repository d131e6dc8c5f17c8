//! The harness's HTTP client (`softfido_harness::http`: a cookie-keeping browser, or the relying
//! party's backend, which is also openidconnect's HTTP client), with the conveniences a test
//! wants: an answer or a panic naming the request.

pub use softfido_harness::http::{HttpError, Reply};

/// The client; `browser()` keeps cookies, `backend()` does not.
pub struct Http(softfido_harness::http::Http);

impl Http {
    /// A user agent that keeps the cookies it is given.
    pub fn browser() -> Self {
        Self(softfido_harness::http::Http::browser())
    }

    /// A server-side client: no cookies.
    pub fn backend() -> Self {
        Self(softfido_harness::http::Http::backend())
    }

    /// The harness client itself, for openidconnect (`request_async`, `discover_async`).
    pub fn client(&self) -> &softfido_harness::http::Http {
        &self.0
    }

    /// The cookies held, by name.
    pub fn cookies(&self) -> std::collections::BTreeMap<String, String> {
        self.0.cookies()
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> Reply {
        self.0.get(url).await.expect("the IdP answers")
    }

    /// `GET url` with a bearer token.
    pub async fn get_bearer(&self, url: &str, token: &str) -> Reply {
        self.0.get_bearer(url, token).await.expect("the IdP answers")
    }

    /// `POST url` with a JSON body.
    pub async fn post_json(&self, url: &str, body: &serde_json::Value) -> Reply {
        self.0.post_json(url, body).await.expect("the IdP answers")
    }

    /// `POST url` with a form body.
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Reply {
        self.0.post_form(url, form).await.expect("the IdP answers")
    }
}

/// The `Location` of a redirect, or a panic showing the whole answer.
pub trait Redirect {
    /// The `Location` header.
    fn redirect(&self) -> String;
}

impl Redirect for Reply {
    fn redirect(&self) -> String {
        self.location().unwrap_or_else(|| panic!("a redirect, got {self:?}")).to_owned()
    }
}
