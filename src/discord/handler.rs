//! The serenity event handler: registers the command at ready, starts the check-in scheduler
//! once, and turns interactions into engine inputs and the engine's effects into messages.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serenity::all::{
    ActionRowComponent, ChannelId, ChannelType, CommandInteraction, ComponentInteraction,
    ComponentInteractionDataKind, Context, CreateActionRow, CreateInputText,
    CreateInteractionResponse, CreateModal, CreateThread, EventHandler, GuildId, InputTextStyle,
    Interaction, Message as DiscordMessage, ModalInteraction, Ready, User,
};
use serenity::async_trait;
use serenity::builder::Builder;
use tokio::sync::watch;
use tracing::{error, info, info_span, warn, Instrument};

use super::commands;
use super::custom_id::{self, ComponentId, Decoded};
use super::poster::{self, DiscordPoster};
use super::render::{self, Outgoing};
use super::reply::Reply;
use crate::answer::{AnswerValue, MAX_NOTE_CHARS};
use crate::checkins::{Scheduler, SystemClock};
use crate::config::DiscordConfig;
use crate::content::{Content, QuestionKind};
use crate::engine::message::{ActionKind, Effect, Message};
use crate::engine::{Actor, Command, Engine, Input, Place, TrajectoryId, Visibility, Walk};
use crate::i18n::Lang;

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

/// The place, member and event id of an interaction or message.
struct Origin {
    guild: Option<GuildId>,
    channel: ChannelId,
    actor: Actor,
    event_id: String,
}

impl Origin {
    fn new(guild: Option<GuildId>, channel: ChannelId, actor: Actor, event_id: String) -> Origin {
        Origin {
            guild,
            channel,
            actor,
            event_id,
        }
    }

    fn place(&self) -> Place {
        Place {
            platform: "discord".into(),
            scope: self.guild.map(|g| g.to_string()).unwrap_or_default(),
            channel: self.channel.to_string(),
        }
    }

    fn input(&self, trajectory: Option<TrajectoryId>, command: Command) -> Input {
        Input {
            event_id: self.event_id.clone(),
            actor: self.actor.clone(),
            place: self.place(),
            trajectory,
            at: jiff::Timestamp::now(),
            command,
        }
    }
}

fn actor(user: &User, nick: Option<&str>, locale: &str) -> Actor {
    let name = nick
        .or(user.global_name.as_deref())
        .unwrap_or(&user.name)
        .to_string();
    let locale = if locale.starts_with("nl") {
        Some(Lang::Nl)
    } else if locale.starts_with("en") {
        Some(Lang::En)
    } else {
        None
    };
    Actor {
        id: user.id.to_string(),
        name,
        locale,
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
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(command) if command.data.name == commands::NAME => {
                let span = info_span!("command", interaction = %command.id, guild = ?command.guild_id, channel = %command.channel_id, user = %command.user.id);
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
            _ => {}
        }
    }

    async fn message(&self, ctx: Context, message: DiscordMessage) {
        if message.author.bot || !self.config.message_content {
            return;
        }
        if message.content.trim().is_empty() {
            if !self.empty_content_warned.swap(true, Ordering::SeqCst) {
                warn!("messages arrive without content: enable the Message Content intent in the Developer Portal, or set discord.message_content = false");
            }
            return;
        }
        let span = info_span!("message", message = %message.id, guild = ?message.guild_id, channel = %message.channel_id, user = %message.author.id);
        self.on_message(&ctx, &message).instrument(span).await;
    }
}

impl Handler {
    async fn register_commands(&self, ctx: &Context) {
        for guild in &self.config.guilds {
            let guild = GuildId::new(*guild);
            match guild
                .set_commands(&ctx.http, vec![commands::definition()])
                .await
            {
                Ok(_) => info!(guild = %guild, "slash commands registered"),
                Err(error) => {
                    warn!(guild = %guild, error = %error, "registering slash commands failed")
                }
            }
        }
        if self.config.register_globally {
            match serenity::all::Command::set_global_commands(
                &ctx.http,
                vec![commands::definition()],
            )
            .await
            {
                Ok(_) => info!("global slash commands registered"),
                Err(error) => warn!(error = %error, "registering global slash commands failed"),
            }
        }
    }

    fn lang_of(&self, origin: &Origin) -> Lang {
        origin.actor.locale.unwrap_or_default()
    }

    async fn on_command(&self, ctx: &Context, command: &CommandInteraction) {
        let nick = command.member.as_ref().and_then(|m| m.nick.as_deref());
        let event_id = format!("discord-i-{}", command.id);
        let origin = Origin::new(
            command.guild_id,
            command.channel_id,
            actor(&command.user, nick, &command.locale),
            event_id,
        );
        let mut reply = Reply::new(&ctx.http, command.id, &command.token, command.channel_id);
        let invocation = match commands::parse(&command.data.options, self.config.start_in_thread) {
            Ok(invocation) => invocation,
            Err(problem) => {
                let text = self.engine.content().fill(
                    self.lang_of(&origin),
                    "discord.bad_command",
                    &[("problem", &problem)],
                );
                let outgoing = Outgoing {
                    content: text,
                    ..Outgoing::default()
                };
                log_failure(
                    reply.respond(&outgoing, Visibility::Private).await,
                    &origin,
                    None,
                    "reply",
                );
                return;
            }
        };
        let visibility = if invocation.private {
            Visibility::Private
        } else {
            Visibility::Public
        };
        if let Err(error) = reply.defer(visibility).await {
            log_failure(Err(error), &origin, None, "acknowledge");
            return;
        }
        let mut origin = origin;
        if invocation.new_thread {
            match self.open_thread(ctx, &origin, &invocation.command).await {
                Some(thread) => origin.channel = thread,
                None => {
                    let text = self
                        .engine
                        .content()
                        .msg(self.lang_of(&origin), "discord.thread_failed")
                        .to_string();
                    log_failure(
                        reply
                            .send(
                                &Outgoing {
                                    content: text,
                                    ..Outgoing::default()
                                },
                                Visibility::Private,
                            )
                            .await,
                        &origin,
                        None,
                        "reply",
                    );
                    return;
                }
            }
        }
        let input = origin.input(None, invocation.command);
        self.run(ctx, &origin, &mut reply, input).await;
    }

    /// Opens a public thread named after the trajectory; None when Discord refuses.
    async fn open_thread(
        &self,
        ctx: &Context,
        origin: &Origin,
        command: &Command,
    ) -> Option<ChannelId> {
        let Command::Start { name, .. } = command else {
            return None;
        };
        let builder = CreateThread::new(render_thread_name(name)).kind(ChannelType::PublicThread);
        match origin.channel.create_thread(&ctx.http, builder).await {
            Ok(thread) => Some(thread.id),
            Err(error) => {
                warn!(guild = ?origin.guild, channel = %origin.channel, error = %error, "creating the trajectory thread failed");
                None
            }
        }
    }

    async fn on_component(&self, ctx: &Context, component: &ComponentInteraction) {
        let nick = component.member.as_ref().and_then(|m| m.nick.as_deref());
        let event_id = format!("discord-i-{}", component.id);
        let origin = Origin::new(
            component.guild_id,
            component.channel_id,
            actor(&component.user, nick, &component.locale),
            event_id,
        );
        let mut reply = Reply::new(
            &ctx.http,
            component.id,
            &component.token,
            component.channel_id,
        );
        let Some(Decoded {
            trajectory,
            component: kind,
        }) = custom_id::decode(&component.data.custom_id)
        else {
            warn!(custom_id = %component.data.custom_id, "a component with an unknown custom id was pressed");
            log_failure(reply.acknowledge().await, &origin, None, "acknowledge");
            return;
        };
        match &kind {
            ComponentId::NoteButton { walk, question } => {
                let Some(trajectory) = self.resolve(&origin, trajectory) else {
                    log_failure(reply.acknowledge().await, &origin, None, "acknowledge");
                    return;
                };
                return self
                    .open_note_modal(ctx, &origin, &mut reply, trajectory, *walk, question)
                    .await;
            }
            ComponentId::Action(ActionKind::DeleteCancel) => {
                return self.cancel_delete(&origin, &mut reply, trajectory).await;
            }
            _ => {}
        }
        let Some(command) = component_command(self.engine.content(), &kind, &component.data.kind)
        else {
            log_failure(
                reply.acknowledge().await,
                &origin,
                trajectory,
                "acknowledge",
            );
            return;
        };
        // Private presses get an ephemeral "thinking" response; channel presses update nothing.
        let acknowledged = if is_private(&kind, &command) {
            reply.defer(Visibility::Private).await
        } else {
            reply.acknowledge().await
        };
        if let Err(error) = acknowledged {
            log_failure(Err(error), &origin, trajectory, "acknowledge");
            return;
        }
        let input = origin.input(trajectory, command);
        self.run(ctx, &origin, &mut reply, input).await;
    }

    /// Replies to the "cancel" button of a delete confirmation: nothing is deleted.
    async fn cancel_delete(
        &self,
        origin: &Origin,
        reply: &mut Reply<'_>,
        trajectory: Option<TrajectoryId>,
    ) {
        if let Err(error) = reply.defer(Visibility::Private).await {
            log_failure(Err(error), origin, trajectory, "acknowledge");
            return;
        }
        let text = self
            .engine
            .content()
            .msg(self.lang_of(origin), "discord.delete_cancelled")
            .to_string();
        let outgoing = Outgoing {
            content: text,
            ..Outgoing::default()
        };
        log_failure(
            reply.send(&outgoing, Visibility::Private).await,
            origin,
            trajectory,
            "reply",
        );
    }

    /// Returns the trajectory a component names, or else the one bound to its channel.
    fn resolve(&self, origin: &Origin, trajectory: Option<TrajectoryId>) -> Option<TrajectoryId> {
        trajectory.or_else(|| self.engine.store().binding(&origin.place()).ok().flatten())
    }

    async fn open_note_modal(
        &self,
        ctx: &Context,
        origin: &Origin,
        reply: &mut Reply<'_>,
        trajectory: TrajectoryId,
        walk: Walk,
        question: &str,
    ) {
        let state = self.engine.state(trajectory).await.ok().flatten();
        let lang = state
            .as_ref()
            .map(|s| s.trajectory.lang)
            .unwrap_or_else(|| self.lang_of(origin));
        let current = state
            .as_ref()
            .and_then(|s| s.answer(question, &origin.actor.id))
            .and_then(|a| a.note.clone());
        let content = self.engine.content();
        let title = content.fill(lang, "discord.note_title", &[("question", question)]);
        let modal_id = custom_id::encode(
            trajectory,
            &ComponentId::NoteModal {
                walk,
                question: question.to_string(),
            },
        );
        let mut input = CreateInputText::new(
            InputTextStyle::Paragraph,
            content.msg(lang, "discord.note_label"),
            "note",
        )
        .max_length(MAX_NOTE_CHARS as u16)
        .required(true);
        if let Some(note) = current {
            input = input.value(note);
        }
        let modal = CreateModal::new(modal_id, super::split::shorten(&title, 45))
            .components(vec![CreateActionRow::InputText(input)]);
        let result = CreateInteractionResponse::Modal(modal)
            .execute(&ctx.http, (reply.id, &reply.token))
            .await;
        log_failure(result, origin, Some(trajectory), "open note modal");
    }

    async fn on_modal(&self, ctx: &Context, modal: &ModalInteraction) {
        let nick = modal.member.as_ref().and_then(|m| m.nick.as_deref());
        let event_id = format!("discord-i-{}", modal.id);
        let origin = Origin::new(
            modal.guild_id,
            modal.channel_id,
            actor(&modal.user, nick, &modal.locale),
            event_id,
        );
        let mut reply = Reply::new(&ctx.http, modal.id, &modal.token, modal.channel_id);
        let Some(Decoded {
            trajectory,
            component: ComponentId::NoteModal { walk, question },
        }) = custom_id::decode(&modal.data.custom_id)
        else {
            warn!(custom_id = %modal.data.custom_id, "a modal with an unknown custom id was submitted");
            log_failure(reply.acknowledge().await, &origin, None, "acknowledge");
            return;
        };
        let text = modal
            .data
            .components
            .iter()
            .flat_map(|row| row.components.iter())
            .find_map(|component| match component {
                ActionRowComponent::InputText(input) => input.value.clone(),
                _ => None,
            })
            .unwrap_or_default();
        if let Err(error) = reply.defer(Visibility::Private).await {
            log_failure(Err(error), &origin, trajectory, "acknowledge");
            return;
        }
        let input = origin.input(
            trajectory,
            Command::Note {
                question: Some(question),
                text,
                walk,
            },
        );
        self.run(ctx, &origin, &mut reply, input).await;
    }

    async fn on_message(&self, ctx: &Context, message: &DiscordMessage) {
        let nick = message.member.as_ref().and_then(|m| m.nick.as_deref());
        let event_id = format!("discord-m-{}", message.id);
        let origin = Origin::new(
            message.guild_id,
            message.channel_id,
            actor(&message.author, nick, ""),
            event_id,
        );
        // Only text that answers the question the channel walk shows counts; other chat is left alone.
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
        if AnswerValue::parse(question, &message.content).is_err() {
            return;
        }
        let command = Command::AnswerText {
            question: Some(question.id.clone()),
            text: message.content.clone(),
            walk: Walk::Channel,
        };
        match self.engine.handle(origin.input(Some(id), command)).await {
            Ok(effects) => {
                for effect in effects {
                    let lang = state.trajectory.lang;
                    for outgoing in
                        render::render(self.engine.content(), lang, Some(id), effect.message())
                    {
                        log_failure(
                            poster::send(&ctx.http, message.channel_id, &outgoing).await,
                            &origin,
                            Some(id),
                            "send",
                        );
                    }
                }
            }
            Err(error) => error!(trajectory = %id, error = %error, "storing a typed answer failed"),
        }
    }

    /// Hands the input to the engine and delivers its effects.
    async fn run(&self, ctx: &Context, origin: &Origin, reply: &mut Reply<'_>, input: Input) {
        let effects = match self.engine.handle(input).await {
            Ok(effects) => effects,
            Err(error) => {
                error!(guild = ?origin.guild, channel = %origin.channel, error = %error, "the engine failed; nothing was stored");
                let text = self
                    .engine
                    .content()
                    .msg(self.lang_of(origin), "error.internal")
                    .to_string();
                log_failure(
                    reply
                        .send(
                            &Outgoing {
                                content: text,
                                ..Outgoing::default()
                            },
                            Visibility::Private,
                        )
                        .await,
                    origin,
                    None,
                    "reply",
                );
                return;
            }
        };
        for effect in &effects {
            self.deliver(ctx, origin, reply, effect).await;
        }
        let done = self
            .engine
            .content()
            .msg(self.lang_of(origin), "discord.done")
            .to_string();
        log_failure(reply.finish(&done).await, origin, None, "finish");
    }

    async fn deliver(
        &self,
        ctx: &Context,
        origin: &Origin,
        reply: &mut Reply<'_>,
        effect: &Effect,
    ) {
        let content = self.engine.content();
        match effect {
            Effect::Reply {
                trajectory,
                visibility,
                message,
            } => {
                let lang = self.effect_lang(*trajectory, origin).await;
                for outgoing in render::render(content, lang, *trajectory, message) {
                    log_failure(
                        reply.send(&outgoing, *visibility).await,
                        origin,
                        *trajectory,
                        "reply",
                    );
                }
            }
            Effect::Post {
                trajectory,
                message,
            } => {
                if !self.post(ctx, origin, *trajectory, message).await {
                    let lang = self.effect_lang(Some(*trajectory), origin).await;
                    let text = content.msg(lang, "discord.post_failed").to_string();
                    let outgoing = Outgoing {
                        content: text,
                        ..Outgoing::default()
                    };
                    log_failure(
                        reply.send(&outgoing, Visibility::Private).await,
                        origin,
                        Some(*trajectory),
                        "reply",
                    );
                }
            }
        }
    }

    /// Posts to the trajectory's channel; returns false when Discord rejected a message.
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
        let mut delivered = true;
        for outgoing in render::render(self.engine.content(), lang, Some(trajectory), message) {
            let result = poster::send(&ctx.http, channel, &outgoing).await;
            delivered &= result.is_ok();
            log_failure(result, origin, Some(trajectory), "post");
        }
        delivered
    }

    async fn effect_lang(&self, trajectory: Option<TrajectoryId>, origin: &Origin) -> Lang {
        match trajectory {
            Some(id) => self
                .engine
                .state(id)
                .await
                .ok()
                .flatten()
                .map_or_else(|| self.lang_of(origin), |s| s.trajectory.lang),
            None => self.lang_of(origin),
        }
    }
}

/// True when a press belongs to the member's own walk or a confirmation only they see.
fn is_private(kind: &ComponentId, command: &Command) -> bool {
    let private_action = matches!(
        kind,
        ComponentId::Action(
            ActionKind::PrivateWalk | ActionKind::DeleteConfirm | ActionKind::DeleteCancel
        )
    );
    let private_walk = matches!(
        command,
        Command::Answer {
            walk: Walk::Private,
            ..
        } | Command::AnswerText {
            walk: Walk::Private,
            ..
        } | Command::Next {
            walk: Walk::Private
        } | Command::Back {
            walk: Walk::Private
        } | Command::Skip {
            walk: Walk::Private
        }
    );
    private_action || private_walk
}

/// Maps a pressed component to an engine command.
fn component_command(
    content: &Content,
    kind: &ComponentId,
    data: &ComponentInteractionDataKind,
) -> Option<Command> {
    match (kind, data) {
        (
            ComponentId::Answer {
                walk,
                question,
                value,
            },
            _,
        ) => {
            let is_scale = content
                .questionnaire
                .question(question)
                .is_some_and(|q| matches!(q.kind, QuestionKind::Scale(_)));
            let value = match value.parse::<u8>() {
                Ok(step) if is_scale => AnswerValue::Scale(step),
                _ => AnswerValue::Choice(value.clone()),
            };
            Some(Command::Answer {
                question: Some(question.clone()),
                value,
                walk: *walk,
            })
        }
        (
            ComponentId::Select { walk, question },
            ComponentInteractionDataKind::StringSelect { values },
        ) => Some(Command::AnswerText {
            question: Some(question.clone()),
            text: values.join(","),
            walk: *walk,
        }),
        (ComponentId::Action(action), _) => Some(match action {
            ActionKind::Next(walk) => Command::Next { walk: *walk },
            ActionKind::Back(walk) => Command::Back { walk: *walk },
            ActionKind::Skip(walk) => Command::Skip { walk: *walk },
            ActionKind::PrivateWalk => Command::Show {
                walk: Walk::Private,
            },
            ActionKind::Result => Command::Result,
            ActionKind::Status => Command::Status,
            ActionKind::DeleteConfirm => Command::Delete { confirmed: true },
            ActionKind::DeleteCancel => return None,
        }),
        _ => None,
    }
}

fn render_thread_name(name: &str) -> String {
    super::split::shorten(&format!("Schaalwijzer: {name}"), 100)
}

/// Logs a failed Discord call with the ids involved; the bot goes on serving.
fn log_failure(
    result: serenity::Result<()>,
    origin: &Origin,
    trajectory: Option<TrajectoryId>,
    what: &str,
) {
    if let Err(error) = result {
        warn!(guild = ?origin.guild, channel = %origin.channel, trajectory = ?trajectory, event = %origin.event_id, error = %error, "Discord call failed: {what}");
    }
}
