"""authenticatorBioEnrollment (CTAP 2.1 §6.7) with python-fido2's `FPBioEnrollment`: sensor
info, enrolling a finger sample by sample, enumerating, renaming, removing, cancelling, the `be`
token, built-in UV through `Fido2Client` once a finger is enrolled, persistence, reset, and the
preview's command 0x40 on a `2.1-pre` key."""

from __future__ import annotations

import pytest
from fido2.client import ClientError
from fido2.ctap import CtapError
from fido2.ctap2.bio import BioEnrollment, CaptureError, FPBioEnrollment
from fido2.ctap2.pin import ClientPin, PinProtocolV1, PinProtocolV2
from fido2.server import Fido2Server
from fido2.webauthn import UserVerificationRequirement as UV

from softfido_support import RP, RP_ID, PinUvToken, ctap_error, make_credential, user_entity

ERR = CtapError.ERR
PERM = ClientPin.PERMISSION
RESULT = BioEnrollment.RESULT
FEEDBACK = FPBioEnrollment.FEEDBACK
SAMPLES = 4  # maxCaptureSamplesRequiredForEnroll
MAX_NAME = 64  # maxTemplateFriendlyName
MAX_TEMPLATES = 5
UNENROLLED = 'profile = "platform"\nbiometric_enrolled = false\n'
REFUSING = 'profile = "platform"\nbiometric_enrolled = false\npresence = "deny"\n'
PREVIEW = 'profile = "platform"\ngeneration = "2.1-pre"\n'
BIO_ENROLLMENT_PREVIEW = 0x40


class Bio(FPBioEnrollment):
    """FPBioEnrollment that sends no pinUvAuthParam when it has no token: a device that has had
    no finger enrolled since the factory or its last reset is not protected by user
    verification and takes the first enrollment without one (docs/authenticator.md)."""

    def _call(self, sub_cmd, params=None, auth=True, event=None, on_keepalive=None):
        return super()._call(sub_cmd, params, auth and self.pin_uv_token is not None, event, on_keepalive)


def config_file(tmp_path, name: str, text: str):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


@pytest.fixture
def unenrolled(start_daemon, tmp_path):
    """A platform key (built-in fingerprint, no clientPIN) that left the factory with no finger."""
    return start_daemon("platform", config=config_file(tmp_path, "unenrolled", UNENROLLED))


def be_token(ctap, protocol=None) -> tuple[object, bytes]:
    client_pin = ClientPin(ctap, protocol or PinProtocolV2())
    return client_pin.protocol, client_pin.get_uv_token(PERM.BIO_ENROLL)


def bio(ctap, token: bool = True) -> Bio:
    if token:
        protocol, uv_token = be_token(ctap)
        return Bio(ctap, protocol, uv_token)
    return Bio(ctap, PinProtocolV2(), None)


def enroll(bio_enrollment: FPBioEnrollment) -> tuple[bytes, list[int]]:
    """Enrolls a finger; returns its template ID and the remaining-samples countdown."""
    context = bio_enrollment.enroll()
    countdown = []
    template_id = None
    while template_id is None:
        template_id = context.capture()
        countdown.append(context.remaining)
    return template_id, countdown


def test_sensor_info_and_modality(start_daemon):
    ctap = start_daemon("platform").ctap2()
    assert ctap.info.options.get("bioEnroll") is True
    assert ctap.info.options.get("uvBioEnroll") is True
    assert BioEnrollment.is_supported(ctap.info)
    sensor = bio(ctap, token=False)
    assert sensor.get_modality() == BioEnrollment.MODALITY.FINGERPRINT
    info = sensor.get_fingerprint_sensor_info()
    assert info[RESULT.FINGERPRINT_KIND] == 1  # touch
    assert info[RESULT.MAX_SAMPLES_REQUIRED] == SAMPLES
    assert info[RESULT.MAX_TEMPLATE_FRIENDLY_NAME] == MAX_NAME


def test_other_models_have_no_bio_enrollment(start_daemon):
    for profile in ("security-key", "synced-passkey", "software-token"):
        ctap = start_daemon(profile).ctap2()
        assert "bioEnroll" not in ctap.info.options
        assert ctap_error(ctap.send_cbor, 0x09, {6: True}) == ERR.INVALID_COMMAND


def test_the_first_finger_enables_built_in_uv(unenrolled, metadata):
    """A device with no finger cannot verify its user: getInfo `uv` and `bioEnroll` false, and a
    ceremony that requires UV fails. Once a finger is enrolled (four good touches, counting
    down), both are true and Fido2Client verifies the user with the sensor."""
    ctap = unenrolled.ctap2()
    assert ctap.info.options["uv"] is False and ctap.info.options["bioEnroll"] is False
    server = Fido2Server(RP)
    options, _ = server.register_begin(user_entity("fay"), user_verification=UV.REQUIRED)
    with pytest.raises(ClientError):
        unenrolled.client().make_credential(options.public_key)

    template_id, countdown = enroll(bio(ctap, token=False))
    assert countdown == [3, 2, 1, 0]
    info = ctap.get_info()
    assert info.options["uv"] is True and info.options["bioEnroll"] is True

    client = unenrolled.client()
    options, state = server.register_begin(user_entity("fay"), user_verification=UV.REQUIRED)
    registration = client.make_credential(options.public_key)
    auth_data = server.register_complete(state, registration)
    assert auth_data.is_user_verified()
    credential = auth_data.credential_data
    options, state = server.authenticate_begin([credential], user_verification=UV.REQUIRED)
    assertion = client.get_assertion(options.public_key).get_response(0)
    server.authenticate_complete(state, [credential], assertion)
    assert bio(unenrolled.ctap2()).enumerate_enrollments() == {template_id: ""}


def test_enumerate_rename_and_remove(start_daemon):
    """The configured finger is listed; setFriendlyName renames it (at most 64 bytes);
    removeEnrollment of an unknown ID is CTAP2_ERR_INVALID_OPTION, of the last finger leaves
    a device without built-in UV."""
    ctap = start_daemon("platform").ctap2()
    fingers = bio(ctap)
    (template_id,) = fingers.enumerate_enrollments()
    fingers.set_name(template_id, "left index")
    assert fingers.enumerate_enrollments() == {template_id: "left index"}
    with pytest.raises(CtapError) as too_long:
        fingers.set_name(template_id, "x" * (MAX_NAME + 1))
    assert too_long.value.code == ERR.INVALID_PARAMETER
    with pytest.raises(CtapError) as unknown:
        fingers.remove_enrollment(b"\xff\xff")
    assert unknown.value.code == ERR.INVALID_OPTION
    second, _ = enroll(fingers)
    assert fingers.enumerate_enrollments() == {template_id: "left index", second: ""}
    fingers.remove_enrollment(template_id)
    fingers.remove_enrollment(second)
    assert fingers.enumerate_enrollments() == {}  # python-fido2 turns INVALID_OPTION into {}
    info = ctap.get_info()
    assert info.options["uv"] is False and info.options["bioEnroll"] is False


def test_the_template_database_fills_up(start_daemon):
    ctap = start_daemon("platform").ctap2()
    fingers = bio(ctap)
    for _ in range(MAX_TEMPLATES - 1):
        enroll(fingers)
    assert len(fingers.enumerate_enrollments()) == MAX_TEMPLATES
    with pytest.raises(CtapError) as full:
        fingers.enroll_begin()
    assert full.value.code == ERR.FP_DATABASE_FULL


def test_cancel_abandons_the_enrollment(unenrolled):
    ctap = unenrolled.ctap2()
    fingers = bio(ctap, token=False)
    context = fingers.enroll()
    assert context.capture() is None and context.remaining == 3
    template_id = context.template_id
    context.cancel()
    with pytest.raises(CtapError) as abandoned:
        fingers.enroll_capture_next(template_id)
    assert abandoned.value.code == ERR.INVALID_OPTION
    assert fingers.enumerate_enrollments() == {}


def test_no_touch_is_a_capture_error(start_daemon, tmp_path):
    """A user who does not touch the sensor: lastEnrollSampleStatus
    CTAP2_ENROLL_FEEDBACK_NO_USER_ACTIVITY, python-fido2's CaptureError, and no sample counted."""
    daemon = start_daemon("platform", config=config_file(tmp_path, "refusing", REFUSING))
    context = bio(daemon.ctap2(), token=False).enroll()
    with pytest.raises(CaptureError) as no_touch:
        context.capture()
    assert no_touch.value.code == FEEDBACK.NO_USER_ACTIVITY
    assert context.remaining == SAMPLES


def test_the_be_token(start_daemon, unenrolled):
    """`be` is granted on a fingerprint model (a UV token: uvBioEnroll) and needed once a finger
    is enrolled; a token without it is refused, and a model without bio enrollment refuses the
    permission itself."""
    ctap = start_daemon("platform").ctap2()
    client_pin = ClientPin(ctap, PinProtocolV2())
    ga_token = client_pin.get_uv_token(PERM.GET_ASSERTION, RP_ID)
    with pytest.raises(CtapError) as without_be:
        FPBioEnrollment(ctap, client_pin.protocol, ga_token).enumerate_enrollments()
    assert without_be.value.code == ERR.PIN_AUTH_INVALID
    with pytest.raises(CtapError) as without_token:
        bio(ctap, token=False).enumerate_enrollments()
    assert without_token.value.code == ERR.PUAT_REQUIRED
    for protocol in (PinProtocolV1(), PinProtocolV2()):
        version, token = be_token(ctap, protocol)
        assert len(FPBioEnrollment(ctap, version, token).enumerate_enrollments()) == 1
    # No finger, no UV, so no token at all: the device is unprotected.
    assert ctap_error(ClientPin(unenrolled.ctap2()).get_uv_token, PERM.BIO_ENROLL) == ERR.NOT_ALLOWED


def test_fingers_persist_across_a_restart(start_daemon, tmp_path):
    state = tmp_path / "state.json"
    daemon = start_daemon("platform", config=config_file(tmp_path, "unenrolled", UNENROLLED), state=state)
    template_id, _ = enroll(bio(daemon.ctap2(), token=False))
    bio(daemon.ctap2()).set_name(template_id, "thumb")
    daemon.restart()
    ctap = daemon.ctap2()
    assert ctap.info.options["bioEnroll"] is True
    assert bio(ctap).enumerate_enrollments() == {template_id: "thumb"}


def test_reset_removes_the_fingers(start_daemon):
    daemon = start_daemon("platform", reset_anytime=True)
    ctap = daemon.ctap2()
    enroll(bio(ctap))
    ctap.reset()
    info = ctap.get_info()
    assert info.options["uv"] is False and info.options["bioEnroll"] is False
    assert bio(ctap, token=False).enumerate_enrollments() == {}


def preview_uv_token(ctap, client_pin, permissions) -> bytes:
    """getPinUvAuthTokenUsingUvWithPermissions sent raw: python-fido2 does not ask a preview key
    for UV tokens (no pinUvAuthToken option)."""
    key_agreement, shared_secret = client_pin._get_shared_secret()
    response = ctap.client_pin(
        1,
        ClientPin.CMD.GET_TOKEN_USING_UV,
        key_agreement=key_agreement,
        permissions=permissions,
        permissions_rpid=RP_ID,
    )
    return client_pin.protocol.decrypt(shared_secret, response[ClientPin.RESULT.PIN_UV_TOKEN])


def test_a_preview_key_enrolls_through_0x40(start_daemon, tmp_path):
    """A 2.1-PRE fingerprint key reports userVerificationMgmtPreview; python-fido2 then sends
    0x40. Its tokens come from getPinUvAuthTokenUsingUvWithPermissions and carry the
    permissions asked for: a token limited to ga is refused, one with be manages the fingers,
    until a makeCredential spends its permissions. 0x09 is unknown there, and 0x40 on a 2.1
    key."""
    daemon = start_daemon("platform", config=config_file(tmp_path, "preview", PREVIEW))
    ctap = daemon.ctap2()
    assert ctap.info.options.get("userVerificationMgmtPreview") is True
    assert "bioEnroll" not in ctap.info.options and "uvBioEnroll" not in ctap.info.options
    assert BioEnrollment.is_supported(ctap.info)
    client_pin = ClientPin(ctap, PinProtocolV1())
    ga_token = preview_uv_token(ctap, client_pin, PERM.GET_ASSERTION)
    with pytest.raises(CtapError) as limited:
        FPBioEnrollment(ctap, client_pin.protocol, ga_token).enumerate_enrollments()
    assert limited.value.code == ERR.PIN_AUTH_INVALID
    token = preview_uv_token(ctap, client_pin, PERM.BIO_ENROLL | PERM.MAKE_CREDENTIAL)
    fingers = FPBioEnrollment(ctap, client_pin.protocol, token)
    second, countdown = enroll(fingers)
    assert countdown == [3, 2, 1, 0]
    assert len(fingers.enumerate_enrollments()) == 2
    fingers.remove_enrollment(second)
    make_credential(ctap, token=PinUvToken(client_pin.protocol, token))
    with pytest.raises(CtapError) as spent:
        fingers.enumerate_enrollments()
    assert spent.value.code == ERR.PIN_AUTH_INVALID
    assert ctap_error(ctap.send_cbor, 0x09, {6: True}) == ERR.INVALID_COMMAND
    final = start_daemon("platform").ctap2()
    assert ctap_error(final.send_cbor, BIO_ENROLLMENT_PREVIEW, {6: True}) == ERR.INVALID_COMMAND


def test_removing_the_last_finger_keeps_enrollment_protected(start_daemon, tmp_path):
    """Credentials outlive the fingers: once a finger has been enrolled, removing the last one
    leaves enrollment needing a be token (and, without a finger, none can be had) until
    authenticatorReset, across restarts too; after the reset the first finger is tokenless
    again."""
    config = config_file(tmp_path, "unenrolled", UNENROLLED)
    state = tmp_path / "state.json"
    daemon = start_daemon("platform", config=config, state=state, reset_anytime=True)
    ctap = daemon.ctap2()
    template_id, _ = enroll(bio(ctap, token=False))
    bio(ctap).remove_enrollment(template_id)
    assert ctap.get_info().options["bioEnroll"] is False
    with pytest.raises(CtapError) as refused:
        bio(ctap, token=False).enroll_begin()
    assert refused.value.code == ERR.PUAT_REQUIRED
    daemon.restart()
    ctap = daemon.ctap2()
    with pytest.raises(CtapError) as still_refused:
        bio(ctap, token=False).enroll_begin()
    assert still_refused.value.code == ERR.PUAT_REQUIRED
    assert ctap_error(ClientPin(ctap).get_uv_token, PERM.BIO_ENROLL) == ERR.NOT_ALLOWED
    ctap.reset()
    enroll(bio(ctap, token=False))
    assert ctap.get_info().options["bioEnroll"] is True


def test_a_protected_key_wants_the_token_before_the_parameters(start_daemon):
    """§6.7: the pinUvAuthParam is checked first; a tokenless removeEnrollment without its
    templateId is CTAP2_ERR_PUAT_REQUIRED, not CTAP2_ERR_MISSING_PARAMETER."""
    ctap = start_daemon("platform").ctap2()
    remove = {1: 1, 2: 6, 3: {}}  # fingerprint, removeEnrollment, no templateId
    assert ctap_error(ctap.send_cbor, 0x09, remove) == ERR.PUAT_REQUIRED
