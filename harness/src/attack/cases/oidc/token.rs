//! The token and userinfo endpoints: codes replayed, redeemed by another client or with another
//! redirect URI, PKCE verifiers missing or wrong, parameters sent twice, unauthenticated or
//! wrongly authenticated clients, and access tokens that are unknown or revoked.

use super::super::super::case::{Case, Outcome};
use super::super::super::clients::{OTHER_CLIENT_ID, OTHER_CLIENT_SECRET};
use super::super::super::oauth::{AuthRequest, ClientAuth, random_value, token, tokens, userinfo};
use super::super::super::trial::Trial;
use super::{case, clocked, redeemable};
use crate::idp::MATRIX_CLIENT_ID;

/// The token endpoint's cases.
pub const CASES: &[Case] = &[
    case(
        "oidc.code_replayed",
        "the client redeems its code a second time (its tokens are then revoked)",
        "RFC 6749 §4.1.2, §10.5",
        "token:invalid_grant",
        |t| Box::pin(code_replayed(t)),
    ),
    case(
        "oidc.code_of_another_client",
        "another client redeems the matrix client's code (and must not spend it)",
        "RFC 6749 §4.1.3",
        "token:invalid_grant",
        |t| Box::pin(redeem_bent(t, Bend::OtherClient)),
    ),
    case(
        "oidc.token_redirect_uri_differs",
        "redirect_uri at the token endpoint other than the authorization request's",
        "RFC 6749 §4.1.3",
        "token:invalid_grant",
        |t| Box::pin(redeem_bent(t, Bend::Set("redirect_uri", "https://evil.example/callback"))),
    ),
    case(
        "oidc.token_redirect_uri_missing",
        "no redirect_uri at the token endpoint, though the request had one",
        "RFC 6749 §4.1.3",
        "token:invalid_request",
        |t| Box::pin(redeem_bent(t, Bend::Remove("redirect_uri"))),
    ),
    case(
        "oidc.pkce_verifier_missing",
        "the code redeemed without its code_verifier (a stolen code, no verifier)",
        "RFC 7636 §4.5, RFC 6749 §5.2",
        "token:invalid_request",
        |t| Box::pin(redeem_bent(t, Bend::Remove("code_verifier"))),
    ),
    case(
        "oidc.pkce_verifier_wrong",
        "the code redeemed with another well-formed verifier",
        "RFC 7636 §4.6",
        "token:invalid_grant",
        |t| Box::pin(redeem_bent(t, Bend::WrongVerifier)),
    ),
    case(
        "oidc.token_code_twice",
        "code sent twice in one token request",
        "RFC 6749 §3.2",
        "token:invalid_request",
        |t| Box::pin(redeem_bent(t, Bend::Repeat("code", "another-code"))),
    ),
    case(
        "oidc.token_code_verifier_twice",
        "code_verifier sent twice in one token request (one of them right)",
        "RFC 6749 §3.2",
        "token:invalid_request",
        |t| Box::pin(redeem_bent(t, Bend::RepeatVerifier)),
    ),
    case(
        "oidc.token_without_client_authentication",
        "a code redeemed by a confidential client that does not authenticate",
        "RFC 6749 §3.2.1, §5.2",
        "token:invalid_client",
        |t| Box::pin(redeem_bent(t, Bend::Auth(ClientAuth::Nothing))),
    ),
    case(
        "oidc.token_wrong_client_secret",
        "the matrix client's code with a wrong secret",
        "RFC 6749 §2.3.1, §5.2",
        "token:invalid_client",
        |t| Box::pin(redeem_bent(t, Bend::Auth(ClientAuth::Basic(MATRIX_CLIENT_ID, "guessed")))),
    ),
    case(
        "oidc.token_unknown_code",
        "a code the provider never issued",
        "RFC 6749 §5.2",
        "token:invalid_grant",
        |t| Box::pin(redeem_bent(t, Bend::Set("code", "never-issued"))),
    ),
    case(
        "oidc.token_grant_type_password",
        "grant_type=password (the resource owner password grant, not offered)",
        "RFC 6749 §5.2, RFC 9700 §2.4",
        "token:unsupported_grant_type",
        |t| Box::pin(redeem_bent(t, Bend::Set("grant_type", "password"))),
    ),
    clocked(
        "oidc.code_expired",
        "a code redeemed after its lifetime (two minutes later)",
        "RFC 6749 §4.1.2 (short-lived code), §5.2",
        "token:invalid_grant",
        |t| Box::pin(redeem_bent(t, Bend::Late(120))),
    ),
    case(
        "oidc.userinfo_unknown_token",
        "userinfo with an access token the provider never issued",
        "RFC 6750 §3.1, OIDC Core §5.3.3",
        "userinfo:invalid_token",
        |t| Box::pin(unknown_token(t)),
    ),
    case(
        "oidc.userinfo_revoked_token",
        "userinfo with an access token revoked when its code was replayed",
        "RFC 6749 §4.1.2, RFC 6750 §3.1",
        "userinfo:invalid_token",
        |t| Box::pin(revoked_token(t)),
    ),
];

/// How a redemption of an honest code is bent.
enum Bend {
    /// Redeemed by the other `client_secret_basic` client.
    OtherClient,
    /// A parameter set to another value.
    Set(&'static str, &'static str),
    /// A parameter left out.
    Remove(&'static str),
    /// A parameter sent a second time.
    Repeat(&'static str, &'static str),
    /// Another well-formed verifier.
    WrongVerifier,
    /// The right verifier, then another.
    RepeatVerifier,
    /// The client authenticated this way.
    Auth(ClientAuth),
    /// Redeemed this many seconds later.
    Late(u64),
}

/// A code of the matrix client on a signed-in browser, redeemed as `bend` says.
async fn redeem_bent(trial: Trial, bend: Bend) -> anyhow::Result<Outcome> {
    let (browser, mut form) = redeemable(&trial, &AuthRequest::matrix()).await?;
    let mut auth = ClientAuth::matrix();
    let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
    match bend {
        Bend::OtherClient => auth = ClientAuth::Basic(OTHER_CLIENT_ID, OTHER_CLIENT_SECRET),
        Bend::Set(name, value) => {
            form.retain(|(k, _)| k != name);
            form.push(pair(name, value));
        }
        Bend::Remove(name) => form.retain(|(k, _)| k != name),
        Bend::Repeat(name, value) => form.push(pair(name, value)),
        Bend::WrongVerifier => {
            form.retain(|(k, _)| k != "code_verifier");
            form.push(pair("code_verifier", &random_value()));
        }
        Bend::RepeatVerifier => form.push(pair("code_verifier", &random_value())),
        Bend::Auth(other) => auth = other,
        Bend::Late(seconds) => trial.clock()?.advance(seconds),
    }
    trial.checkpoint(&[&browser]).await?;
    token(&trial, &auth, &form).await
}

async fn code_replayed(trial: Trial) -> anyhow::Result<Outcome> {
    let (browser, form) = redeemable(&trial, &AuthRequest::matrix()).await?;
    tokens(&trial, &ClientAuth::matrix(), &form).await?;
    trial.checkpoint(&[&browser]).await?;
    token(&trial, &ClientAuth::matrix(), &form).await
}

async fn unknown_token(trial: Trial) -> anyhow::Result<Outcome> {
    trial.checkpoint(&[]).await?;
    userinfo(&trial, &random_value()).await
}

async fn revoked_token(trial: Trial) -> anyhow::Result<Outcome> {
    let (browser, form) = redeemable(&trial, &AuthRequest::matrix()).await?;
    let access_token = tokens(&trial, &ClientAuth::matrix(), &form).await?;
    anyhow::ensure!(matches!(userinfo(&trial, &access_token).await?, Outcome::Accepted(_)));
    // The replay, refused, revokes the tokens the code gave.
    anyhow::ensure!(matches!(token(&trial, &ClientAuth::matrix(), &form).await?, Outcome::Refused(_)));
    trial.checkpoint(&[&browser]).await?;
    userinfo(&trial, &access_token).await
}
