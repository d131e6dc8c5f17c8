//! The browser's WebAuthn client (`softfido_harness::client::webauthn`) with one softfido
//! authenticator of a named profile, speaking webauthn-rs-core's option and credential types
//! as the tests do.

use std::ops::{Deref, DerefMut};

use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Profile};
use softfido_harness::client::webauthn::{ClientError, WebAuthnClient};
use webauthn_rs_core::proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse,
};

/// A browser with an authenticator of one profile; the user knows its PIN.
pub struct PasskeyClient(WebAuthnClient);

impl PasskeyClient {
    /// A softfido authenticator of `profile`, used from a page of `origin`.
    pub fn new(profile: Profile, origin: &str) -> Self {
        let config = profile.config();
        let pin = config.pin.clone();
        let authenticator = Authenticator::new(config, MemoryStore::new()).expect("authenticator starts");
        let mut client = WebAuthnClient::new(authenticator, origin);
        client.pin = pin;
        Self(client)
    }

    /// navigator.credentials.create().
    pub fn create(
        &mut self,
        options: &CreationChallengeResponse,
    ) -> Result<RegisterPublicKeyCredential, ClientError> {
        let options = serde_json::to_value(options).expect("options JSON");
        let credential = self.0.create(&options)?;
        Ok(serde_json::from_value(credential).expect("a browser's registration JSON"))
    }

    /// navigator.credentials.get().
    pub fn get(&mut self, options: &RequestChallengeResponse) -> Result<PublicKeyCredential, ClientError> {
        let options = serde_json::to_value(options).expect("options JSON");
        let credential = self.0.get(&options)?;
        Ok(serde_json::from_value(credential).expect("a browser's assertion JSON"))
    }
}

impl Deref for PasskeyClient {
    type Target = WebAuthnClient;
    fn deref(&self) -> &WebAuthnClient {
        &self.0
    }
}

impl DerefMut for PasskeyClient {
    fn deref_mut(&mut self) -> &mut WebAuthnClient {
        &mut self.0
    }
}
