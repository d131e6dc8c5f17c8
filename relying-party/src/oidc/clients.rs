//! The provider's clients, declared in the JSON configuration file of `softfido serve --config FILE`.
//!
//! ```json
//! {
//!   "issuer": "http://localhost:8080",
//!   "clients": [
//!     {
//!       "client_id": "web-app",
//!       "redirect_uris": ["https://app.example/callback"],
//!       "token_endpoint_auth_method": "client_secret_basic",
//!       "client_secret": "change me, and keep me out of version control"
//!     },
//!     {
//!       "client_id": "backend",
//!       "redirect_uris": ["http://localhost:3000/cb", "https://backend.example/cb"],
//!       "token_endpoint_auth_method": "private_key_jwt",
//!       "jwks": {
//!         "keys": [
//!           {
//!             "kty": "EC",
//!             "crv": "P-256",
//!             "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
//!             "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
//!             "use": "sig",
//!             "alg": "ES256",
//!             "kid": "backend-2025"
//!           }
//!         ]
//!       }
//!     }
//!   ]
//! }
//! ```
//!
//! - `issuer` (required): the provider's issuer identifier, an absolute `http`/`https` URL with
//!   no query or fragment (OIDC Discovery §3; `http` is accepted for local development).
//! - `clients` (required, may be empty): one object per client, with the member names of OAuth
//!   dynamic client registration metadata (RFC 7591 §2). Unknown members are refused, so a typo
//!   cannot silently drop a setting; unknown *top-level* members are ignored, because the serve
//!   command reads its own settings from the same file.
//!   - `client_id` (required, unique).
//!   - `redirect_uris` (required, at least one): absolute `http`/`https` URLs without a fragment
//!     (RFC 6749 §3.1.2), compared by exact string match at the authorization endpoint.
//!   - `token_endpoint_auth_method`: `client_secret_basic` (the default, RFC 7591 §2) or
//!     `private_key_jwt` (RFC 7523, OIDC Core §9). `client_secret_post`, `client_secret_jwt` and
//!     `none` are not supported.
//!   - `client_secret`: required with, and only with, `client_secret_basic`. Clients must
//!     form-urlencode it in the `Authorization` header (RFC 6749 §2.3.1), and many forget: a secret
//!     of letters, digits and `-._~` reads the same either way.
//!   - `jwks`: a JWK Set (RFC 7517 §5) of public EC P-256 keys for ES256, required with, and only
//!     with, `private_key_jwt`. `jwks_uri` is not supported: the provider fetches nothing.
//!
//! Every error names the client (its index and client_id) and the member that is wrong.

use std::path::{Path, PathBuf};

use base64ct::{Base64UrlUnpadded, Encoding};
use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::authorize::Client;

/// `token_endpoint_auth_method` of a client authenticating with HTTP Basic (RFC 6749 §2.3.1).
pub const CLIENT_SECRET_BASIC: &str = "client_secret_basic";
/// `token_endpoint_auth_method` of a client authenticating with a signed JWT (RFC 7523 §2.2).
pub const PRIVATE_KEY_JWT: &str = "private_key_jwt";

/// The provider settings read from the configuration file.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// The issuer identifier (the `iss` of ID tokens, the base of the discovery document).
    pub issuer: String,
    /// The registered clients.
    pub clients: ClientRegistry,
}

impl ProviderConfig {
    /// Reads and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        Self::from_json(&text)
    }

    /// Parses and checks a configuration document.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = serde_json::from_str(text)?;
        let issuer = raw.issuer.ok_or(ConfigError::Missing("issuer"))?;
        check_issuer(&issuer).map_err(|reason| ConfigError::Issuer { issuer: issuer.clone(), reason })?;
        let raw_clients = raw.clients.ok_or(ConfigError::Missing("clients"))?;
        let clients = raw_clients
            .into_iter()
            .enumerate()
            .map(|(index, raw)| raw.into_client(index))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { issuer, clients: ClientRegistry::new(clients)? })
    }
}

/// The registered clients, looked up by client_id.
#[derive(Clone, Debug, Default)]
pub struct ClientRegistry {
    clients: Vec<RegisteredClient>,
    /// The same clients as the authorization endpoint checks them, converted once.
    authorize: Vec<Client>,
}

impl ClientRegistry {
    /// A registry of `clients`, checked as the configuration file is: unique ids, usable redirect
    /// URIs, a non-empty key set for `private_key_jwt`.
    pub fn new(clients: Vec<RegisteredClient>) -> Result<Self, ConfigError> {
        for (index, client) in clients.iter().enumerate() {
            client.check(index)?;
            if let Some(first) = clients[..index].iter().position(|c| c.id == client.id) {
                return Err(ConfigError::DuplicateClientId { client_id: client.id.clone(), index, first });
            }
        }
        let authorize = clients.iter().map(Client::from).collect();
        Ok(Self { clients, authorize })
    }

    /// The client registered as `client_id`.
    pub fn get(&self, client_id: &str) -> Option<&RegisteredClient> {
        self.clients.iter().find(|c| c.id == client_id)
    }

    /// All clients, in the order of the configuration file.
    pub fn iter(&self) -> impl Iterator<Item = &RegisteredClient> {
        self.clients.iter()
    }

    /// The number of clients.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Whether no client is registered.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// The clients as the authorization endpoint checks them (`authorize::validate`).
    pub fn authorize_clients(&self) -> &[Client] {
        &self.authorize
    }
}

/// A client and how it authenticates at the token and PAR endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredClient {
    /// client_id.
    pub id: String,
    /// Registered redirect URIs, compared by exact string match.
    pub redirect_uris: Vec<String>,
    /// The one authentication method the client may use.
    pub auth: ClientAuthMethod,
}

impl RegisteredClient {
    /// The checks that do not depend on the other clients.
    fn check(&self, index: usize) -> Result<(), ConfigError> {
        let error = |field: String, reason: String| ConfigError::Client {
            index,
            client_id: self.id.clone(),
            field,
            reason,
        };
        if self.id.is_empty() {
            return Err(error("client_id".into(), "must not be empty".into()));
        }
        if self.redirect_uris.is_empty() {
            return Err(error("redirect_uris".into(), "at least one redirect URI is required".into()));
        }
        for (i, uri) in self.redirect_uris.iter().enumerate() {
            check_redirect_uri(uri).map_err(|reason| error(format!("redirect_uris[{i}]"), reason))?;
        }
        match &self.auth {
            ClientAuthMethod::SecretBasic { .. } => Ok(()),
            ClientAuthMethod::PrivateKeyJwt { keys } => {
                if keys.is_empty() {
                    return Err(error("jwks.keys".into(), "private_key_jwt needs at least one key".into()));
                }
                for (i, key) in keys.iter().enumerate() {
                    let duplicate = key.kid().is_some() && keys[..i].iter().any(|k| k.kid() == key.kid());
                    if duplicate {
                        return Err(error(
                            format!("jwks.keys[{i}].kid"),
                            "two keys have the same kid".into(),
                        ));
                    }
                }
                Ok(())
            }
        }
    }
}

impl From<&RegisteredClient> for Client {
    fn from(client: &RegisteredClient) -> Self {
        Client { id: client.id.clone(), redirect_uris: client.redirect_uris.clone() }
    }
}

/// How a client authenticates (its `token_endpoint_auth_method`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// `client_secret_basic`: HTTP Basic with client_id and client_secret (RFC 6749 §2.3.1).
    SecretBasic {
        /// The shared secret.
        secret: ClientSecret,
    },
    /// `private_key_jwt`: a JWT signed with one of the client's keys (RFC 7523 §2.2).
    PrivateKeyJwt {
        /// The client's public keys (never empty in a registry).
        keys: Vec<EcP256Jwk>,
    },
}

impl ClientAuthMethod {
    /// The `token_endpoint_auth_method` name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SecretBasic { .. } => CLIENT_SECRET_BASIC,
            Self::PrivateKeyJwt { .. } => PRIVATE_KEY_JWT,
        }
    }
}

/// A client secret. Only its SHA-256 digest is kept, so it cannot leak through `Debug` or logs;
/// comparing digests makes the comparison independent of the secrets' lengths.
#[derive(Clone)]
pub struct ClientSecret {
    digest: [u8; 32],
}

impl ClientSecret {
    /// Keeps (the digest of) `secret`.
    pub fn new(secret: &str) -> Self {
        Self { digest: Sha256::digest(secret.as_bytes()).into() }
    }

    /// Whether `candidate` is the secret, compared in constant time.
    pub fn matches(&self, candidate: &str) -> bool {
        let candidate: [u8; 32] = Sha256::digest(candidate.as_bytes()).into();
        self.digest.ct_eq(&candidate).into()
    }
}

impl PartialEq for ClientSecret {
    fn eq(&self, other: &Self) -> bool {
        self.digest.ct_eq(&other.digest).into()
    }
}

impl Eq for ClientSecret {}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

/// A public EC P-256 key of a client, for ES256 (RFC 7518 §3.4, §6.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcP256Jwk {
    kid: Option<String>,
    x: String,
    y: String,
}

/// Why a JWK is not a usable public EC P-256 signing key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{member}: {reason}")]
pub struct JwkError {
    /// The JWK member at fault (`kty`, `crv`, `x`, …).
    pub member: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl EcP256Jwk {
    /// Reads a JWK (RFC 7517 §4), which must be a public EC P-256 key usable for ES256 signatures.
    pub fn parse(jwk: &Value) -> Result<Self, JwkError> {
        let error = |member, reason: &str| JwkError { member, reason: reason.to_owned() };
        let object = jwk.as_object().ok_or_else(|| error("jwk", "must be a JSON object"))?;
        let string = |member: &'static str| match object.get(member) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(error(member, "must be a string")),
        };
        // RFC 7518 §6.1: kty "EC"; §6.2.1.1: crv "P-256".
        match string("kty")? {
            Some("EC") => {}
            Some(other) => {
                return Err(error("kty", &format!("is {other:?}; only EC P-256 keys (ES256) are supported")));
            }
            None => return Err(error("kty", "is required (EC)")),
        }
        match string("crv")? {
            Some("P-256") => {}
            Some(other) => return Err(error("crv", &format!("is {other:?}; only P-256 is supported"))),
            None => return Err(error("crv", "is required (P-256)")),
        }
        // A private key has no place in the provider's configuration (RFC 7518 §6.2.2).
        if object.contains_key("d") {
            return Err(error("d", "this is a private key; register only the public key (remove d)"));
        }
        // RFC 7517 §4.2, §4.4: a key restricted to other uses cannot verify ES256 signatures.
        if string("use")?.is_some_and(|u| u != "sig") {
            return Err(error("use", "must be \"sig\""));
        }
        if string("alg")?.is_some_and(|alg| alg != "ES256") {
            return Err(error("alg", "must be \"ES256\""));
        }
        if let Some(ops) = object.get("key_ops")
            && !ops.as_array().is_some_and(|ops| ops.iter().any(|op| op == "verify"))
        {
            return Err(error("key_ops", "must include \"verify\""));
        }
        let kid = string("kid")?.map(str::to_owned);
        let x = string("x")?.ok_or_else(|| error("x", "is required"))?;
        let y = string("y")?.ok_or_else(|| error("y", "is required"))?;
        Self::from_coordinates(kid, x, y)
    }

    /// A key from its base64url coordinates, which must be a point of the P-256 curve.
    pub fn from_coordinates(kid: Option<String>, x: &str, y: &str) -> Result<Self, JwkError> {
        let coordinate = |member, value: &str| {
            let bytes = Base64UrlUnpadded::decode_vec(value)
                .map_err(|_| JwkError { member, reason: "must be unpadded base64url".into() })?;
            if bytes.len() != 32 {
                let reason = format!("must be 32 bytes for P-256, not {}", bytes.len());
                return Err(JwkError { member, reason });
            }
            Ok(bytes)
        };
        let mut sec1 = vec![0x04];
        sec1.extend(coordinate("x", x)?);
        sec1.extend(coordinate("y", y)?);
        if p256::PublicKey::from_sec1_bytes(&sec1).is_err() {
            return Err(JwkError { member: "x", reason: "(x, y) is not a point of the P-256 curve".into() });
        }
        Ok(Self { kid, x: x.to_owned(), y: y.to_owned() })
    }

    /// The key ID, if the JWK has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key for verifying ES256 signatures with jsonwebtoken.
    pub fn decoding_key(&self) -> Result<DecodingKey, jsonwebtoken::errors::Error> {
        DecodingKey::from_ec_components(&self.x, &self.y)
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the configuration file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not JSON, or a member has the wrong JSON type, or a client has an unknown member.
    #[error("the configuration is not valid: {0}")]
    Json(#[from] serde_json::Error),
    /// A required top-level member is absent.
    #[error("the configuration has no {0:?} member")]
    Missing(&'static str),
    /// The issuer is not usable.
    #[error("issuer {issuer:?}: {reason}")]
    Issuer {
        /// The configured issuer.
        issuer: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A client member is missing or wrong.
    #[error("client {client_id:?} (clients[{index}]): {field}: {reason}")]
    Client {
        /// The client's position in `clients`.
        index: usize,
        /// Its client_id (empty if it has none).
        client_id: String,
        /// The member at fault, as a path (`client_secret`, `redirect_uris[1]`, `jwks.keys[0].crv`).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two clients have the same client_id.
    #[error("client {client_id:?} (clients[{index}]): client_id is already used by clients[{first}]")]
    DuplicateClientId {
        /// The repeated client_id.
        client_id: String,
        /// The position of the second client.
        index: usize,
        /// The position of the first.
        first: usize,
    },
}

#[derive(Deserialize)]
struct RawConfig {
    issuer: Option<String>,
    clients: Option<Vec<RawClient>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    client_id: Option<String>,
    redirect_uris: Option<Vec<String>>,
    token_endpoint_auth_method: Option<String>,
    client_secret: Option<String>,
    jwks: Option<RawJwks>,
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<Value>,
}

impl RawClient {
    fn into_client(self, index: usize) -> Result<RegisteredClient, ConfigError> {
        let client_id = self.client_id.unwrap_or_default();
        let error = |field: &str, reason: String| ConfigError::Client {
            index,
            client_id: client_id.clone(),
            field: field.to_owned(),
            reason,
        };
        if client_id.is_empty() {
            return Err(error("client_id", "is required".into()));
        }
        let redirect_uris = self.redirect_uris.ok_or_else(|| error("redirect_uris", "is required".into()))?;
        // RFC 7591 §2: client_secret_basic when token_endpoint_auth_method is omitted.
        let method = self.token_endpoint_auth_method.as_deref().unwrap_or(CLIENT_SECRET_BASIC);
        let auth = match method {
            CLIENT_SECRET_BASIC => {
                if self.jwks.is_some() {
                    return Err(error("jwks", format!("is only used with {PRIVATE_KEY_JWT}")));
                }
                let secret = self.client_secret.ok_or_else(|| {
                    error("client_secret", format!("is required with {CLIENT_SECRET_BASIC}"))
                })?;
                if secret.is_empty() {
                    return Err(error("client_secret", "must not be empty".into()));
                }
                ClientAuthMethod::SecretBasic { secret: ClientSecret::new(&secret) }
            }
            PRIVATE_KEY_JWT => {
                if self.client_secret.is_some() {
                    return Err(error("client_secret", format!("is not used with {PRIVATE_KEY_JWT}")));
                }
                let jwks = self
                    .jwks
                    .ok_or_else(|| error("jwks", format!("a JWK Set is required with {PRIVATE_KEY_JWT}")))?;
                let keys = jwks
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(i, jwk)| {
                        EcP256Jwk::parse(jwk)
                            .map_err(|e| error(&format!("jwks.keys[{i}].{}", e.member), e.reason))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                ClientAuthMethod::PrivateKeyJwt { keys }
            }
            other => {
                return Err(error(
                    "token_endpoint_auth_method",
                    format!("{other:?} is not supported; use {CLIENT_SECRET_BASIC} or {PRIVATE_KEY_JWT}"),
                ));
            }
        };
        Ok(RegisteredClient { id: client_id.clone(), redirect_uris, auth })
    }
}

/// An absolute `http`/`https` URL with a host (the issuer and the redirect URIs).
fn check_http_url(url: &str) -> Result<(), String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain whitespace or control characters".into());
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("must be an absolute URL with the http or https scheme (lowercase)")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not contain user information".into());
    }
    // host [":" port], where the host may be a bracketed IPv6 literal.
    let (host, port) = match authority.strip_prefix('[') {
        Some(literal) => {
            let (inside, after) = literal.split_once(']').ok_or("has an unclosed IPv6 literal")?;
            (inside, if after.is_empty() { None } else { Some(after.strip_prefix(':').ok_or("bad port")?) })
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err("has no host".into());
    }
    if port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err("has a port that is not a number".into());
    }
    Ok(())
}

/// RFC 6749 §3.1.2: absolute, and without a fragment.
fn check_redirect_uri(uri: &str) -> Result<(), String> {
    check_http_url(uri)?;
    if uri.contains('#') {
        return Err("must not contain a fragment (RFC 6749 §3.1.2)".into());
    }
    Ok(())
}

/// OIDC Discovery §3: a URL with no query or fragment.
fn check_issuer(issuer: &str) -> Result<(), String> {
    check_http_url(issuer)?;
    if issuer.contains(['?', '#']) {
        return Err("must not contain a query or fragment (OIDC Discovery §3)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
