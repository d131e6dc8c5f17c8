//! What other identity providers put in `amr` and `acr`, read from their own source code, so
//! that `softfido matrix --rp-policy NAME` shows where each departs from the rule table.
//!
//! Each profile is a pure function of the same [`Evidence`] the rule table reads (plus, for
//! Authelia alone, the client's unverified `authenticatorAttachment`). It reproduces the claims
//! only: refusing UP = 0 (R0) and weighing a requested acr (R11, R12) stay softfido's, so a
//! profile's mismatches are its amr/acr and the outcomes they cause. Every profile is called
//! only for a sign-in that verified something with user presence (see [`super::auth_context`]).
//!
//! Evidence classes, as each function's documentation names them: a *passkey* sign-in (an
//! assertion, no password), *password* only, and *password + key* (a password, then an
//! assertion as the second factor).

use super::{Acr, Amr, AuthContext, UnregisteredAcr, UnregisteredAmr};
use crate::evidence::{ClientAttachment, Evidence};

/// Authelia, `authorization.AuthenticationMethodsReferences.MarshalRFC8176` in
/// `internal/authorization/amr.go` (authelia/authelia, commit
/// b4a9a2fd1d8c36f58071bfd736d720290b06a68e, the version with passkey sign-in and `kba`), fed by
/// `SetOneFactorPassword`, `SetOneFactorPasskey` and `SetTwoFactorWebAuthn` in
/// `internal/session/user_session.go`, called from `handler_firstfactor_passkey.go` and
/// `handler_sign_webauthn.go` with `hardware = response.AuthenticatorAttachment ==
/// protocol.CrossPlatform`.
///
/// - passkey: `pop`; `hwk` when the client reported `cross-platform`, otherwise `swk` (an absent
///   or `platform` attachment); `user` when UP = 1; `pin` when UV = 1 (whatever the method);
///   no `mfa` (its `mfa` needs a knowledge factor: `pwd` or `kba`);
/// - password: `pwd`, `kba`;
/// - password + key: the union of both, and `mfa`.
///
/// `acr`: none. Its ID token session (`oidc.NewSessionWithRequester`) takes the amr and no acr;
/// that Authelia never emits `acr` elsewhere was not verified.
pub fn authelia(evidence: &Evidence) -> AuthContext {
    let mut amr = Vec::new();
    if let Some(assertion) = &evidence.assertion {
        amr.push(Amr::Pop);
        // Unverified: the client, not the authenticator, reports the attachment.
        amr.push(match assertion.unverified_client_attachment {
            Some(ClientAttachment::CrossPlatform) => Amr::Hwk,
            _ => Amr::Swk,
        });
        if assertion.user_present {
            amr.push(Amr::User);
        }
        if assertion.user_verified {
            amr.push(Amr::Pin);
        }
    }
    if evidence.password {
        amr.extend([Amr::Pwd, Amr::Kba]);
        if evidence.assertion.is_some() {
            amr.push(Amr::Mfa); // knowledge and possession
        }
    }
    AuthContext::sorted(amr, None)
}

/// ZITADEL, `AuthMethodTypesToAMR` in `internal/api/oidc/amr.go` (zitadel/zitadel, the version
/// that counts factors: a passwordless sign-in counts two, a password or U2F one, `mfa` from two).
/// A passkey sign-in is its `UserAuthMethodTypePasswordless`, a key after a password its
/// `UserAuthMethodTypeU2F`; both map to `user` only.
///
/// - passkey: `mfa`, `user`, whatever UV, storage or attestation (no `pop`, `hwk`, `swk`, `pin`);
/// - password: `pwd`;
/// - password + key: `mfa`, `pwd`, `user`.
///
/// `acr`: none (not verified in ZITADEL's token code). The release tag of the version read
/// could not be verified; ZITADEL's own passwordless ceremony asks for UV, which this profile
/// does not enforce (the matrix's `rp_uv` axis decides).
pub fn zitadel(evidence: &Evidence) -> AuthContext {
    let amr = match (&evidence.assertion, evidence.password) {
        (Some(_), false) => vec![Amr::User, Amr::Mfa],
        (Some(_), true) => vec![Amr::Pwd, Amr::User, Amr::Mfa],
        (None, _) => vec![Amr::Pwd],
    };
    AuthContext::sorted(amr, None)
}

/// Hanko, the `amr` of its session token, added in teamhanko/hanko pull request #2429 ("feat:
/// add AMR values to session token", merged 2026-02) and documented in teamhanko/docs pull
/// request #182 (`guides/session-management.mdx`): `pwd` for a password, `passkey` for a
/// passkey, `security_key` for a WebAuthn second factor, `otp`, `totp`, `ext:<provider>`.
///
/// - passkey: `passkey` (not an RFC 8176 value);
/// - password: `pwd`;
/// - password + key: `pwd`, `security_key`.
///
/// No `mfa` and no `acr`: neither is among the documented values. The hook that derives the
/// values was not in the searched index, so the code itself could not be read; the profile
/// follows the pull request's description and the documentation.
pub fn hanko(evidence: &Evidence) -> AuthContext {
    let key = if evidence.password { UnregisteredAmr::SecurityKey } else { UnregisteredAmr::Passkey };
    let mut amr = Vec::new();
    if evidence.password {
        amr.push(Amr::Pwd);
    }
    if evidence.assertion.is_some() {
        amr.push(Amr::Unregistered(key));
    }
    AuthContext::sorted(amr, None)
}

/// Authgear, `authenticator.Info.AMR` (`pkg/lib/authn/authenticator/info.go`) with the values
/// of `pkg/api/model/amr.go` (authgear/authgear-server), collected by `collectAMR` in
/// `pkg/lib/authenticationflow/declarative/amr.go`, which adds `mfa` when two or more
/// authenticators were used.
///
/// - passkey: `x_passkey` (not an RFC 8176 value);
/// - password: `pwd`;
/// - password + key: `mfa`, `pwd`, `x_passkey`. Authgear offers passkeys as a primary
///   authenticator only (its secondary ones are a password, TOTP and OOB OTP), so this is what
///   its rule gives two authenticators, not a flow it has.
///
/// `acr`: none (not verified). Its flows also name `x_primary_passkey` and `x_primary_password`
/// (`AuthenticationFlowAuthentication.AMR`, used for AMR constraints); whether those reach the ID
/// token could not be verified, and the profile leaves them out.
pub fn authgear(evidence: &Evidence) -> AuthContext {
    let mut amr = Vec::new();
    if evidence.password {
        amr.push(Amr::Pwd);
    }
    if evidence.assertion.is_some() {
        amr.push(Amr::Unregistered(UnregisteredAmr::XPasskey));
        if evidence.password {
            amr.push(Amr::Mfa);
        }
    }
    AuthContext::sorted(amr, None)
}

/// Keycloak with its default client scopes. Its "Authentication Method Reference (AMR)" mapper
/// (keycloak/keycloak pull request #24299, Keycloak 23) reads a reference an administrator
/// configures on each authenticator execution, and its reviewers left it out of the realm's
/// default mappers; without both, the ID token has no `amr`. The `acr` client scope, a default
/// scope of new clients since keycloak/keycloak#10161, runs `AcrProtocolMapper.getAcr`
/// (`services/src/main/java/org/keycloak/protocol/oidc/mappers/AcrProtocolMapper.java`): with no
/// level set by a step-up flow it gives level 1 to a fresh authentication (0 to single
/// sign-on), and with no acr-to-level map the level itself becomes the `acr`.
///
/// - passkey, password, password + key: no `amr`, `acr` `1`.
///
/// Not modelled: `0` for a code issued from an existing session (the policy sees one sign-in,
/// not how the code was issued). That no default scope of the current release carries the AMR
/// mapper was read from the pull request's review, not from the realm defaults of a tag.
pub fn keycloak_default(_evidence: &Evidence) -> AuthContext {
    AuthContext::sorted(Vec::new(), Some(Acr::Unregistered(UnregisteredAcr::KeycloakLoa1)))
}
