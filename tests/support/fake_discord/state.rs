//! State shared by the REST server, the gateway and the test's handle.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::sync::{mpsc, watch};

use super::record::{Handshake, InjectedFailure, RecordedRequest};

/// Start of Discord's snowflake clock, 2015-01-01T00:00:00Z, in Unix milliseconds.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Ids of the objects the fake creates at start.
#[derive(Clone, Copy, Debug)]
pub struct Ids {
    pub application: u64,
    pub bot_user: u64,
    pub guild: u64,
    pub text_channel: u64,
    /// A human member of the test guild, the default author of test payloads.
    pub test_user: u64,
}

/// Settings chosen before start.
#[derive(Clone, Debug)]
pub struct Config {
    pub token: String,
    pub heartbeat_interval: Duration,
    pub compress_payloads: bool,
    pub interaction_deadline: Duration,
}

/// A frame queued for one gateway connection.
pub enum Frame {
    /// A payload, zlib-compressed when `compress` is set.
    Payload { text: String, compress: bool },
    /// A close frame with a Discord close code.
    Close { code: u16, reason: &'static str },
}

/// The connection that currently receives a session's events.
pub struct Outbound {
    pub connection: u64,
    pub sender: mpsc::UnboundedSender<Frame>,
}

/// A gateway session, which outlives its connection so that a RESUME can continue it.
pub struct Session {
    pub id: String,
    pub intents: u64,
    pub compress: bool,
    /// Sequence number of the last event sent; the next one gets `last_seq + 1`.
    pub last_seq: u64,
    /// Every dispatch of the session as `(seq, payload text)`, for replay on RESUME.
    pub events: Vec<(u64, String)>,
    /// None while no connection is attached, e.g. after RECONNECT until the RESUME.
    pub outbound: Option<Outbound>,
}

#[derive(Default)]
pub struct GatewayState {
    pub session: Option<Session>,
    pub handshakes: Vec<Handshake>,
    /// The `d` of every HEARTBEAT: the last sequence number the client had seen.
    pub heartbeats: Vec<Option<u64>>,
    /// Every payload received, with any token replaced by `<redacted>`.
    pub received: Vec<Value>,
    pub connections: u64,
}

/// An interaction dispatched to the bot, tracked so that callbacks and webhooks can be checked.
pub struct InteractionRecord {
    pub id: u64,
    /// Interaction type: 2 command, 3 component, 4 autocomplete, 5 modal submit.
    pub kind: u64,
    pub channel_id: u64,
    pub dispatched_at: Instant,
    /// Callback type of the first response, once the bot responded.
    pub response_type: Option<u64>,
    pub original_message_id: Option<u64>,
    /// The message a component was attached to.
    pub source_message_id: Option<u64>,
    pub followup_ids: Vec<u64>,
}

#[derive(Default)]
pub struct State {
    pub requests: Vec<RecordedRequest>,
    pub failures: Vec<InjectedFailure>,
    pub channels: HashMap<u64, Value>,
    pub messages: HashMap<u64, Value>,
    /// Interactions by token.
    pub interactions: HashMap<String, InteractionRecord>,
    /// Registered commands by scope: `None` for global, `Some(guild_id)` for a guild.
    pub commands: HashMap<Option<u64>, Vec<Value>>,
    /// Uploaded file contents by attachment URL path.
    pub files: HashMap<String, Vec<u8>>,
    pub gateway: GatewayState,
}

pub struct Shared {
    pub ids: Ids,
    pub config: Config,
    pub rest_url: String,
    pub ws_url: String,
    /// When the bot joined the test guild, as a Discord timestamp.
    pub joined_at: String,
    snowflake_counter: AtomicU64,
    state: Mutex<State>,
    changes: watch::Sender<u64>,
}

impl Shared {
    pub fn new(config: Config, rest_url: String, ws_url: String) -> Self {
        let (changes, _) = watch::channel(0);
        let mut shared = Self {
            ids: Ids {
                application: 0,
                bot_user: 0,
                guild: 0,
                text_channel: 0,
                test_user: 0,
            },
            config,
            rest_url,
            ws_url,
            joined_at: super::payloads::timestamp_now(),
            snowflake_counter: AtomicU64::new(0),
            state: Mutex::new(State::default()),
            changes,
        };
        shared.ids = Ids {
            application: shared.snowflake(),
            bot_user: shared.snowflake(),
            guild: shared.snowflake(),
            text_channel: shared.snowflake(),
            test_user: shared.snowflake(),
        };
        shared
    }

    /// Returns a fresh snowflake: the current time since Discord's epoch in the high bits and a
    /// per-fake counter in the low 22 bits, so ids are unique and increase.
    pub fn snowflake(&self) -> u64 {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis() as u64);
        let counter = self.snowflake_counter.fetch_add(1, Ordering::Relaxed) & 0x3F_FFFF;
        (now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22) | counter
    }

    /// Locks the state without waking waiters: for reads.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `change` on the locked state, then wakes every waiter.
    pub fn update<T>(&self, change: impl FnOnce(&mut State) -> T) -> T {
        let result = change(&mut self.lock());
        self.changes.send_modify(|version| *version += 1);
        result
    }

    /// Waits until `check` returns `Some`, re-checking after each state change. Returns `None`
    /// when `timeout` passes first.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        check: impl Fn(&State) -> Option<T>,
    ) -> Option<T> {
        let mut changes = self.changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            changes.borrow_and_update();
            if let Some(found) = check(&self.lock()) {
                return Some(found);
            }
            let changed = tokio::time::timeout_at(deadline, changes.changed()).await;
            if !matches!(changed, Ok(Ok(()))) {
                return check(&self.lock());
            }
        }
    }
}
