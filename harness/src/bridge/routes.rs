//! The bridge's HTTP API (docs/bridge.md): JSON in and out, one authenticator per browser
//! context. API misuse is a 4xx with `{"error", "message"}`; a ceremony a browser would fail is
//! a 200 with `{"domException": {"name", "message"}}`, a normal answer for the page.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use base64ct::{Base64UrlUnpadded, Encoding};
use serde::Deserialize;
use serde_json::{Value, json};
use softfido_authenticator::config::UvCapability;
use softfido_authenticator::store::PersistentState;
use softfido_authenticator::{Config, Profile};

use super::client::{Attachment, Caller};
use super::hosted::{Answers, Call, CeremonyCall, Hosted, Registry};

/// The bridge's router.
pub fn router(registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/health", get(|| async { Json(json!({ "status": "ok" })) }))
        .route("/authenticators", post(add))
        .route("/authenticators/{id}", delete(remove))
        .route("/authenticators/{id}/create", post(create))
        .route("/authenticators/{id}/get", post(get_assertion))
        .route("/authenticators/{id}/cancel", post(cancel))
        .route("/authenticators/{id}/next", post(next))
        .route("/authenticators/{id}/credentials", get(credentials).post(import_credential))
        .route("/authenticators/{id}/credentials/{credential}", delete(remove_credential))
        .route("/authenticators/{id}/reset", post(reset))
        .route("/authenticators/{id}/power-cycle", post(power_cycle))
        .route("/authenticators/{id}/state", get(export_state))
        .with_state(registry)
}

/// A refused API call.
struct ApiError(StatusCode, &'static str, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1, "message": self.2 }))).into_response()
    }
}

/// A JSON body; one the route cannot read is refused as `{"error", "message"}` like every
/// other misuse, with the status axum gives it (400, 415 or 422).
struct ApiJson<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| Self(value))
            .map_err(|rejection| ApiError(rejection.status(), "invalid_request", rejection.body_text()))
    }
}

fn unknown_authenticator(id: &str) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "unknown_authenticator", format!("no authenticator {id:?} is hosted"))
}

fn hosted(registry: &Registry, id: &str) -> Result<Arc<Hosted>, ApiError> {
    registry.get(id).ok_or_else(|| unknown_authenticator(id))
}

/// `POST /authenticators`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAuthenticator {
    profile: Option<String>,
    config: Option<Config>,
    attachment: Option<Attachment>,
    /// A state exported from an authenticator (`GET …/state`): the same credentials again.
    state: Option<PersistentState>,
}

/// Platform profiles are built in; the others are roaming keys.
fn default_attachment(config: &Config) -> Attachment {
    match config.uv {
        UvCapability::Builtin { .. } => Attachment::Platform,
        _ => Attachment::CrossPlatform,
    }
}

async fn add(
    State(registry): State<Arc<Registry>>,
    ApiJson(body): ApiJson<NewAuthenticator>,
) -> Result<Response, ApiError> {
    let config = match (body.profile, body.config) {
        (Some(_), Some(_)) => {
            return Err(ApiError(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "give a profile or a config, not both".into(),
            ));
        }
        (None, Some(config)) => config,
        (None, None) => registry.default_config().clone(),
        (Some(name), None) => Profile::from_name(&name).map(Profile::config).ok_or_else(|| {
            let names: Vec<_> = Profile::ALL.iter().map(|p| p.name()).collect();
            let message = format!("unknown profile {name:?}; expected one of {}", names.join(", "));
            ApiError(StatusCode::BAD_REQUEST, "unknown_profile", message)
        })?,
    };
    let attachment = body.attachment.unwrap_or_else(|| default_attachment(&config));
    let hosted = Hosted::new(config.clone(), attachment, body.state)
        .map_err(|e| ApiError(StatusCode::BAD_REQUEST, "invalid_config", e.to_string()))?;
    let id = registry.add(hosted).ok_or_else(|| {
        ApiError(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_authenticators",
            "the bridge hosts its maximum".into(),
        )
    })?;
    let aaguid = softfido_authenticator::attestation::aaguid(config.model());
    let body = json!({ "id": id, "aaguid": hex::encode(aaguid), "attachment": attachment, "config": config });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn remove(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if registry.remove(&id) { Ok(StatusCode::NO_CONTENT) } else { Err(unknown_authenticator(&id)) }
}

/// `POST /authenticators/{id}/create` and `/get`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CeremonyRequest {
    options: Value,
    origin: String,
    top_origin: Option<String>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "accepted for the API's completeness; every mediation runs the same ceremony"
    )]
    mediation: Option<String>,
    /// The caller's name for the ceremony, for `cancel`.
    ceremony: Option<String>,
}

/// `POST /authenticators/{id}/cancel`: the ceremony to end (any, without a body).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelRequest {
    ceremony: Option<String>,
}

/// Runs `work`, which may block (a ceremony waits for the user's touch until its timeout),
/// without stalling the other requests, a cancel among them. On a multi-threaded runtime it runs
/// in place while the runtime hands this worker's other tasks to another thread: the common,
/// quick ceremony costs no hand-off to the blocking pool and back. A single-threaded runtime
/// cannot do that, so there the work goes to the blocking pool. Either way a panic in `work` is
/// an error to answer, not a dropped connection.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    match tokio::runtime::Handle::current().runtime_flavor() {
        tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)))
                .map_err(|panic| panic_message(panic.as_ref()))
        }
        _ => tokio::task::spawn_blocking(work).await.map_err(|error| error.to_string()),
    }
}

/// What a panic says, for the 500 answer.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text =
        panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str));
    format!("the ceremony panicked: {}", text.unwrap_or("(no message)"))
}

async fn ceremony(
    registry: &Registry,
    id: &str,
    call: Call,
    request: CeremonyRequest,
) -> Result<Json<Value>, ApiError> {
    let hosted = hosted(registry, id)?;
    let unscripted = registry.unscripted();
    let answer = blocking(move || {
        let caller = Caller::parse(&request.origin, request.top_origin.as_deref())?;
        let id = request.ceremony.as_deref();
        hosted.ceremony(&CeremonyCall { call, caller: &caller, options: &request.options, id }, unscripted)
    })
    .await
    .map_err(|message| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "ceremony_failed", message))?;
    Ok(Json(match answer {
        Ok(credential) => json!({ "credential": credential }),
        Err(exception) => json!({ "domException": exception }),
    }))
}

async fn create(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CeremonyRequest>,
) -> Result<Json<Value>, ApiError> {
    ceremony(&registry, &id, Call::Create, request).await
}

async fn get_assertion(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CeremonyRequest>,
) -> Result<Json<Value>, ApiError> {
    ceremony(&registry, &id, Call::Get, request).await
}

async fn cancel(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let request: CancelRequest = if body.is_empty() {
        CancelRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))?
    };
    hosted(&registry, &id)?.cancel(request.ceremony.as_deref());
    Ok(StatusCode::NO_CONTENT)
}

async fn next(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
    ApiJson(answers): ApiJson<Answers>,
) -> Result<StatusCode, ApiError> {
    if hosted(&registry, &id)?.queue(answers) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_answers",
            "the queue of answers is full".into(),
        ))
    }
}

async fn credentials(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(Value::Array(hosted(&registry, &id)?.credentials())))
}

/// `POST /authenticators/{id}/credentials`: a discoverable credential seeded with a key (PKCS#8,
/// ES256), or a new key when none is given.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ImportedCredential {
    rp_id: String,
    user_handle: String,
    user_name: Option<String>,
    user_display_name: Option<String>,
    private_key: Option<String>,
    id: Option<String>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, "invalid_credential", message.into())
}

/// An ES256 key from base64url PKCS#8 DER.
fn es256_key(pkcs8: &str) -> Result<p256::SecretKey, ApiError> {
    use p256::pkcs8::DecodePrivateKey as _;
    let der = Base64UrlUnpadded::decode_vec(pkcs8.trim_end_matches('='))
        .map_err(|_| invalid("privateKey is not base64url"))?;
    p256::SecretKey::from_pkcs8_der(&der).map_err(|_| invalid("privateKey is not a PKCS#8 P-256 (ES256) key"))
}

async fn import_credential(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ImportedCredential>,
) -> Result<Response, ApiError> {
    use p256::pkcs8::EncodePublicKey as _;
    let hosted = hosted(&registry, &id)?;
    if body.id.is_some() {
        return Err(invalid("a softfido credential ID wraps its key, so it cannot be chosen: leave id out"));
    }
    let user_id = Base64UrlUnpadded::decode_vec(body.user_handle.trim_end_matches('='))
        .ok()
        .filter(|id| (1..=64).contains(&id.len()))
        .ok_or_else(|| invalid("userHandle must be 1 to 64 bytes of base64url"))?;
    let secret = match &body.private_key {
        Some(pkcs8) => es256_key(pkcs8)?,
        None => {
            use p256::elliptic_curve::Generate as _;
            p256::SecretKey::from(p256::NonZeroScalar::generate_from_rng(&mut rand::rng()))
        }
    };
    let public_key = secret.public_key().to_public_key_der().map_err(|e| invalid(e.to_string()))?;
    let user = softfido_authenticator::proto::request::UserEntity {
        id: user_id,
        name: body.user_name,
        display_name: body.user_display_name,
    };
    let key = softfido_authenticator::keys::PrivateKey::Es256(secret.to_nonzero_scalar());
    let credential_id = hosted
        .import_credential(&body.rp_id, user, key)
        .map_err(|message| ApiError(StatusCode::CONFLICT, "not_stored", message))?;
    let answer = json!({
        "id": Base64UrlUnpadded::encode_string(&credential_id),
        "rpId": body.rp_id,
        "userHandle": body.user_handle,
        "publicKey": Base64UrlUnpadded::encode_string(public_key.as_bytes()),
    });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

async fn remove_credential(
    State(registry): State<Arc<Registry>>,
    Path((id, credential)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let hosted = hosted(&registry, &id)?;
    let credential_id = Base64UrlUnpadded::decode_vec(&credential)
        .map_err(|_| ApiError(StatusCode::BAD_REQUEST, "invalid_credential_id", "not base64url".into()))?;
    match hosted.remove_credential(&credential_id) {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(ApiError(
            StatusCode::NOT_FOUND,
            "unknown_credential",
            "no such discoverable credential".into(),
        )),
        Err(message) => Err(ApiError(StatusCode::INTERNAL_SERVER_ERROR, "store_failed", message)),
    }
}

async fn reset(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let hosted = hosted(&registry, &id)?;
    tokio::task::spawn_blocking(move || hosted.reset())
        .await
        .map_err(|e| e.to_string())
        .and_then(|result| result)
        .map_err(|message| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "reset_failed", message))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn export_state(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let state = hosted(&registry, &id)?.export();
    serde_json::to_value(state)
        .map(Json)
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "export_failed", e.to_string()))
}

async fn power_cycle(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    hosted(&registry, &id)?.power_cycle();
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests;
