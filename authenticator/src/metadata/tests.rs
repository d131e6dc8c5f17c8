#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

use super::*;
use crate::config::Modality;

fn strings(value: &Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

fn uv_methods(statement: &Value) -> Vec<Vec<String>> {
    statement["userVerificationDetails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|and| {
            and.as_array()
                .unwrap()
                .iter()
                .map(|m| m["userVerificationMethod"].as_str().unwrap().into())
                .collect()
        })
        .collect()
}

#[test]
fn aaguid_matches_the_model() {
    for model in Model::all() {
        let statement = metadata_statement(model);
        let id = aaguid(model);
        assert_eq!(statement["aaguid"], aaguid_string(&id));
        assert_eq!(statement["authenticatorGetInfo"]["aaguid"], hex::encode(id));
        assert_eq!(statement["description"], model.description());
        assert_eq!(statement["schema"], 3);
        assert_eq!(statement["protocolFamily"], "fido2");
    }
}

#[test]
fn user_verification_details_per_uv_kind() {
    let expected = |uv| match uv {
        UvKind::None => vec![vec!["presence_internal"]],
        UvKind::ClientPin => {
            vec![vec!["presence_internal"], vec!["passcode_external", "presence_internal"]]
        }
        UvKind::Builtin(Modality::Fingerprint) => {
            vec![vec!["presence_internal"], vec!["fingerprint_internal", "presence_internal"]]
        }
        UvKind::Builtin(Modality::Face) => {
            vec![vec!["presence_internal"], vec!["faceprint_internal", "presence_internal"]]
        }
        UvKind::Builtin(Modality::Iris) => {
            vec![vec!["presence_internal"], vec!["eyeprint_internal", "presence_internal"]]
        }
        UvKind::Builtin(Modality::Voice) => {
            vec![vec!["presence_internal"], vec!["voiceprint_internal", "presence_internal"]]
        }
    };
    for model in Model::all() {
        assert_eq!(uv_methods(&metadata_statement(model)), expected(model.uv), "{model:?}");
    }
}

#[test]
fn key_protection_is_the_models() {
    for model in Model::all() {
        let statement = metadata_statement(model);
        assert_eq!(strings(&statement["keyProtection"]), model.key_protection.fido_names());
        assert_eq!(strings(&statement["matcherProtection"]), [matcher_protection(model.key_protection)]);
    }
}

#[test]
fn models_that_differ_have_statements_that_differ() {
    for a in Model::all() {
        for b in Model::all().filter(|b| *b != a) {
            let (sa, sb) = (metadata_statement(a), metadata_statement(b));
            if a.uv != b.uv {
                assert_ne!(sa["userVerificationDetails"], sb["userVerificationDetails"], "{a:?} {b:?}");
            }
            if a.key_protection != b.key_protection {
                assert_ne!(sa["keyProtection"], sb["keyProtection"], "{a:?} {b:?}");
            }
            assert_ne!(sa["aaguid"], sb["aaguid"]);
        }
    }
}

#[test]
fn root_is_the_trusted_root_only() {
    let trusted = root_certificate_der(AttestationRoot::Trusted);
    for model in Model::all() {
        let roots = strings(&metadata_statement(model)["attestationRootCertificates"]);
        assert_eq!(roots.len(), 1);
        let der = Base64::decode_vec(&roots[0]).unwrap();
        assert_eq!(der, trusted);
        assert_ne!(der, root_certificate_der(AttestationRoot::Untrusted));
    }
}

#[test]
fn get_info_options_follow_the_uv_kind() {
    for model in Model::all() {
        let info = &metadata_statement(model)["authenticatorGetInfo"];
        let options = &info["options"];
        assert_eq!(strings(&info["versions"]), ["U2F_V2", "FIDO_2_0", "FIDO_2_1"]);
        match model.uv {
            UvKind::None => {
                assert!(options.get("clientPin").is_none() && options.get("uv").is_none());
                assert!(options.get("pinUvAuthToken").is_none());
                // hmac-secret needs the PIN/UV auth protocols for its shared secret.
                assert_eq!(info["pinUvAuthProtocols"], serde_json::json!([2, 1]));
            }
            UvKind::ClientPin => {
                assert_eq!(options["clientPin"], true);
                assert!(options.get("uv").is_none());
                assert_eq!(options["pinUvAuthToken"], true);
            }
            UvKind::Builtin(modality) => {
                assert_eq!(options["uv"], true);
                assert!(options.get("clientPin").is_none());
                assert_eq!(info["uvModality"], modality.fido_uvm_bit());
            }
        }
    }
}

#[test]
fn write_metadata_dir_writes_one_file_per_aaguid_one_per_u2f_key_and_the_root() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("metadata");
    let written = write_metadata_dir(&dir).unwrap();
    assert_eq!(written.len(), 49);

    let names: HashSet<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names.len(), 49);
    assert!(names.contains(ROOT_PEM_FILE_NAME));
    for model in Model::all() {
        let files = [
            (format!("{}.json", aaguid_string(&aaguid(model))), metadata_statement(model)),
            (format!("u2f-{}.json", u2f_key_identifier(model)), u2f_metadata_statement(model)),
        ];
        for (name, statement) in files {
            assert!(names.contains(&name), "{name}");
            let parsed: Value = serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap()).unwrap();
            assert_eq!(parsed, statement);
        }
    }

    let pem = std::fs::read(dir.join(ROOT_PEM_FILE_NAME)).unwrap();
    let cas = webauthn_rs_core::proto::AttestationCaList::try_from(pem.as_slice()).unwrap();
    assert_eq!(cas.len(), 1);

    // Idempotent: writing again over an existing directory succeeds with the same bytes.
    let before = std::fs::read(&written[0]).unwrap();
    write_metadata_dir(&dir).unwrap();
    assert_eq!(std::fs::read(&written[0]).unwrap(), before);
}

#[test]
fn a_u2f_statement_names_its_model_by_the_batch_key_and_claims_presence_only() {
    let identifiers: HashSet<String> = Model::all().map(u2f_key_identifier).collect();
    assert_eq!(identifiers.len(), Model::all().count(), "every model's batch key is its own");
    for model in Model::all() {
        let statement = u2f_metadata_statement(model);
        let identifier = u2f_key_identifier(model);
        assert_eq!(identifier.len(), 40, "a SHA-1 in hex");
        assert_eq!(statement["attestationCertificateKeyIdentifiers"], json!([identifier]));
        assert_eq!(statement["protocolFamily"], "u2f");
        assert!(statement.get("aaguid").is_none());
        assert_eq!(statement["keyProtection"], json!(model.key_protection.fido_names()));
        assert_eq!(
            statement["userVerificationDetails"],
            json!([[{ "userVerificationMethod": "presence_internal" }]])
        );
    }
}
