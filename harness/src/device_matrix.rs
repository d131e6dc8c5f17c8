//! `softfido device-matrix`: every authenticator flag combination, registered and signed in through
//! the CTAP2 byte interface, with what was signed checked against [`crate::device_oracle`].

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ciborium::Value;
use sha2::{Digest, Sha256};
use softfido_authenticator::attestation::{self, AttestationRoot};
use softfido_authenticator::config::{
    AttestationKind, BackupFlags, ExtensionSupport, KeyProtection, Modality, PresenceOutcome, UvCapability,
    VerifyOutcome,
};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Profile, Signals};

use softfido_authenticator::pin::protocol::PinUvAuthProtocol;
use softfido_authenticator::pin::token::Permissions;

use crate::client::pin::Token;
use crate::client::{self, Registration, Reply, SignIn, field};
use crate::device_oracle::{
    Attest, Biometric, DeviceScenario, Expected, Keys, Performed, PinProtocol, Up, Uv,
};
use crate::verify;

const RP_ID: &str = "matrix.softfido.test";
/// The PIN set on clientPIN scenarios that have one.
const MATRIX_PIN: &str = "4711";

/// Options of `softfido device-matrix`.
#[derive(clap::Args, Debug, Clone)]
pub struct MatrixArgs {
    /// Keep only scenarios matching every `axis=value` (e.g. `up=deny,keys=tee`).
    #[arg(long)]
    pub filter: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// Every scenario of the authenticator matrix (the full product of the axes).
pub fn scenarios() -> Vec<DeviceScenario> {
    let mut uv = vec![Uv::None, Uv::ClientPinUnset];
    for protocol in [PinProtocol::One, PinProtocol::Two] {
        for performed in [Performed::Yes, Performed::Failed] {
            uv.push(Uv::ClientPin(protocol, performed));
        }
    }
    for biometric in [Biometric::Fingerprint, Biometric::Face, Biometric::Iris, Biometric::Voice] {
        for performed in [Performed::Yes, Performed::No, Performed::Failed] {
            uv.push(Uv::Builtin(biometric, performed));
        }
    }
    let mut out = Vec::new();
    for up in [Up::Approve, Up::Deny, Up::Timeout] {
        for &uv in &uv {
            for keys in [Keys::Software, Keys::Hardware, Keys::Tee, Keys::SecureElement] {
                for attestation in
                    [Attest::None, Attest::SelfAttestation, Attest::BasicTrusted, Attest::BasicUntrusted]
                {
                    for backup in [(false, false), (true, false), (true, true), (false, true)] {
                        for uvm in [false, true] {
                            for discoverable in [false, true] {
                                out.push(DeviceScenario {
                                    up,
                                    uv,
                                    keys,
                                    attestation,
                                    backup,
                                    uvm,
                                    discoverable,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// The axis values of a scenario, by axis name (used by `--filter` and the summary).
pub fn axes(s: &DeviceScenario) -> Vec<(&'static str, String)> {
    let uv_capability = match s.uv {
        Uv::None => "none".to_owned(),
        Uv::ClientPinUnset | Uv::ClientPin(..) => "client_pin".to_owned(),
        Uv::Builtin(b, _) => format!("{b:?}").to_lowercase(),
    };
    let uv_performed = match s.uv {
        Uv::Builtin(_, p) | Uv::ClientPin(_, p) => format!("{p:?}").to_lowercase(),
        _ => "no".to_owned(),
    };
    let pin_protocol = match s.uv {
        Uv::ClientPin(PinProtocol::One, _) => "1",
        Uv::ClientPin(PinProtocol::Two, _) => "2",
        _ => "n/a",
    };
    let keys = match s.keys {
        Keys::Software => "software",
        Keys::Hardware => "hardware",
        Keys::Tee => "tee",
        Keys::SecureElement => "secure_element",
    };
    let attestation = match s.attestation {
        Attest::None => "none",
        Attest::SelfAttestation => "self",
        Attest::BasicTrusted => "basic_trusted",
        Attest::BasicUntrusted => "basic_untrusted",
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    vec![
        ("up", format!("{:?}", s.up).to_lowercase()),
        ("uv_capability", uv_capability),
        ("uv_performed", uv_performed),
        ("pin_protocol", pin_protocol.to_owned()),
        ("key_protection", keys.to_owned()),
        ("attestation", attestation.to_owned()),
        ("backup", format!("be{}_bs{}", u8::from(s.backup.0), u8::from(s.backup.1))),
        ("uvm", yes_no(s.uvm)),
        ("discoverable", yes_no(s.discoverable)),
    ]
}

/// Parses `axis=value,axis=value`.
fn parse_filter(filter: &str) -> anyhow::Result<Vec<(String, String)>> {
    let known: Vec<&str> = axes(&scenarios()[0]).into_iter().map(|(name, _)| name).collect();
    filter
        .split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (axis, value) =
                part.split_once('=').ok_or_else(|| anyhow::anyhow!("filter {part:?} is not axis=value"))?;
            let axis = axis.trim();
            if !known.contains(&axis) {
                anyhow::bail!("unknown axis {axis:?}; axes are {}", known.join(", "));
            }
            Ok((axis.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// The authenticator configuration a scenario stands for.
pub fn config(s: &DeviceScenario) -> Config {
    let uv = match s.uv {
        Uv::None => UvCapability::None,
        Uv::ClientPinUnset | Uv::ClientPin(..) => UvCapability::ClientPin,
        Uv::Builtin(b, performed) => UvCapability::Builtin {
            modality: match b {
                Biometric::Fingerprint => Modality::Fingerprint,
                Biometric::Face => Modality::Face,
                Biometric::Iris => Modality::Iris,
                Biometric::Voice => Modality::Voice,
            },
            enrolled: performed != Performed::No,
            outcome: VerifyOutcome::Match,
        },
    };
    Config {
        presence: PresenceOutcome::Approve,
        presence_timeout: Duration::ZERO,
        uv,
        key_protection: match s.keys {
            Keys::Software => KeyProtection::Software,
            Keys::Hardware => KeyProtection::Hardware,
            Keys::Tee => KeyProtection::Tee,
            Keys::SecureElement => KeyProtection::SecureElement,
        },
        attestation: match s.attestation {
            Attest::None => AttestationKind::None,
            Attest::SelfAttestation => AttestationKind::PackedSelf,
            Attest::BasicTrusted => AttestationKind::PackedBasic,
            Attest::BasicUntrusted => AttestationKind::PackedBasicUntrusted,
        },
        backup: BackupFlags { eligible: s.backup.0, state: s.backup.1 },
        extensions: ExtensionSupport { uvm: s.uvm, ..ExtensionSupport::ALL },
        pin: s.client_uses_pin().then(|| MATRIX_PIN.to_owned()),
        ..Profile::SoftwareToken.config()
    }
}

/// The outcome of one scenario.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The scenario.
    pub scenario: DeviceScenario,
    /// `None` when everything matched, else what differed.
    pub mismatch: Option<String>,
}

/// Runs one scenario: register (presence given), then sign in with the scenario's answers.
pub fn run_scenario(s: &DeviceScenario) -> Outcome {
    Outcome { scenario: *s, mismatch: check_scenario(s).err() }
}

fn check_scenario(s: &DeviceScenario) -> Result<(), String> {
    check_device(s, config(s))
}

/// Runs scenario `s` against an authenticator configured with `config` (normally `config(s)`;
/// tests pass a lying one to prove that the check can fail).
fn check_device(s: &DeviceScenario, mut config: Config) -> Result<(), String> {
    let mut auth = Authenticator::new(config.clone(), MemoryStore::new()).map_err(|e| e.to_string())?;
    let signals = Signals::new();
    let registration_hash: [u8; 32] = Sha256::digest(b"registration client data").into();
    let pin_uv_auth = match pin_token(&mut auth, s, MATRIX_PIN, Permissions::MAKE_CREDENTIAL.bits()) {
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
    });
    let body = match client::parse_reply(&auth.process(&request, &signals))? {
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
    if parsed.flags & 0x1D != s.expected_registration_flags() {
        return Err(format!(
            "registration flags 0x{:02x}, expected 0x{:02x}",
            parsed.flags & 0x1D,
            s.expected_registration_flags()
        ));
    }
    // The AAGUID of the model the scenario describes (not of whatever the device was told).
    if aaguid != attestation::aaguid(self::config(s).model()) {
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

    // Sign-in: the user's answers of this scenario.
    config.presence = match s.up {
        Up::Approve => PresenceOutcome::Approve,
        Up::Deny => PresenceOutcome::Deny,
        Up::Timeout => PresenceOutcome::Timeout,
    };
    if let (UvCapability::Builtin { outcome, .. }, Uv::Builtin(_, Performed::Failed)) = (&mut config.uv, s.uv)
    {
        *outcome = VerifyOutcome::NoMatch;
    }
    auth.reconfigure(config);
    let sign_in_hash: [u8; 32] = Sha256::digest(b"sign-in client data").into();
    let typed = if matches!(s.uv, Uv::ClientPin(_, Performed::Failed)) { "0000" } else { MATRIX_PIN };
    let reply = match pin_token(&mut auth, s, typed, Permissions::GET_ASSERTION.bits()) {
        Some(Err(status)) => Reply::Error(status),
        token => {
            let request = client::get_assertion(&SignIn {
                rp_id: RP_ID,
                client_data_hash: sign_in_hash,
                allow: (!s.discoverable).then_some(credential_id.as_slice()),
                up: true,
                uv: s.client_requests_uv(),
                uvm: true,
                pin_uv_auth: token.and_then(Result::ok).map(|t| (t.param(&sign_in_hash), t.protocol_id())),
            });
            client::parse_reply(&auth.process(&request, &signals))?
        }
    };
    let expected = s.expected_sign_in();
    match (reply, &expected) {
        (Reply::Error(status), Expected::Rejected(want)) if status == *want => Ok(()),
        (Reply::Error(status), _) => Err(format!("sign-in status 0x{status:02x}, expected {expected:?}")),
        (Reply::Ok(_), Expected::Rejected(want)) => {
            Err(format!("sign-in succeeded, expected status 0x{want:02x}"))
        }
        (Reply::Ok(body), Expected::Signed { flags, uvm }) => {
            let auth_data = field(&body, 2).and_then(Value::as_bytes).ok_or("assertion: no authData")?;
            let signature = field(&body, 3).and_then(Value::as_bytes).ok_or("assertion: no signature")?;
            verify::verify_signature(&key, auth_data, &sign_in_hash, signature)?;
            let parsed = verify::parse_auth_data(auth_data)?;
            if parsed.flags & 0x1D != *flags {
                return Err(format!("assertion flags 0x{:02x}, expected 0x{flags:02x}", parsed.flags & 0x1D));
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

/// A PIN token from the authenticator for scenarios where the platform holds one.
fn pin_token(
    auth: &mut Authenticator,
    s: &DeviceScenario,
    pin: &str,
    permission: u8,
) -> Option<Result<Token, u8>> {
    let Uv::ClientPin(protocol, _) = s.uv else { return None };
    let protocol = match protocol {
        PinProtocol::One => PinUvAuthProtocol::One,
        PinProtocol::Two => PinUvAuthProtocol::Two,
    };
    let signals = Signals::new();
    Some(client::pin::token_with_pin(
        |request| auth.process(request, &signals),
        protocol,
        pin,
        permission,
        RP_ID,
    ))
}

fn uvm_entry(value: &Value) -> Result<[u32; 3], String> {
    let entry =
        value.as_array().and_then(|a| a.first()).and_then(Value::as_array).ok_or("uvm is not [[...]]")?;
    let mut out = [0u32; 3];
    for (slot, item) in out.iter_mut().zip(entry) {
        *slot = item.as_integer().and_then(|i| u32::try_from(i).ok()).ok_or("uvm entry is not integers")?;
    }
    Ok(out)
}

/// Runs the matrix; exit status 1 on any mismatch.
pub fn run(args: &MatrixArgs) -> anyhow::Result<ExitCode> {
    let filter = args.filter.as_deref().map(parse_filter).transpose()?.unwrap_or_default();
    let selected: Vec<DeviceScenario> = scenarios()
        .into_iter()
        .filter(|s| {
            let values = axes(s);
            filter.iter().all(|(axis, want)| values.iter().any(|(name, value)| name == axis && value == want))
        })
        .collect();
    if selected.is_empty() {
        anyhow::bail!("the filter selects no scenario");
    }
    let jobs =
        args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)).max(1);
    println!("softfido matrix: {} authenticator scenarios on {jobs} threads", selected.len());
    let started = Instant::now();
    let progress = indicatif::ProgressBar::new(selected.len() as u64);
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} scenarios {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let chunk = selected.len().div_ceil(jobs);
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = selected
            .chunks(chunk)
            .map(|part| {
                let progress = progress.clone();
                scope.spawn(move || {
                    part.iter()
                        .map(|s| {
                            let outcome = run_scenario(s);
                            progress.inc(1);
                            outcome
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    progress.finish_and_clear();
    print_summary(&outcomes);
    let failed = outcomes.iter().filter(|o| o.mismatch.is_some()).count();
    if outcomes.len() != selected.len() {
        anyhow::bail!("{} scenarios did not report", selected.len() - outcomes.len());
    }
    println!("in {:.1} s", started.elapsed().as_secs_f64());
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_summary(outcomes: &[Outcome]) {
    let mut per_value: BTreeMap<(&'static str, String), (usize, usize)> = BTreeMap::new();
    for outcome in outcomes {
        for (axis, value) in axes(&outcome.scenario) {
            let entry = per_value.entry((axis, value)).or_default();
            if outcome.mismatch.is_none() {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    println!("{:<16} {:<16} {:>8} {:>8}", "axis", "value", "passed", "failed");
    for ((axis, value), (passed, failed)) in &per_value {
        println!("{axis:<16} {value:<16} {passed:>8} {failed:>8}");
    }
    for outcome in outcomes.iter().filter(|o| o.mismatch.is_some()).take(20) {
        let described: Vec<String> =
            axes(&outcome.scenario).into_iter().map(|(a, v)| format!("{a}={v}")).collect();
        println!("MISMATCH {}: {}", described.join(","), outcome.mismatch.as_deref().unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_product_has_no_duplicates() {
        let all = scenarios();
        let unique: std::collections::BTreeSet<_> = all.iter().collect();
        assert_eq!(all.len(), unique.len());
        assert_eq!(all.len(), 3 * 18 * 4 * 4 * 4 * 2 * 2);
    }

    #[test]
    fn every_scenario_of_a_sample_passes_against_the_honest_authenticator() {
        for s in scenarios().iter().step_by(97) {
            assert_eq!(run_scenario(s).mismatch, None, "{s:?}");
        }
    }

    #[test]
    fn a_lying_authenticator_is_caught() {
        let honest = scenarios()
            .into_iter()
            .find(|s| {
                s.up == Up::Approve
                    && s.uv == Uv::Builtin(Biometric::Face, Performed::Yes)
                    && s.attestation == Attest::BasicTrusted
                    && s.backup == (false, false)
                    && s.uvm
            })
            .expect("scenario exists");
        // Claims to be backed up.
        let synced = Config { backup: BackupFlags { eligible: true, state: true }, ..config(&honest) };
        assert!(check_device(&honest, synced).unwrap_err().contains("flags"));
        // Attests through the untrusted root.
        let untrusted = Config { attestation: AttestationKind::PackedBasicUntrusted, ..config(&honest) };
        assert!(check_device(&honest, untrusted).unwrap_err().contains("attestation"));
        // Reports another key protection (its AAGUID and uvm give it away).
        assert_eq!(honest.keys, Keys::Software);
        let secure_element = Config { key_protection: KeyProtection::SecureElement, ..config(&honest) };
        assert!(check_device(&honest, secure_element).unwrap_err().contains("AAGUID"));
        // Never verifies the user.
        let no_uv = Config { uv: UvCapability::None, ..config(&honest) };
        assert!(check_device(&honest, no_uv).is_err());
    }

    #[test]
    fn a_filter_names_known_axes_only() {
        assert!(parse_filter("up=deny,key_protection=tee").is_ok());
        assert!(parse_filter("colour=red").is_err());
        assert!(parse_filter("up").is_err());
    }
}
