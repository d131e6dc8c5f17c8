//! What a CTAP 2.0 key (the Proposed Standard of 2019-01-30, `FIDO_2_0`) does differently from
//! a CTAP 2.1 one. Pure rules, each citing the clause it follows; the commands apply them.
//!
//! The CTAP 2.1 text states most of them in its notes on backwards compatibility; where 2.0
//! leaves a choice open, the rule says what it picks and why.

use crate::config::{ExtensionSupport, Generation};
use crate::proto::StatusCode;
use crate::proto::client_pin::ClientPinRequest;
use crate::proto::request::code;
use crate::proto::response::GetInfoResponse;

/// The commands of CTAP 2.0 (its §5): makeCredential, getAssertion, getInfo, clientPIN, reset
/// and getNextAssertion. Credential management (0x0A and the preview's 0x41), bio enrollment
/// (0x09 and the preview's 0x40), authenticatorSelection (0x0B), authenticatorLargeBlobs (0x0C)
/// and authenticatorConfig (0x0D) came with 2.1 (CTAP 2.1 §6), so a 2.0 key answers them
/// CTAP1_ERR_INVALID_COMMAND.
pub fn admits(command: u8) -> bool {
    matches!(
        command,
        code::MAKE_CREDENTIAL
            | code::GET_ASSERTION
            | code::GET_INFO
            | code::CLIENT_PIN
            | code::RESET
            | code::GET_NEXT_ASSERTION
    )
}

/// The options getInfo reports on a 2.0 key (CTAP 2.0 §5.4 defines plat, rk, clientPin, up
/// and uv; every other option of CTAP 2.1 §6.4 is new in 2.1).
const CTAP20_OPTIONS: [&str; 5] = ["plat", "rk", "clientPin", "up", "uv"];

/// The extensions of a 2.0 key: hmac-secret, the one extension CTAP 2.0 defines (its §9.1), and
/// WebAuthn's uvm. credProtect, credBlob, largeBlobKey and minPinLength are CTAP 2.1's (§12.1 to
/// §12.4).
const CTAP20_EXTENSIONS: [&str; 2] = ["uvm", "hmac-secret"];

/// getInfo of a 2.0 key from the 2.1 one: versions `U2F_V2`, `FIDO_2_0`; members 0x01 to 0x06
/// only (CTAP 2.0 §5.4: versions, extensions, aaguid, options, maxMsgSize, pinProtocols, all
/// later members being CTAP 2.1 §6.4's); PIN protocol 1 only (CTAP 2.0 §5.5.2 defines no other).
pub fn as_ctap20(mut info: GetInfoResponse) -> GetInfoResponse {
    info.versions.retain(|version| matches!(*version, "U2F_V2" | "FIDO_2_0"));
    info.extensions.retain(|name| CTAP20_EXTENSIONS.contains(name));
    info.options.retain(|(name, _)| CTAP20_OPTIONS.contains(name));
    info.pin_uv_auth_protocols.retain(|protocol| *protocol == 1);
    info.max_credential_count_in_list = None;
    info.max_credential_id_length = None;
    info.transports = None;
    info.algorithms = None;
    super::generation::without_members_after_0x0a(info)
}

/// The extensions the key processes: a 2.0 key ignores credProtect and credBlob like any
/// extension it does not know (CTAP 2.0 §5.1 step 4: "ignore any extensions not understood").
pub fn known_extensions(generation: Generation, configured: ExtensionSupport) -> ExtensionSupport {
    match generation {
        Generation::Ctap20 => ExtensionSupport { cred_protect: false, cred_blob: false, ..configured },
        Generation::U2f | Generation::Ctap21Pre | Generation::Ctap21 => configured,
    }
}

/// Whether the minPinLength extension (CTAP 2.1 §12.4) exists on this generation of key.
pub fn knows_min_pin_length_extension(generation: Generation) -> bool {
    generation != Generation::Ctap20
}

/// makeCredential's `up` option.
///
/// - CTAP 2.1 §6.1.2 step 5: `up` false is CTAP2_ERR_INVALID_OPTION; true is the default.
/// - CTAP 2.0 §5.1 step 3: makeCredential's options are rk and uv; an option every authenticator
///   understands ("rk", "up", "uv") but "not valid for this command" is CTAP2_ERR_INVALID_OPTION,
///   whatever its value. (CTAP 2.1 §6.1.2 step 5 accordingly lets 2.1 platforms leave `up` out;
///   python-fido2's `Fido2Client` never sends it to makeCredential.)
pub fn check_make_credential_up(generation: Generation, up: Option<bool>) -> Result<(), StatusCode> {
    match (generation, up) {
        (Generation::Ctap20, Some(_)) | (_, Some(false)) => Err(StatusCode::InvalidOption),
        _ => Ok(()),
    }
}

/// Whether makeCredential must have user verification on a device protected by it (a PIN set
/// or built-in UV enrolled): CTAP2_ERR_PUAT_REQUIRED otherwise, the code CTAP 2.0 named
/// CTAP2_ERR_PIN_REQUIRED (0x36). `pin_set`: the key has clientPIN and a PIN is set.
///
/// - CTAP 2.1 §6.1.2 step 7 (makeCredUvNotRqd): only for a discoverable credential.
/// - CTAP 2.0 §5.1 ("If pinAuth parameter is not present and clientPin has been set on the
///   authenticator, return CTAP2_ERR_PIN_REQUIRED"): for every credential, and only when a PIN
///   is set. A 2.0 key has no makeCredUvNotRqd, which is why 2.1 §6.4 introduced the option,
///   and why a platform that does not see it verifies the user for every makeCredential
///   (python-fido2's `_should_use_uv`). Built-in UV enrolled without a PIN asks for nothing:
///   the key verifies the user when the platform sends the `uv` option, and otherwise makes
///   the credential without UV.
pub fn make_credential_needs_uv(generation: Generation, discoverable: bool, pin_set: bool) -> bool {
    match generation {
        Generation::Ctap20 => pin_set,
        Generation::U2f | Generation::Ctap21Pre | Generation::Ctap21 => discoverable,
    }
}

/// getAssertion's `rk` option, which is not an option of getAssertion.
///
/// - CTAP 2.1 §6.2.2 step 5: CTAP2_ERR_UNSUPPORTED_OPTION.
/// - CTAP 2.0 §5.2 step 5: an option that is known but "not valid for this command" is
///   CTAP2_ERR_INVALID_OPTION.
pub fn get_assertion_rk_option(generation: Generation) -> StatusCode {
    match generation {
        Generation::Ctap20 => StatusCode::InvalidOption,
        Generation::U2f | Generation::Ctap21Pre | Generation::Ctap21 => StatusCode::UnsupportedOption,
    }
}

/// Whether a pinUvAuthToken without an RP ID is bound to the RP of its first use (CTAP 2.1
/// §6.1.2 step 11, §6.2.2 step 6: "associate the request's rp.id … as its permissions RP ID").
/// A 2.0 pinToken has neither permissions nor an RP ID (CTAP 2.0 §5.5.4: the pinToken
/// authenticates any makeCredential and getAssertion until it is regenerated).
pub fn binds_token_to_rp(generation: Generation) -> bool {
    generation != Generation::Ctap20
}

/// Whether a ceremony with user presence spends the token's user-verified flag and
/// permissions (CTAP 2.1 §6.1.2 step 17, §6.2.2 step 13: clearUserVerifiedFlag,
/// clearPinUvAuthTokenPermissionsExceptLbw). A 2.0 pinToken stays usable until a power
/// cycle or a new pinToken replaces it (CTAP 2.0 §5.5.4).
pub fn spends_token(generation: Generation) -> bool {
    generation != Generation::Ctap20
}

/// The answer to an hmac-secret saltAuth that does not verify.
///
/// - CTAP 2.1: CTAP2_ERR_PIN_AUTH_INVALID, as the key has always answered it.
/// - CTAP 2.0 §9.1 (hmac-secret) has the authenticator match saltAuth against
///   LEFT(HMAC-SHA-256(sharedSecret, saltEnc), 16) and names no status for a mismatch; the
///   failure is the extension's own, so it is CTAP2_ERR_EXTENSION_FIRST (0xE0), the first of the
///   codes CTAP 2.0 §6.3 reserves for extension-specific errors.
pub fn invalid_salt_auth(generation: Generation) -> StatusCode {
    match generation {
        Generation::Ctap20 => StatusCode::ExtensionFirst,
        Generation::U2f | Generation::Ctap21Pre | Generation::Ctap21 => StatusCode::PinAuthInvalid,
    }
}

/// Whether this generation of key has the clientPIN subcommand `request`: a 2.0 key has
/// getRetries, getKeyAgreement, setPIN, changePIN and getPINToken (0x01 to 0x05, CTAP 2.0
/// §5.5); getPinUvAuthTokenUsingUvWithPermissions (0x06), getUVRetries (0x07) and
/// getPinUvAuthTokenUsingPinWithPermissions (0x09) are CTAP 2.1 §6.5.5's. CTAP 2.0 has no
/// CTAP2_ERR_INVALID_SUBCOMMAND (2.1 §8.2.1 added 0x3E), so a 2.0 key refuses an unknown
/// subCommand as any invalid parameter value: CTAP1_ERR_INVALID_PARAMETER.
pub fn check_client_pin_subcommand(
    generation: Generation,
    request: &ClientPinRequest,
) -> Result<(), StatusCode> {
    let after_2_0 = matches!(
        request,
        ClientPinRequest::GetTokenUsingUv { .. }
            | ClientPinRequest::GetUvRetries
            | ClientPinRequest::GetTokenUsingPin { .. }
    );
    match generation {
        Generation::Ctap20 if after_2_0 => Err(StatusCode::InvalidParameter),
        _ => Ok(()),
    }
}

/// The status for a clientPIN subcommand no generation knows: CTAP2_ERR_INVALID_SUBCOMMAND
/// (CTAP 2.1 §6.5.5), or CTAP1_ERR_INVALID_PARAMETER on a 2.0 key, which lacks that code.
pub fn unknown_client_pin_subcommand(generation: Generation) -> StatusCode {
    match generation {
        Generation::Ctap20 => StatusCode::InvalidParameter,
        Generation::U2f | Generation::Ctap21Pre | Generation::Ctap21 => StatusCode::InvalidSubcommand,
    }
}

#[cfg(test)]
mod tests;
