//! The identity provider's reading of OAuth request parameters on arbitrary
//! `application/x-www-form-urlencoded` input: the repeated-parameter check (RFC 6749 §3.1),
//! then the authorization request's checks (OIDC Core §3.1.2.1, with PKCE and the acr request)
//! and the token request's (RFC 6749 §4.1.3), each of which must answer a request or an OAuth
//! error, never panic.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use softfido_rp::oidc::authorize::{AuthorizeError, Client, validate};
use softfido_rp::oidc::params::parse_unique;
use softfido_rp::oidc::token::TokenRequest;

/// The client the seed corpus's requests name.
fn clients() -> &'static [Client] {
    static CLIENTS: OnceLock<Vec<Client>> = OnceLock::new();
    CLIENTS.get_or_init(|| {
        vec![Client {
            id: "demo-client".to_owned(),
            redirect_uris: vec!["http://127.0.0.1:8000/callback".to_owned()],
        }]
    })
}

fuzz_target!(|encoded: &[u8]| {
    let Ok(params) = parse_unique(encoded) else { return };
    match validate(&params, clients()) {
        Ok(request) => assert!(clients().iter().any(|c| c.id == request.client_id)),
        Err(AuthorizeError::Redirect { redirect_uri, .. }) => {
            assert!(
                clients().iter().any(|c| c.redirect_uris.contains(&redirect_uri)),
                "redirected elsewhere"
            );
        }
        Err(AuthorizeError::Display { .. }) => {}
    }
    let _ = TokenRequest::parse(&params);
});
