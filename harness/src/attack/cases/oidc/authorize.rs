//! The authorization endpoint: redirect URIs a client did not register (never redirected to,
//! OIDC Core §3.1.2.1 and RFC 9700 §4.1.3: exact string match), unknown clients, repeated
//! parameters, response types, modes and request objects it does not support. A missing or
//! replayed nonce is no attack on the provider: the client checks it (OIDC Core §3.1.2.1, §15.5.2).

use super::super::super::case::{Case, CaseFuture, Outcome};
use super::super::super::clients::{OTHER_CLIENT_ID, OTHER_REDIRECT_URI};
use super::super::super::oauth::{AuthRequest, authorize};
use super::super::super::trial::Trial;
use super::{case, signed_in};
use crate::idp::MATRIX_CLIENT_ID;

/// The spec step of a redirect URI variant.
const EXACT_MATCH: &str = "OIDC Core §3.1.2.1, RFC 9700 §4.1.3";
/// A redirect URI the matrix client did not register: shown as an error, never redirected to
/// (RFC 6749 §4.1.2.1).
const UNREGISTERED: &str = "page:invalid_request";

/// A case whose request is the matrix client's with `redirect_uri` replaced.
const fn redirect_case(id: &'static str, attack: &'static str, run: fn(Trial) -> CaseFuture) -> Case {
    case(id, attack, EXACT_MATCH, UNREGISTERED, run)
}

/// The authorization endpoint's cases.
pub const CASES: &[Case] = &[
    redirect_case("oidc.redirect_unregistered_host", "redirect_uri on the attacker's host", |t| {
        Box::pin(bent(t, |r| r.set("redirect_uri", "https://evil.example/callback")))
    }),
    redirect_case("oidc.redirect_trailing_slash", "the registered redirect_uri with a trailing slash", |t| {
        Box::pin(bent(t, |r| r.set("redirect_uri", "https://rp.matrix.softfido.test/callback/")))
    }),
    redirect_case("oidc.redirect_other_port", "the registered host on another port (:8443)", |t| {
        Box::pin(bent(t, |r| r.set("redirect_uri", "https://rp.matrix.softfido.test:8443/callback")))
    }),
    redirect_case("oidc.redirect_other_scheme", "the registered URI over http instead of https", |t| {
        Box::pin(bent(t, |r| r.set("redirect_uri", "http://rp.matrix.softfido.test/callback")))
    }),
    redirect_case(
        "oidc.redirect_upper_case_host",
        "the registered host in upper case (equal as a URL, not as the registered string)",
        |t| Box::pin(bent(t, |r| r.set("redirect_uri", "https://RP.MATRIX.SOFTFIDO.TEST/callback"))),
    ),
    redirect_case("oidc.redirect_extra_query", "the registered URI with a query added", |t| {
        Box::pin(bent(t, |r| {
            r.set("redirect_uri", "https://rp.matrix.softfido.test/callback?next=https://evil.example")
        }))
    }),
    redirect_case("oidc.redirect_fragment", "the registered URI with a fragment (RFC 6749 §3.1.2)", |t| {
        Box::pin(bent(t, |r| r.set("redirect_uri", "https://rp.matrix.softfido.test/callback#evil")))
    }),
    redirect_case("oidc.redirect_path_suffix", "the registered path with a segment appended", |t| {
        Box::pin(bent(t, |r| r.set("redirect_uri", "https://rp.matrix.softfido.test/callback/evil")))
    }),
    redirect_case("oidc.redirect_dot_segment", "a `..` segment climbing out of the registered path", |t| {
        Box::pin(bent(t, |r| r.set("redirect_uri", "https://rp.matrix.softfido.test/callback/../evil")))
    }),
    redirect_case(
        "oidc.redirect_userinfo",
        "userinfo before the registered host (https://evil@host/…)",
        |t| Box::pin(bent(t, |r| r.set("redirect_uri", "https://evil@rp.matrix.softfido.test/callback"))),
    ),
    redirect_case(
        "oidc.redirect_host_as_userinfo",
        "the registered host as userinfo of the attacker's (https://host@evil/…)",
        |t| {
            Box::pin(bent(t, |r| {
                r.set("redirect_uri", "https://rp.matrix.softfido.test@evil.example/callback")
            }))
        },
    ),
    redirect_case(
        "oidc.redirect_percent_encoded",
        "the registered path percent-encoded (/%63allback)",
        |t| Box::pin(bent(t, |r| r.set("redirect_uri", "https://rp.matrix.softfido.test/%63allback"))),
    ),
    redirect_case("oidc.redirect_of_another_client", "another client's registered redirect_uri", |t| {
        Box::pin(bent(t, |r| r.set("redirect_uri", OTHER_REDIRECT_URI)))
    }),
    case(
        "oidc.unknown_client_id",
        "a client_id no client registered (shown, not redirected; RFC 6749 names no code for it)",
        "RFC 6749 §4.1.2.1, OIDC Core §3.1.2.1",
        "page:invalid_client",
        |t| Box::pin(bent(t, |r| r.set("client_id", "softfido-attack-nobody"))),
    ),
    case(
        "oidc.pkce_challenge_missing",
        "no code_challenge: a code any thief of it could redeem",
        "RFC 7636 §4.4.1, RFC 9700 §2.1.1",
        "redirect:invalid_request",
        |t| Box::pin(bent(t, |r| r.without("code_challenge").without("code_challenge_method"))),
    ),
    case(
        "oidc.pkce_method_plain",
        "code_challenge_method=plain, the challenge the verifier itself",
        "RFC 7636 §4.4.1, RFC 9700 §2.1.1 (S256 only)",
        "redirect:invalid_request",
        |t| {
            Box::pin(bent(t, |r| {
                let verifier = r.verifier.clone();
                r.set("code_challenge", &verifier).set("code_challenge_method", "plain")
            }))
        },
    ),
    case(
        "oidc.pkce_method_missing",
        "a challenge without code_challenge_method, which means plain",
        "RFC 7636 §4.3, §4.4.1",
        "redirect:invalid_request",
        |t| Box::pin(bent(t, |r| r.without("code_challenge_method"))),
    ),
    case(
        "oidc.authorize_redirect_uri_twice",
        "redirect_uri twice, the registered one and the attacker's, in both orders",
        "RFC 6749 §3.1",
        "page:invalid_request",
        |t| Box::pin(sent_twice(t, "redirect_uri", "https://evil.example/callback")),
    ),
    case(
        "oidc.authorize_state_twice",
        "state twice: shown, deliberately not redirected, since the error response must echo \
         \"the exact value received\" of state (RFC 6749 §4.1.2.1) and there are two",
        "RFC 6749 §3.1, §4.1.2.1",
        "page:invalid_request",
        |t| Box::pin(bent(t, |r| r.repeat("state", "attacker-state"))),
    ),
    case(
        "oidc.authorize_client_id_twice",
        "client_id twice, the matrix client's and another's, in both orders",
        "RFC 6749 §3.1",
        "page:invalid_request",
        |t| Box::pin(sent_twice(t, "client_id", OTHER_CLIENT_ID)),
    ),
    case(
        "oidc.implicit_id_token",
        "response_type=id_token (implicit, with a nonce): only the code flow is offered",
        "RFC 6749 §4.1.2.1, OIDC Core §3.2.2.1",
        "redirect:unsupported_response_type",
        |t| Box::pin(bent(t, |r| r.set("response_type", "id_token"))),
    ),
    case(
        "oidc.implicit_token",
        "response_type=token (an access token in the fragment)",
        "RFC 6749 §4.1.2.1, RFC 9700 §2.1.2",
        "redirect:unsupported_response_type",
        |t| Box::pin(bent(t, |r| r.set("response_type", "token"))),
    ),
    case(
        "oidc.response_mode_fragment",
        "response_mode=fragment: the code where the provider said it never puts it",
        "OAuth 2.0 Multiple Response Type Encoding Practices §2.1",
        "redirect:invalid_request",
        |t| Box::pin(bent(t, |r| r.set("response_mode", "fragment"))),
    ),
    case(
        "oidc.request_object",
        "a request object (an unsigned JWT naming another redirect_uri)",
        "OIDC Core §6.1, §3.1.2.6",
        "redirect:request_not_supported",
        |t| Box::pin(bent(t, |r| r.set("request", &unsigned_request_object()))),
    ),
    case(
        "oidc.request_uri_foreign",
        "a request_uri on the attacker's server",
        "OIDC Core §6.2, §3.1.2.6; RFC 9126 §4",
        "redirect:request_uri_not_supported",
        |t| Box::pin(bent(t, |r| r.set("request_uri", "https://evil.example/request.jwt"))),
    ),
    case(
        "oidc.scope_without_openid",
        "an OAuth request without the openid scope",
        "OIDC Core §3.1.2.1",
        "redirect:invalid_scope",
        |t| Box::pin(bent(t, |r| r.set("scope", "profile"))),
    ),
];

/// The matrix client's request, bent by `bend`, sent by a signed-in browser (which an accepted
/// request would give a code).
async fn bent(trial: Trial, bend: fn(AuthRequest) -> AuthRequest) -> anyhow::Result<Outcome> {
    let browser = signed_in(&trial).await?;
    let request = bend(AuthRequest::matrix());
    trial.checkpoint(&[&browser]).await?;
    Ok(authorize(&trial, &browser, &request).await?.outcome())
}

/// RFC 6749 §3.1: request parameters "MUST NOT be included more than once". The attacker's
/// `value` of `name` goes after the honest one, then, in a fresh request, before it, so that an
/// IdP keeping either the first or the last value without noticing the repetition takes the
/// attacker's once: one order then ends in a code (or a sign-in) instead of the refusal. Both
/// orders must be refused alike; differing refusals are reported together.
async fn sent_twice(trial: Trial, name: &'static str, value: &'static str) -> anyhow::Result<Outcome> {
    let browser = signed_in(&trial).await?;
    trial.checkpoint(&[&browser]).await?;
    let mut refusals: Vec<String> = Vec::new();
    for attackers_first in [false, true] {
        let honest = AuthRequest::matrix();
        let request =
            if attackers_first { honest.repeat_before(name, value) } else { honest.repeat(name, value) };
        match authorize(&trial, &browser, &request).await?.outcome() {
            Outcome::Refused(error) => refusals.push(error),
            accepted @ Outcome::Accepted(_) => return Ok(accepted),
        }
    }
    refusals.dedup();
    Ok(Outcome::Refused(refusals.join(" then ")))
}

/// An unsecured request object (OIDC Core §6.1) asking for the attacker's redirect URI.
fn unsigned_request_object() -> String {
    let claims = serde_json::json!({
        "client_id": MATRIX_CLIENT_ID,
        "redirect_uri": "https://evil.example/callback",
        "response_type": "code",
        "scope": "openid",
    });
    super::super::super::jws::unsecured(&claims)
}
