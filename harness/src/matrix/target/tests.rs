use std::path::Path;

use super::{ClientAuth, Target, TargetFile, TargetFileError, YesNo};
use crate::axes::{AcrRequest, Attestation, FirstFactor, KeyKind, PinProtocol, Prompt, RpUv, Session};
use crate::matrix::scenario::all_scenarios;

const MINIMAL: &str = r#"
name = "an IdP"
issuer = "https://idp.example"
driver = "driver.mjs"
[client]
id = "c"
secret = "s"
redirect_uri = "https://app.example/cb"
[idp]
user_verification = "required"
first_factors = ["passkey"]
discoverable = ["yes"]
"#;

fn repository_target(name: &str) -> Target {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../targets").join(name).join("target.toml");
    Target::load(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()))
}

#[test]
fn the_repository_targets_parse_and_their_drivers_exist() {
    for name in ["softfido", "django-allauth"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../targets").join(name).join("target.toml");
        if name == "django-allauth" && !path.exists() {
            continue;
        }
        let target = repository_target(name);
        assert!(target.driver().exists(), "{name}: no driver at {}", target.driver().display());
        assert!(target.file.server.is_some(), "{name}: the harness starts its server");
    }
    let softfido = repository_target("softfido");
    assert!(softfido.file.agrees_with_in_process);
    assert_eq!(softfido.file.client.auth_method, ClientAuth::ClientSecretBasic);
}

#[test]
fn a_minimal_file_has_defaults() {
    let file = TargetFile::parse(MINIMAL).expect("parses");
    assert!(file.server.is_none());
    assert!(!file.idp.acr_values && !file.idp.claims_parameter && !file.idp.trusts_softfido_test_root);
    assert_eq!(file.idp.discoverable, [YesNo::Yes]);
    assert_eq!(file.client.auth_method, ClientAuth::ClientSecretBasic);
}

#[test]
fn bad_files_are_refused_with_the_reason() {
    let unknown_key = MINIMAL.replace("[client]", "colour = \"blue\"\n[client]");
    assert!(matches!(TargetFile::parse(&unknown_key), Err(TargetFileError::Toml(_))));
    let no_factor = MINIMAL.replace(r#"first_factors = ["passkey"]"#, "first_factors = []");
    assert!(matches!(TargetFile::parse(&no_factor), Err(TargetFileError::Empty("first_factors"))));
    let port = MINIMAL.replace("https://idp.example", "http://localhost:{port}");
    assert!(matches!(TargetFile::parse(&port), Err(TargetFileError::PortWithoutServer("issuer"))));
    let bad_uv = MINIMAL.replace("\"required\"", "\"sometimes\"");
    let error = TargetFile::parse(&bad_uv).expect_err("refused").to_string();
    assert!(error.contains("sometimes"), "{error}");
}

#[test]
fn a_target_runs_only_what_it_can_vary() {
    let file = TargetFile::parse(MINIMAL).expect("parses");
    let admitted: Vec<_> = all_scenarios().into_iter().filter(|s| file.admits(s)).collect();
    assert!(!admitted.is_empty());
    for s in &admitted {
        assert_eq!(s.first_factor, FirstFactor::Passkey);
        assert!(s.rp_uv.is_none_or(|uv| uv == RpUv::Required));
        assert!(s.acr_request.is_none_or(|a| a == AcrRequest::None), "no acr support: {}", s.id());
        assert_ne!(s.attestation, Some(Attestation::BasicTrusted), "the test root is not trusted");
        assert_ne!(s.pin_protocol, Some(PinProtocol::One));
        assert_ne!(s.discoverable, Some(false));
        assert_eq!((s.kind, s.session, s.prompt), (KeyKind::Fido2, Session::None, Prompt::Absent));
    }
}

#[test]
fn what_the_idp_honours_widens_the_selection() {
    let softfido = repository_target("softfido").file;
    let admitted: Vec<_> = all_scenarios().into_iter().filter(|s| softfido.admits(s)).collect();
    for acr in AcrRequest::ALL {
        assert!(admitted.iter().any(|s| s.acr_request == Some(*acr)), "softfido honours {acr}");
    }
    assert!(admitted.iter().any(|s| s.attestation == Some(Attestation::BasicTrusted)));
    assert!(admitted.iter().any(|s| s.first_factor == FirstFactor::Password));
    assert!(admitted.iter().any(|s| s.discoverable == Some(false)));
    let fixed = softfido.fixed_axes().join("\n");
    assert!(fixed.contains("rp_uv=preferred"), "{fixed}");
    assert!(!fixed.contains("test root"), "{fixed}");
}

#[test]
fn a_browser_run_compares_outcome_amr_and_acr_but_not_the_errors_wording() {
    use crate::matrix::oracle::{Outcome, Verdict};
    use crate::matrix::report::Comparison;
    let refused = |error: &str| Verdict {
        outcome: Outcome::Rejected,
        amr: vec![],
        acr: None,
        error: Some(error.into()),
    };
    let expected = refused("webauthn:user_not_present");
    let in_browser = refused("browser:sign_in:refused:NotAllowedError: CTAP2_ERR_OPERATION_DENIED");
    assert!(Comparison::OutcomeAmrAcr.agrees(&expected, &in_browser));
    assert!(!Comparison::Exact.agrees(&expected, &in_browser));
    let token = |amr: &[&str], acr: Option<&str>| Verdict {
        outcome: Outcome::Token,
        amr: amr.iter().map(|a| (*a).to_owned()).collect(),
        acr: acr.map(str::to_owned),
        error: None,
    };
    assert!(!Comparison::OutcomeAmrAcr.agrees(&expected, &token(&[], None)), "an outcome differs");
    let honest = token(&["pop", "user"], Some("phr"));
    assert!(!Comparison::OutcomeAmrAcr.agrees(&honest, &token(&["pop"], Some("phr"))), "amr differs");
    assert!(!Comparison::OutcomeAmrAcr.agrees(&honest, &token(&["pop", "user"], None)), "acr differs");
    assert!(Comparison::OutcomeAmrAcr.agrees(&honest, &honest.clone()));
    let timed_out = refused("harness:browser sign_in:timeout:nothing happened for 10000 ms");
    assert!(!Comparison::OutcomeAmrAcr.agrees(&expected, &timed_out), "a step that timed out is no verdict");
}
