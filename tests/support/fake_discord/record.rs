//! What the fake records for tests to assert on: REST requests, gateway handshakes and
//! injected failures. Debug output of these types never contains a token.

use std::fmt;

use serde_json::Value;

use super::multipart::MultipartBody;

/// One REST request and the status the fake returned for it.
#[derive(Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without the query string, e.g. `/api/v10/channels/1/messages`.
    pub path: String,
    /// Query string without the leading `?`, empty when absent.
    pub query: String,
    /// Header names in lower case, in arrival order. The `authorization` value is the bot token
    /// and must never be printed: use [`RecordedRequest::authorization`] in an assertion.
    pub headers: Vec<(String, String)>,
    /// Body parsed as JSON, for `application/json` requests.
    pub json: Option<Value>,
    /// Body parsed as `multipart/form-data`.
    pub multipart: Option<MultipartBody>,
    /// Why the body could not be parsed, when it could not.
    pub body_error: Option<String>,
    /// Status code of the fake's response.
    pub status: u16,
    /// False when the fake has no handler for this method and path (it returned 404).
    pub route_known: bool,
    /// True when the answer came from [`InjectedFailure`] rather than the route's handler.
    pub injected: bool,
    /// The JSON the fake answered with, absent for 204.
    pub response: Option<Value>,
}

impl RecordedRequest {
    /// Returns the first value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns the `Authorization` header, which serenity sets to `Bot <token>`.
    pub fn authorization(&self) -> Option<&str> {
        self.header("authorization")
    }

    /// Returns the JSON payload: the JSON body, or the `payload_json` part of a multipart body.
    pub fn payload(&self) -> Option<&Value> {
        self.json.as_ref().or_else(|| {
            self.multipart
                .as_ref()
                .and_then(|body| body.payload_json.as_ref())
        })
    }

    /// Reports whether this request has `method` and a path matching `pattern`; see
    /// [`path_matches`].
    pub fn is(&self, method: &str, pattern: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && path_matches(pattern, &self.path)
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if name == "authorization" {
                    "<redacted>"
                } else {
                    value.as_str()
                };
                (name.as_str(), shown)
            })
            .collect();
        formatter
            .debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("json", &self.json)
            .field("multipart", &self.multipart)
            .field("body_error", &self.body_error)
            .field("status", &self.status)
            .field("route_known", &self.route_known)
            .field("injected", &self.injected)
            .finish_non_exhaustive()
    }
}

/// Reports whether `path` matches `pattern`, segment by segment, where a `*` segment matches any
/// one segment. Example: `/api/v10/channels/*/messages`.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pattern_segments = pattern.trim_end_matches('/').split('/');
    let mut path_segments = path.trim_end_matches('/').split('/');
    loop {
        match (pattern_segments.next(), path_segments.next()) {
            (None, None) => return true,
            (Some(expected), Some(actual)) if expected == "*" || expected == actual => {}
            _ => return false,
        }
    }
}

/// Opening of a gateway session: IDENTIFY starts a new one, RESUME continues an earlier one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandshakeKind {
    Identify,
    Resume,
}

/// An IDENTIFY or RESUME the fake received.
#[derive(Clone)]
pub struct Handshake {
    pub kind: HandshakeKind,
    /// Token as sent; never print it.
    pub token: String,
    /// IDENTIFY only: gateway intents bit set.
    pub intents: Option<u64>,
    /// IDENTIFY only: whether the client asked for zlib-compressed payloads.
    pub compress: Option<bool>,
    /// IDENTIFY only: `[shard_id, shard_count]`.
    pub shard: Option<Value>,
    /// RESUME only: session the client resumes.
    pub session_id: Option<String>,
    /// RESUME only: last sequence number the client received.
    pub seq: Option<u64>,
    /// Whether the fake accepted the handshake.
    pub accepted: bool,
    /// Events the fake sent again because the client had not received them (RESUME only).
    pub replayed: usize,
}

impl fmt::Debug for Handshake {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Handshake")
            .field("kind", &self.kind)
            .field("token", &"<redacted>")
            .field("intents", &self.intents)
            .field("compress", &self.compress)
            .field("shard", &self.shard)
            .field("session_id", &self.session_id)
            .field("seq", &self.seq)
            .field("accepted", &self.accepted)
            .field("replayed", &self.replayed)
            .finish()
    }
}

/// A failure that the fake returns for the next request matching `method` and `pattern`.
#[derive(Clone, Debug)]
pub struct InjectedFailure {
    pub method: String,
    pub pattern: String,
    pub status: u16,
    pub body: Value,
}

/// A wait that ended before its condition held.
#[derive(Clone)]
pub struct WaitTimeout {
    /// What the caller waited for.
    pub waited_for: String,
    /// `METHOD path -> status` of every request recorded so far, to show what did arrive.
    pub seen: Vec<String>,
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "timed out waiting for {}; requests seen: [{}]",
            self.waited_for,
            self.seen.join(", ")
        )
    }
}

impl fmt::Debug for WaitTimeout {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl std::error::Error for WaitTimeout {}
