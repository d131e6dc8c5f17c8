//! Raw OAuth requests, parameter by parameter, so a case can repeat, drop or bend any of them:
//! the authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) and what came of it, and the
//! token and PAR endpoints with each way of (not) authenticating the client.

use anyhow::Context as _;
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use hyper::Request;
use hyper::header;
use sha2::{Digest, Sha256};

use super::case::Outcome;
use super::jws::JWT_BEARER;
use super::trial::{Trial, outcome};
use crate::http::{Http, Reply};
use crate::idp::{MATRIX_CLIENT_ID, MATRIX_CLIENT_SECRET, MATRIX_REDIRECT_URI};

/// An authorization request as a list of parameters (a name may appear twice), with the PKCE
/// verifier its challenge was made from.
#[derive(Clone, Debug)]
pub struct AuthRequest {
    params: Vec<(String, String)>,
    /// The PKCE `code_verifier` (RFC 7636 §4.1) whose S256 challenge the request carries.
    pub verifier: String,
}

/// A fresh random value, base64url (43 characters: also a valid PKCE verifier).
pub fn random_value() -> String {
    Base64UrlUnpadded::encode_string(&rand::random::<[u8; 32]>())
}

/// RFC 7636 §4.2: the S256 challenge of `verifier`.
pub fn s256(verifier: &str) -> String {
    Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes()))
}

impl AuthRequest {
    /// An honest code-flow request of `client_id` for `redirect_uri`: scope openid, state,
    /// nonce and an S256 challenge.
    pub fn of(client_id: &str, redirect_uri: &str) -> Self {
        let verifier = random_value();
        let (state, nonce, challenge) = (random_value(), random_value(), s256(&verifier));
        let params = [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", "openid"),
            ("state", state.as_str()),
            ("nonce", nonce.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        let params = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Self { params, verifier }
    }

    /// The matrix client's honest request.
    pub fn matrix() -> Self {
        Self::of(MATRIX_CLIENT_ID, MATRIX_REDIRECT_URI)
    }

    /// `name` set to `value` (replacing every occurrence, or added).
    pub fn set(mut self, name: &str, value: &str) -> Self {
        self.params.retain(|(k, _)| k != name);
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Without `name`.
    pub fn without(mut self, name: &str) -> Self {
        self.params.retain(|(k, _)| k != name);
        self
    }

    /// `name` once more, with `value`.
    pub fn repeat(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `name` once more, with `value`, placed before its first occurrence (after the others
    /// when it has none).
    pub fn repeat_before(mut self, name: &str, value: &str) -> Self {
        let at = self.params.iter().position(|(k, _)| k == name).unwrap_or(self.params.len());
        self.params.insert(at, (name.to_owned(), value.to_owned()));
        self
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The parameters, as a form.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    /// The `/authorize` URL of the request at `trial`'s IdP.
    pub fn url(&self, trial: &Trial) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&self.params).finish();
        trial.url(&format!("/authorize?{query}"))
    }

    /// The form that redeems `code` of this request (RFC 6749 §4.1.3, RFC 7636 §4.5).
    pub fn redemption(&self, code: &str) -> Vec<(String, String)> {
        let redirect_uri = self.get("redirect_uri").unwrap_or_default();
        [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", self.verifier.as_str()),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }
}

/// What the authorization endpoint did with a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A code, redirected to `at` (the redirect URI, without its query).
    Code {
        /// The code.
        code: String,
        /// Where it went.
        at: String,
    },
    /// An OAuth error redirected to the client.
    Redirected(String),
    /// Sent to the sign-in page; the query of that page (`request=…`), which
    /// `/authorize/continue` takes.
    SignIn(String),
    /// An error shown to the user, not redirected.
    Page(String),
}

impl Answer {
    /// The answer of the authorization endpoint in `reply`.
    pub fn of(trial: &Trial, reply: &Reply) -> anyhow::Result<Self> {
        if !reply.status.is_redirection() {
            let error = reply.error().unwrap_or_else(|| format!("http_{}", reply.status.as_u16()));
            return Ok(Self::Page(error));
        }
        let location = reply.location().with_context(|| format!("no Location: {}", reply.summary()))?;
        if let Some(query) = location.strip_prefix("/signin?") {
            return Ok(Self::SignIn(query.to_owned()));
        }
        let target = url::Url::parse(trial.issuer())?.join(location)?;
        let param = |name: &str| target.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        if let Some(error) = param("error") {
            return Ok(Self::Redirected(error));
        }
        let code = param("code").with_context(|| format!("neither code nor error in {location}"))?;
        let at = location.split('?').next().unwrap_or_default().to_owned();
        Ok(Self::Code { code, at })
    }

    /// The outcome it stands for.
    pub fn outcome(&self) -> Outcome {
        match self {
            Self::Code { at, .. } => Outcome::Accepted(format!("a code sent to {at}")),
            Self::Redirected(error) => Outcome::Refused(format!("redirect:{error}")),
            Self::SignIn(_) => Outcome::Accepted("the request was taken: sent to sign in".to_owned()),
            Self::Page(error) => Outcome::Refused(format!("page:{error}")),
        }
    }
}

/// Sends `browser` to the authorization endpoint with `url`.
pub async fn authorize_url(trial: &Trial, browser: &Http, url: &str) -> anyhow::Result<Answer> {
    Answer::of(trial, &browser.get(url).await?)
}

/// Sends `browser` to the authorization endpoint with `request`.
pub async fn authorize(trial: &Trial, browser: &Http, request: &AuthRequest) -> anyhow::Result<Answer> {
    authorize_url(trial, browser, &request.url(trial)).await
}

/// `browser` calls `/authorize/continue` for the sign-in page's `query`.
pub async fn resume(trial: &Trial, browser: &Http, query: &str) -> anyhow::Result<Answer> {
    authorize_url(trial, browser, &trial.url(&format!("/authorize/continue?{query}"))).await
}

/// A code for `request` on `browser`'s session; anything else is a set-up failure.
pub async fn code(trial: &Trial, browser: &Http, request: &AuthRequest) -> anyhow::Result<String> {
    match authorize(trial, browser, request).await? {
        Answer::Code { code, .. } => Ok(code),
        other => anyhow::bail!("the set-up authorization request got no code: {other:?}"),
    }
}

/// How a request to the token or PAR endpoint authenticates its client.
#[derive(Clone, Debug)]
pub enum ClientAuth {
    /// `client_secret_basic` (RFC 6749 §2.3.1).
    Basic(&'static str, &'static str),
    /// `private_key_jwt` (RFC 7523 §2.2): the client_id and the assertion.
    Assertion(&'static str, String),
    /// None at all.
    Nothing,
}

impl ClientAuth {
    /// The matrix client's credentials.
    pub fn matrix() -> Self {
        Self::Basic(MATRIX_CLIENT_ID, MATRIX_CLIENT_SECRET)
    }
}

/// POSTs `form` to the IdP's `path` as a server-side client authenticated by `auth`.
pub async fn post_client(
    trial: &Trial,
    path: &str,
    auth: &ClientAuth,
    form: &[(String, String)],
) -> anyhow::Result<Reply> {
    let mut form = form.to_vec();
    let mut request = Request::post(trial.url(path))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    match auth {
        ClientAuth::Basic(id, secret) => {
            let credentials = Base64::encode_string(format!("{id}:{secret}").as_bytes());
            request = request.header(header::AUTHORIZATION, format!("Basic {credentials}"));
        }
        ClientAuth::Assertion(id, assertion) => {
            if !form.iter().any(|(k, _)| k == "client_id") {
                form.push(("client_id".to_owned(), (*id).to_owned()));
            }
            form.push(("client_assertion_type".to_owned(), JWT_BEARER.to_owned()));
            form.push(("client_assertion".to_owned(), assertion.clone()));
        }
        ClientAuth::Nothing => {}
    }
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&form).finish();
    Ok(trial.backend().send(request.body(body.into_bytes())?).await?)
}

/// A token request; its outcome, `token:error` on refusal.
pub async fn token(trial: &Trial, auth: &ClientAuth, form: &[(String, String)]) -> anyhow::Result<Outcome> {
    let reply = post_client(trial, "/token", auth, form).await?;
    Ok(outcome(&reply, "token", "tokens issued"))
}

/// A token request that must succeed (a case's set-up): the access token.
pub async fn tokens(trial: &Trial, auth: &ClientAuth, form: &[(String, String)]) -> anyhow::Result<String> {
    let reply = post_client(trial, "/token", auth, form).await?;
    anyhow::ensure!(reply.status.is_success(), "the set-up redemption failed: {}", reply.summary());
    reply.json()["access_token"].as_str().map(str::to_owned).context("no access_token")
}

/// Pushes `request` (RFC 9126 §2.1) authenticated by `auth`.
pub async fn push(trial: &Trial, auth: &ClientAuth, request: &AuthRequest) -> anyhow::Result<Reply> {
    let form: Vec<(String, String)> =
        request.pairs().into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    post_client(trial, "/par", auth, &form).await
}

/// Pushes `request`, which must be accepted (a case's set-up): its `request_uri`.
pub async fn pushed(trial: &Trial, auth: &ClientAuth, request: &AuthRequest) -> anyhow::Result<String> {
    let reply = push(trial, auth, request).await?;
    anyhow::ensure!(reply.status.is_success(), "the set-up push was refused: {}", reply.summary());
    reply.json()["request_uri"].as_str().map(str::to_owned).context("no request_uri")
}

/// The `/authorize` URL that redeems a pushed request (RFC 9126 §4).
pub fn pushed_url(trial: &Trial, client_id: &str, request_uri: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("client_id", client_id), ("request_uri", request_uri)])
        .finish();
    trial.url(&format!("/authorize?{query}"))
}

/// `GET /userinfo` with `token`; `userinfo:error` on refusal.
pub async fn userinfo(trial: &Trial, token: &str) -> anyhow::Result<Outcome> {
    let reply = trial.backend().get_bearer(&trial.url("/userinfo"), token).await?;
    Ok(outcome(&reply, "userinfo", "the user's claims"))
}

#[cfg(test)]
mod tests;
