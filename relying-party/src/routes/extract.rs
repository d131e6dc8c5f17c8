//! Extractors: the signed-in session, the OAuth parameters of a request (none repeated), and
//! the authenticated client at the token and PAR endpoints.

use std::convert::Infallible;

use axum::extract::{FromRequest, FromRequestParts, RawForm, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, session};
use crate::error::AppError;
use crate::oidc::OAuthError;
use crate::oidc::client_auth::{ClientCredentials, ClientId, authenticate};
use crate::oidc::flow::Session;
use crate::oidc::params::{Params, parse_unique};

/// The session of the request's cookie, if it is live.
#[derive(Clone, Debug)]
pub struct CurrentSession(pub Option<Session>);

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(session::current(state, &parts.headers, state.now())))
    }
}

/// The client's IP address, when the server was started with connect info
/// (`into_make_service_with_connect_info::<SocketAddr>`); `None` otherwise (in-process tests).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let connect_info = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(Self(connect_info.map(|info| info.0.ip())))
    }
}

/// A signed-in user's session; without one the request is refused with 401 `not_signed_in`.
#[derive(Clone, Debug)]
pub struct SignedIn(pub Session);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        session::current(state, &parts.headers, state.now()).map(Self).ok_or_else(|| AppError::BadRequest {
            status: StatusCode::UNAUTHORIZED,
            code: "not_signed_in",
            message: "sign in first".into(),
        })
    }
}

/// The parameters of an OAuth request: the query of a GET, the form body of a POST. A repeated
/// parameter is `invalid_request` (RFC 6749 §3.1, §3.2).
#[derive(Clone, Debug)]
pub struct OAuthParams(pub Params);

impl<S: Send + Sync> FromRequest<S> for OAuthParams {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawForm(bytes) =
            RawForm::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        parse_unique(&bytes).map(Self).map_err(|repeated| {
            AppError::oauth(OAuthError::InvalidRequest, repeated.to_string()).into_response()
        })
    }
}

/// A token or PAR request whose client is authenticated (client_secret_basic, RFC 6749 §2.3.1,
/// or private_key_jwt, RFC 7523 §2.2), with its parameters. It reads the form body, so it is the
/// last extractor of a handler.
#[derive(Clone, Debug)]
pub struct AuthenticatedClient {
    /// The authenticated client.
    pub client: ClientId,
    /// The request's parameters (credentials included).
    pub params: Params,
}

impl FromRequest<AppState> for AuthenticatedClient {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let authorization =
            parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let OAuthParams(params) = OAuthParams::from_request(Request::from_parts(parts, body), state).await?;
        let client = authenticate_client(state, authorization.as_deref(), &params, state.now())
            .map_err(IntoResponse::into_response)?;
        Ok(Self { client, params })
    }
}

/// Authenticates the client of a token or PAR request; the `jti` of a client assertion is
/// remembered until a minute after its expiry (RFC 7523 §3 item 7).
fn authenticate_client(
    state: &AppState,
    authorization: Option<&str>,
    params: &Params,
    now: u64,
) -> Result<ClientId, AppError> {
    let credentials = ClientCredentials::from_request(authorization, params);
    let mut store = state.store()?;
    // A client assertion's aud is the issuer alone (draft-ietf-oauth-rfc7523bis).
    Ok(authenticate(&state.clients, &credentials, &state.issuer, now, |client, jti, exp| {
        store.remember_jti(client, jti, exp as i64 + 60, now as i64).unwrap_or(false)
    })?)
}
