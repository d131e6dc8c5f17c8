//! Which RP IDs a calling page may use (WebAuthn L3 §5.1.3 steps 2–8, §5.1.4 steps 2–6): the
//! origin must be a secure context with a domain for its host, and the RP ID must equal that
//! domain or be a registrable domain suffix of it (HTML §6.2 "is a registrable domain suffix of
//! or is equal to", with the Public Suffix List through the `psl` crate).

use std::net::IpAddr;

use url::{Host, Url};

use super::dom::{DomException, DomExceptionName};

/// The page that calls `create()` or `get()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerOrigin {
    /// The origin serialised as clientDataJSON carries it (`https://example.com:8443`).
    pub serialized: String,
    /// Its host: the effective domain.
    pub domain: String,
}

fn security_error(message: String) -> DomException {
    DomException::new(DomExceptionName::SecurityError, message)
}

impl CallerOrigin {
    /// Parses the calling frame's origin and checks that it is a secure context whose host is
    /// a domain (§5.1.3 step 2: an opaque origin or an IP address is a SecurityError).
    pub fn parse(origin: &str) -> Result<Self, DomException> {
        let url = Url::parse(origin).map_err(|_| security_error(format!("{origin:?} is not an origin")))?;
        let serialized = url.origin().ascii_serialization();
        let domain = match url.host() {
            Some(Host::Domain(domain)) => domain.to_ascii_lowercase(),
            Some(Host::Ipv4(_) | Host::Ipv6(_)) => {
                return Err(security_error(format!("{serialized}: an IP address is not a valid domain")));
            }
            None => return Err(security_error(format!("{origin:?} has no host"))),
        };
        if !is_secure_context(url.scheme(), url.host()) {
            return Err(security_error(format!("{serialized} is not a secure context")));
        }
        Ok(Self { serialized, domain })
    }

    /// The RP ID to use: the one the options name, checked, or the effective domain.
    pub fn rp_id(&self, requested: Option<&str>) -> Result<String, DomException> {
        let Some(requested) = requested else {
            return Ok(self.domain.clone());
        };
        let requested = requested.to_ascii_lowercase();
        if is_registrable_suffix_or_equal(&requested, &self.domain) {
            Ok(requested)
        } else {
            Err(security_error(format!(
                "the RP ID {requested:?} is neither {:?} nor a registrable domain suffix of it",
                self.domain
            )))
        }
    }
}

/// A potentially trustworthy origin (W3C Secure Contexts §3.1): `https`, or `http` on a
/// loopback host (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`).
fn is_secure_context(scheme: &str, host: Option<Host<&str>>) -> bool {
    match (scheme, host) {
        ("https", _) => true,
        ("http", Some(Host::Domain(domain))) => {
            let domain = domain.to_ascii_lowercase();
            domain == "localhost" || domain.ends_with(".localhost")
        }
        ("http", Some(Host::Ipv4(ip))) => IpAddr::V4(ip).is_loopback(),
        ("http", Some(Host::Ipv6(ip))) => IpAddr::V6(ip).is_loopback(),
        _ => false,
    }
}

/// HTML §6.2: whether `suffix` is a registrable domain suffix of `host` or equal to it.
fn is_registrable_suffix_or_equal(suffix: &str, host: &str) -> bool {
    if suffix.is_empty() {
        return false;
    }
    if suffix == host {
        return true;
    }
    if suffix.parse::<IpAddr>().is_ok() || !host.ends_with(&format!(".{suffix}")) {
        return false;
    }
    // The suffix must not be a public suffix, nor part of the host's public suffix.
    let public_suffix_of = |name: &str| psl::suffix(name.as_bytes()).map(|s| s.as_bytes().to_vec());
    if public_suffix_of(suffix).as_deref() == Some(suffix.as_bytes()) {
        return false;
    }
    match public_suffix_of(host) {
        Some(host_suffix) => {
            let host_suffix = String::from_utf8_lossy(&host_suffix).into_owned();
            !(host_suffix == suffix || host_suffix.ends_with(&format!(".{suffix}")))
        }
        None => true,
    }
}

#[cfg(test)]
mod tests;
