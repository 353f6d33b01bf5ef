//! The bot on Discord, with serenity: slash commands, buttons, menus and modals mapped to
//! engine inputs, and engine effects rendered as embeds and components.
//!
//! Nothing here touches sled: bindings and state are read through the engine. Component custom
//! ids carry the trajectory, so a press needs only its id and the stored state, also after a
//! restart.

pub mod commands;
pub mod components;
pub mod custom_id;
mod deliver;
mod handler;
mod interactions;
pub mod map;
pub mod poster;
pub mod render;
pub mod reply;
pub mod split;

use std::sync::Arc;

use serenity::all::{ClientBuilder, GatewayIntents, ShardManager};
use serenity::http::HttpBuilder;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{error, info, warn};

pub use commands::{definition as command_definition, parse as parse_command, Invocation};
pub use handler::Handler;

use crate::config::DiscordConfig;
use crate::engine::Engine;

#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error("no Discord bot token: set DISCORD_TOKEN or discord.token in the config file (Developer Portal, Bot tab)")]
    MissingToken,
    #[error("the Discord client could not be built: {0}")]
    Client(#[from] serenity::Error),
    #[error("the local Discord stand-in at {url} did not work: {problem}; start it first, or remove discord.api_url to use Discord")]
    StandIn { url: String, problem: String },
}

/// Returns the gateway intents: guilds only, plus messages with content when typed answers
/// are enabled (a privileged intent that must be switched on in the Developer Portal).
pub fn intents(config: &DiscordConfig) -> GatewayIntents {
    let mut intents = GatewayIntents::GUILDS;
    if config.message_content {
        intents |= GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    }
    intents
}

/// How long [`RunningBot::stop`] waits for the client to end.
const STOP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Asks the stand-in for its gateway URL and checks that it is a loopback address, so that
/// with `api_url` set no traffic can reach any other host.
async fn stand_in_gateway(http: &serenity::http::Http, url: &str) -> Result<String, DiscordError> {
    let fail = |problem: String| DiscordError::StandIn {
        url: url.to_string(),
        problem,
    };
    let gateway = http
        .get_gateway()
        .await
        .map_err(|e| fail(format!("the gateway request failed: {e}")))?;
    let as_http = gateway.url.replacen("ws://", "http://", 1);
    if !crate::config::is_loopback_url(&as_http) {
        return Err(fail(format!(
            "it named the gateway {:?}, which is not a loopback ws:// URL",
            gateway.url
        )));
    }
    Ok(gateway.url)
}

/// A connected bot: stop it with [`RunningBot::stop`].
pub struct RunningBot {
    pub shard_manager: Arc<ShardManager>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningBot {
    /// Stops the scheduler and the shards, and waits up to ten seconds for the client to end;
    /// a client still retrying a connection after that is aborted.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        let stopping = async {
            self.shard_manager.shutdown_all().await;
            let _ = (&mut self.task).await;
        };
        if tokio::time::timeout(STOP_TIMEOUT, stopping).await.is_err() {
            warn!("the Discord client did not stop in time; aborting it");
            self.task.abort();
        }
        info!("Discord client stopped");
    }

    /// Waits until the client ends by itself (a fatal gateway error).
    pub async fn wait(&mut self) {
        let _ = (&mut self.task).await;
    }
}

/// Connects the bot and runs it in the background.
///
/// # Errors
/// [`DiscordError::MissingToken`] without a token; a client error when serenity cannot start.
pub async fn start(
    config: &DiscordConfig,
    engine: Arc<Engine>,
) -> Result<RunningBot, DiscordError> {
    if config.token.is_empty() {
        return Err(DiscordError::MissingToken);
    }
    let mut http = HttpBuilder::new(config.token.expose());
    if let Some(url) = &config.api_url {
        // Checked here as well as in config validation, because this function is public and
        // the token goes out with the first request.
        if !crate::config::is_loopback_url(url) {
            return Err(DiscordError::StandIn {
                url: url.clone(),
                problem: "it is not a loopback URL such as \"http://127.0.0.1:8080\"".into(),
            });
        }
        http = http.proxy(url.as_str()).ratelimiter_disabled(true);
    }
    let http = http.build();
    let stand_in_gateway = match &config.api_url {
        Some(url) => Some(stand_in_gateway(&http, url).await?),
        None => None,
    };
    let (shutdown, shutdown_rx) = watch::channel(false);
    let handler = Handler::new(engine, config.clone(), shutdown_rx);
    let mut client = ClientBuilder::new_with_http(http, intents(config))
        .event_handler(handler)
        .await?;
    if let Some(gateway) = stand_in_gateway {
        // serenity falls back to Discord's own gateway when its gateway request fails; the
        // checked URL of the stand-in replaces whatever it found.
        *client.ws_url.lock().await = gateway;
    }
    let shard_manager = client.shard_manager.clone();
    let task = tokio::spawn(async move {
        if let Err(error) = client.start().await {
            error!(error = %error, "the Discord client stopped with an error");
        }
    });
    Ok(RunningBot {
        shard_manager,
        shutdown,
        task,
    })
}
