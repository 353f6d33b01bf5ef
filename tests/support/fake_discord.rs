//! A stand-in for Discord on 127.0.0.1: a gateway (websocket) and the REST routes the bot
//! uses, so the real serenity client can be tested without the internet.
//!
//! It emulates: HELLO, IDENTIFY, READY with the application id, heartbeats, dispatches,
//! RECONNECT with RESUME and RESUMED; command registration, interaction callbacks and their
//! follow-ups, channel messages (JSON and multipart with files), threads. Every request is
//! recorded for assertions. It does not emulate rate limits, permissions (except injected
//! failures), sharding beyond one shard, or zlib compression (it sends plain text frames,
//! which serenity accepts).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};
use tokio_tungstenite::tungstenite::Message as WsMessage;

pub const APPLICATION_ID: u64 = 900_000_000_000_000_001;
pub const BOT_USER_ID: u64 = 900_000_000_000_000_002;
pub const GUILD_ID: u64 = 900_000_000_000_000_003;
pub const CHANNEL_ID: u64 = 900_000_000_000_000_004;
pub const OTHER_CHANNEL_ID: u64 = 900_000_000_000_000_005;

/// One HTTP request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    /// The JSON body, or the `payload_json` part of a multipart body.
    pub json: Option<Value>,
    /// Files of a multipart body: (file name, bytes).
    pub files: Vec<(String, Vec<u8>)>,
}

/// How the bot last opened its gateway session.
#[derive(Debug, Clone, PartialEq)]
pub enum Handshake {
    Identify {
        token: String,
        intents: u64,
    },
    Resume {
        token: String,
        session_id: String,
        seq: u64,
    },
}

struct Failure {
    method: String,
    path_prefix: String,
    status: u16,
    body: Value,
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Recorded>>,
    handshakes: Mutex<Vec<Handshake>>,
    changed: Notify,
    failures: Mutex<Vec<Failure>>,
    gateway: Mutex<Option<mpsc::UnboundedSender<String>>>,
    seq: AtomicU64,
    ids: AtomicU64,
    gateway_url: Mutex<String>,
}

pub struct FakeDiscord {
    pub rest_addr: SocketAddr,
    pub gateway_addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FakeDiscord {
    /// Binds both listeners on 127.0.0.1 with free ports and serves them in the background.
    pub async fn start() -> FakeDiscord {
        let rest = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
        let gateway = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let shared = Arc::new(Shared {
            ids: AtomicU64::new(1_000_000_000_000_000_000),
            ..Shared::default()
        });
        let fake = FakeDiscord {
            rest_addr: rest.local_addr().unwrap(),
            gateway_addr: gateway.local_addr().unwrap(),
            shared,
        };
        *fake.shared.gateway_url.lock().unwrap() = format!("ws://{}", fake.gateway_addr);
        tokio::spawn(serve_rest(rest, fake.shared.clone()));
        tokio::spawn(serve_gateway(gateway, fake.shared.clone()));
        fake
    }

    pub fn rest_url(&self) -> String {
        format!("http://{}", self.rest_addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn handshakes(&self) -> Vec<Handshake> {
        self.shared.handshakes.lock().unwrap().clone()
    }

    /// Waits until a recorded request matches, at most `timeout`; returns it.
    pub async fn wait_for(&self, what: &str, predicate: impl Fn(&Recorded) -> bool) -> Recorded {
        self.wait_for_nth(what, 1, predicate).await
    }

    /// Waits until `n` recorded requests match; returns the n-th.
    pub async fn wait_for_nth(
        &self,
        what: &str,
        n: usize,
        predicate: impl Fn(&Recorded) -> bool,
    ) -> Recorded {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let notified = self.shared.changed.notified();
            let matches: Vec<Recorded> = self
                .requests()
                .into_iter()
                .filter(|r| predicate(r))
                .collect();
            if matches.len() >= n {
                return matches[n - 1].clone();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let seen: Vec<String> = self
                    .requests()
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .collect();
                panic!(
                    "timed out waiting for {what}; requests seen:\n{}",
                    seen.join("\n")
                );
            }
        }
    }

    /// Waits until the bot opened `n` gateway sessions (IDENTIFY or RESUME).
    pub async fn wait_for_handshakes(&self, n: usize) -> Vec<Handshake> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let notified = self.shared.changed.notified();
            if self.handshakes().len() >= n {
                return self.handshakes();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "timed out waiting for {n} gateway handshakes, saw {:?}",
                    self.handshakes()
                );
            }
        }
    }

    /// Sends a dispatch event to the connected bot with the next sequence number.
    pub fn dispatch(&self, event: &str, data: Value) {
        let seq = self.shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let payload = json!({"op": 0, "t": event, "s": seq, "d": data}).to_string();
        let sender = self.shared.gateway.lock().unwrap().clone();
        sender
            .expect("the bot is connected to the gateway")
            .send(payload)
            .expect("the gateway connection is open");
    }

    /// Asks the bot to reconnect (op 7); it should resume its session.
    pub fn force_reconnect(&self) {
        let sender = self.shared.gateway.lock().unwrap().clone();
        if let Some(sender) = sender {
            let _ = sender.send(json!({"op": 7, "d": null}).to_string());
        }
    }

    /// Makes the next request with this method and path prefix fail with `status` and `body`.
    pub fn fail_next(&self, method: &str, path_prefix: &str, status: u16, body: Value) {
        self.shared.failures.lock().unwrap().push(Failure {
            method: method.into(),
            path_prefix: path_prefix.into(),
            status,
            body,
        });
    }

    pub fn next_id(&self) -> u64 {
        self.shared.ids.fetch_add(1, Ordering::SeqCst)
    }
}

fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": name, "avatar": null, "bot": bot})
}

fn member(id: u64, name: &str) -> Value {
    json!({"user": user(id, name, false), "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0, "permissions": "2147483647"})
}

/// A slash-command interaction for `/schaalwijzer <sub>` with string, boolean or user options.
pub fn command(id: u64, channel: u64, user_id: u64, sub: &str, options: Value) -> Value {
    json!({
        "id": id.to_string(), "application_id": APPLICATION_ID.to_string(), "type": 2, "token": format!("token-{id}"), "version": 1,
        "guild_id": GUILD_ID.to_string(), "channel_id": channel.to_string(), "member": member(user_id, &format!("user{user_id}")),
        "locale": "en-US", "guild_locale": "nl", "app_permissions": "2147483647", "entitlements": [], "attachment_size_limit": 10485760,
        "data": {"id": "1", "name": "schaalwijzer", "type": 1, "guild_id": GUILD_ID.to_string(),
                 "options": [{"name": sub, "type": 1, "options": options}]}
    })
}

/// A component interaction: a button press, or a string select with `values`.
pub fn component(
    id: u64,
    channel: u64,
    user_id: u64,
    custom_id: &str,
    values: Option<Vec<&str>>,
) -> Value {
    let data = match values {
        Some(values) => json!({"custom_id": custom_id, "component_type": 3, "values": values}),
        None => json!({"custom_id": custom_id, "component_type": 2}),
    };
    json!({
        "id": id.to_string(), "application_id": APPLICATION_ID.to_string(), "type": 3, "token": format!("token-{id}"), "version": 1,
        "guild_id": GUILD_ID.to_string(), "channel_id": channel.to_string(), "member": member(user_id, &format!("user{user_id}")),
        "locale": "nl", "app_permissions": "2147483647", "entitlements": [], "attachment_size_limit": 10485760, "data": data,
        "message": message_object(1, channel, "")
    })
}

/// A modal submit with one text input `note`.
pub fn modal(id: u64, channel: u64, user_id: u64, custom_id: &str, text: &str) -> Value {
    json!({
        "id": id.to_string(), "application_id": APPLICATION_ID.to_string(), "type": 5, "token": format!("token-{id}"), "version": 1,
        "guild_id": GUILD_ID.to_string(), "channel_id": channel.to_string(), "member": member(user_id, &format!("user{user_id}")),
        "locale": "nl", "app_permissions": "2147483647", "entitlements": [], "attachment_size_limit": 10485760,
        "data": {"custom_id": custom_id, "components": [{"type": 1, "components": [{"type": 4, "custom_id": "note", "value": text}]}]}
    })
}

pub fn message_object(id: u64, channel: u64, content: &str) -> Value {
    json!({
        "id": id.to_string(), "channel_id": channel.to_string(), "author": user(BOT_USER_ID, "schaalwijzer", true),
        "content": content, "timestamp": "2026-01-01T00:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [], "pinned": false,
        "type": 0, "flags": 0, "components": []
    })
}

fn thread_object(id: u64, parent: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(), "type": 11, "guild_id": GUILD_ID.to_string(), "parent_id": parent.to_string(), "name": name,
        "owner_id": BOT_USER_ID.to_string(), "position": 0, "permission_overwrites": [], "nsfw": false, "rate_limit_per_user": 0,
        "message_count": 0, "member_count": 1, "total_message_sent": 0,
        "thread_metadata": {"archived": false, "auto_archive_duration": 1440, "archive_timestamp": "2026-01-01T00:00:00.000000+00:00", "locked": false}
    })
}

// --- REST ---------------------------------------------------------------------------------

async fn serve_rest(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(serve_connection(stream, shared.clone()));
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves HTTP/1.1 requests on one keep-alive connection.
async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    while let Some(request) = read_request(&mut reader).await {
        let (status, body) = respond(&request, &shared);
        let text = body.map(|b| b.to_string()).unwrap_or_default();
        let reason = if status < 300 { "OK" } else { "Error" };
        let mut head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: keep-alive\r\n",
            text.len()
        );
        if !text.is_empty() {
            head.push_str("Content-Type: application/json\r\n");
        }
        head.push_str("\r\n");
        if write.write_all(head.as_bytes()).await.is_err()
            || write.write_all(text.as_bytes()).await.is_err()
        {
            return;
        }
    }
}

async fn read_request(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await.ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if let Some(length) = request
        .header("content-length")
        .and_then(|l| l.parse::<usize>().ok())
    {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await.ok()?;
        request.body = body;
    } else if request
        .header("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"))
    {
        request.body = read_chunked(reader).await?;
    }
    Some(request)
}

async fn read_chunked(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).await.ok()?;
        let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).await.ok()?;
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

fn record(request: &Request, shared: &Shared) -> Recorded {
    let content_type = request
        .header("content-type")
        .unwrap_or_default()
        .to_string();
    let (json, files) = if let Some(boundary) = content_type.split("boundary=").nth(1) {
        parse_multipart(&request.body, boundary.trim_matches('"'))
    } else {
        (serde_json::from_slice(&request.body).ok(), Vec::new())
    };
    let recorded = Recorded {
        method: request.method.clone(),
        path: request
            .path
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string(),
        authorization: request.header("authorization").map(str::to_string),
        json,
        files,
    };
    shared.requests.lock().unwrap().push(recorded.clone());
    recorded
}

fn parse_multipart(body: &[u8], boundary: &str) -> (Option<Value>, Vec<(String, Vec<u8>)>) {
    let delimiter = format!("--{boundary}");
    let mut json = None;
    let mut files = Vec::new();
    for part in split_bytes(body, delimiter.as_bytes()) {
        let Some(split) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let mut data = &part[split + 4..];
        if data.ends_with(b"\r\n") {
            data = &data[..data.len() - 2];
        }
        let name = attribute(&head, "name");
        if let Some(filename) = attribute(&head, "filename") {
            files.push((filename, data.to_vec()));
        } else if name.as_deref() == Some("payload_json") {
            json = serde_json::from_slice(data).ok();
        }
    }
    (json, files)
}

fn attribute(head: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let start = head.find(&marker)? + marker.len();
    let end = head[start..].find('"')? + start;
    Some(head[start..end].to_string())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(at) = find(rest, delimiter) {
        parts.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    parts.push(rest);
    parts
}

fn respond(request: &Request, shared: &Shared) -> (u16, Option<Value>) {
    let recorded = record(request, shared);
    let failure = {
        let mut failures = shared.failures.lock().unwrap();
        let position = failures
            .iter()
            .position(|f| f.method == recorded.method && recorded.path.starts_with(&f.path_prefix));
        position.map(|i| failures.remove(i))
    };
    shared.changed.notify_waiters();
    if let Some(failure) = failure {
        return (failure.status, Some(failure.body));
    }
    route(&recorded, shared)
}

fn route(request: &Recorded, shared: &Shared) -> (u16, Option<Value>) {
    let segments: Vec<&str> = request
        .path
        .trim_start_matches("/api/v10/")
        .split('/')
        .collect();
    let id = || shared.ids.fetch_add(1, Ordering::SeqCst);
    let gateway_url = shared.gateway_url.lock().unwrap().clone();
    match (request.method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => (200, Some(json!({"url": gateway_url}))),
        ("GET", ["gateway", "bot"]) => (
            200,
            Some(json!({"url": gateway_url, "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})),
        ),
        ("GET", ["users", "@me"]) => (200, Some(user(BOT_USER_ID, "schaalwijzer", true))),
        ("PUT", ["applications", _, "guilds", _, "commands"])
        | ("PUT", ["applications", _, "commands"]) => {
            let commands = request.json.clone().unwrap_or(json!([]));
            let with_ids: Vec<Value> = commands
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut c| {
                    c["id"] = json!(id().to_string());
                    c["application_id"] = json!(APPLICATION_ID.to_string());
                    c["version"] = json!("1");
                    c["type"] = c.get("type").cloned().unwrap_or(json!(1));
                    c["default_member_permissions"] = json!(null);
                    c
                })
                .collect();
            (200, Some(Value::Array(with_ids)))
        }
        ("POST", ["interactions", _, _, "callback"]) => (204, None),
        ("DELETE", ["webhooks", _, _, "messages", _]) => (204, None),
        ("PATCH", ["webhooks", _, _, "messages", _]) | ("POST", ["webhooks", _, _]) => {
            (200, Some(message_object(id(), CHANNEL_ID, "")))
        }
        ("POST", ["channels", channel, "messages"]) => (
            200,
            Some(message_object(
                id(),
                channel.parse().unwrap_or(CHANNEL_ID),
                "",
            )),
        ),
        ("POST", ["channels", channel, "threads"]) => {
            let name = request
                .json
                .as_ref()
                .and_then(|j| j["name"].as_str())
                .unwrap_or("thread")
                .to_string();
            (
                201,
                Some(thread_object(
                    id(),
                    channel.parse().unwrap_or(CHANNEL_ID),
                    &name,
                )),
            )
        }
        _ => (404, Some(json!({"message": "404: Not Found", "code": 0}))),
    }
}

// --- Gateway ------------------------------------------------------------------------------

async fn serve_gateway(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(serve_session(stream, shared.clone()));
    }
}

const SESSION_ID: &str = "fake-session-1";

async fn serve_session(stream: TcpStream, shared: Arc<Shared>) {
    let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = socket.split();
    let (sender, mut outbox) = mpsc::unbounded_channel::<String>();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}}).to_string();
    if sink.send(WsMessage::Text(hello)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            outgoing = outbox.recv() => {
                let Some(text) = outgoing else { return };
                let reconnect = text.contains("\"op\":7");
                if sink.send(WsMessage::Text(text)).await.is_err() {
                    return;
                }
                if reconnect {
                    let _ = sink.close().await;
                    return;
                }
            }
            incoming = source.next() => {
                let Some(Ok(message)) = incoming else { return };
                let WsMessage::Text(text) = message else { continue };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else { continue };
                handle_gateway_payload(&payload, &shared, &sender);
            }
        }
    }
}

fn handle_gateway_payload(
    payload: &Value,
    shared: &Shared,
    sender: &mpsc::UnboundedSender<String>,
) {
    let data = &payload["d"];
    match payload["op"].as_u64() {
        Some(1) => {
            let _ = sender.send(json!({"op": 11, "d": null}).to_string());
        }
        Some(2) => {
            let token = data["token"].as_str().unwrap_or_default().to_string();
            let intents = data["intents"].as_u64().unwrap_or_default();
            shared
                .handshakes
                .lock()
                .unwrap()
                .push(Handshake::Identify { token, intents });
            *shared.gateway.lock().unwrap() = Some(sender.clone());
            shared.seq.store(1, Ordering::SeqCst);
            let gateway_url = shared.gateway_url.lock().unwrap().clone();
            let ready = json!({"op": 0, "t": "READY", "s": 1, "d": {
                "v": 10, "user": user(BOT_USER_ID, "schaalwijzer", true),
                "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
                "session_id": SESSION_ID, "resume_gateway_url": gateway_url,
                "application": {"id": APPLICATION_ID.to_string(), "flags": 0}
            }});
            let _ = sender.send(ready.to_string());
            shared.changed.notify_waiters();
        }
        Some(6) => {
            let token = data["token"].as_str().unwrap_or_default().to_string();
            let session_id = data["session_id"].as_str().unwrap_or_default().to_string();
            let seq = data["seq"].as_u64().unwrap_or_default();
            shared.handshakes.lock().unwrap().push(Handshake::Resume {
                token,
                session_id,
                seq,
            });
            *shared.gateway.lock().unwrap() = Some(sender.clone());
            let next = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
            let _ = sender.send(json!({"op": 0, "t": "RESUMED", "s": next, "d": {}}).to_string());
            shared.changed.notify_waiters();
        }
        _ => {}
    }
}
