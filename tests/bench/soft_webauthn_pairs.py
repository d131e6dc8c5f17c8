"""create()+get() pairs per second of a Python software ceremony: soft-webauthn as the
authenticator and its client, py_webauthn (PyPI `webauthn`) as the relying party.

    .venv/bin/python tests/bench/soft_webauthn_pairs.py --seconds N

Each pair is what `ceremoniesInPage` of tests/browser/bench-authenticators.mjs does in a page:
the RP's registration options (a fresh user, attestation none, residentKey and
userVerification discouraged, ES256) go to the client as JSON, a fresh credential is created and
verified (`verify_registration_response`), then sign-in options naming that credential go out,
and the assertion is verified (`verify_authentication_response`). Options and credentials
cross as JSON, base64url fields, as between a page and its server.

Timing happens inside the process (interpreter start-up and imports are not counted). Prints one
JSON line: {"pairs_per_second": …, "pairs": …, "seconds": …}. Before timing, a tampered
assertion is offered once and must be refused: the figure is one of verified ceremonies.
"""

import argparse
import json
import os
import sys
import time

from soft_webauthn import SoftWebauthnDevice
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import InvalidAuthenticationResponse
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

RP_ID = "localhost"
ORIGIN = "http://localhost"


def options_for_client(options):
    """What a page does with the RP's options JSON (WebAuthn L3 §5.1.9,
    parseCreationOptionsFromJSON / parseRequestOptionsFromJSON): base64url fields to bytes."""
    public_key = json.loads(options_to_json(options))
    public_key["challenge"] = base64url_to_bytes(public_key["challenge"])
    if "user" in public_key:
        public_key["user"]["id"] = base64url_to_bytes(public_key["user"]["id"])
    for descriptor in public_key.get("allowCredentials", []):
        descriptor["id"] = base64url_to_bytes(descriptor["id"])
    return {"publicKey": public_key}


def credential_json(credential):
    """What a page posts back (PublicKeyCredential.toJSON(), WebAuthn L3 §5.1): base64url."""
    response = {name: bytes_to_base64url(value) for name, value in credential["response"].items() if value}
    raw_id = bytes_to_base64url(credential["rawId"])
    return json.dumps({"id": raw_id, "rawId": raw_id, "type": "public-key", "response": response,
                       "clientExtensionResults": {}})


class Pair:
    """One create()+get() pair against the RP, each response verified."""

    def __init__(self):
        self.device = SoftWebauthnDevice()
        self.users = 0

    def register(self):
        self.users += 1
        options = generate_registration_options(
            rp_id=RP_ID,
            rp_name="bench",
            user_name=f"user{self.users}",
            user_id=os.urandom(16),
            user_display_name="bench",
            attestation=AttestationConveyancePreference.NONE,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.DISCOURAGED,
                user_verification=UserVerificationRequirement.DISCOURAGED,
            ),
            supported_pub_key_algs=[COSEAlgorithmIdentifier.ECDSA_SHA_256],
        )
        created = self.device.create(options_for_client(options), ORIGIN)
        return verify_registration_response(
            credential=credential_json(created),
            expected_challenge=options.challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
        )

    def sign_in(self, registered, tamper=False):
        options = generate_authentication_options(
            rp_id=RP_ID,
            allow_credentials=[PublicKeyCredentialDescriptor(id=registered.credential_id)],
            user_verification=UserVerificationRequirement.DISCOURAGED,
        )
        asserted = self.device.get(options_for_client(options), ORIGIN)
        if tamper:
            signature = bytearray(asserted["response"]["signature"])
            signature[-1] ^= 0x01
            asserted["response"]["signature"] = bytes(signature)
        verified = verify_authentication_response(
            credential=credential_json(asserted),
            expected_challenge=options.challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=registered.credential_public_key,
            credential_current_sign_count=registered.sign_count,
        )
        if verified.credential_id != registered.credential_id:
            raise AssertionError("the assertion names another credential")
        return verified

    def once(self):
        self.sign_in(self.register())


def refuses_tampering(pair):
    """The RP refuses an assertion whose signature was altered."""
    try:
        pair.sign_in(pair.register(), tamper=True)
    except InvalidAuthenticationResponse:
        return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run pairs")
    seconds = parser.parse_args().seconds
    if seconds <= 0:
        parser.error("--seconds must be positive")
    pair = Pair()
    if not refuses_tampering(pair):
        sys.exit("soft_webauthn_pairs: a tampered assertion was accepted")
    pair.once()  # warm-up: first calls load lazily imported modules
    pairs = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        pair.once()
        pairs += 1
    elapsed = time.perf_counter() - started
    print(json.dumps({"pairs_per_second": pairs / elapsed, "pairs": pairs, "seconds": elapsed}))


if __name__ == "__main__":
    main()
