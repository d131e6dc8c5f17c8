//! Client authentication at the token and PAR endpoints: `client_secret_basic` (RFC 6749 §2.3.1)
//! and `private_key_jwt` (RFC 7523 §2.2 and §3, OIDC Core §9), each client with the one method it
//! registered (see [`super::clients`]).
//!
//! The handler extracts [`ClientCredentials`] from the request, calls [`authenticate`] and, on
//! failure, answers with [`ClientAuthError::status`], the JSON error body (RFC 6749 §5.2) and, when
//! [`ClientAuthError::www_authenticate`] says so, a `WWW-Authenticate` header.
//!
//! Replay protection needs state: the caller passes `remember_jti(client_id, jti, exp)`, which
//! records the pair and returns `true` when it was not seen before. An entry may be forgotten
//! after `exp + LEEWAY_SECONDS`, when the assertion is refused as expired anyway.

use std::collections::HashMap;

use axum::http::StatusCode;
use base64ct::{Base64, Base64Unpadded, Encoding};
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::OAuthError;
use super::clients::{ClientAuthMethod, ClientRegistry, EcP256Jwk, RegisteredClient};

/// The `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Clock skew tolerated on `exp`, `iat` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 60;
/// The longest accepted assertion lifetime (`exp` − `iat`), in seconds: a client assertion is
/// made for one request.
pub const MAX_ASSERTION_LIFETIME_SECONDS: u64 = 600;
/// The longest accepted `client_assertion`, in bytes.
pub const MAX_ASSERTION_BYTES: usize = 8 * 1024;
/// For the discovery document: `token_endpoint_auth_methods_supported`.
pub const TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED: [&str; 2] = ["client_secret_basic", "private_key_jwt"];
/// For the discovery document: `token_endpoint_auth_signing_alg_values_supported`.
pub const TOKEN_ENDPOINT_AUTH_SIGNING_ALG_VALUES_SUPPORTED: [&str; 1] = ["ES256"];

/// What a request presents to authenticate its client, as extracted from HTTP by the caller.
/// Empty values count as absent.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The `Authorization` header value, e.g. `Basic YXBwOnNlY3JldA==`.
    pub authorization: Option<String>,
    /// The `client_id` form field.
    pub client_id: Option<String>,
    /// The `client_secret` form field (`client_secret_post`, which is refused).
    pub client_secret: Option<String>,
    /// The `client_assertion_type` form field.
    pub client_assertion_type: Option<String>,
    /// The `client_assertion` form field.
    pub client_assertion: Option<String>,
}

impl ClientCredentials {
    /// The credentials of a request with `authorization` header and form fields `form`.
    pub fn from_request(authorization: Option<&str>, form: &HashMap<String, String>) -> Self {
        let field = |name: &str| form.get(name).filter(|v| !v.is_empty()).cloned();
        Self {
            authorization: authorization.filter(|v| !v.is_empty()).map(str::to_owned),
            client_id: field("client_id"),
            client_secret: field("client_secret"),
            client_assertion_type: field("client_assertion_type"),
            client_assertion: field("client_assertion"),
        }
    }
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("ClientCredentials")
            .field("authorization", &redacted(&self.authorization))
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .field("client_assertion_type", &self.client_assertion_type)
            .field("client_assertion", &redacted(&self.client_assertion))
            .finish()
    }
}

/// The client_id of a client that [`authenticate`] has authenticated.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientId(String);

impl ClientId {
    /// A client_id taken as authenticated, for the unit tests of the token endpoint's decision.
    #[cfg(test)]
    pub(crate) fn authenticated_for_tests(client_id: &str) -> Self {
        Self(client_id.to_owned())
    }

    /// The client_id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The client_id, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a client is not authenticated (RFC 6749 §5.2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {description}")]
pub struct ClientAuthError {
    /// `invalid_client` or `invalid_request`.
    pub error: OAuthError,
    /// The `error_description`.
    pub description: String,
    /// Whether the answer is HTTP 401 with a `WWW-Authenticate: Basic` challenge: for
    /// `invalid_client` when the client tried the `Authorization` header (RFC 6749 §5.2 "MUST"), or
    /// sent no credentials at all (§5.2 "MAY", to name the supported scheme).
    pub basic_challenge: bool,
}

impl ClientAuthError {
    /// The `WWW-Authenticate` challenge the answer carries (RFC 7617 §2), if any.
    pub const CHALLENGE: &'static str = "Basic realm=\"softfido\"";

    /// Marks an `invalid_client` error as a failed HTTP authentication.
    fn challenged(self) -> Self {
        Self { basic_challenge: self.error == OAuthError::InvalidClient, ..self }
    }

    /// The HTTP status: 401 with a challenge, otherwise 400 (RFC 6749 §5.2).
    pub fn status(&self) -> StatusCode {
        if self.basic_challenge { StatusCode::UNAUTHORIZED } else { self.error.status() }
    }

    /// The `WWW-Authenticate` header value to send, if any.
    pub fn www_authenticate(&self) -> Option<&'static str> {
        self.basic_challenge.then_some(Self::CHALLENGE)
    }
}

fn invalid_client(description: impl Into<String>) -> ClientAuthError {
    ClientAuthError {
        error: OAuthError::InvalidClient,
        description: description.into(),
        basic_challenge: false,
    }
}

fn invalid_request(description: impl Into<String>) -> ClientAuthError {
    ClientAuthError {
        error: OAuthError::InvalidRequest,
        description: description.into(),
        basic_challenge: false,
    }
}

/// A form field or header, when present and not empty.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// Authenticates the client of a token or PAR request.
///
/// `issuer` is the one value a client assertion's `aud` may name (draft-ietf-oauth-rfc7523bis:
/// the issuer identifier, as a single string or a one-element array; no endpoint URL). `now` is in seconds since the epoch. `remember_jti(client_id,
/// jti, exp)` records an assertion's `jti` and returns `true` when it is fresh; it is called only
/// for an assertion that passed every other check.
pub fn authenticate(
    registry: &ClientRegistry,
    request: &ClientCredentials,
    issuer: &str,
    now: u64,
    remember_jti: impl FnMut(&str, &str, u64) -> bool,
) -> Result<ClientId, ClientAuthError> {
    let form_client_id = present(&request.client_id);
    let header = present(&request.authorization);
    let assertion_used =
        present(&request.client_assertion).is_some() || present(&request.client_assertion_type).is_some();
    let secret_post = present(&request.client_secret).is_some();
    // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
    let methods = usize::from(header.is_some()) + usize::from(assertion_used) + usize::from(secret_post);
    if methods > 1 {
        return Err(invalid_request("more than one client authentication method is used"));
    }
    if let Some(header) = header {
        return authenticate_basic(registry, header, form_client_id).map_err(ClientAuthError::challenged);
    }
    if assertion_used {
        let assertion = Assertion {
            assertion_type: present(&request.client_assertion_type),
            assertion: present(&request.client_assertion),
            form_client_id,
        };
        return authenticate_jwt(registry, &assertion, issuer, now, remember_jti);
    }
    if secret_post {
        return Err(invalid_client(
            "client_secret_post is not supported: send the secret with HTTP Basic (client_secret_basic)",
        ));
    }
    // RFC 6749 §5.2 invalid_client: "no client authentication included".
    Err(invalid_client("client authentication is required (client_secret_basic or private_key_jwt)")
        .challenged())
}

/// client_secret_basic (RFC 6749 §2.3.1), in order: parse the header, agree with the form's
/// client_id, find the client, check its method, compare the secret.
fn authenticate_basic(
    registry: &ClientRegistry,
    header: &str,
    form_client_id: Option<&str>,
) -> Result<ClientId, ClientAuthError> {
    let (client_id, secret) = parse_basic(header)?;
    if form_client_id.is_some_and(|id| id != client_id) {
        return Err(invalid_request("client_id differs from the Authorization header's"));
    }
    let client = registered(registry, &client_id)?;
    match &client.auth {
        ClientAuthMethod::SecretBasic { secret: registered_secret } => {
            if registered_secret.matches(&secret) {
                Ok(ClientId(client.id.clone()))
            } else {
                Err(invalid_client("wrong client secret"))
            }
        }
        ClientAuthMethod::PrivateKeyJwt { .. } => Err(wrong_method(client, "client_secret_basic")),
    }
}

/// Reads `Basic base64(urlencode(client_id) ":" urlencode(secret))` (RFC 7617 §2, RFC 6749 §2.3.1).
fn parse_basic(header: &str) -> Result<(String, String), ClientAuthError> {
    let malformed = |what: &str| invalid_request(format!("malformed Basic credentials: {what}"));
    let (scheme, token) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    // RFC 7235 §2.1: the scheme is case-insensitive.
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid_client(format!(
            "Authorization scheme {scheme:?} is not supported; use Basic (client_secret_basic)"
        )));
    }
    let token = token.trim_start();
    if token.is_empty() {
        return Err(malformed("no credentials after Basic"));
    }
    let decoded = Base64::decode_vec(token)
        .or_else(|_| Base64Unpadded::decode_vec(token))
        .map_err(|_| malformed("not base64"))?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed("not UTF-8"))?;
    let (id, secret) =
        decoded.split_once(':').ok_or_else(|| malformed("no ':' between client_id and secret"))?;
    let id = form_urldecode(id).ok_or_else(|| malformed("client_id is not form-urlencoded"))?;
    let secret = form_urldecode(secret).ok_or_else(|| malformed("secret is not form-urlencoded"))?;
    if id.is_empty() {
        return Err(malformed("empty client_id"));
    }
    Ok((id, secret))
}

/// Decodes `application/x-www-form-urlencoded` (RFC 6749 Appendix B): `+` is a space, `%XX` a
/// byte; the result must be UTF-8. `None` for a bad escape.
fn form_urldecode(encoded: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut input = encoded.bytes();
    while let Some(b) = input.next() {
        bytes.push(match b {
            b'+' => b' ',
            b'%' => {
                let hex = |b: Option<u8>| char::from(b?).to_digit(16);
                let high = hex(input.next())?;
                let low = hex(input.next())?;
                u8::try_from(high * 16 + low).ok()?
            }
            other => other,
        });
    }
    String::from_utf8(bytes).ok()
}

/// The form fields of a private_key_jwt attempt.
struct Assertion<'a> {
    assertion_type: Option<&'a str>,
    assertion: Option<&'a str>,
    form_client_id: Option<&'a str>,
}

/// private_key_jwt (RFC 7523 §3, OIDC Core §9), one check after another.
fn authenticate_jwt(
    registry: &ClientRegistry,
    request: &Assertion<'_>,
    issuer: &str,
    now: u64,
    mut remember_jti: impl FnMut(&str, &str, u64) -> bool,
) -> Result<ClientId, ClientAuthError> {
    // RFC 7521 §4.2: client_assertion_type and client_assertion are both required.
    let assertion_type =
        request.assertion_type.ok_or_else(|| invalid_request("client_assertion_type is required"))?;
    let token = request.assertion.ok_or_else(|| invalid_request("client_assertion is required"))?;
    // RFC 7523 §2.2: the one assertion type supported.
    if assertion_type != JWT_BEARER_ASSERTION_TYPE {
        return Err(invalid_client(format!(
            "client_assertion_type {assertion_type:?} is not supported; use {JWT_BEARER_ASSERTION_TYPE}"
        )));
    }
    if token.len() > MAX_ASSERTION_BYTES {
        return Err(invalid_request("client_assertion is too long"));
    }
    // The header, before trusting anything: ES256 only, and no extension we would ignore.
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| invalid_client(format!("client_assertion is not a well-formed JWT: {e}")))?;
    if header.alg != Algorithm::ES256 {
        return Err(invalid_client(format!(
            "client_assertion must be signed with ES256, not {:?}",
            header.alg
        )));
    }
    // RFC 7515 §4.1.11: extensions listed in crit must be understood; none are.
    if header.crit.is_some() {
        return Err(invalid_client("client_assertion has a crit header parameter, which is not supported"));
    }
    // The client: the form's client_id, or the (still unverified) sub, which must be the client_id.
    let client_id = match request.form_client_id {
        Some(id) => id.to_owned(),
        None => unverified_subject(token)?,
    };
    let client = registered(registry, &client_id)?;
    let keys = match &client.auth {
        ClientAuthMethod::PrivateKeyJwt { keys } => keys,
        ClientAuthMethod::SecretBasic { .. } => return Err(wrong_method(client, "private_key_jwt")),
    };
    let claims = verify_signature(token, header.kid.as_deref(), keys)?;
    let exp = check_claims(&claims, &client.id, issuer, now)?;
    // RFC 7523 §3 item 7: the jti may be used only once. Checked last, so that a refused
    // assertion does not use up its jti.
    let jti = string_claim(&claims, "jti")?.ok_or_else(|| invalid_client("client_assertion has no jti"))?;
    if !remember_jti(&client.id, jti, exp) {
        return Err(invalid_client("client_assertion was replayed: its jti has been used before"));
    }
    Ok(ClientId(client.id.clone()))
}

/// The `sub` of an assertion whose signature is not verified yet, only to pick the client's keys.
fn unverified_subject(token: &str) -> Result<String, ClientAuthError> {
    let claims: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|e| invalid_client(format!("client_assertion claims are unreadable: {e}")))?;
    string_claim(&claims, "sub")?
        .map(str::to_owned)
        .ok_or_else(|| invalid_client("client_assertion has no sub (the client_id)"))
}

/// Verifies the ES256 signature with the client's keys: those whose kid matches the header's, or
/// every key when either side has no kid (OIDC Core §10.1).
fn verify_signature(
    token: &str,
    kid: Option<&str>,
    keys: &[EcP256Jwk],
) -> Result<Map<String, Value>, ClientAuthError> {
    let candidates: Vec<&EcP256Jwk> = keys
        .iter()
        .filter(|key| match (kid, key.kid()) {
            (Some(wanted), Some(registered)) => wanted == registered,
            _ => true,
        })
        .collect();
    if candidates.is_empty() {
        return Err(invalid_client(format!(
            "no registered key of the client has kid {:?}",
            kid.unwrap_or_default()
        )));
    }
    // Only the signature: the claims are checked against `now` by `check_claims`.
    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let mut last_error = None;
    for key in candidates {
        let decoding = key.decoding_key().map_err(|e| invalid_client(format!("client key: {e}")))?;
        match jsonwebtoken::decode::<Map<String, Value>>(token, &decoding, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(e) => last_error = Some(e),
        }
    }
    let reason = last_error.map(|e| e.to_string()).unwrap_or_default();
    Err(invalid_client(format!(
        "client_assertion does not verify with the client's registered keys: {reason}"
    )))
}

/// RFC 7523 §3 items 1–6 and OIDC Core §9, in order: iss, sub, aud, exp, nbf, iat, lifetime.
/// Returns `exp`.
fn check_claims(
    claims: &Map<String, Value>,
    client_id: &str,
    issuer: &str,
    now: u64,
) -> Result<u64, ClientAuthError> {
    // 1. iss: "MUST contain the client_id of the OAuth client" (OIDC Core §9).
    if string_claim(claims, "iss")? != Some(client_id) {
        return Err(invalid_client(format!("client_assertion iss must be the client_id {client_id:?}")));
    }
    // 2. sub: "MUST be the client_id of the OAuth client" (RFC 7523 §3 item 2.B). This also binds a
    //    form client_id to the assertion (RFC 7521 §4.2).
    if string_claim(claims, "sub")? != Some(client_id) {
        return Err(invalid_client(format!("client_assertion sub must be the client_id {client_id:?}")));
    }
    // 3. aud: "MUST contain a value that identifies the authorization server" (RFC 7523 §3 item 3),
    //    narrowed by draft-ietf-oauth-rfc7523bis and the OpenID Foundation's 2025 advisory on
    //    client-assertion audiences: the issuer identifier as a single string (a one-element
    //    array holding exactly it is accepted too); an endpoint URL or a foreign member is refused.
    let audience: Vec<&Value> = match claims.get("aud") {
        None => return Err(invalid_client("client_assertion has no aud")),
        Some(aud @ Value::String(_)) => vec![aud],
        Some(Value::Array(values)) => values.iter().collect(),
        Some(_) => {
            return Err(invalid_client("client_assertion aud must be a string or an array of strings"));
        }
    };
    if !matches!(audience.as_slice(), [Value::String(aud)] if aud == issuer) {
        return Err(invalid_client(format!(
            "client_assertion aud must name this provider: exactly the issuer {issuer}"
        )));
    }
    // 4. exp: required; "MUST reject any JWT with an expiration time that has passed, subject to
    //    allowable clock skew" (RFC 7523 §3 item 4).
    let exp = time_claim(claims, "exp")?.ok_or_else(|| invalid_client("client_assertion has no exp"))?;
    if now >= exp.saturating_add(LEEWAY_SECONDS) {
        return Err(invalid_client(format!("client_assertion expired at {exp} (now {now})")));
    }
    // 5. nbf and iat must not be in the future (RFC 7523 §3 items 5 and 6).
    let skewed_now = now.saturating_add(LEEWAY_SECONDS);
    if let Some(nbf) = time_claim(claims, "nbf")?
        && nbf > skewed_now
    {
        return Err(invalid_client(format!("client_assertion is not valid before {nbf} (now {now})")));
    }
    let iat = time_claim(claims, "iat")?;
    if let Some(iat) = iat
        && iat > skewed_now
    {
        return Err(invalid_client(format!("client_assertion iat {iat} is in the future (now {now})")));
    }
    // 6. A short lifetime bounds how long the jti must be remembered (RFC 7523 §3 item 4 allows a
    //    server to reject assertions with an unreasonably far exp).
    if exp.saturating_sub(iat.unwrap_or(now)) > MAX_ASSERTION_LIFETIME_SECONDS {
        return Err(invalid_client(format!(
            "client_assertion lifetime exceeds {MAX_ASSERTION_LIFETIME_SECONDS} seconds"
        )));
    }
    Ok(exp)
}

/// A string claim: absent is `None`; present but not a non-empty string is an error.
fn string_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ClientAuthError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
        Some(_) => Err(invalid_client(format!("client_assertion {name} must be a non-empty string"))),
    }
}

/// A NumericDate claim (RFC 7519 §2): a non-negative number of seconds, fractions dropped.
fn time_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<u64>, ClientAuthError> {
    let Some(value) = claims.get(name) else { return Ok(None) };
    let seconds = value.as_u64().or_else(|| {
        // Truncation is the intent: NumericDate may carry fractions of a second.
        value.as_f64().filter(|f| f.is_finite() && *f >= 0.0 && *f < 1.0e15).map(|f| f as u64)
    });
    seconds.map(Some).ok_or_else(|| invalid_client(format!("client_assertion {name} must be a NumericDate")))
}

/// The registered client called `client_id`.
fn registered<'a>(
    registry: &'a ClientRegistry,
    client_id: &str,
) -> Result<&'a RegisteredClient, ClientAuthError> {
    registry.get(client_id).ok_or_else(|| invalid_client(format!("{client_id:?} is not a registered client")))
}

/// A client authenticating with another method than the one it registered.
fn wrong_method(client: &RegisteredClient, used: &str) -> ClientAuthError {
    invalid_client(format!("client {:?} is registered for {}, not {used}", client.id, client.auth.name()))
}

#[cfg(test)]
mod tests;
