"""Writes the seed corpora: valid requests of each kind, encoded with python-fido2's CBOR."""
import hashlib, os, struct
from fido2 import cbor

def write(target, name, data):
    os.makedirs(f"corpus/{target}", exist_ok=True)
    with open(f"corpus/{target}/{name}", "wb") as f:
        f.write(data)

cdh = hashlib.sha256(b'{"type":"webauthn.create"}').digest()
rp = {"id": "localhost", "name": "softfido"}
user = {"id": b"\x01\x02\x03\x04", "name": "alice", "displayName": "Alice"}
params = [{"alg": -7, "type": "public-key"}, {"alg": -8, "type": "public-key"}]
cose_key = {1: 2, 3: -25, -1: 1, -2: b"\x11" * 32, -3: b"\x22" * 32}
req = {
    "get_info": b"\x04",
    "make_credential": b"\x01" + cbor.encode({1: cdh, 2: rp, 3: user, 4: params}),
    "make_credential_rk_ext": b"\x01" + cbor.encode({1: cdh, 2: rp, 3: user, 4: params,
        5: [{"type": "public-key", "id": b"\x33" * 16}],
        6: {"credProtect": 2, "hmac-secret": True, "credBlob": b"blob", "uvm": True},
        7: {"rk": True}, 8: b"\x44" * 16, 9: 2}),
    "get_assertion": b"\x02" + cbor.encode({1: "localhost", 2: cdh,
        3: [{"type": "public-key", "id": b"\x33" * 16}], 5: {"up": True}}),
    "get_assertion_ext": b"\x02" + cbor.encode({1: "localhost", 2: cdh,
        4: {"hmac-secret": {1: cose_key, 2: b"\x55" * 32, 3: b"\x66" * 16, 4: 2}, "credBlob": True},
        5: {"up": False}, 6: b"\x44" * 32, 7: 2}),
    "get_next_assertion": b"\x08",
    "reset": b"\x07",
    "selection": b"\x0b",
    "pin_retries": b"\x06" + cbor.encode({1: 2, 2: 1}),
    "pin_key_agreement": b"\x06" + cbor.encode({1: 2, 2: 2}),
    "pin_token": b"\x06" + cbor.encode({1: 2, 2: 9, 3: cose_key, 6: b"\x77" * 32, 9: 3, 10: "localhost"}),
    "pin_change": b"\x06" + cbor.encode({1: 1, 2: 4, 3: cose_key, 4: b"\x88" * 16, 5: b"\x99" * 64, 6: b"\xaa" * 16}),
    "cred_mgmt_metadata": b"\x0a" + cbor.encode({1: 1, 3: 2, 4: b"\x44" * 32}),
    "cred_mgmt_rps": b"\x0a" + cbor.encode({1: 2, 3: 2, 4: b"\x44" * 32}),
    "cred_mgmt_delete": b"\x0a" + cbor.encode({1: 6, 2: {2: {"type": "public-key", "id": b"\x33" * 16}}, 3: 2, 4: b"\x44" * 32}),
    "bio_modality": b"\x09" + cbor.encode({6: True}),
    "bio_enumerate": b"\x09" + cbor.encode({1: 1, 2: 4, 4: 2, 5: b"\x44" * 32}),
    "config_enterprise": b"\x0d" + cbor.encode({1: 1, 3: 2, 4: b"\x44" * 32}),
    "config_min_pin": b"\x0d" + cbor.encode({1: 3, 2: {1: 6, 2: ["localhost"], 3: True}, 3: 2, 4: b"\x44" * 32}),
    "large_blobs_get": b"\x0c" + cbor.encode({1: 1024, 3: 0}),
    "large_blobs_set": b"\x0c" + cbor.encode({2: b"\x80" + b"\x00" * 16, 3: 0, 4: 17, 5: b"\x44" * 32, 6: 2}),
    "u2f_register_prefix": b"\x41\x01",
}
for name, data in req.items():
    write("ctap2_request", name, data)

def session(*requests):
    return b"".join(struct.pack(">H", len(r)) + r for r in requests)

for name, data in {
    "register_then_sign_in": session(req["make_credential"], req["get_assertion"], req["get_next_assertion"]),
    "info_and_pin": session(req["get_info"], req["pin_retries"], req["pin_key_agreement"], req["pin_token"]),
    "resident_and_manage": session(req["make_credential_rk_ext"], req["cred_mgmt_metadata"], req["cred_mgmt_rps"]),
    "blobs_and_config": session(req["large_blobs_get"], req["large_blobs_set"], req["config_min_pin"], req["selection"]),
    "reset": session(req["make_credential"], req["reset"], req["get_info"]),
    "bio": session(req["bio_modality"], req["bio_enumerate"]),
    "assertion_ext": session(req["get_assertion_ext"]),
}.items():
    write("authenticator_session", name, data)

# CTAPHID: records of a control byte and a 64-byte report (see the target). Control 0x20
# addresses the report to the channel INIT allocated.
def report(cid, cmd, bcnt, data):
    head = cid + bytes([cmd]) + struct.pack(">H", bcnt)
    return (head + data).ljust(64, b"\x00")[:64]

def train(cmd, payload, control=0x20):
    out = bytes([control]) + report(b"\0\0\0\0", 0x80 | cmd, len(payload), payload[:57])
    rest, seq = payload[57:], 0
    while rest:
        out += bytes([control]) + (b"\0\0\0\0" + bytes([seq]) + rest[:59]).ljust(64, b"\x00")
        rest, seq = rest[59:], seq + 1
    return out

init = b"\x00" + report(b"\xff\xff\xff\xff", 0x86, 8, b"\x01\x02\x03\x04\x05\x06\x07\x08")
for name, data in {
    "init": init,
    "init_get_info": init + train(0x10, b"\x04"),
    "init_make_credential": init + train(0x10, req["make_credential_rk_ext"]),
    "init_ping_long": init + train(0x01, bytes(range(200))),
    "init_wink_lock": init + train(0x08, b"") + train(0x04, b"\x05"),
    "init_cbor_answered_cancel": init + train(0x10, b"\x04") + train(0x11, b"", control=0x60),
    "init_msg": init + train(0x03, b"\x00\x01\x03\x00\x00\x00\x40" + b"\x11" * 64),
    "init_stall_timeout": init + bytes([0x20]) + report(b"\0\0\0\0", 0x81, 100, b"\x00" * 57) + bytes([0x1f]) + report(b"\0\0\0\0", 0x00, 0, b"") * 1,
}.items():
    write("ctaphid_assembler", name, data)

# Authenticator data of an assertion: rpIdHash, flags, counter, extensions (uvm).
rp_hash = hashlib.sha256(b"localhost").digest()
def auth_data(flags, counter, ext=None):
    return rp_hash + bytes([flags]) + struct.pack(">I", counter) + (cbor.encode(ext) if ext is not None else b"")
def attestation_object(flags, ext):
    key = {1: 2, 3: -7, -1: 1, -2: bytes(range(32)), -3: bytes(range(32, 64))}
    credential_id = bytes(range(16))
    attested = bytes(16) + struct.pack(">H", len(credential_id)) + credential_id + cbor.encode(key)
    data = rp_hash + bytes([flags]) + struct.pack(">I", 0) + attested + (cbor.encode(ext) if ext is not None else b"")
    return cbor.encode({"fmt": "none", "attStmt": {}, "authData": data})
for name, data in {
    "up_uv": b"\x00" + auth_data(0x05, 7),
    "up_only_be_bs": b"\x00" + auth_data(0x19, 0),
    "uvm_fingerprint": b"\x00" + auth_data(0x85, 3, {"uvm": [[2, 4, 2]]}),
    "uvm_software_two": b"\x00" + auth_data(0x85, 3, {"uvm": [[4, 1, 1], [2048, 2, 2]], "credProtect": 2}),
    "client_data_get": b"\x02" + b'{"type":"webauthn.get","challenge":"q2x9aXJ0cGx1cw","origin":"http://localhost:8080","crossOrigin":false}',
    "client_data_create": b"\x02" + b'{"type":"webauthn.create","challenge":"AAECAwQFBgcICQ","origin":"http://localhost:8080"}',
    "client_data_top_origin": b"\x02" + b'{"type":"webauthn.get","challenge":"AA","origin":"https://a.example","crossOrigin":true,"topOrigin":"https://b.example"}',
    # Attestation objects: authData with attested credential data (AAGUID, ID, COSE key), then
    # extensions when ED is set.
    "attestation_object": b"\x01" + attestation_object(0x41, None),
    "attestation_object_ext": b"\x01" + attestation_object(0xC5, {"credProtect": 2}),
}.items():
    write("rp_authenticator_data", name, data)

for name, data in {
    "authorize": b"response_type=code&client_id=demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&scope=openid&state=xyz&nonce=n-0S6_WzA2Mj&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
    "authorize_acr": b"response_type=code&client_id=demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&acr_values=phr+phrh&max_age=60&prompt=login",
    "authorize_claims": b"response_type=code&client_id=demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&claims=%7B%22id_token%22%3A%7B%22acr%22%3A%7B%22essential%22%3Atrue%2C%22values%22%3A%5B%22phrh%22%5D%7D%7D%7D&prompt=none",
    "authorize_bad_type": b"response_type=token&client_id=demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&state=s",
    "token": b"grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=demo-client",
    "repeated": b"client_id=a&client_id=b",
}.items():
    write("oidc_params", name, data)
