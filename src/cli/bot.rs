//! `schaalwijzer run`: the Discord bot with its check-in scheduler.

use std::path::Path;
use std::sync::Arc;

use tracing::{info, warn};

use super::{chat, CliError};
use crate::config::Config;
use crate::content::Content;
use crate::discord;
use crate::engine::checkin::CheckinPolicy;
use crate::engine::Engine;
use crate::storage::Store;

pub fn run(content: &'static Content, config: Option<&Path>) -> Result<(), CliError> {
    let config = Config::load(config).map_err(|e| CliError::Invalid(e.to_string()))?;
    if config.discord.token.is_empty() {
        return Err(CliError::Invalid(
            discord::DiscordError::MissingToken.to_string(),
        ));
    }
    let store = chat::open_store(config.storage.db.as_deref())?;
    info!(path = %store.path().display(), trajectories = store.trajectory_count(), "database opened");
    let policy = CheckinPolicy {
        default_zone: config.checkins.timezone.clone(),
        mention_members: config.checkins.mention_members,
        catch_up: jiff::SignedDuration::from_mins(i64::from(config.checkins.catch_up_minutes)),
        ..CheckinPolicy::default()
    };
    let engine = Arc::new(Engine::with_policy(content, store, policy));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        tokio::spawn(prune_events_daily(engine.store().clone()));
        let mut bot = discord::start(&config.discord, engine).await.map_err(|e| CliError::Failed(e.to_string()))?;
        info!("connecting to Discord; stop with Ctrl-C");
        tokio::select! {
            _ = shutdown_signal() => {
                info!("shutdown requested");
                bot.stop().await;
            }
            _ = bot.wait() => {
                return Err(CliError::Failed("the Discord client stopped; see the log above".into()));
            }
        }
        Ok(())
    })
}

/// How long a handled event's id is remembered. Discord redelivers within minutes; a week
/// leaves a wide margin.
const EVENT_RETENTION: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// Removes expired event markers at start-up and then once a day, on a blocking thread.
async fn prune_events_daily(store: Store) {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        interval.tick().await;
        let store = store.clone();
        let cutoff = jiff::Timestamp::now() - EVENT_RETENTION;
        match tokio::task::spawn_blocking(move || store.prune_events(cutoff)).await {
            Ok(Ok(removed)) => info!(removed, "expired event markers pruned"),
            Ok(Err(error)) => warn!(%error, "pruning event markers failed; retrying tomorrow"),
            Err(error) => warn!(%error, "the pruning task stopped; retrying tomorrow"),
        }
    }
}

/// Waits for Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
