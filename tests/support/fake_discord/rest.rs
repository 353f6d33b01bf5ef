//! The REST API under `/api/v10/`: routing, authentication, failure injection and recording.
//! The handlers live in `messages` (channels, messages, threads) and `interactions`
//! (application commands, interaction callbacks, interaction webhooks).

mod interactions;
mod limits;
mod messages;

pub use messages::id_of;

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};

use super::http::{Connection, RawRequest, Response};
use super::multipart::{self, MultipartBody, UploadedFile};
use super::record::{path_matches, InjectedFailure, RecordedRequest};
use super::state::{Shared, State};

/// Prefix of every Discord API route the fake serves.
const API_PREFIX: &str = "/api/v10/";

/// Prefix of the URLs under which the fake serves uploaded files.
pub const ATTACHMENTS_PREFIX: &str = "/attachments/";

/// A Discord error response: the status and the `{"message", "code"}` body.
pub struct ApiError {
    pub status: u16,
    pub body: Value,
}

impl ApiError {
    pub fn new(status: u16, message: &str, code: u64) -> Self {
        Self {
            status,
            body: json!({"message": message, "code": code}),
        }
    }

    pub fn unknown_channel() -> Self {
        Self::new(404, "Unknown Channel", 10003)
    }

    pub fn unknown_message() -> Self {
        Self::new(404, "Unknown Message", 10008)
    }

    /// Invalid Form Body (50035) with Discord's nested `errors` object for one field.
    pub fn invalid_field(field_path: &[&str], code: &str, message: &str) -> Self {
        let mut errors = json!({"_errors": [{"code": code, "message": message}]});
        for field in field_path.iter().rev() {
            errors = json!({ *field: errors });
        }
        Self {
            status: 400,
            body: json!({"message": "Invalid Form Body", "code": 50035, "errors": errors}),
        }
    }
}

pub type ApiResult = Result<Response, ApiError>;

/// A request after body parsing, as route handlers see it.
pub struct ApiRequest<'a> {
    pub segments: Vec<&'a str>,
    pub payload: Option<&'a Value>,
    pub files: &'a [UploadedFile],
}

impl ApiRequest<'_> {
    /// Returns the JSON payload, or an empty object when the request had none.
    pub fn payload(&self) -> Value {
        self.payload.cloned().unwrap_or_else(|| json!({}))
    }
}

/// Accepts REST connections until the listener's task is aborted.
pub async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            if let Err(error) = serve_connection(&shared, stream).await {
                tracing::debug!(%error, "fake REST connection ended with an error");
            }
        });
    }
}

async fn serve_connection(shared: &Shared, stream: TcpStream) -> std::io::Result<()> {
    let mut connection = Connection::new(stream);
    while let Some(request) = connection.read_request().await? {
        let response = handle(shared, &request);
        if !connection.write_response(&request, &response).await? {
            break;
        }
    }
    Ok(())
}

/// Routes one request and records it with the response.
fn handle(shared: &Shared, raw: &RawRequest) -> Response {
    let body = ParsedBody::from_request(raw);
    tracing::debug!(method = %raw.method, path = %raw.path, "fake REST request");

    shared.update(|state| {
        let failure = take_failure(state, &raw.method, &raw.path);
        let injected = failure.is_some();
        let (response, route_known) = match failure {
            Some(failure) => (failure_response(&failure), true),
            None => route(shared, state, raw, &body),
        };
        state
            .requests
            .push(record(raw, body, &response, route_known, injected));
        response
    })
}

/// The body of a request in the forms the fake understands.
#[derive(Default)]
struct ParsedBody {
    json: Option<Value>,
    multipart: Option<MultipartBody>,
    error: Option<String>,
}

impl ParsedBody {
    fn from_request(raw: &RawRequest) -> Self {
        let content_type = raw.header("content-type").unwrap_or_default();
        if content_type.starts_with("multipart/form-data") {
            return match multipart::parse(content_type, &raw.body) {
                Ok(body) => Self {
                    multipart: Some(body),
                    ..Self::default()
                },
                Err(error) => Self::failed(error),
            };
        }
        if raw.body.is_empty() {
            return Self::default();
        }
        match serde_json::from_slice(&raw.body) {
            Ok(json) => Self {
                json: Some(json),
                ..Self::default()
            },
            Err(error) => Self::failed(format!("body is not valid JSON: {error}")),
        }
    }

    fn failed(error: String) -> Self {
        Self {
            error: Some(error),
            ..Self::default()
        }
    }

    fn payload(&self) -> Option<&Value> {
        self.json
            .as_ref()
            .or_else(|| self.multipart.as_ref()?.payload_json.as_ref())
    }

    fn files(&self) -> &[UploadedFile] {
        self.multipart
            .as_ref()
            .map_or(&[], |body| body.files.as_slice())
    }
}

/// Removes and returns the first injected failure matching the request.
fn take_failure(state: &mut State, method: &str, path: &str) -> Option<InjectedFailure> {
    let index = state.failures.iter().position(|failure| {
        failure.method.eq_ignore_ascii_case(method) && path_matches(&failure.pattern, path)
    })?;
    Some(state.failures.remove(index))
}

/// Builds the response for an injected failure. A 429 also gets Discord's rate-limit headers,
/// with the wait taken from the body's `retry_after` (seconds).
fn failure_response(failure: &InjectedFailure) -> Response {
    let mut response = Response::json(failure.status, &failure.body);
    if failure.status == 429 {
        let retry_after = failure.body["retry_after"].as_f64().unwrap_or(1.0);
        let global = failure.body["global"].as_bool().unwrap_or(false);
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |now| now.as_secs_f64())
            + retry_after;
        let headers = [
            ("Retry-After", format!("{}", retry_after.ceil() as u64)),
            ("X-RateLimit-Limit", "5".to_string()),
            ("X-RateLimit-Remaining", "0".to_string()),
            ("X-RateLimit-Reset", format!("{reset:.3}")),
            ("X-RateLimit-Reset-After", format!("{retry_after:.3}")),
            ("X-RateLimit-Bucket", "fake-bucket".to_string()),
            (
                "X-RateLimit-Scope",
                if global { "global" } else { "user" }.to_string(),
            ),
        ];
        for (name, value) in headers {
            response.headers.push((name.to_string(), value));
        }
        if global {
            response
                .headers
                .push(("X-RateLimit-Global".into(), "true".into()));
        }
    }
    response
}

fn record(
    raw: &RawRequest,
    body: ParsedBody,
    response: &Response,
    route_known: bool,
    injected: bool,
) -> RecordedRequest {
    RecordedRequest {
        method: raw.method.clone(),
        path: raw.path.clone(),
        query: raw.query.clone(),
        headers: raw.headers.clone(),
        json: body.json,
        multipart: body.multipart,
        body_error: body.error,
        status: response.status,
        route_known,
        injected,
        response: serde_json::from_slice(&response.body).ok(),
    }
}

/// Routes a request. Returns the response and whether the route is one the fake implements.
fn route(
    shared: &Shared,
    state: &mut State,
    raw: &RawRequest,
    body: &ParsedBody,
) -> (Response, bool) {
    if let Some(file_path) = raw.path.strip_prefix(ATTACHMENTS_PREFIX) {
        return (serve_file(state, raw, file_path), true);
    }
    let Some(api_path) = raw.path.strip_prefix(API_PREFIX) else {
        return (not_found(), false);
    };
    if let Some(error) = &body.error {
        let error = ApiError::new(400, &format!("400: Bad Request ({error})"), 50109);
        return (error_response(error), true);
    }
    let request = ApiRequest {
        segments: api_path.trim_end_matches('/').split('/').collect(),
        payload: body.payload(),
        files: body.files(),
    };
    if needs_bot_token(&request.segments) && !authorized(shared, raw) {
        let error = ApiError::new(401, "401: Unauthorized", 0);
        return (error_response(error), true);
    }

    match dispatch_route(shared, state, &raw.method, &request) {
        Some(Ok(response)) => (response, true),
        Some(Err(error)) => (error_response(error), true),
        None => (not_found(), false),
    }
}

fn dispatch_route(
    shared: &Shared,
    state: &mut State,
    method: &str,
    request: &ApiRequest<'_>,
) -> Option<ApiResult> {
    let segments = request.segments.as_slice();
    let result = match (method, segments) {
        ("GET", ["gateway"]) => Ok(Response::json(200, &json!({"url": shared.ws_url}))),
        ("GET", ["gateway", "bot"]) => Ok(gateway_bot(shared)),
        ("GET", ["users", "@me"]) => Ok(Response::json(200, &current_user(shared))),
        ("GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]) => {
            Ok(Response::json(200, &application(shared)))
        }
        (_, ["applications", ..]) => interactions::route_commands(shared, state, method, request)?,
        (_, ["interactions", ..] | ["webhooks", ..]) => {
            interactions::route_responses(shared, state, method, request)?
        }
        (_, ["channels", ..]) => messages::route(shared, state, method, request)?,
        _ => return None,
    };
    Some(result)
}

/// Interaction callbacks and interaction webhooks are authorized by the token in their path;
/// every other route needs the bot token.
fn needs_bot_token(segments: &[&str]) -> bool {
    !matches!(
        segments,
        ["gateway"] | ["interactions", ..] | ["webhooks", ..]
    )
}

fn authorized(shared: &Shared, raw: &RawRequest) -> bool {
    raw.header("authorization") == Some(format!("Bot {}", shared.config.token).as_str())
}

fn not_found() -> Response {
    Response::json(404, &json!({"message": "404: Not Found", "code": 0}))
}

fn error_response(error: ApiError) -> Response {
    Response::json(error.status, &error.body)
}

fn serve_file(state: &State, raw: &RawRequest, file_path: &str) -> Response {
    match state.files.get(&raw.path) {
        Some(bytes) if raw.method == "GET" => Response {
            status: 200,
            headers: vec![("Content-Type".into(), guess_content_type(file_path).into())],
            body: bytes.clone(),
        },
        _ => not_found(),
    }
}

/// Content type for a file name, for the few kinds a report bot sends.
pub fn guess_content_type(filename: &str) -> &'static str {
    let extension = filename.rsplit('.').next().unwrap_or_default();
    match extension.to_ascii_lowercase().as_str() {
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

fn gateway_bot(shared: &Shared) -> Response {
    Response::json(
        200,
        &json!({
            "url": shared.ws_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }),
    )
}

fn current_user(shared: &Shared) -> Value {
    let mut user = super::payloads::user(shared.ids.bot_user, "Schaalwijzer Test", true);
    user["verified"] = json!(true);
    user["mfa_enabled"] = json!(false);
    user["flags"] = json!(0);
    user["locale"] = json!("en-US");
    user
}

fn application(shared: &Shared) -> Value {
    json!({
        "id": shared.ids.application.to_string(),
        "name": "Schaalwijzer Test",
        "icon": null,
        "description": "",
        "bot_public": false,
        "bot_require_code_grant": false,
        "bot": current_user(shared),
        "owner": super::payloads::user(shared.ids.test_user, "test-user", false),
        "verify_key": "0".repeat(64),
        "team": null,
        "flags": 0,
    })
}
