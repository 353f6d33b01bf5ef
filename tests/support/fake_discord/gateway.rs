//! The gateway: a websocket server speaking Discord's gateway protocol v10 with JSON encoding.
//!
//! On connect it sends HELLO. IDENTIFY starts a session (READY, then GUILD_CREATE for the test
//! guild); RESUME continues the current session, replays the events the client missed and sends
//! RESUMED. Heartbeats are acknowledged. The session outlives its connection, so events
//! dispatched while the client reconnects are delivered by the replay.

use std::io::Write;
use std::sync::Arc;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use super::payloads;
use super::record::{Handshake, HandshakeKind};
use super::state::{Frame, Outbound, Session, Shared, State};

/// Gateway API version announced in READY.
const GATEWAY_VERSION: u64 = 10;

/// Close code for a payload sent before IDENTIFY.
const CLOSE_NOT_AUTHENTICATED: u16 = 4003;
/// Close code for a wrong token.
const CLOSE_AUTHENTICATION_FAILED: u16 = 4004;
/// Close code for a second IDENTIFY on one connection.
const CLOSE_ALREADY_AUTHENTICATED: u16 = 4005;
/// Close code for a RESUME with a sequence number the session never reached.
const CLOSE_INVALID_SEQ: u16 = 4007;
/// Close code for an unknown opcode.
const CLOSE_UNKNOWN_OPCODE: u16 = 4001;
/// Close code for a payload that is not JSON.
const CLOSE_DECODE_ERROR: u16 = 4002;

/// Intent bits that decide which message events a session receives.
const INTENT_GUILD_MESSAGES: u64 = 1 << 9;
const INTENT_DIRECT_MESSAGES: u64 = 1 << 12;
const INTENT_MESSAGE_CONTENT: u64 = 1 << 15;

/// Accepts gateway connections until the listener's task is aborted.
pub async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            if let Err(error) = serve_connection(&shared, stream).await {
                tracing::debug!(%error, "fake gateway connection ended with an error");
            }
        });
    }
}

/// Per-connection protocol state.
struct Connection {
    id: u64,
    sender: mpsc::UnboundedSender<Frame>,
    /// Set once IDENTIFY or RESUME succeeded on this connection.
    authenticated: bool,
    compress: bool,
}

async fn serve_connection(
    shared: &Shared,
    stream: TcpStream,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let websocket = tokio_tungstenite::accept_async(stream).await?;
    let (mut sink, mut source) = websocket.split();
    let (sender, mut frames) = mpsc::unbounded_channel();
    let id = shared.update(|state| {
        state.gateway.connections += 1;
        state.gateway.connections
    });
    let mut connection = Connection {
        id,
        sender,
        authenticated: false,
        compress: false,
    };

    let hello = json!({"op": 10, "d": {"heartbeat_interval": heartbeat_interval_ms(shared)}});
    sink.send(Message::Text(hello.to_string())).await?;

    loop {
        tokio::select! {
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => handle_payload(shared, &mut connection, &text),
                Some(Ok(Message::Close(_))) | Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            Some(frame) = frames.recv() => {
                let closing = matches!(frame, Frame::Close { .. });
                sink.send(encode(frame)).await?;
                if closing {
                    break;
                }
            }
        }
    }

    detach(shared, id);
    Ok(())
}

fn heartbeat_interval_ms(shared: &Shared) -> u64 {
    shared.config.heartbeat_interval.as_millis() as u64
}

/// Turns a queued frame into a websocket message: text, or a zlib stream in a binary message.
fn encode(frame: Frame) -> Message {
    match frame {
        Frame::Payload {
            text,
            compress: false,
        } => Message::Text(text),
        Frame::Payload {
            text,
            compress: true,
        } => {
            let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
            encoder
                .write_all(text.as_bytes())
                .expect("writing to a Vec cannot fail");
            Message::Binary(encoder.finish().expect("writing to a Vec cannot fail"))
        }
        Frame::Close { code, reason } => Message::Close(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        })),
    }
}

/// Stops routing the session's events to a connection that has ended.
fn detach(shared: &Shared, connection: u64) {
    shared.update(|state| {
        if let Some(session) = &mut state.gateway.session {
            if session.outbound.as_ref().map(|out| out.connection) == Some(connection) {
                session.outbound = None;
            }
        }
    });
}

fn handle_payload(shared: &Shared, connection: &mut Connection, text: &str) {
    let Ok(payload) = serde_json::from_str::<Value>(text) else {
        close(
            connection,
            CLOSE_DECODE_ERROR,
            "Error while decoding payload.",
        );
        return;
    };
    shared.update(|state| state.gateway.received.push(redact_token(&payload)));
    let op = payload["op"].as_u64();
    let data = &payload["d"];

    match op {
        Some(1) => heartbeat(shared, connection, data),
        Some(2) => identify(shared, connection, data),
        Some(6) => resume(shared, connection, data),
        Some(3 | 4 | 8 | 31) if connection.authenticated => {}
        Some(3 | 4 | 8 | 31) => close(connection, CLOSE_NOT_AUTHENTICATED, "Not authenticated."),
        _ => close(connection, CLOSE_UNKNOWN_OPCODE, "Unknown opcode."),
    }
}

fn close(connection: &Connection, code: u16, reason: &'static str) {
    // A send fails only when the connection task has ended, which needs no close frame.
    let _ = connection.sender.send(Frame::Close { code, reason });
}

fn send(connection: &Connection, payload: &Value) {
    // As in `close`, a failed send means the connection has already ended.
    let _ = connection.sender.send(Frame::Payload {
        text: payload.to_string(),
        compress: connection.compress,
    });
}

fn redact_token(payload: &Value) -> Value {
    let mut redacted = payload.clone();
    if redacted["d"].get("token").is_some() {
        redacted["d"]["token"] = json!("<redacted>");
    }
    redacted
}

fn heartbeat(shared: &Shared, connection: &Connection, data: &Value) {
    shared.update(|state| state.gateway.heartbeats.push(data.as_u64()));
    send(connection, &json!({"op": 11}));
}

/// Compares a gateway token with the fake's token; Discord accepts it with or without `Bot `.
fn token_matches(shared: &Shared, token: &str) -> bool {
    token.strip_prefix("Bot ").unwrap_or(token) == shared.config.token
}

fn identify(shared: &Shared, connection: &mut Connection, data: &Value) {
    let token = data["token"].as_str().unwrap_or_default();
    let accepted = token_matches(shared, token) && !connection.authenticated;
    let handshake = Handshake {
        kind: HandshakeKind::Identify,
        token: token.to_string(),
        intents: data["intents"].as_u64(),
        compress: data["compress"].as_bool(),
        shard: data.get("shard").cloned(),
        session_id: None,
        seq: None,
        accepted,
        replayed: 0,
    };
    shared.update(|state| state.gateway.handshakes.push(handshake));

    if connection.authenticated {
        close(
            connection,
            CLOSE_ALREADY_AUTHENTICATED,
            "Already authenticated.",
        );
        return;
    }
    if !accepted {
        close(
            connection,
            CLOSE_AUTHENTICATION_FAILED,
            "Authentication failed.",
        );
        return;
    }
    connection.authenticated = true;
    connection.compress =
        shared.config.compress_payloads && data["compress"].as_bool().unwrap_or(false);
    start_session(shared, connection, data);
}

/// Replaces the session with a new one on `connection` and sends READY and GUILD_CREATE.
fn start_session(shared: &Shared, connection: &Connection, identify: &Value) {
    let session_id = format!("fake-session-{}", shared.snowflake());
    let ready = ready_payload(shared, &session_id, identify);
    let guild = guild_payload(shared);

    shared.update(|state| {
        state.gateway.session = Some(Session {
            id: session_id,
            intents: identify["intents"].as_u64().unwrap_or(0),
            compress: connection.compress,
            last_seq: 0,
            events: Vec::new(),
            outbound: Some(Outbound {
                connection: connection.id,
                sender: connection.sender.clone(),
            }),
        });
        push_dispatch(state, "READY", ready);
        push_dispatch(state, "GUILD_CREATE", guild);
    });
}

fn ready_payload(shared: &Shared, session_id: &str, identify: &Value) -> Value {
    let mut user = payloads::user(shared.ids.bot_user, "Schaalwijzer Test", true);
    user["verified"] = json!(true);
    user["mfa_enabled"] = json!(false);
    user["flags"] = json!(0);
    let mut ready = json!({
        "v": GATEWAY_VERSION,
        "user": user,
        "guilds": [{"id": shared.ids.guild.to_string(), "unavailable": true}],
        "session_id": session_id,
        "resume_gateway_url": shared.ws_url,
        "application": {"id": shared.ids.application.to_string(), "flags": 0},
    });
    if let Some(shard) = identify.get("shard") {
        ready["shard"] = shard.clone();
    }
    ready
}

fn guild_payload(shared: &Shared) -> Value {
    let channels = {
        let state = shared.lock();
        let mut channels: Vec<Value> = state
            .channels
            .values()
            .filter(|channel| channel["type"] == json!(0))
            .cloned()
            .collect();
        channels.sort_by_key(|channel| channel["id"].as_str().unwrap_or_default().to_string());
        channels
    };
    let bot = payloads::user(shared.ids.bot_user, "Schaalwijzer Test", true);
    let human = payloads::user(shared.ids.test_user, "test-user", false);
    payloads::guild_create(payloads::GuildSpec {
        id: shared.ids.guild,
        name: "Schaalwijzer test guild",
        owner_id: shared.ids.test_user,
        channels,
        members: vec![
            payloads::member(bot, &shared.joined_at),
            payloads::member(human, &shared.joined_at),
        ],
        joined_at: &shared.joined_at,
    })
}

fn resume(shared: &Shared, connection: &mut Connection, data: &Value) {
    let token = data["token"].as_str().unwrap_or_default();
    let session_id = data["session_id"].as_str().unwrap_or_default();
    let seq = data["seq"].as_u64();
    let mut handshake = Handshake {
        kind: HandshakeKind::Resume,
        token: token.to_string(),
        intents: None,
        compress: None,
        shard: None,
        session_id: Some(session_id.to_string()),
        seq,
        accepted: false,
        replayed: 0,
    };

    if !token_matches(shared, token) {
        shared.update(|state| state.gateway.handshakes.push(handshake));
        close(
            connection,
            CLOSE_AUTHENTICATION_FAILED,
            "Authentication failed.",
        );
        return;
    }
    shared.update(|state| {
        let outcome = continue_session(state, connection, session_id, seq.unwrap_or(0));
        if let ResumeOutcome::Resumed { replayed } = outcome {
            handshake.accepted = true;
            handshake.replayed = replayed;
        }
        state.gateway.handshakes.push(handshake);
        match outcome {
            ResumeOutcome::Resumed { .. } => connection.authenticated = true,
            ResumeOutcome::UnknownSession => send(connection, &json!({"op": 9, "d": false})),
            ResumeOutcome::InvalidSeq => close(connection, CLOSE_INVALID_SEQ, "Invalid seq."),
        }
    });
}

enum ResumeOutcome {
    Resumed { replayed: usize },
    UnknownSession,
    InvalidSeq,
}

/// Attaches `connection` to the session, replays the events after `seq` and sends RESUMED.
fn continue_session(
    state: &mut State,
    connection: &mut Connection,
    session_id: &str,
    seq: u64,
) -> ResumeOutcome {
    let Some(session) = state.gateway.session.as_mut() else {
        return ResumeOutcome::UnknownSession;
    };
    if session.id != session_id {
        return ResumeOutcome::UnknownSession;
    }
    if seq > session.last_seq {
        return ResumeOutcome::InvalidSeq;
    }

    connection.compress = session.compress;
    let missed: Vec<String> = session
        .events
        .iter()
        .filter(|(event_seq, _)| *event_seq > seq)
        .map(|(_, text)| text.clone())
        .collect();
    for text in &missed {
        // The receiver lives in the connection task that is running this code.
        let _ = connection.sender.send(Frame::Payload {
            text: text.clone(),
            compress: connection.compress,
        });
    }
    session.outbound = Some(Outbound {
        connection: connection.id,
        sender: connection.sender.clone(),
    });
    push_dispatch(state, "RESUMED", json!({}));
    ResumeOutcome::Resumed {
        replayed: missed.len(),
    }
}

/// Appends a dispatch to the session and sends it to the attached connection, if any.
/// Returns its sequence number, or `None` when there is no session.
pub fn push_dispatch(state: &mut State, event_name: &str, data: Value) -> Option<u64> {
    let session = state.gateway.session.as_mut()?;
    session.last_seq += 1;
    let seq = session.last_seq;
    let text = json!({"op": 0, "s": seq, "t": event_name, "d": data}).to_string();
    if let Some(outbound) = &session.outbound {
        // A closed receiver means the connection ended; the replay on RESUME delivers the event.
        let _ = outbound.sender.send(Frame::Payload {
            text: text.clone(),
            compress: session.compress,
        });
    }
    session.events.push((seq, text));
    Some(seq)
}

/// Applies the session's intents to a message event the way Discord does. Returns `None` when
/// the session does not receive the event at all, otherwise the (possibly emptied) data.
pub fn filter_by_intents(
    shared: &Shared,
    state: &State,
    event: &str,
    data: Value,
) -> Option<Value> {
    if !event.starts_with("MESSAGE_") || event.starts_with("MESSAGE_REACTION") {
        return Some(data);
    }
    let intents = state
        .gateway
        .session
        .as_ref()
        .map_or(0, |session| session.intents);
    let in_guild = data.get("guild_id").is_some_and(|id| !id.is_null());
    let needed = if in_guild {
        INTENT_GUILD_MESSAGES
    } else {
        INTENT_DIRECT_MESSAGES
    };
    if intents & needed == 0 {
        return None;
    }
    if intents & INTENT_MESSAGE_CONTENT != 0 || !in_guild {
        return Some(data);
    }
    Some(without_content(shared, data))
}

/// Empties the content fields of a guild message that neither the bot wrote nor mentions the
/// bot, as Discord does for sessions without the MESSAGE_CONTENT intent.
fn without_content(shared: &Shared, mut data: Value) -> Value {
    let bot_id = json!(shared.ids.bot_user.to_string());
    let by_bot = data["author"]["id"] == bot_id;
    let mentions_bot = data["mentions"]
        .as_array()
        .is_some_and(|mentions| mentions.iter().any(|user| user["id"] == bot_id));
    if by_bot || mentions_bot {
        return data;
    }
    for field in ["embeds", "attachments", "components"] {
        if data.get(field).is_some() {
            data[field] = json!([]);
        }
    }
    if data.get("content").is_some() {
        data["content"] = json!("");
    }
    data
}

/// Sends RECONNECT (op 7) to the attached connection and detaches it, so events dispatched from
/// now on wait for the RESUME. Returns false when no connection is attached.
pub fn request_reconnect(state: &mut State) -> bool {
    let Some(session) = state.gateway.session.as_mut() else {
        return false;
    };
    let Some(outbound) = session.outbound.take() else {
        return false;
    };
    outbound
        .sender
        .send(Frame::Payload {
            text: json!({"op": 7, "d": null}).to_string(),
            compress: session.compress,
        })
        .is_ok()
}

/// Sends an event the way Discord would to this session: filtered by intents, then appended to
/// the session. Returns its sequence number, or `None` when the session does not receive it.
pub fn emit(shared: &Shared, state: &mut State, event_name: &str, data: Value) -> Option<u64> {
    let data = filter_by_intents(shared, state, event_name, data)?;
    push_dispatch(state, event_name, data)
}
