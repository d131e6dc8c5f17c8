//! `private_key_jwt` (RFC 7523 §3, OIDC Core §9): assertions with the wrong audience, out of
//! their time, replayed, unsigned, HMAC-signed with the public key, signed by a stranger's key,
//! or naming another client. Each is tried on a fresh code of the JWT client, which an accepted
//! assertion would redeem.

use p256::ecdsa::SigningKey;
use serde_json::{Value, json};

use super::super::super::case::{Case, Outcome};
use super::super::super::clients::{JWT_CLIENT_ID, JWT_REDIRECT_URI, OTHER_CLIENT_ID, jwt_client_key};
use super::super::super::jws::{assertion_claims, es256, es256_header, hs256, unix_now, unsecured};
use super::super::super::oauth::{AuthRequest, ClientAuth, pushed, token};
use super::super::super::trial::Trial;
use super::{case, redeemable};

/// The audience rule: RFC 7523 §3 item 3 lets `aud` be the token endpoint or an array, which
/// makes an assertion meant for one server usable at another; its revision and the OpenID
/// Foundation's 2025 advisory on `private_key_jwt` audiences make it the issuer, a single value.
const AUD_ISSUER_ONLY: &str = "draft-ietf-oauth-rfc7523bis; OIDF 2025 private_key_jwt advisory";

/// What a forged assertion is refused with: client authentication failed (RFC 6749 §5.2).
const REFUSED: &str = "token:invalid_client";

/// The client assertion cases.
pub const CASES: &[Case] = &[
    case(
        "oidc.assertion_aud_token_endpoint",
        "aud the token endpoint's URL, not the issuer (an older client sending it, as RFC 7523 \
         allowed, is refused by design)",
        AUD_ISSUER_ONLY,
        REFUSED,
        |t| Box::pin(forged(t, Forgery::AudEndpoint)),
    ),
    case(
        "oidc.assertion_aud_foreign_member",
        "aud an array of the issuer and another server (an assertion usable at both)",
        AUD_ISSUER_ONLY,
        REFUSED,
        |t| Box::pin(forged(t, Forgery::AudForeignMember)),
    ),
    case(
        "oidc.assertion_expired",
        "exp two minutes past (beyond the leeway)",
        "RFC 7523 §3 item 4",
        REFUSED,
        |t| Box::pin(forged(t, Forgery::Expired)),
    ),
    case(
        "oidc.assertion_iat_in_the_future",
        "iat five minutes ahead (made to outlive its window): not yet issued (RFC 7519 §4.1.6), \
         beyond the 60 s of clock skew the provider tolerates",
        "RFC 7519 §4.1.6 (time of issue); softfido's 60 s skew",
        REFUSED,
        |t| Box::pin(forged(t, Forgery::IatInTheFuture)),
    ),
    case(
        "oidc.assertion_alg_none",
        "an unsecured assertion: alg none, no signature",
        "RFC 7523 §3 item 9, RFC 8725 §3.1",
        REFUSED,
        |t| Box::pin(forged(t, Forgery::AlgNone)),
    ),
    case(
        "oidc.assertion_hs256_with_public_key",
        "HS256 keyed with the client's public key (algorithm confusion)",
        "RFC 7523 §3 item 9, RFC 8725 §2.1",
        REFUSED,
        |t| Box::pin(forged(t, Forgery::Hs256PublicKey)),
    ),
    case(
        "oidc.assertion_other_key",
        "ES256 by a key the client never registered, under its kid",
        "RFC 7523 §3 item 9",
        REFUSED,
        |t| Box::pin(forged(t, Forgery::OtherKey)),
    ),
    case(
        "oidc.assertion_iss_not_client",
        "iss another client, signed by the JWT client's key",
        "OIDC Core §9, RFC 7523 §3 item 1",
        REFUSED,
        |t| Box::pin(forged(t, Forgery::IssNotClient)),
    ),
    case(
        "oidc.assertion_sub_not_client",
        "sub another client, signed by the JWT client's key",
        "RFC 7523 §3 item 2.B",
        REFUSED,
        |t| Box::pin(forged(t, Forgery::SubNotClient)),
    ),
    case(
        "oidc.assertion_jti_replayed",
        "an assertion already accepted once (at PAR) sent again to the token endpoint",
        "RFC 7523 §3 item 7",
        REFUSED,
        |t| Box::pin(replayed_jti(t)),
    ),
];

/// How an assertion is forged.
#[derive(Clone, Copy)]
enum Forgery {
    AudEndpoint,
    AudForeignMember,
    Expired,
    IatInTheFuture,
    AlgNone,
    Hs256PublicKey,
    OtherKey,
    IssNotClient,
    SubNotClient,
}

/// The assertion `forgery` makes for the IdP `issuer`.
fn forge(forgery: Forgery, issuer: &str) -> anyhow::Result<String> {
    let now = unix_now();
    let key = jwt_client_key()?;
    let mut claims = assertion_claims(issuer, now);
    let mut set = |name: &str, value: Value| claims[name] = value;
    match forgery {
        Forgery::AudEndpoint => set("aud", json!(format!("{issuer}/token"))),
        Forgery::AudForeignMember => set("aud", json!([issuer, "https://evil.example"])),
        Forgery::Expired => {
            set("iat", json!(now - 180));
            set("exp", json!(now - 120));
        }
        Forgery::IatInTheFuture => {
            set("iat", json!(now + 300));
            set("exp", json!(now + 360));
        }
        Forgery::AlgNone => return Ok(unsecured(&claims)),
        Forgery::Hs256PublicKey => {
            let public = key.verifying_key().to_sec1_point(false);
            return Ok(hs256(public.as_bytes(), &claims));
        }
        Forgery::OtherKey => {
            let stranger = SigningKey::from_slice(&rand::random::<[u8; 32]>())
                .map_err(|e| anyhow::anyhow!("a stranger's key: {e}"))?;
            return Ok(es256(&stranger, &es256_header(), &claims));
        }
        Forgery::IssNotClient => set("iss", json!(OTHER_CLIENT_ID)),
        Forgery::SubNotClient => set("sub", json!(OTHER_CLIENT_ID)),
    }
    Ok(es256(&key, &es256_header(), &claims))
}

/// An honest request of the JWT client, whose code an accepted assertion would redeem.
fn jwt_request() -> AuthRequest {
    AuthRequest::of(JWT_CLIENT_ID, JWT_REDIRECT_URI)
}

async fn forged(trial: Trial, forgery: Forgery) -> anyhow::Result<Outcome> {
    let (browser, form) = redeemable(&trial, &jwt_request()).await?;
    let assertion = forge(forgery, trial.issuer())?;
    trial.checkpoint(&[&browser]).await?;
    token(&trial, &ClientAuth::Assertion(JWT_CLIENT_ID, assertion), &form).await
}

async fn replayed_jti(trial: Trial) -> anyhow::Result<Outcome> {
    let (browser, form) = redeemable(&trial, &jwt_request()).await?;
    let key = jwt_client_key()?;
    let assertion = es256(&key, &es256_header(), &assertion_claims(trial.issuer(), unix_now()));
    let auth = ClientAuth::Assertion(JWT_CLIENT_ID, assertion);
    pushed(&trial, &auth, &jwt_request()).await?;
    trial.checkpoint(&[&browser]).await?;
    token(&trial, &auth, &form).await
}
