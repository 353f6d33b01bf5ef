//! Runs an input through the engine and delivers its effects: replies on the interaction,
//! posts in the trajectory's channel. The engine has stored the outcome before anything is
//! sent, so a failed send loses no answer; it is logged at warn and the bot goes on serving.

use serenity::all::Context;
use tracing::{error, warn};

use super::handler::Handler;
use super::map::Origin;
use super::poster::{self, classify};
use super::render;
use super::reply::Reply;
use crate::engine::message::Message;
use crate::engine::{Effect, Input, TrajectoryId};
use crate::i18n::Lang;
use crate::platform::PostError;

impl Handler {
    /// Hands the input to the engine and delivers its effects.
    pub(super) async fn run(
        &self,
        ctx: &Context,
        origin: &Origin,
        reply: &mut Reply<'_>,
        input: Input,
    ) {
        let trajectory = input.trajectory;
        let effects = match self.engine.handle(input).await {
            Ok(effects) => effects,
            Err(error) => {
                error!(guild = ?origin.guild, channel = %origin.channel, trajectory = ?trajectory, event = %origin.event_id, error = %error, "the engine failed; nothing was stored");
                self.notify(reply, origin, "error.internal").await;
                self.finish(reply, origin).await;
                return;
            }
        };
        let mut post_failed = false;
        for effect in &effects {
            post_failed |= !self.deliver(ctx, origin, reply, effect).await;
        }
        if post_failed {
            self.notify(reply, origin, "discord.post_failed").await;
        }
        self.finish(reply, origin).await;
    }

    /// Closes a deferred response that no reply filled.
    pub(super) async fn finish(&self, reply: &mut Reply<'_>, origin: &Origin) {
        let done = self
            .engine
            .content()
            .msg(self.lang_of(origin), "discord.done");
        log_failure(reply.finish(done).await, origin, None, "finish");
    }

    /// Delivers one effect; returns false when a post to the trajectory's channel failed.
    async fn deliver(
        &self,
        ctx: &Context,
        origin: &Origin,
        reply: &mut Reply<'_>,
        effect: &Effect,
    ) -> bool {
        match effect {
            Effect::Reply {
                trajectory,
                visibility,
                message,
            } => {
                let lang = self.effect_lang(*trajectory, origin).await;
                let content = self.engine.content();
                for outgoing in render::render(content, lang, *trajectory, message) {
                    let result = reply.send(&outgoing, *visibility).await;
                    log_failure(result, origin, *trajectory, "reply");
                }
                true
            }
            Effect::Post {
                trajectory,
                message,
            } => self.post(ctx, origin, *trajectory, message).await,
        }
    }

    /// Posts to the trajectory's channel; returns false when Discord rejected a message. A
    /// missing channel or permission stops the rest of the post, which would fail the same way.
    async fn post(
        &self,
        ctx: &Context,
        origin: &Origin,
        trajectory: TrajectoryId,
        message: &Message,
    ) -> bool {
        let state = self.engine.state(trajectory).await.ok().flatten();
        let channel = state
            .as_ref()
            .and_then(|s| poster::channel_id(&s.trajectory.place.channel))
            .unwrap_or(origin.channel);
        let lang = state
            .as_ref()
            .map(|s| s.trajectory.lang)
            .unwrap_or_default();
        let content = self.engine.content();
        let mut delivered = true;
        for outgoing in render::render(content, lang, Some(trajectory), message) {
            let Err(error) = poster::send(&ctx.http, channel, &outgoing).await else {
                continue;
            };
            delivered = false;
            let class = classify(&error, &channel.to_string());
            warn!(guild = ?origin.guild, channel = %channel, trajectory = %trajectory, event = %origin.event_id, error = %error, class = ?class, "posting to the trajectory's channel failed");
            if !matches!(class, PostError::Temporary(_)) {
                break;
            }
        }
        delivered
    }

    async fn effect_lang(&self, trajectory: Option<TrajectoryId>, origin: &Origin) -> Lang {
        let Some(id) = trajectory else {
            return self.lang_of(origin);
        };
        match self.engine.state(id).await {
            Ok(Some(state)) => state.trajectory.lang,
            _ => self.lang_of(origin),
        }
    }
}

/// Logs a failed Discord call with the ids involved; the bot goes on serving.
pub(super) fn log_failure(
    result: serenity::Result<()>,
    origin: &Origin,
    trajectory: Option<TrajectoryId>,
    what: &str,
) {
    if let Err(error) = result {
        warn!(guild = ?origin.guild, channel = %origin.channel, trajectory = ?trajectory, event = %origin.event_id, error = %error, "Discord call failed: {what}");
    }
}
