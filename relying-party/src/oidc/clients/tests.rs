use serde_json::json;

use super::*;

/// The example of the module documentation (keep the two in step).
const EXAMPLE: &str = r#"{
  "issuer": "http://localhost:8080",
  "clients": [
    {
      "client_id": "web-app",
      "redirect_uris": ["https://app.example/callback"],
      "token_endpoint_auth_method": "client_secret_basic",
      "client_secret": "change me, and keep me out of version control"
    },
    {
      "client_id": "backend",
      "redirect_uris": ["http://localhost:3000/cb", "https://backend.example/cb"],
      "token_endpoint_auth_method": "private_key_jwt",
      "jwks": {
        "keys": [
          {
            "kty": "EC",
            "crv": "P-256",
            "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
            "use": "sig",
            "alg": "ES256",
            "kid": "backend-2025"
          }
        ]
      }
    }
  ]
}"#;

/// RFC 7517 Appendix A.1's P-256 key.
fn jwk() -> Value {
    json!({
        "kty": "EC",
        "crv": "P-256",
        "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
        "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
    })
}

fn basic_client() -> Value {
    json!({ "client_id": "app", "redirect_uris": ["https://app.example/cb"], "client_secret": "s" })
}

fn jwt_client() -> Value {
    json!({
        "client_id": "app",
        "redirect_uris": ["https://app.example/cb"],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": { "keys": [jwk()] },
    })
}

fn config_with(clients: Value) -> String {
    json!({ "issuer": "http://localhost:8080", "clients": clients }).to_string()
}

/// Parses a configuration whose only client is `client` with `edit` applied (`null` removes).
fn parse_client(base: Value, edit: Value) -> Result<ProviderConfig, ConfigError> {
    let mut client = base;
    for (name, value) in edit.as_object().expect("edit is an object") {
        let object = client.as_object_mut().expect("client is an object");
        if value.is_null() {
            object.remove(name);
        } else {
            object.insert(name.clone(), value.clone());
        }
    }
    ProviderConfig::from_json(&config_with(json!([client])))
}

/// The (field, reason) of a client error.
fn client_error(result: Result<ProviderConfig, ConfigError>) -> (String, String) {
    match result {
        Err(ConfigError::Client { field, reason, .. }) => (field, reason),
        other => panic!("expected a client error, got {other:?}"),
    }
}

fn assert_field(result: Result<ProviderConfig, ConfigError>, field: &str, reason_contains: &str) {
    let (actual_field, reason) = client_error(result);
    assert_eq!(actual_field, field, "reason: {reason}");
    assert!(reason.contains(reason_contains), "{field}: {reason:?} lacks {reason_contains:?}");
}

#[test]
fn the_documented_example_parses() {
    let config = ProviderConfig::from_json(EXAMPLE).expect("valid");
    assert_eq!(config.issuer, "http://localhost:8080");
    assert_eq!(config.clients.len(), 2);
    let web = config.clients.get("web-app").expect("web-app");
    match &web.auth {
        ClientAuthMethod::SecretBasic { secret } => {
            assert!(secret.matches("change me, and keep me out of version control"));
            assert!(!secret.matches("change me"));
        }
        other => panic!("web-app: {other:?}"),
    }
    let backend = config.clients.get("backend").expect("backend");
    assert_eq!(backend.auth.name(), PRIVATE_KEY_JWT);
    match &backend.auth {
        ClientAuthMethod::PrivateKeyJwt { keys } => {
            assert_eq!(keys.len(), 1);
            assert_eq!(keys[0].kid(), Some("backend-2025"));
            assert!(keys[0].decoding_key().is_ok());
        }
        other => panic!("backend: {other:?}"),
    }
    assert!(config.clients.get("nobody").is_none());
}

#[test]
fn the_module_documentation_shows_the_tested_example() {
    let documented: String = include_str!("../clients.rs")
        .lines()
        .skip_while(|line| *line != "//! ```json")
        .skip(1)
        .take_while(|line| *line != "//! ```")
        .map(|line| line.strip_prefix("//! ").unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(documented, EXAMPLE);
}

#[test]
fn clients_convert_to_the_authorize_endpoint_clients() {
    let config = ProviderConfig::from_json(EXAMPLE).expect("valid");
    let clients = config.clients.authorize_clients();
    assert_eq!(
        clients,
        vec![
            Client { id: "web-app".into(), redirect_uris: vec!["https://app.example/callback".into()] },
            Client {
                id: "backend".into(),
                redirect_uris: vec!["http://localhost:3000/cb".into(), "https://backend.example/cb".into()],
            },
        ]
    );
}

#[test]
fn client_secret_basic_is_the_default_method() {
    let config = parse_client(basic_client(), json!({})).expect("valid");
    assert_eq!(config.clients.get("app").expect("app").auth.name(), CLIENT_SECRET_BASIC);
}

#[test]
fn unknown_top_level_members_are_left_to_the_serve_command() {
    let text = json!({ "issuer": "https://idp.example", "clients": [], "listen": "127.0.0.1:8080" });
    let config = ProviderConfig::from_json(&text.to_string()).expect("valid");
    assert!(config.clients.is_empty());
}

#[test]
fn the_secret_never_shows_in_debug_output() {
    let config = parse_client(basic_client(), json!({ "client_secret": "hunter2-very-secret" })).expect("ok");
    let debug = format!("{config:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("redacted"));
}

#[test]
fn client_secret_basic_needs_a_secret() {
    assert_field(parse_client(basic_client(), json!({ "client_secret": null })), "client_secret", "required");
    assert_field(parse_client(basic_client(), json!({ "client_secret": "" })), "client_secret", "empty");
    let explicit = json!({ "client_secret": null, "token_endpoint_auth_method": "client_secret_basic" });
    assert_field(parse_client(basic_client(), explicit), "client_secret", "required");
}

#[test]
fn client_secret_basic_takes_no_keys() {
    assert_field(parse_client(basic_client(), json!({ "jwks": { "keys": [jwk()] } })), "jwks", "only used");
}

#[test]
fn private_key_jwt_needs_keys() {
    assert_field(parse_client(jwt_client(), json!({ "jwks": null })), "jwks", "required");
    assert_field(parse_client(jwt_client(), json!({ "jwks": { "keys": [] } })), "jwks.keys", "at least one");
}

#[test]
fn private_key_jwt_takes_no_secret() {
    assert_field(parse_client(jwt_client(), json!({ "client_secret": "s" })), "client_secret", "not used");
}

#[test]
fn keys_must_be_public_ec_p256_signing_keys() {
    let cases = [
        (json!({ "kty": "RSA", "n": "AQAB", "e": "AQAB" }), "jwks.keys[0].kty", "only EC P-256"),
        (json!({ "crv": "P-384" }), "jwks.keys[0].crv", "only P-256"),
        (json!({ "kty": null }), "jwks.keys[0].kty", "required"),
        (json!({ "crv": null }), "jwks.keys[0].crv", "required"),
        (json!({ "x": null }), "jwks.keys[0].x", "required"),
        (json!({ "y": 7 }), "jwks.keys[0].y", "must be a string"),
        (json!({ "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4=" }), "jwks.keys[0].x", "base64url"),
        (json!({ "x": "AAAA" }), "jwks.keys[0].x", "32 bytes"),
        (json!({ "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }), "jwks.keys[0].x", "not a point"),
        (json!({ "d": "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE" }), "jwks.keys[0].d", "private key"),
        (json!({ "use": "enc" }), "jwks.keys[0].use", "sig"),
        (json!({ "alg": "ES384" }), "jwks.keys[0].alg", "ES256"),
        (json!({ "key_ops": ["encrypt"] }), "jwks.keys[0].key_ops", "verify"),
    ];
    for (edit, field, reason) in cases {
        let mut key = jwk();
        for (name, value) in edit.as_object().expect("object") {
            let object = key.as_object_mut().expect("object");
            if value.is_null() {
                object.remove(name);
            } else {
                object.insert(name.clone(), value.clone());
            }
        }
        assert_field(parse_client(jwt_client(), json!({ "jwks": { "keys": [key] } })), field, reason);
    }
    assert_field(
        parse_client(jwt_client(), json!({ "jwks": { "keys": ["EC"] } })),
        "jwks.keys[0].jwk",
        "object",
    );
}

#[test]
fn a_key_set_may_not_repeat_a_kid() {
    let mut key = jwk();
    key["kid"] = json!("k1");
    let keys = json!({ "keys": [key.clone(), key] });
    assert_field(parse_client(jwt_client(), json!({ "jwks": keys })), "jwks.keys[1].kid", "same kid");
}

#[test]
fn client_ids_are_unique() {
    let result = ProviderConfig::from_json(&config_with(json!([basic_client(), jwt_client()])));
    match result {
        Err(ConfigError::DuplicateClientId { client_id, index: 1, first: 0 }) => assert_eq!(client_id, "app"),
        other => panic!("expected a duplicate, got {other:?}"),
    }
}

#[test]
fn a_client_has_an_id_and_redirect_uris() {
    assert_field(parse_client(basic_client(), json!({ "client_id": null })), "client_id", "required");
    assert_field(parse_client(basic_client(), json!({ "client_id": "" })), "client_id", "required");
    assert_field(parse_client(basic_client(), json!({ "redirect_uris": null })), "redirect_uris", "required");
    assert_field(
        parse_client(basic_client(), json!({ "redirect_uris": [] })),
        "redirect_uris",
        "at least one",
    );
}

#[test]
fn redirect_uris_are_absolute_http_urls_without_fragment() {
    let bad = [
        ("/callback", "absolute"),
        ("app.example/cb", "absolute"),
        ("com.example.app:/cb", "absolute"),
        ("javascript:alert(1)", "absolute"),
        ("HTTPS://app.example/cb", "lowercase"),
        ("https:///cb", "no host"),
        ("https://", "no host"),
        ("https://:443/cb", "no host"),
        ("https://app.example/cb#frag", "fragment"),
        ("https://app.example/c b", "whitespace"),
        (" https://app.example/cb", "whitespace"),
        ("https://user:pw@app.example/cb", "user information"),
        ("https://app.example:port/cb", "port"),
        ("https://app.example:/cb", "port"),
        ("https://[::1/cb", "IPv6"),
    ];
    for (uri, reason) in bad {
        let edit = json!({ "redirect_uris": ["https://fine.example/cb", uri] });
        assert_field(parse_client(basic_client(), edit), "redirect_uris[1]", reason);
    }
    let good = [
        "https://app.example/cb",
        "http://localhost:3000/cb",
        "http://127.0.0.1:8080/callback?x=1",
        "http://[::1]:8080/cb",
        "https://app.example",
    ];
    for uri in good {
        parse_client(basic_client(), json!({ "redirect_uris": [uri] })).expect(uri);
    }
}

#[test]
fn unsupported_methods_are_named() {
    for method in ["none", "client_secret_post", "client_secret_jwt", "tls_client_auth"] {
        let edit = json!({ "token_endpoint_auth_method": method });
        assert_field(parse_client(basic_client(), edit), "token_endpoint_auth_method", "not supported");
    }
}

#[test]
fn unknown_client_members_are_refused() {
    let result = parse_client(basic_client(), json!({ "redirect_uri": "https://app.example/cb" }));
    match result {
        Err(ConfigError::Json(e)) => assert!(e.to_string().contains("redirect_uri"), "{e}"),
        other => panic!("expected a JSON error, got {other:?}"),
    }
    assert!(matches!(
        parse_client(basic_client(), json!({ "jwks_uri": "https://x" })),
        Err(ConfigError::Json(_))
    ));
}

#[test]
fn the_issuer_is_a_url_without_query_or_fragment() {
    for issuer in ["localhost:8080", "https://idp.example?x=1", "https://idp.example#f", "ftp://idp.example"]
    {
        let text = json!({ "issuer": issuer, "clients": [] }).to_string();
        assert!(matches!(ProviderConfig::from_json(&text), Err(ConfigError::Issuer { .. })), "{issuer}");
    }
    assert!(matches!(ProviderConfig::from_json(r#"{"clients": []}"#), Err(ConfigError::Missing("issuer"))));
    let no_clients = r#"{"issuer": "https://idp.example"}"#;
    assert!(matches!(ProviderConfig::from_json(no_clients), Err(ConfigError::Missing("clients"))));
    assert!(matches!(ProviderConfig::from_json("{"), Err(ConfigError::Json(_))));
    assert!(matches!(ProviderConfig::from_json(r#"{"issuer": 1}"#), Err(ConfigError::Json(_))));
}

#[test]
fn errors_name_the_client_and_the_field() {
    let edit = json!({ "redirect_uris": ["https://app.example/cb#x"] });
    let message = parse_client(basic_client(), edit).expect_err("fragment").to_string();
    assert_eq!(
        message,
        "client \"app\" (clients[0]): redirect_uris[0]: must not contain a fragment (RFC 6749 §3.1.2)"
    );
}

#[test]
fn a_registry_built_in_code_is_checked_like_the_file() {
    let client = |id: &str, uri: &str| RegisteredClient {
        id: id.into(),
        redirect_uris: vec![uri.into()],
        auth: ClientAuthMethod::SecretBasic { secret: ClientSecret::new("s") },
    };
    assert!(ClientRegistry::new(vec![client("a", "https://a.example/cb")]).is_ok());
    assert!(matches!(
        ClientRegistry::new(vec![client("a", "https://a.example/cb"), client("a", "https://b.example/cb")]),
        Err(ConfigError::DuplicateClientId { .. })
    ));
    assert!(matches!(
        ClientRegistry::new(vec![client("a", "a.example/cb")]),
        Err(ConfigError::Client { .. })
    ));
    let keyless = RegisteredClient {
        id: "k".into(),
        redirect_uris: vec!["https://k.example/cb".into()],
        auth: ClientAuthMethod::PrivateKeyJwt { keys: vec![] },
    };
    assert!(matches!(ClientRegistry::new(vec![keyless]), Err(ConfigError::Client { .. })));
}

#[test]
fn the_configuration_loads_from_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("softfido.json");
    std::fs::write(&path, EXAMPLE).expect("write");
    assert_eq!(ProviderConfig::load(&path).expect("loads").clients.len(), 2);
    let missing = ProviderConfig::load(&dir.path().join("absent.json")).expect_err("absent");
    assert!(matches!(missing, ConfigError::Read { .. }));
    assert!(missing.to_string().contains("absent.json"), "{missing}");
}
