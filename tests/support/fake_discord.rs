//! A fake Discord on 127.0.0.1 for end-to-end tests of the real serenity client.
//!
//! [`FakeDiscord::start`] binds two listeners on port 0: a REST API under `/api/v10/` and a
//! gateway websocket. Point serenity at it with
//! `HttpBuilder::new(fake.token()).proxy(fake.rest_url()).ratelimiter_disabled(true)`, then
//! `ClientBuilder::new_with_http(http, intents)`. Serenity 0.12.5 replaces
//! `https://discord.com` in each request URL with the proxy, and the client takes its gateway URL
//! from `GET /api/v10/gateway`.
//!
//! Both settings are needed to keep a test on 127.0.0.1. Serenity 0.12.5's ratelimiter builds
//! its requests without the proxy, so with the ratelimiter on every REST call goes to
//! `https://discord.com`. When `GET /api/v10/gateway` fails, the client falls back to
//! `wss://gateway.discord.gg`, so [`FakeDiscord::fail_next`] refuses to fail that route.
//!
//! What it emulates:
//! - The gateway handshake: HELLO, IDENTIFY, READY, then GUILD_CREATE for one test guild with
//!   one text channel. Also heartbeats, RECONNECT with RESUME and replay of missed events,
//!   optional zlib-compressed payloads, and the close codes for a wrong token or a bad RESUME.
//! - Intents for message events: without GUILD_MESSAGES (or DIRECT_MESSAGES in a DM) a message
//!   event is not delivered, and without MESSAGE_CONTENT a guild message that neither the bot
//!   wrote nor mentions the bot arrives with empty content.
//! - The REST routes a slash-command bot uses: gateway discovery, current user and application,
//!   command bulk overwrite, interaction callbacks with Discord's one-response rule and
//!   deadline, the original response and follow-ups, channel messages (JSON or multipart with
//!   files), edits and deletes, threads, and channel lookup. Created messages are echoed to the
//!   gateway as MESSAGE_CREATE, as Discord does.
//! - Discord-shaped errors (`{"message", "code"}`, and Invalid Form Body with `errors`) for
//!   unknown objects, empty or oversized messages (content, embeds and their fields, custom ids
//!   and button labels), invalid command names and descriptions, a missing or wrong bot token,
//!   and unknown routes.
//! - Every request is recorded, and tests can inject the next answer of a route with
//!   [`FakeDiscord::fail_next`].
//!
//! What it does not emulate: rate limiting (a 429 comes only from an injected failure), the
//! permission model (a 403 comes only from an injected failure), more than one shard, one guild,
//! voice, the zlib-stream transport compression, ETF encoding, and the REST routes not listed
//! above, which answer 404 and are recorded with `route_known: false`.

mod fixtures;
mod gateway;
mod http;
mod multipart;
pub mod payloads;
mod record;
mod rest;
mod state;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use multipart::{MultipartBody, UploadedFile};
pub use payloads::{InteractionBuilder, MessageBuilder};
pub use record::{path_matches, Handshake, HandshakeKind, RecordedRequest, WaitTimeout};

use record::InjectedFailure;
use state::{Config, InteractionRecord, Shared, State};

/// Heartbeat interval Discord usually sends in HELLO.
const DEFAULT_HEARTBEAT_INTERVAL: Duration = Duration::from_millis(41_250);

/// Time Discord gives a bot to send the first response to an interaction.
const DEFAULT_INTERACTION_DEADLINE: Duration = Duration::from_secs(3);

/// How long [`FakeDiscord::dispatch`] waits for a gateway session before it panics.
const SESSION_WAIT: Duration = Duration::from_secs(10);

/// Settings for a [`FakeDiscord`] before it starts.
#[derive(Clone, Debug)]
pub struct FakeDiscordBuilder {
    config: Config,
}

impl FakeDiscordBuilder {
    /// Sets the heartbeat interval sent in HELLO (default 41 250 ms).
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.config.heartbeat_interval = interval;
        self
    }

    /// Sets the bot token the fake accepts, without the `Bot ` prefix.
    pub fn token(mut self, token: &str) -> Self {
        self.config.token = token.to_string();
        self
    }

    /// Sends zlib-compressed binary payloads after an IDENTIFY with `compress: true`, as Discord
    /// does. Off by default: then every payload is a text frame.
    pub fn compress_payloads(mut self, compress: bool) -> Self {
        self.config.compress_payloads = compress;
        self
    }

    /// Sets how long after its dispatch an interaction accepts its first callback (default 3 s).
    pub fn interaction_deadline(mut self, deadline: Duration) -> Self {
        self.config.interaction_deadline = deadline;
        self
    }

    /// Binds both listeners on 127.0.0.1 port 0 and starts serving.
    ///
    /// # Panics
    ///
    /// Panics when a listener cannot be bound.
    pub async fn start(self) -> FakeDiscord {
        let rest = bind().await;
        let gateway = bind().await;
        let rest_url = format!("http://{}", rest.local_addr().expect("bound listener"));
        let ws_url = format!("ws://{}", gateway.local_addr().expect("bound listener"));
        let shared = Arc::new(Shared::new(self.config, rest_url, ws_url));

        let channel_id = shared.ids.text_channel;
        let channel = payloads::text_channel(channel_id, shared.ids.guild, "schaalwijzer-test");
        shared.update(|state| state.channels.insert(channel_id, channel));

        let tasks = vec![
            tokio::spawn(rest::serve(Arc::clone(&shared), rest)),
            tokio::spawn(gateway::serve(Arc::clone(&shared), gateway)),
        ];
        tracing::debug!(rest = %shared.rest_url, gateway = %shared.ws_url, "fake Discord started");
        FakeDiscord { shared, tasks }
    }
}

async fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding 127.0.0.1:0 for the fake Discord failed")
}

/// A running fake Discord. Dropping it stops both listeners.
pub struct FakeDiscord {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl FakeDiscord {
    /// Returns the default settings: a generated token, 41 250 ms heartbeats, text frames and a
    /// 3 s interaction deadline.
    pub fn builder() -> FakeDiscordBuilder {
        FakeDiscordBuilder {
            config: Config {
                token: "ZmFrZS1ib3Q.fake-discord.not-a-real-token".to_string(),
                heartbeat_interval: DEFAULT_HEARTBEAT_INTERVAL,
                compress_payloads: false,
                interaction_deadline: DEFAULT_INTERACTION_DEADLINE,
            },
        }
    }

    /// Starts a fake with the default settings.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// Returns the REST base URL, e.g. `http://127.0.0.1:40123`, for `HttpBuilder::proxy`.
    pub fn rest_url(&self) -> &str {
        &self.shared.rest_url
    }

    /// Returns the gateway URL, e.g. `ws://127.0.0.1:40124`.
    pub fn gateway_url(&self) -> &str {
        &self.shared.ws_url
    }

    /// Returns the bot token the fake accepts, without the `Bot ` prefix.
    pub fn token(&self) -> &str {
        &self.shared.config.token
    }

    pub fn application_id(&self) -> u64 {
        self.shared.ids.application
    }

    pub fn bot_user_id(&self) -> u64 {
        self.shared.ids.bot_user
    }

    pub fn guild_id(&self) -> u64 {
        self.shared.ids.guild
    }

    /// Returns the id of the test guild's text channel.
    pub fn text_channel_id(&self) -> u64 {
        self.shared.ids.text_channel
    }

    /// Returns the id of the human member who authors test payloads by default.
    pub fn test_user_id(&self) -> u64 {
        self.shared.ids.test_user
    }

    /// Returns the user object of the human test member.
    pub fn test_user(&self) -> Value {
        payloads::user(self.shared.ids.test_user, "test-user", false)
    }

    /// Returns a snapshot of every REST request so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Waits for the first request, recorded before or after this call, that `predicate`
    /// accepts.
    ///
    /// # Errors
    ///
    /// Returns [`WaitTimeout`], listing the requests that did arrive, when none matches within
    /// `timeout`.
    pub async fn wait_for(
        &self,
        predicate: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Result<RecordedRequest, WaitTimeout> {
        let found = self
            .shared
            .wait_until(timeout, |state| {
                state
                    .requests
                    .iter()
                    .find(|request| predicate(request))
                    .cloned()
            })
            .await;
        found.ok_or_else(|| self.timeout_error("a matching request"))
    }

    fn timeout_error(&self, waited_for: &str) -> WaitTimeout {
        let seen = self
            .requests()
            .iter()
            .map(|request| format!("{} {} -> {}", request.method, request.path, request.status))
            .collect();
        WaitTimeout {
            waited_for: waited_for.to_string(),
            seen,
        }
    }

    /// Makes the next request with `method` and a path matching `path_pattern` (see
    /// [`path_matches`], e.g. `/api/v10/channels/*/messages`) fail with `status` and the Discord
    /// error `body`, e.g. 403 `{"message": "Missing Permissions", "code": 50013}`. A 429 also
    /// gets the rate-limit headers, computed from `retry_after` in the body.
    ///
    /// # Panics
    ///
    /// Panics for a pattern matching `GET /api/v10/gateway`: when that request fails, serenity
    /// 0.12.5 falls back to the real Discord gateway, which tests must never contact.
    pub fn fail_next(&self, method: &str, path_pattern: &str, status: u16, body: Value) {
        assert!(
            !(method.eq_ignore_ascii_case("GET") && path_matches(path_pattern, "/api/v10/gateway")),
            "refusing to fail GET /api/v10/gateway: serenity would fall back to the real gateway"
        );
        let failure = InjectedFailure {
            method: method.to_ascii_uppercase(),
            pattern: path_pattern.to_string(),
            status,
            body,
        };
        self.shared.update(|state| state.failures.push(failure));
    }

    /// Returns every IDENTIFY and RESUME received, oldest first.
    pub fn handshakes(&self) -> Vec<Handshake> {
        self.shared.lock().gateway.handshakes.clone()
    }

    /// Returns the most recent IDENTIFY or RESUME.
    pub fn last_handshake(&self) -> Option<Handshake> {
        self.shared.lock().gateway.handshakes.last().cloned()
    }

    /// Waits until at least `count` handshakes were received and returns them all.
    ///
    /// # Errors
    ///
    /// Returns [`WaitTimeout`] when fewer arrive within `timeout`.
    pub async fn wait_for_handshakes(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<Handshake>, WaitTimeout> {
        let found = self
            .shared
            .wait_until(timeout, |state| {
                let handshakes = &state.gateway.handshakes;
                (handshakes.len() >= count).then(|| handshakes.clone())
            })
            .await;
        found.ok_or_else(|| self.timeout_error(&format!("{count} gateway handshakes")))
    }

    /// Returns the `d` of every HEARTBEAT received: the last sequence number the client had.
    pub fn heartbeats(&self) -> Vec<Option<u64>> {
        self.shared.lock().gateway.heartbeats.clone()
    }

    /// Waits until at least `count` heartbeats were received and returns them all.
    ///
    /// # Errors
    ///
    /// Returns [`WaitTimeout`] when fewer arrive within `timeout`.
    pub async fn wait_for_heartbeats(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<Option<u64>>, WaitTimeout> {
        let found = self
            .shared
            .wait_until(timeout, |state| {
                let heartbeats = &state.gateway.heartbeats;
                (heartbeats.len() >= count).then(|| heartbeats.clone())
            })
            .await;
        found.ok_or_else(|| self.timeout_error(&format!("{count} heartbeats")))
    }

    /// Returns every gateway payload received from the client, with tokens redacted.
    pub fn gateway_payloads(&self) -> Vec<Value> {
        self.shared.lock().gateway.received.clone()
    }

    /// Returns how many websocket connections the gateway accepted.
    pub fn gateway_connections(&self) -> u64 {
        self.shared.lock().gateway.connections
    }

    /// Sends a dispatch (op 0) with the next sequence number to the session.
    ///
    /// Waits for the client's first IDENTIFY if there is no session yet. While the client is
    /// reconnecting the event is kept and delivered by the replay after RESUME. Interactions and
    /// messages are remembered, so the bot's callbacks and edits find them. Returns the sequence
    /// number, or `None` when the session's intents exclude the event.
    ///
    /// # Panics
    ///
    /// Panics when no session starts within 10 seconds.
    pub async fn dispatch(&self, event_name: &str, data: Value) -> Option<u64> {
        let session = self
            .shared
            .wait_until(SESSION_WAIT, |state| {
                state.gateway.session.as_ref().map(|_| ())
            })
            .await;
        assert!(
            session.is_some(),
            "no gateway session within {SESSION_WAIT:?}: start the client before dispatching {event_name}"
        );
        self.shared.update(|state| {
            remember(state, event_name, &data);
            gateway::emit(&self.shared, state, event_name, data)
        })
    }

    /// Sends RECONNECT (op 7) to the connected client, which should then RESUME on a new
    /// connection. Returns false when no client is connected.
    pub fn force_reconnect(&self) -> bool {
        self.shared.update(gateway::request_reconnect)
    }

    /// Returns a stored message as the fake last returned it.
    pub fn message(&self, message_id: u64) -> Option<Value> {
        self.shared.lock().messages.get(&message_id).cloned()
    }

    /// Returns a channel the fake stores: the text channel, created threads, DM channels of
    /// dispatched interactions.
    pub fn channel(&self, channel_id: u64) -> Option<Value> {
        self.shared.lock().channels.get(&channel_id).cloned()
    }

    /// Returns the registered commands: global for `None`, else those of the guild.
    pub fn commands(&self, guild_id: Option<u64>) -> Vec<Value> {
        let state = self.shared.lock();
        state.commands.get(&guild_id).cloned().unwrap_or_default()
    }
}

/// Remembers the objects a dispatch introduces, so that later REST calls about them succeed.
fn remember(state: &mut State, event_name: &str, data: &Value) {
    match event_name {
        "INTERACTION_CREATE" => remember_interaction(state, data),
        "MESSAGE_CREATE" => {
            let id = rest::id_of(data, "id");
            state.messages.insert(id, data.clone());
        }
        _ => {}
    }
}

fn remember_interaction(state: &mut State, data: &Value) {
    if let Some(channel) = data.get("channel").filter(|channel| channel.is_object()) {
        let channel_id = rest::id_of(channel, "id");
        state
            .channels
            .entry(channel_id)
            .or_insert_with(|| channel.clone());
    }
    let source_message_id = data.get("message").map(|message| {
        let id = rest::id_of(message, "id");
        state.messages.entry(id).or_insert_with(|| message.clone());
        id
    });
    let Some(token) = data["token"].as_str() else {
        return;
    };
    let record = InteractionRecord {
        id: rest::id_of(data, "id"),
        kind: data["type"].as_u64().unwrap_or_default(),
        channel_id: rest::id_of(data, "channel_id"),
        dispatched_at: Instant::now(),
        response_type: None,
        original_message_id: None,
        source_message_id,
        followup_ids: Vec::new(),
    };
    state.interactions.insert(token.to_string(), record);
}
