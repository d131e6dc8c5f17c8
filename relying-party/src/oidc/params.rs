//! The parameters of an OAuth request, from a query string or an
//! `application/x-www-form-urlencoded` body, each present at most once (RFC 6749 §3.1 and §3.2:
//! "Request and response parameters MUST NOT be included more than once").

use std::collections::HashMap;

use url::form_urlencoded;

/// A request's parameters by name, none repeated.
pub type Params = HashMap<String, String>;

/// A parameter that appears more than once: the request is `invalid_request`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the {0} parameter is included more than once")]
pub struct RepeatedParameter(pub String);

/// Decodes `application/x-www-form-urlencoded` pairs (a query string or a form body), refusing
/// a name that appears twice (RFC 6749 §3.1).
pub fn parse_unique(encoded: &[u8]) -> Result<Params, RepeatedParameter> {
    let mut params = Params::new();
    for (name, value) in form_urlencoded::parse(encoded) {
        if params.contains_key(name.as_ref()) {
            return Err(RepeatedParameter(name.into_owned()));
        }
        params.insert(name.into_owned(), value.into_owned());
    }
    Ok(params)
}

/// `uri` with `pairs` appended to its query, form-urlencoded (RFC 6749 §4.1.2: the redirect
/// URI's own query is kept).
pub fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = uri.to_owned();
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    encoded.extend_pairs(pairs);
    let encoded = encoded.finish();
    if !encoded.is_empty() {
        out.push(if uri.contains('?') { '&' } else { '?' });
        out.push_str(&encoded);
    }
    out
}

#[cfg(test)]
mod tests;
