//! What the client asked of the authentication context, and whether a sign-in meets it.
//!
//! `acr_values` is a voluntary request (OIDC Core §3.1.2.1): the sign-in proceeds and the ID
//! token says what was achieved (rule R12). An essential `acr` in the `claims` parameter (OIDC
//! Core §5.5.1.1) must be met; when the user cannot step up to it the client gets
//! `unmet_authentication_requirements` (OpenID Connect Core Unmet Authentication Requirements
//! 1.0; rule R11).

use serde_json::Value;

use crate::policy::Acr;

/// One acr value a client asked for: one this provider can achieve, or one it does not know.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RequestedAcr {
    /// An acr value of this provider (`acr_values_supported`).
    Known(Acr),
    /// A value this provider never achieves: it cannot meet an essential request for it
    /// (OIDC Core §5.5.1.1), and a voluntary request for it is ignored (§3.1.2.1).
    Unknown(String),
}

impl RequestedAcr {
    /// Classifies one requested value.
    pub fn parse(value: &str) -> Self {
        Acr::parse(value).map_or_else(|| Self::Unknown(value.to_owned()), Self::Known)
    }

    /// The provider's acr, when it knows the value.
    pub fn known(&self) -> Option<Acr> {
        match self {
            Self::Known(acr) => Some(*acr),
            Self::Unknown(_) => None,
        }
    }
}

/// The acr demands of one authorization request.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AcrRequest {
    /// `acr_values`, in the client's order of preference.
    pub voluntary: Vec<RequestedAcr>,
    /// An essential `acr` from the `claims` parameter: one of these values must be achieved.
    pub essential: Option<Vec<RequestedAcr>>,
}

/// Why a request's acr demands are malformed (OAuth `invalid_request`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AcrRequestError {
    /// The `claims` parameter is not the JSON object OIDC Core §5.5 describes.
    #[error("claims is not a valid claims request: {0}")]
    Claims(String),
}

/// The outcome of comparing the achieved acr with the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcrOutcome {
    /// Issue the tokens; the ID token carries the achieved acr.
    Met,
    /// Answer `unmet_authentication_requirements`.
    Unmet,
}

impl AcrRequest {
    /// Reads `acr_values` (space-separated) and the `claims` parameter (JSON).
    pub fn parse(acr_values: Option<&str>, claims: Option<&str>) -> Result<Self, AcrRequestError> {
        let voluntary =
            acr_values.map(|v| v.split_whitespace().map(RequestedAcr::parse).collect()).unwrap_or_default();
        let essential = match claims {
            None => None,
            Some(text) => essential_acr(text)?,
        };
        Ok(Self { voluntary, essential })
    }

    /// R11/R12: an essential acr must be met by the achieved one; a voluntary one never blocks.
    /// OIDC Core §5.5.1.1: an essential acr none of whose values this provider knows can never be
    /// met, so it is [`AcrOutcome::Unmet`] whatever was achieved.
    pub fn outcome(&self, achieved: Option<Acr>) -> AcrOutcome {
        let met_by = |wanted: &RequestedAcr| {
            wanted.known().is_some_and(|wanted| achieved.is_some_and(|a| a.satisfies(wanted)))
        };
        match &self.essential {
            Some(wanted) if !wanted.iter().any(met_by) => AcrOutcome::Unmet,
            _ => AcrOutcome::Met,
        }
    }

    /// The strongest acr the request asks for, essential or voluntary (what a step-up aims at).
    pub fn highest(&self) -> Option<Acr> {
        self.essential
            .iter()
            .flatten()
            .chain(&self.voluntary)
            .filter_map(RequestedAcr::known)
            .max_by_key(|acr| acr.rank())
    }
}

/// `{"id_token": {"acr": {"essential": true, "value": "phrh"}}}` or `"values": [...]`
/// (OIDC Core §5.5.1); also under `userinfo`. Only an essential request is kept, with every
/// value it names, known or not.
fn essential_acr(text: &str) -> Result<Option<Vec<RequestedAcr>>, AcrRequestError> {
    let claims: Value = serde_json::from_str(text).map_err(|e| AcrRequestError::Claims(e.to_string()))?;
    let Value::Object(members) = &claims else {
        return Err(AcrRequestError::Claims("not a JSON object".into()));
    };
    let mut wanted = Vec::new();
    let mut essential = false;
    for target in ["id_token", "userinfo"] {
        let Some(acr) = members.get(target).and_then(|t| t.get("acr")) else { continue };
        if acr.is_null() {
            continue; // a voluntary request with no constraint
        }
        let Value::Object(request) = acr else {
            return Err(AcrRequestError::Claims(format!("{target}.acr is not an object or null")));
        };
        essential |= request.get("essential").and_then(Value::as_bool).unwrap_or(false);
        if let Some(value) = request.get("value").and_then(Value::as_str) {
            wanted.push(RequestedAcr::parse(value));
        }
        if let Some(values) = request.get("values").and_then(Value::as_array) {
            wanted.extend(values.iter().filter_map(Value::as_str).map(RequestedAcr::parse));
        }
    }
    Ok((essential && !wanted.is_empty()).then_some(wanted))
}

#[cfg(test)]
mod tests;
