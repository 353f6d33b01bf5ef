//! The serenity event handler: registers the command at ready, starts the check-in scheduler
//! once, and hands interactions and typed answers to the engine.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serenity::all::{
    Context, EventHandler, GuildId, Interaction, Message as DiscordMessage, Ready,
};
use serenity::async_trait;
use tokio::sync::watch;
use tracing::{debug, error, info, info_span, warn, Instrument};

use super::commands;
use super::deliver::log_failure;
use super::map::{self, Origin};
use super::poster::{self, DiscordPoster};
use super::render;
use crate::answer::AnswerValue;
use crate::checkins::{Scheduler, SystemClock};
use crate::config::DiscordConfig;
use crate::engine::{Command, Effect, Engine, Visibility, Walk};

pub struct Handler {
    pub engine: Arc<Engine>,
    pub config: DiscordConfig,
    pub shutdown: watch::Receiver<bool>,
    scheduler_started: AtomicBool,
    empty_content_warned: AtomicBool,
}

impl Handler {
    pub fn new(
        engine: Arc<Engine>,
        config: DiscordConfig,
        shutdown: watch::Receiver<bool>,
    ) -> Handler {
        Handler {
            engine,
            config,
            shutdown,
            scheduler_started: AtomicBool::new(false),
            empty_content_warned: AtomicBool::new(false),
        }
    }
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        info!(user = %ready.user.name, application = %ready.application.id, guilds = ready.guilds.len(), "connected to Discord");
        self.register_commands(&ctx).await;
        if !self.scheduler_started.swap(true, Ordering::SeqCst) {
            let poster = Arc::new(DiscordPoster::new(ctx.http.clone(), self.engine.content()));
            let scheduler = Scheduler::new(self.engine.clone(), poster, Arc::new(SystemClock));
            tokio::spawn(scheduler.run(self.engine.checkin_changed(), self.shutdown.clone()));
            info!("check-in scheduler started");
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            // Every command gets a reply, a stale one of another name too, so Discord never
            // shows "The application did not respond".
            Interaction::Command(command) => {
                let sub = command.data.options.first().map_or("", |o| o.name.as_str());
                let span = info_span!("command", interaction = %command.id, guild = ?command.guild_id, channel = %command.channel_id, user = %command.user.id, command = %sub);
                self.on_command(&ctx, &command).instrument(span).await;
            }
            Interaction::Component(component) => {
                let span = info_span!("component", interaction = %component.id, guild = ?component.guild_id, channel = %component.channel_id, user = %component.user.id, custom_id = %component.data.custom_id);
                self.on_component(&ctx, &component).instrument(span).await;
            }
            Interaction::Modal(modal) => {
                let span = info_span!("modal", interaction = %modal.id, guild = ?modal.guild_id, channel = %modal.channel_id, user = %modal.user.id, custom_id = %modal.data.custom_id);
                self.on_modal(&ctx, &modal).instrument(span).await;
            }
            other => {
                debug!(interaction = %other.id(), kind = ?other.kind(), "an interaction of another kind was ignored")
            }
        }
    }

    async fn message(&self, ctx: Context, message: DiscordMessage) {
        if message.author.bot || !self.config.message_content {
            return;
        }
        if map::typed_text(&message).is_none() {
            if !self.empty_content_warned.swap(true, Ordering::SeqCst) {
                warn!(message = %message.id, channel = %message.channel_id, "a message arrived without text, so it is not an answer; a message with only an attachment or a sticker has none, but if typed answers never count, switch on the Message Content intent in the Developer Portal or set discord.message_content = false (this warning is logged once)");
            }
            return;
        }
        let span = info_span!("message", message = %message.id, guild = ?message.guild_id, channel = %message.channel_id, user = %message.author.id);
        self.on_message(&ctx, &message).instrument(span).await;
    }
}

impl Handler {
    /// Registers the command in each configured guild (bulk overwrite, at once) and, when
    /// configured, globally.
    async fn register_commands(&self, ctx: &Context) {
        let definition = commands::definition(self.engine.content());
        for guild in &self.config.guilds {
            let guild = GuildId::new(*guild);
            match guild
                .set_commands(&ctx.http, vec![definition.clone()])
                .await
            {
                Ok(_) => info!(guild = %guild, "slash commands registered"),
                Err(error) => {
                    warn!(guild = %guild, error = %error, "registering slash commands failed")
                }
            }
        }
        if self.config.register_globally {
            let commands = vec![definition];
            match serenity::all::Command::set_global_commands(&ctx.http, commands).await {
                Ok(_) => info!("global slash commands registered"),
                Err(error) => warn!(error = %error, "registering global slash commands failed"),
            }
        }
        if self.config.guilds.is_empty() && !self.config.register_globally {
            warn!("no slash commands registered: set discord.guilds or discord.register_globally");
        }
    }

    /// Records a typed message as the answer to the question the channel walk shows, when it
    /// parses as one; other chat is left alone.
    async fn on_message(&self, ctx: &Context, message: &DiscordMessage) {
        let origin = Origin::of_message(message);
        let Ok(Some(id)) = self.engine.store().binding(&origin.place()) else {
            return;
        };
        let Ok(Some(state)) = self.engine.state(id).await else {
            return;
        };
        let questions = &self.engine.content().questionnaire.questions;
        let Some(question) = questions.get(state.trajectory.channel_position) else {
            return;
        };
        let Some(text) = map::typed_text(message) else {
            return;
        };
        if AnswerValue::parse(question, text).is_err() {
            return;
        }
        let command = Command::AnswerText {
            question: Some(question.id.clone()),
            text: text.to_string(),
            walk: Walk::Channel,
        };
        let effects = match self.engine.handle(origin.input(Some(id), command)).await {
            Ok(effects) => effects,
            Err(error) => {
                error!(trajectory = %id, error = %error, "storing a typed answer failed");
                return;
            }
        };
        let content = self.engine.content();
        for effect in effects {
            // A message has no ephemeral reply: private confirmations are not posted.
            if let Effect::Reply {
                visibility: Visibility::Private,
                ..
            } = effect
            {
                continue;
            }
            let lang = state.trajectory.lang;
            for outgoing in render::render(content, lang, Some(id), effect.message()) {
                let result = poster::send(&ctx.http, message.channel_id, &outgoing).await;
                log_failure(result, &origin, Some(id), "send");
            }
        }
    }
}
