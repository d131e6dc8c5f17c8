//! Pushed authorization requests (RFC 9126): a request_uri used twice, by another client, after
//! it expired, and a push by a client that does not authenticate.

use super::super::super::case::{Case, Outcome};
use super::super::super::clients::{OTHER_CLIENT_ID, OTHER_CLIENT_SECRET, OTHER_REDIRECT_URI};
use super::super::super::oauth::{Answer, AuthRequest, ClientAuth, authorize_url, push, pushed, pushed_url};
use super::super::super::trial::{Trial, outcome};
use super::{case, clocked, signed_in};
use crate::idp::MATRIX_CLIENT_ID;

/// The PAR cases.
pub const CASES: &[Case] = &[
    case(
        "oidc.par_request_uri_twice",
        "a pushed request's request_uri used a second time, after it gave a code",
        "RFC 9126 §4 (one-time use)",
        "page:invalid_request_uri",
        |t| Box::pin(request_uri_twice(t)),
    ),
    case(
        "oidc.par_request_uri_of_another_client",
        "another client's request_uri presented with the matrix client's client_id",
        "RFC 9126 §4 (bound to the pushing client)",
        "page:invalid_request_uri",
        |t| Box::pin(request_uri_of_another_client(t)),
    ),
    clocked(
        "oidc.par_request_uri_expired",
        "a request_uri used two minutes after it was pushed (expires_in 60)",
        "RFC 9126 §2.2, §4",
        "page:invalid_request_uri",
        |t| Box::pin(expired_request_uri(t)),
    ),
    case(
        "oidc.par_without_client_authentication",
        "a push naming the matrix client without authenticating it",
        "RFC 9126 §2.1",
        "par:invalid_client",
        |t| Box::pin(unauthenticated_push(t)),
    ),
    case(
        "oidc.par_pushing_a_request_uri",
        "a push carrying a request_uri of its own",
        "RFC 9126 §2.1",
        "par:invalid_request",
        |t| Box::pin(push_of_request_uri(t)),
    ),
];

async fn request_uri_twice(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = signed_in(&trial).await?;
    let request_uri = pushed(&trial, &ClientAuth::matrix(), &AuthRequest::matrix()).await?;
    let url = pushed_url(&trial, MATRIX_CLIENT_ID, &request_uri);
    let first = authorize_url(&trial, &browser, &url).await?;
    anyhow::ensure!(matches!(first, Answer::Code { .. }), "the first use got {first:?}");
    trial.checkpoint(&[&browser]).await?;
    Ok(authorize_url(&trial, &browser, &url).await?.outcome())
}

async fn request_uri_of_another_client(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = signed_in(&trial).await?;
    let others = AuthRequest::of(OTHER_CLIENT_ID, OTHER_REDIRECT_URI);
    let request_uri =
        pushed(&trial, &ClientAuth::Basic(OTHER_CLIENT_ID, OTHER_CLIENT_SECRET), &others).await?;
    trial.checkpoint(&[&browser]).await?;
    Ok(authorize_url(&trial, &browser, &pushed_url(&trial, MATRIX_CLIENT_ID, &request_uri)).await?.outcome())
}

async fn expired_request_uri(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = signed_in(&trial).await?;
    let request_uri = pushed(&trial, &ClientAuth::matrix(), &AuthRequest::matrix()).await?;
    trial.clock()?.advance(120);
    trial.checkpoint(&[&browser]).await?;
    Ok(authorize_url(&trial, &browser, &pushed_url(&trial, MATRIX_CLIENT_ID, &request_uri)).await?.outcome())
}

async fn unauthenticated_push(trial: Trial) -> anyhow::Result<Outcome> {
    trial.checkpoint(&[]).await?;
    let reply = push(&trial, &ClientAuth::Nothing, &AuthRequest::matrix()).await?;
    Ok(outcome(&reply, "par", "a request_uri"))
}

async fn push_of_request_uri(trial: Trial) -> anyhow::Result<Outcome> {
    let request = AuthRequest::matrix().set("request_uri", "urn:ietf:params:oauth:request_uri:forged");
    trial.checkpoint(&[]).await?;
    let reply = push(&trial, &ClientAuth::matrix(), &request).await?;
    Ok(outcome(&reply, "par", "a request_uri"))
}
