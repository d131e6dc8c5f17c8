//! U2F Raw Message Formats v1.2 against a token whose answers the test decides: every status
//! word, both length encodings, the signed data verified with p256.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};

use super::*;
use crate::attestation::{self, AttestationRoot};
use crate::config::{Algorithm, Profile};

const CHALLENGE: [u8; 32] = [0xC1; 32];
const APPLICATION: [u8; 32] = [0xA9; 32];
const OTHER_APPLICATION: [u8; 32] = [0xB7; 32];

/// A token that keeps its keys in a list; the key handle is the key's index, repeated.
struct ListToken {
    present: bool,
    keys: Vec<(Vec<u8>, [u8; 32], PrivateKey)>,
    counter: u32,
    presence_asked: usize,
}

impl ListToken {
    fn new(present: bool) -> Self {
        Self { present, keys: Vec::new(), counter: 0, presence_asked: 0 }
    }
}

impl U2fToken for ListToken {
    fn user_present(&mut self, _signals: &Signals) -> bool {
        self.presence_asked += 1;
        self.present
    }

    fn create_key(&mut self, application: &[u8; 32]) -> Result<(PrivateKey, Vec<u8>), StatusWord> {
        let key = PrivateKey::generate(Algorithm::Es256);
        let handle = vec![u8::try_from(self.keys.len()).unwrap(); 40];
        self.keys.push((handle.clone(), *application, key.clone()));
        Ok((key, handle))
    }

    fn open_key(&self, key_handle: &[u8], application: &[u8; 32]) -> Option<PrivateKey> {
        self.keys.iter().find(|(h, a, _)| h == key_handle && a == application).map(|(_, _, k)| k.clone())
    }

    fn next_counter(&mut self, _key_handle: &[u8]) -> Result<u32, StatusWord> {
        self.counter += 1;
        Ok(self.counter)
    }

    fn attestation_identity(&self) -> &'static AttestationIdentity {
        attestation::batch_identity(Profile::SecurityKey.config().model(), AttestationRoot::Trusted)
    }
}

/// An extended-length APDU, as U2F clients send (with Le).
fn extended(ins: u8, p1: u8, data: &[u8]) -> Vec<u8> {
    let lc = u16::try_from(data.len()).unwrap().to_be_bytes();
    [&[0x00, ins, p1, 0x00, 0x00, lc[0], lc[1]][..], data, &[0x00, 0x00]].concat()
}

/// A short-length APDU (Lc and Le one byte each).
fn short(ins: u8, p1: u8, data: &[u8]) -> Vec<u8> {
    let lc = u8::try_from(data.len()).unwrap();
    [&[0x00, ins, p1, 0x00, lc][..], data, &[0x00]].concat()
}

fn send(token: &mut ListToken, apdu: &[u8]) -> (Vec<u8>, StatusWord) {
    let mut response = process(token, apdu, &Signals::new());
    let status = response.split_off(response.len() - 2);
    (response, StatusWord::from_bytes([status[0], status[1]]).expect("a U2F status word"))
}

fn register_data() -> Vec<u8> {
    [CHALLENGE, APPLICATION].concat()
}

fn authenticate_data(application: &[u8; 32], key_handle: &[u8]) -> Vec<u8> {
    let len = u8::try_from(key_handle.len()).unwrap();
    [&CHALLENGE[..], application, &[len], key_handle].concat()
}

/// Registers through U2F_REGISTER; the public key and key handle of the answer.
fn registered(token: &mut ListToken) -> (VerifyingKey, Vec<u8>) {
    let (response, status) = send(token, &extended(0x01, 0x00, &register_data()));
    assert_eq!(status, StatusWord::NoError);
    let public_key = VerifyingKey::from_sec1_bytes(&response[1..66]).unwrap();
    let len = usize::from(response[66]);
    (public_key, response[67..67 + len].to_vec())
}

#[test]
fn version_answers_u2f_v2_in_both_encodings() {
    let mut token = ListToken::new(true);
    for apdu in [extended(0x03, 0, &[]), vec![0x00, 0x03, 0x00, 0x00], vec![0x00, 0x03, 0x00, 0x00, 0x00]] {
        assert_eq!(send(&mut token, &apdu), (b"U2F_V2".to_vec(), StatusWord::NoError), "{apdu:02x?}");
    }
    assert_eq!(send(&mut token, &short(0x03, 0, &[1])), (vec![], StatusWord::WrongLength), "with data");
}

#[test]
fn another_class_is_cla_not_supported() {
    let mut token = ListToken::new(true);
    for cla in [0x80, 0x01, 0xff] {
        let apdu = [cla, 0x03, 0x00, 0x00];
        assert_eq!(send(&mut token, &apdu), (vec![], StatusWord::ClaNotSupported));
    }
}

#[test]
fn an_unknown_instruction_is_ins_not_supported() {
    let mut token = ListToken::new(true);
    for ins in [0x00, 0x04, 0x40, 0xc0, 0xff] {
        assert_eq!(send(&mut token, &[0x00, ins, 0x00, 0x00]), (vec![], StatusWord::InsNotSupported));
    }
}

#[test]
fn malformed_lengths_are_wrong_length() {
    let mut token = ListToken::new(true);
    assert_eq!(send(&mut token, &[0x00, 0x01]).1, StatusWord::WrongLength, "half a header");
    assert_eq!(send(&mut token, &extended(0x01, 0, &[0; 63])).1, StatusWord::WrongLength, "short register");
    assert_eq!(send(&mut token, &extended(0x01, 0, &[0; 65])).1, StatusWord::WrongLength, "long register");
    let mut data = authenticate_data(&APPLICATION, &[1; 10]);
    data.push(0);
    assert_eq!(send(&mut token, &extended(0x02, 0x03, &data)).1, StatusWord::WrongLength, "L too short");
    data.truncate(data.len() - 2);
    assert_eq!(send(&mut token, &extended(0x02, 0x03, &data)).1, StatusWord::WrongLength, "L too long");
    let no_length = [CHALLENGE, APPLICATION].concat();
    assert_eq!(send(&mut token, &extended(0x02, 0x03, &no_length)).1, StatusWord::WrongLength, "no L");
    assert_eq!(token.presence_asked, 0, "no touch is asked for a malformed request");
}

#[test]
fn register_in_both_encodings_is_signed_by_the_batch_key_over_the_u2f_data() {
    for encode in [extended, short] {
        let mut token = ListToken::new(true);
        let (response, status) = send(&mut token, &encode(0x01, 0x00, &register_data()));
        assert_eq!(status, StatusWord::NoError);
        assert_eq!(response[0], REGISTER_RESERVED_BYTE);
        let public_key = &response[1..66];
        assert_eq!(public_key[0], 0x04, "an uncompressed point");
        let (handle, _, key) = &token.keys[0];
        assert_eq!(public_key, uncompressed_point(key).unwrap());
        assert_eq!(usize::from(response[66]), handle.len());
        assert_eq!(&response[67..67 + handle.len()], &handle[..]);
        let identity = token.attestation_identity();
        let certificate_start = 67 + handle.len();
        let signature_start = certificate_start + identity.certificate_der.len();
        assert_eq!(&response[certificate_start..signature_start], &identity.certificate_der[..]);
        let signed = [&[0x00][..], &APPLICATION, &CHALLENGE, handle, public_key].concat();
        let signature = Signature::from_der(&response[signature_start..]).unwrap();
        identity.signing_key.verifying_key().verify(&signed, &signature).unwrap();
        let mut tampered = signed.clone();
        tampered[1] ^= 1;
        assert!(identity.signing_key.verifying_key().verify(&tampered, &signature).is_err());
    }
}

#[test]
fn register_without_a_touch_is_conditions_not_satisfied_and_makes_no_key() {
    let mut token = ListToken::new(false);
    assert_eq!(
        send(&mut token, &extended(0x01, 0, &register_data())),
        (vec![], StatusWord::ConditionsNotSatisfied)
    );
    assert!(token.keys.is_empty());
}

#[test]
fn authenticate_enforcing_presence_signs_application_flags_counter_and_challenge() {
    for encode in [extended, short] {
        let mut token = ListToken::new(true);
        let (public_key, handle) = registered(&mut token);
        let apdu = encode(0x02, 0x03, &authenticate_data(&APPLICATION, &handle));
        let (response, status) = send(&mut token, &apdu);
        assert_eq!(status, StatusWord::NoError);
        assert_eq!(&response[..5], &[USER_PRESENT, 0, 0, 0, 1]);
        let signed = [&APPLICATION[..], &response[..5], &CHALLENGE].concat();
        public_key.verify(&signed, &Signature::from_der(&response[5..]).unwrap()).unwrap();
        assert!(
            public_key
                .verify(
                    &[&signed[..32], &[0], &signed[33..]].concat(),
                    &Signature::from_der(&response[5..]).unwrap()
                )
                .is_err()
        );
    }
}

#[test]
fn authenticate_without_enforcing_presence_signs_without_asking() {
    let mut token = ListToken::new(true);
    let (public_key, handle) = registered(&mut token);
    token.present = false;
    let asked = token.presence_asked;
    let (response, status) =
        send(&mut token, &extended(0x02, 0x08, &authenticate_data(&APPLICATION, &handle)));
    assert_eq!(status, StatusWord::NoError);
    assert_eq!(&response[..5], &[0, 0, 0, 0, 1], "presence not tested, counter 1");
    let signed = [&APPLICATION[..], &response[..5], &CHALLENGE].concat();
    public_key.verify(&signed, &Signature::from_der(&response[5..]).unwrap()).unwrap();
    assert_eq!(token.presence_asked, asked);
}

#[test]
fn authenticate_enforcing_presence_without_a_touch_is_conditions_not_satisfied() {
    let mut token = ListToken::new(true);
    let (_, handle) = registered(&mut token);
    token.present = false;
    let apdu = extended(0x02, 0x03, &authenticate_data(&APPLICATION, &handle));
    assert_eq!(send(&mut token, &apdu), (vec![], StatusWord::ConditionsNotSatisfied));
    assert_eq!(token.counter, 0, "nothing signed, the counter stays");
}

#[test]
fn check_only_answers_conditions_not_satisfied_for_a_valid_handle_and_never_signs() {
    let mut token = ListToken::new(true);
    let (_, handle) = registered(&mut token);
    let asked = token.presence_asked;
    let apdu = extended(0x02, 0x07, &authenticate_data(&APPLICATION, &handle));
    assert_eq!(send(&mut token, &apdu), (vec![], StatusWord::ConditionsNotSatisfied));
    assert_eq!((token.counter, token.presence_asked), (0, asked));
}

#[test]
fn a_handle_of_another_application_or_none_of_ours_is_wrong_data_in_every_mode() {
    let mut token = ListToken::new(true);
    let (_, handle) = registered(&mut token);
    for mode in [0x07, 0x03, 0x08] {
        let other_application = extended(0x02, mode, &authenticate_data(&OTHER_APPLICATION, &handle));
        assert_eq!(send(&mut token, &other_application), (vec![], StatusWord::WrongData), "mode {mode:02x}");
        let unknown = extended(0x02, mode, &authenticate_data(&APPLICATION, &[0xEE; 40]));
        assert_eq!(send(&mut token, &unknown), (vec![], StatusWord::WrongData), "mode {mode:02x}");
        let empty = extended(0x02, mode, &authenticate_data(&APPLICATION, &[]));
        assert_eq!(send(&mut token, &empty), (vec![], StatusWord::WrongData), "mode {mode:02x}");
    }
    assert_eq!(token.counter, 0);
}

#[test]
fn an_unknown_control_byte_is_wrong_data() {
    let mut token = ListToken::new(true);
    let (_, handle) = registered(&mut token);
    for p1 in [0x00, 0x01, 0x04, 0x09, 0xff] {
        let apdu = extended(0x02, p1, &authenticate_data(&APPLICATION, &handle));
        assert_eq!(send(&mut token, &apdu), (vec![], StatusWord::WrongData), "P1 {p1:02x}");
    }
}

#[test]
fn the_counter_is_the_tokens_and_increases() {
    let mut token = ListToken::new(true);
    let (_, handle) = registered(&mut token);
    let apdu = extended(0x02, 0x03, &authenticate_data(&APPLICATION, &handle));
    let counters: Vec<_> = (0..3).map(|_| send(&mut token, &apdu).0[1..5].to_vec()).collect();
    assert_eq!(counters, [[0, 0, 0, 1], [0, 0, 0, 2], [0, 0, 0, 3]]);
}

#[test]
fn status_words_round_trip_through_their_bytes() {
    for (status, bytes) in [
        (StatusWord::NoError, [0x90, 0x00]),
        (StatusWord::ConditionsNotSatisfied, [0x69, 0x85]),
        (StatusWord::WrongData, [0x6a, 0x80]),
        (StatusWord::WrongLength, [0x67, 0x00]),
        (StatusWord::ClaNotSupported, [0x6e, 0x00]),
        (StatusWord::InsNotSupported, [0x6d, 0x00]),
        (StatusWord::NoPreciseDiagnosis, [0x6f, 0x00]),
    ] {
        assert_eq!(status.bytes(), bytes);
        assert_eq!(StatusWord::from_bytes(bytes), Some(status));
    }
    assert_eq!(StatusWord::from_bytes([0x12, 0x34]), None);
}

#[test]
fn truncated_and_extended_requests_never_panic_and_always_end_in_a_status_word() {
    let mut token = ListToken::new(true);
    let (_, handle) = registered(&mut token);
    let requests = [
        extended(0x01, 0, &register_data()),
        short(0x01, 0, &register_data()),
        extended(0x02, 0x03, &authenticate_data(&APPLICATION, &handle)),
        short(0x02, 0x07, &authenticate_data(&APPLICATION, &handle)),
        extended(0x03, 0, &[]),
    ];
    for full in requests {
        for len in 0..full.len() + 4 {
            let mut apdu = full[..len.min(full.len())].to_vec();
            apdu.resize(len, 0xAB);
            let response = process(&mut token, &apdu, &Signals::new());
            let status = response[response.len() - 2..].try_into().unwrap();
            assert!(StatusWord::from_bytes(status).is_some(), "{apdu:02x?} -> {response:02x?}");
        }
    }
}

#[test]
fn only_es256_keys_have_a_u2f_public_key() {
    assert!(uncompressed_point(&PrivateKey::generate(Algorithm::Es256)).is_some());
    assert!(uncompressed_point(&PrivateKey::generate(Algorithm::EdDsa)).is_none());
}

#[test]
fn instructions_and_control_bytes_are_the_specifications() {
    let instructions = [(0x01, "U2F_REGISTER"), (0x02, "U2F_AUTHENTICATE"), (0x03, "U2F_VERSION")];
    for (byte, name) in instructions {
        assert_eq!(Instruction::from_byte(byte).map(Instruction::name), Some(name));
    }
    assert_eq!(Instruction::from_byte(0x04), None);
    assert_eq!(AuthenticateMode::from_byte(0x07), Some(AuthenticateMode::CheckOnly));
    assert_eq!(AuthenticateMode::from_byte(0x03), Some(AuthenticateMode::EnforceUserPresenceAndSign));
    assert_eq!(AuthenticateMode::from_byte(0x08), Some(AuthenticateMode::DontEnforceUserPresenceAndSign));
    assert_eq!(AuthenticateMode::from_byte(0x00), None);
}
