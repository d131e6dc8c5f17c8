use softfido_authenticator::config::{AttestationKind, BackupFlags, KeyProtection as DeviceKeyProtection};

use super::*;
use crate::axes::{Attestation, Backup, Biometric, KeyProtection, Up};
use crate::device::scenario::scenarios;

#[test]
fn a_lying_authenticator_is_caught() {
    let honest = scenarios()
        .into_iter()
        .find(|s| {
            s.up == Up::Approve
                && s.uv == Uv::Builtin(Biometric::Face, UvPerformed::Yes)
                && s.attestation == Attestation::BasicTrusted
                && s.backup == Backup::Be0Bs0
                && s.uvm
        })
        .expect("scenario exists");
    // Claims to be backed up.
    let synced = Config { backup: BackupFlags { eligible: true, state: true }, ..honest.config() };
    assert!(check_device(&honest, synced).unwrap_err().contains("flags"));
    // Attests through the untrusted root.
    let untrusted = Config { attestation: AttestationKind::PackedBasicUntrusted, ..honest.config() };
    assert!(check_device(&honest, untrusted).unwrap_err().contains("attestation"));
    // Reports another key protection (its AAGUID and uvm give it away).
    assert_eq!(honest.key_protection, KeyProtection::Software);
    let secure_element = Config { key_protection: DeviceKeyProtection::SecureElement, ..honest.config() };
    assert!(check_device(&honest, secure_element).unwrap_err().contains("AAGUID"));
    // Never verifies the user.
    let no_uv = Config { uv: UvCapability::None, ..honest.config() };
    assert!(check_device(&honest, no_uv).is_err());
}
