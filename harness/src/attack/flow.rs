//! The OIDC code flow as the matrix's client runs it, for cases whose verdict is what the IdP
//! grants after the attack: the ID token's `amr` and `acr`, verified by `openidconnect`.

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge};

use super::case::Outcome;
use super::trial::Trial;
use crate::http::Http;
use crate::idp::MATRIX_REDIRECT_URI;
use crate::matrix::ceremony::redeem;
use crate::matrix::report::describe;

/// Asks for a code with `browser`'s session (no prompt, no acr request), redeems it and reads
/// the ID token: `Accepted("token amr=[…] acr=…")`, or the refusal met on the way.
pub async fn token_for_session(trial: &Trial, browser: &Http) -> anyhow::Result<Outcome> {
    let target = trial.target();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = target
        .client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let reply = browser.get(url.as_str()).await?;
    let location = reply.location().unwrap_or_default().to_owned();
    if !location.starts_with(MATRIX_REDIRECT_URI) {
        return Ok(Outcome::Refused(format!(
            "page:{}",
            reply.error().unwrap_or_else(|| format!("http_{} {location}", reply.status.as_u16()))
        )));
    }
    let answer = url::Url::parse(&location)?;
    let param = |name: &str| answer.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    anyhow::ensure!(param("state").as_deref() == Some(state.secret().as_str()), "state did not come back");
    if let Some(error) = param("error") {
        return Ok(Outcome::Refused(format!("redirect:{error}")));
    }
    let code = param("code").ok_or_else(|| anyhow::anyhow!("neither code nor error in {location}"))?;
    Ok(match redeem(target, &code, verifier, &nonce).await {
        Ok(verdict) => Outcome::Accepted(describe(&verdict)),
        Err(verdict) => Outcome::Refused(verdict.error.unwrap_or_default()),
    })
}
