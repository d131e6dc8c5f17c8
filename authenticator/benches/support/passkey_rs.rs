//! passkey-rs (`passkey-authenticator`) as a CTAP2 device: request bytes in, response bytes out,
//! through its own serde types, with its RustCrypto backend and in-memory store.

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use passkey_authenticator::{Authenticator, MemoryStore, UiHint, UserCheck, UserValidationMethod};
use passkey_crypto::rust_crypto::RustCryptoBackend;
use passkey_types::Passkey;
use passkey_types::ctap2::{Aaguid, Ctap2Error, get_assertion, make_credential};

/// A user who is always present and never asked to verify: what the requests need.
struct PresentUser;

#[async_trait::async_trait]
impl UserValidationMethod for PresentUser {
    type PasskeyItem = Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        presence: bool,
        _verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck { presence, verification: false })
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(false)
    }
}

/// Runs a future that never waits on I/O (passkey-rs's in-memory calls) to completion, with no
/// runtime in the way.
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// The peer authenticator.
pub struct PasskeyRs {
    authenticator: Authenticator<MemoryStore, PresentUser, RustCryptoBackend>,
}

impl PasskeyRs {
    pub fn new() -> Self {
        let mut authenticator =
            Authenticator::new(Aaguid::new_empty(), MemoryStore::new(), PresentUser, RustCryptoBackend);
        authenticator.set_make_credentials_with_signature_counter(true);
        Self { authenticator }
    }

    /// One CTAP2 request (command byte, CBOR parameters) in, the response (status byte, CBOR)
    /// out, as a device answers.
    pub fn process(&mut self, request: &[u8]) -> Vec<u8> {
        let (command, parameters) = request.split_first().expect("a command byte");
        let mut response = vec![0];
        let outcome = match command {
            0x01 => ciborium::de::from_reader(parameters)
                .map_err(|_| 0x12)
                .and_then(|request| run(self.authenticator.make_credential(request)).map_err(u8::from))
                .map(|answer| ciborium::ser::into_writer(&answer, &mut response).unwrap()),
            0x02 => ciborium::de::from_reader(parameters)
                .map_err(|_| 0x12)
                .and_then(|request| run(self.authenticator.get_assertion(request)).map_err(u8::from))
                .map(|answer| ciborium::ser::into_writer(&answer, &mut response).unwrap()),
            _ => Err(0x01),
        };
        match outcome {
            Ok(()) => response,
            Err(status) => vec![status],
        }
    }

    /// Registers one credential through [`Self::process`] and returns its ID.
    pub fn register(&mut self) -> Vec<u8> {
        super::requests::credential_id(&self.process(&super::requests::make_credential()))
    }

    /// makeCredential on a typed request (a copy of `request`, decoded once by the caller), the
    /// response left typed: no CBOR either way.
    pub fn make_credential_typed(&mut self, request: &make_credential::Request) {
        let copy = make_credential::Request {
            client_data_hash: request.client_data_hash.clone(),
            rp: request.rp.clone(),
            user: request.user.clone(),
            pub_key_cred_params: request.pub_key_cred_params.clone(),
            exclude_list: request.exclude_list.clone(),
            extensions: None,
            options: request.options.clone(),
            pin_auth: request.pin_auth.clone(),
            pin_protocol: request.pin_protocol,
        };
        std::hint::black_box(run(self.authenticator.make_credential(copy)).unwrap());
    }

    /// getAssertion on a typed request (a copy of `request`), the response left typed.
    pub fn get_assertion_typed(&mut self, request: &get_assertion::Request) {
        let copy = get_assertion::Request {
            rp_id: request.rp_id.clone(),
            client_data_hash: request.client_data_hash.clone(),
            allow_list: request.allow_list.clone(),
            extensions: None,
            options: request.options.clone(),
            pin_auth: request.pin_auth.clone(),
            pin_protocol: request.pin_protocol,
        };
        std::hint::black_box(run(self.authenticator.get_assertion(copy)).unwrap());
    }
}

/// Decodes a CTAP2 request's parameters (after the command byte) into passkey-rs's type.
pub fn decode<T: serde::de::DeserializeOwned>(request: &[u8]) -> T {
    ciborium::de::from_reader(&request[1..]).unwrap()
}
