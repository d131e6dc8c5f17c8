use serde_json::json;

use super::*;

fn supported(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn inputs_reach_the_authenticator_only_where_it_supports_them() {
    let read = CreateExtensions::read(&json!({
        "credentialProtectionPolicy": "userVerificationRequired",
        "credBlob": "YmxvYg",
        "minPinLength": true,
        "prf": {},
        "somethingElse": 1,
    }))
    .expect("read");
    let all =
        read.authenticator_inputs(&supported(&["credProtect", "credBlob", "minPinLength", "hmac-secret"]));
    let names: Vec<String> = all.expect("inputs").into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["credProtect", "credBlob", "minPinLength", "hmac-secret"]);
    assert_eq!(read.authenticator_inputs(&[]).expect("none supported"), Vec::new());
}

/// CTAP 2.1 §12.1: an enforced policy the authenticator cannot apply fails the call.
#[test]
fn an_enforced_protection_policy_needs_cred_protect() {
    let read = CreateExtensions::read(&json!({
        "credentialProtectionPolicy": "userVerificationOptionalWithCredentialIDList",
        "enforceCredentialProtectionPolicy": true,
    }))
    .expect("read");
    assert_eq!(
        read.authenticator_inputs(&[]).expect_err("refused").name,
        super::super::dom::DomExceptionName::NotAllowedError
    );
    assert!(CreateExtensions::read(&json!({ "credentialProtectionPolicy": "sometimes" })).is_err());
}

#[test]
fn results_report_what_the_authenticator_did() {
    let read =
        CreateExtensions::read(&json!({ "credProps": true, "credBlob": "YQ", "prf": {}, "uvm": true }))
            .expect("read");
    let outputs = Cbor::Map(vec![
        (Cbor::Text("credBlob".into()), Cbor::Bool(true)),
        (Cbor::Text("hmac-secret".into()), Cbor::Bool(true)),
        (
            Cbor::Text("uvm".into()),
            Cbor::Array(vec![Cbor::Array(vec![
                Cbor::Integer(2.into()),
                Cbor::Integer(2.into()),
                Cbor::Integer(2.into()),
            ])]),
        ),
    ]);
    assert_eq!(
        read.results(false, Some(&outputs)),
        json!({ "credProps": { "rk": false }, "credBlob": true, "prf": { "enabled": true }, "uvm": [[2, 2, 2]] })
    );
    assert_eq!(
        read.results(true, None),
        json!({ "credProps": { "rk": true }, "credBlob": false, "prf": { "enabled": false } })
    );
}

#[test]
fn get_cred_blob_is_empty_when_nothing_was_stored() {
    let read = GetExtensions::read(&json!({ "getCredBlob": true }));
    assert_eq!(read.authenticator_inputs(&supported(&["credBlob"])).len(), 1);
    assert_eq!(read.results(None), json!({ "getCredBlob": "" }));
}
