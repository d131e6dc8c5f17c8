//! One device scenario through the CTAP2 bytes: register (presence given), sign in with the
//! scenario's answers, and check what the authenticator signed against [`super::oracle`].

use ciborium::Value;
use p256::ecdsa::VerifyingKey;
use sha2::{Digest, Sha256};
use softfido_authenticator::attestation::{self, AttestationRoot};
use softfido_authenticator::config::{UvCapability, VerifyOutcome};
use softfido_authenticator::pin::token::Permissions;
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Signals};

use super::generations;
use super::oracle::{Expected, flags};
use super::scenario::{DeviceScenario, MATRIX_PIN, Uv};
use super::verify;
use crate::axes::UvPerformed;
use crate::client::pin::Token;
use crate::client::{self, Registration, Reply, SignIn, field};

/// The relying party every scenario registers with.
pub(super) const RP_ID: &str = "matrix.softfido.test";

/// Runs scenario `s` against an authenticator configured with `config` (normally
/// [`DeviceScenario::config`]; tests pass a lying one to prove that the check can fail).
pub fn check_device(s: &DeviceScenario, mut config: Config) -> Result<(), String> {
    if !generations::speaks_ctap2(s.generation) {
        return super::u2f::check_u2f(s, config);
    }
    let mut auth = Authenticator::new(config.clone(), MemoryStore::new()).map_err(|e| e.to_string())?;
    let (credential_id, key) = register(&mut auth, s)?;
    // Sign-in: the user's answers of this scenario.
    config.presence = s.up.into();
    if let (UvCapability::Builtin { outcome, .. }, Uv::Builtin(_, UvPerformed::Failed)) =
        (&mut config.uv, s.uv)
    {
        *outcome = VerifyOutcome::NoMatch;
    }
    auth.reconfigure(config);
    let sign_in_hash: [u8; 32] = Sha256::digest(b"sign-in client data").into();
    let typed = if matches!(s.uv, Uv::ClientPin(_, UvPerformed::Failed)) { "0000" } else { MATRIX_PIN };
    let reply = match pin_token(&mut auth, s, typed, Permissions::GET_ASSERTION) {
        Some(Err(status)) => Reply::Error(status),
        token => {
            let request = client::get_assertion(&SignIn {
                rp_id: RP_ID,
                client_data_hash: sign_in_hash,
                allow: if s.discoverable { &[] } else { std::slice::from_ref(&credential_id) },
                up: true,
                uv: s.client_requests_uv(),
                uvm: true,
                pin_uv_auth: token.and_then(Result::ok).map(|t| (t.param(&sign_in_hash), t.protocol_id())),
                ..SignIn::default()
            });
            client::parse_reply(&auth.process(&request, &Signals::new()))?
        }
    };
    check_sign_in(reply, &s.expected_sign_in(), &key, &sign_in_hash)
}

/// Registers a credential for `s` (presence given, the PIN typed right) and checks the
/// attestation object: rpIdHash, flags, the model's AAGUID and the attestation statement
/// (WebAuthn L3 §6.1, §8.2). Returns the credential ID and public key.
fn register(auth: &mut Authenticator, s: &DeviceScenario) -> Result<(Vec<u8>, VerifyingKey), String> {
    let registration_hash: [u8; 32] = Sha256::digest(b"registration client data").into();
    let pin_uv_auth = match pin_token(auth, s, MATRIX_PIN, Permissions::MAKE_CREDENTIAL) {
        Some(Ok(token)) => Some((token.param(&registration_hash), token.protocol_id())),
        Some(Err(status)) => {
            return Err(format!("registration: PIN token refused with status 0x{status:02x}"));
        }
        None => None,
    };
    let request = client::make_credential(&Registration {
        rp_id: RP_ID,
        user_id: b"user-1",
        user_name: "matrix-user",
        client_data_hash: registration_hash,
        rk: s.discoverable,
        uv: s.client_requests_uv(),
        uvm: false,
        pin_uv_auth,
        ..Registration::default()
    });
    let body = match client::parse_reply(&auth.process(&request, &Signals::new()))? {
        Reply::Ok(body) => body,
        Reply::Error(status) => return Err(format!("registration failed with status 0x{status:02x}")),
    };
    let auth_data = field(&body, 2).and_then(Value::as_bytes).ok_or("registration: no authData")?;
    let parsed = verify::parse_auth_data(auth_data)?;
    let (aaguid, credential_id, key) =
        parsed.attested.clone().ok_or("registration: no attested credential")?;
    if parsed.rp_id_hash != <[u8; 32]>::from(Sha256::digest(RP_ID)) {
        return Err("registration: wrong rpIdHash".into());
    }
    if parsed.flags & flags::PREDICTED != s.expected_registration_flags() {
        return Err(format!(
            "registration flags 0x{:02x}, expected 0x{:02x}",
            parsed.flags & flags::PREDICTED,
            s.expected_registration_flags()
        ));
    }
    // The AAGUID of the model the scenario describes (not of whatever the device was told).
    if aaguid != attestation::aaguid(s.config().model()) {
        return Err("registration: AAGUID is not the model's".into());
    }
    let format = field(&body, 1).and_then(Value::as_text).ok_or("registration: no fmt")?;
    let statement = field(&body, 3).ok_or("registration: no attStmt")?;
    let roots = [attestation::root_certificate_der(AttestationRoot::Trusted).to_vec()];
    let attested =
        verify::verify_attestation(format, statement, auth_data, &registration_hash, &key, &aaguid, &roots)?;
    if attested != s.expected_attestation() {
        return Err(format!("attestation {attested:?}, expected {:?}", s.expected_attestation()));
    }
    Ok((credential_id, key))
}

/// Compares the sign-in's reply with the oracle: the status of a refusal, or the signature,
/// flags and `uvm` output of an assertion (CTAP 2.1 §6.2; WebAuthn L3 §10.1.3 for `uvm`).
fn check_sign_in(
    reply: Reply,
    expected: &Expected,
    key: &VerifyingKey,
    sign_in_hash: &[u8; 32],
) -> Result<(), String> {
    match (reply, expected) {
        (Reply::Error(status), Expected::Rejected(want)) if status == *want => Ok(()),
        (Reply::Error(status), _) => Err(format!("sign-in status 0x{status:02x}, expected {expected:?}")),
        (Reply::Ok(_), Expected::Rejected(want)) => {
            Err(format!("sign-in succeeded, expected status 0x{want:02x}"))
        }
        (Reply::Ok(body), Expected::Signed { flags: expected_flags, uvm }) => {
            let auth_data = field(&body, 2).and_then(Value::as_bytes).ok_or("assertion: no authData")?;
            let signature = field(&body, 3).and_then(Value::as_bytes).ok_or("assertion: no signature")?;
            verify::verify_signature(key, auth_data, sign_in_hash, signature)?;
            let parsed = verify::parse_auth_data(auth_data)?;
            if parsed.flags & flags::PREDICTED != *expected_flags {
                return Err(format!(
                    "assertion flags 0x{:02x}, expected 0x{expected_flags:02x}",
                    parsed.flags & flags::PREDICTED
                ));
            }
            let reported =
                parsed.extensions.as_ref().and_then(|e| client::text_field(e, "uvm")).map(uvm_entry);
            match (reported, uvm) {
                (None, None) => Ok(()),
                (Some(Ok(got)), Some(want)) if got == *want => Ok(()),
                (got, want) => Err(format!("uvm {got:?}, expected {want:?}")),
            }
        }
    }
}

/// A PIN token from the authenticator for scenarios where the platform holds one: with
/// permissions where the generation's getInfo offers them, else from getPinToken.
fn pin_token(
    auth: &mut Authenticator,
    s: &DeviceScenario,
    pin: &str,
    permission: Permissions,
) -> Option<Result<Token, u8>> {
    let Uv::ClientPin(protocol, _) = s.uv else { return None };
    let signals = Signals::new();
    let exchange = |request: &[u8]| auth.process(request, &signals);
    Some(if generations::has_tokens_with_permissions(s.generation) {
        client::pin::token_with_pin(exchange, protocol.into(), pin, permission, RP_ID)
    } else {
        client::pin::pin_token(exchange, protocol.into(), pin)
    })
}

/// The first entry of a `uvm` extension output: `[method, keyProtection, matcherProtection]`.
fn uvm_entry(value: &Value) -> Result<[u32; 3], String> {
    let entry =
        value.as_array().and_then(|a| a.first()).and_then(Value::as_array).ok_or("uvm is not [[...]]")?;
    let mut out = [0u32; 3];
    for (slot, item) in out.iter_mut().zip(entry) {
        *slot = item.as_integer().and_then(|i| u32::try_from(i).ok()).ok_or("uvm entry is not integers")?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
