use clap::Parser;
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Profile};
use softfido_rp::evidence::Attestation;
use softfido_rp::webauthn::{Ceremonies, Discoverability, RpConfig, UserIdentity};

use super::*;
use crate::client::webauthn::WebAuthnClient;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

fn args(extra: &[&str]) -> ServeArgs {
    Cli::parse_from(std::iter::once("serve").chain(extra.iter().copied())).serve
}

/// Registers a softfido security key (packed attestation signed under softfido's test root,
/// which anyone can forge) with a relying party trusting `metadata`; returns the judgement.
fn judge_softfido_attestation(metadata: Metadata) -> Attestation {
    let origin = Url::parse("http://localhost:8080").expect("origin");
    let rp = Ceremonies::new(RpConfig::for_origin(origin.clone()), metadata).expect("ceremonies");
    let user = UserIdentity { id: b"user-alice", name: "alice", display_name: "Alice" };
    let (options, state) = rp.start_registration(user, &[], Discoverability::Required).expect("options");
    let config = Profile::SecurityKey.config();
    let pin = config.pin.clone();
    let authenticator = Authenticator::new(config, MemoryStore::new()).expect("authenticator");
    let mut client = WebAuthnClient::new(authenticator, origin.as_str().trim_end_matches('/'));
    client.pin = pin;
    let options = serde_json::to_value(&options).expect("options JSON");
    let response = client.create(&options).expect("the authenticator registers");
    let response = serde_json::from_value(response).expect("a browser's credential JSON");
    rp.finish_registration(&response, state).expect("registers").attestation
}

#[test]
fn a_forged_test_root_attestation_is_not_trusted_under_the_default() {
    let default = trust_list(&args(&[])).expect("the default trust list");
    assert!(default.is_empty(), "a default serve trusts no statement");
    assert_eq!(judge_softfido_attestation(default), Attestation::Untrusted);
    // Under the explicit flag the same attestation is trusted (what the matrix relies on).
    let explicit = trust_list(&args(&["--trust-softfido-test-root"])).expect("loopback is allowed");
    assert!(matches!(judge_softfido_attestation(explicit), Attestation::Trusted(_)));
}

#[test]
fn trusting_the_test_root_on_a_non_loopback_address_is_refused() {
    for addr in ["0.0.0.0:8080", "192.0.2.7:8080", "[::]:8080"] {
        let error = trust_list(&args(&["--addr", addr, "--trust-softfido-test-root"]))
            .expect_err("refused off loopback");
        let addr: SocketAddr = addr.parse().expect("address");
        assert_eq!(error.downcast_ref::<ServeError>(), Some(&ServeError::TestRootOffLoopback(addr)));
    }
    for addr in ["127.0.0.1:8080", "[::1]:8080"] {
        assert!(trust_list(&args(&["--addr", addr, "--trust-softfido-test-root"])).is_ok(), "{addr}");
    }
    assert!(trust_list(&args(&["--addr", "0.0.0.0:8080"])).is_ok(), "without the flag any address");
}
