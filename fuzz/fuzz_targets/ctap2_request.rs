//! The CTAP2 request decoder (command byte + CBOR parameters, CTAP 2.1 §6 and §8) on arbitrary
//! bytes: it must answer a command or a CTAP status code, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use softfido_authenticator::proto::Command;

fuzz_target!(|request: &[u8]| {
    let _ = Command::parse(request);
});
