//! Slash commands, component presses and modal submits: each is acknowledged within Discord's
//! three seconds, then handed to the engine.

use serenity::all::{
    ChannelId, ChannelType, CommandInteraction, ComponentInteraction, Context, CreateThread,
    ModalInteraction,
};
use tracing::{debug, info, warn};

use super::components::{self, NoteForm};
use super::custom_id::{ComponentId, Decoded};
use super::deliver::log_failure;
use super::handler::Handler;
use super::map::{self, Origin};
use super::render::Outgoing;
use super::reply::Reply;
use super::split::shorten;
use crate::answer::MAX_NOTE_CHARS;
use crate::engine::message::ActionKind;
use crate::engine::{Command, TrajectoryId, Visibility, Walk};
use crate::i18n::Lang;

/// Discord's maximum length of a channel or thread name.
const THREAD_NAME: usize = 100;

impl Handler {
    pub(super) fn lang_of(&self, origin: &Origin) -> Lang {
        origin.actor.locale.unwrap_or_default()
    }

    /// Sends a private notice with the message `key`, logging a failure.
    pub(super) async fn notify(&self, reply: &mut Reply<'_>, origin: &Origin, key: &str) {
        let text = self.engine.content().msg(self.lang_of(origin), key);
        let result = reply.send(&Outgoing::text(text), Visibility::Private).await;
        log_failure(result, origin, None, "reply");
    }

    pub(super) async fn on_command(&self, ctx: &Context, command: &CommandInteraction) {
        let mut origin = Origin::of_command(command);
        let mut reply = Reply::new(&ctx.http, command.id, &command.token, command.channel_id);
        let invocation = match map::invocation(command, self.config.start_in_thread) {
            Ok(invocation) => invocation,
            Err(problem) => {
                warn!(guild = ?origin.guild, channel = %origin.channel, event = %origin.event_id, %problem, "a command could not be read; its registration may be outdated");
                let lang = self.lang_of(&origin);
                let text = self
                    .engine
                    .content()
                    .msg(lang, "discord.bad_command")
                    .to_string();
                let result = reply
                    .message(&Outgoing::text(text), Visibility::Private)
                    .await;
                log_failure(result, &origin, None, "reply");
                return;
            }
        };
        debug!(command = invocation.command.name(), "slash command");
        let visibility = if invocation.private {
            Visibility::Private
        } else {
            Visibility::Public
        };
        if let Err(error) = reply.defer(visibility).await {
            log_failure(Err(error), &origin, None, "acknowledge");
            return;
        }
        if invocation.new_thread {
            let thread = match self.open_thread(ctx, &origin, &invocation.command).await {
                Ok(thread) => thread,
                Err(key) => {
                    self.notify(&mut reply, &origin, key).await;
                    self.finish(&mut reply, &origin).await;
                    return;
                }
            };
            origin.channel = thread;
            reply.redirect(thread);
        }
        let input = origin.input(None, invocation.command);
        self.run(ctx, &origin, &mut reply, input).await;
    }

    /// Opens a public thread named after the trajectory. When Discord rejects it, returns
    /// the key of the message that explains the cause to the member.
    async fn open_thread(
        &self,
        ctx: &Context,
        origin: &Origin,
        command: &Command,
    ) -> Result<ChannelId, &'static str> {
        let Command::Start { name, .. } = command else {
            return Err("discord.thread_failed");
        };
        let lang = self.lang_of(origin);
        let title = self
            .engine
            .content()
            .fill(lang, "discord.thread_name", &[("name", name)]);
        let builder =
            CreateThread::new(shorten(&title, THREAD_NAME)).kind(ChannelType::PublicThread);
        match origin.channel.create_thread(&ctx.http, builder).await {
            Ok(thread) => {
                info!(guild = ?origin.guild, channel = %origin.channel, thread = %thread.id, "trajectory thread created");
                Ok(thread.id)
            }
            Err(error) => {
                warn!(guild = ?origin.guild, channel = %origin.channel, event = %origin.event_id, error = %error, "creating the trajectory thread failed");
                Err(thread_failure_key(&error))
            }
        }
    }

    /// Resolves the trajectory of a press or submit: the one its custom id names, else the one
    /// bound to the channel. None when neither exists, and the engine then replies that no
    /// trajectory runs in the channel.
    fn resolve(&self, origin: &Origin, trajectory: Option<TrajectoryId>) -> Option<TrajectoryId> {
        trajectory.or_else(|| self.bound_trajectory(origin))
    }

    fn bound_trajectory(&self, origin: &Origin) -> Option<TrajectoryId> {
        match self.engine.store().binding(&origin.place()) {
            Ok(bound) => bound,
            Err(error) => {
                warn!(guild = ?origin.guild, channel = %origin.channel, event = %origin.event_id, error = %error, "reading the channel's trajectory binding failed");
                None
            }
        }
    }

    pub(super) async fn on_component(&self, ctx: &Context, component: &ComponentInteraction) {
        let origin = Origin::of_component(component);
        let mut reply = Reply::new(
            &ctx.http,
            component.id,
            &component.token,
            component.channel_id,
        );
        let Some(Decoded {
            trajectory,
            component: kind,
        }) = map::decode_component(component)
        else {
            warn!(custom_id = %component.data.custom_id, "a component with an unknown custom id was pressed");
            log_failure(reply.acknowledge().await, &origin, None, "acknowledge");
            return;
        };
        let trajectory = self.resolve(&origin, trajectory);
        match &kind {
            ComponentId::NoteButton { walk, question } => {
                let note = (trajectory, *walk, question.as_str());
                self.open_note_modal(&origin, &mut reply, note).await;
            }
            ComponentId::Action(ActionKind::DeleteCancel) => {
                let text = self
                    .engine
                    .content()
                    .msg(self.lang_of(&origin), "discord.delete_cancelled");
                let result = reply.update(&Outgoing::text(text)).await;
                log_failure(result, &origin, trajectory, "update");
            }
            _ => {
                self.on_press(ctx, &origin, &mut reply, trajectory, &kind, component)
                    .await
            }
        }
    }

    /// Runs a button or menu press through the engine, acknowledged privately where its reply
    /// is for the member alone.
    async fn on_press(
        &self,
        ctx: &Context,
        origin: &Origin,
        reply: &mut Reply<'_>,
        trajectory: Option<TrajectoryId>,
        kind: &ComponentId,
        component: &ComponentInteraction,
    ) {
        let content = self.engine.content();
        let Some(command) = map::component_command(content, kind, &component.data.kind) else {
            warn!(custom_id = %component.data.custom_id, "a press did not match its component");
            log_failure(reply.acknowledge().await, origin, trajectory, "acknowledge");
            return;
        };
        let acknowledged = if map::replies_privately(kind, &command) {
            reply.defer(Visibility::Private).await
        } else {
            reply.acknowledge().await
        };
        if let Err(error) = acknowledged {
            log_failure(Err(error), origin, trajectory, "acknowledge");
            return;
        }
        let input = origin.input(trajectory, command);
        self.run(ctx, origin, reply, input).await;
    }

    /// Opens the note form, prefilled with the member's current note on the question.
    async fn open_note_modal(
        &self,
        origin: &Origin,
        reply: &mut Reply<'_>,
        (trajectory, walk, question): (Option<TrajectoryId>, Walk, &str),
    ) {
        let state = match trajectory {
            Some(id) => self.engine.state(id).await.ok().flatten(),
            None => None,
        };
        let lang = state
            .as_ref()
            .map_or_else(|| self.lang_of(origin), |s| s.trajectory.lang);
        let current = state
            .as_ref()
            .and_then(|s| s.answer(question, &origin.actor.id))
            .and_then(|a| a.note.clone());
        let content = self.engine.content();
        let title = content.fill(lang, "discord.note_title", &[("question", question)]);
        let modal = components::note_modal(&NoteForm {
            trajectory,
            walk,
            question,
            title: &title,
            label: content.msg(lang, "discord.note_label"),
            max_chars: MAX_NOTE_CHARS,
            current: current.as_deref(),
        });
        log_failure(
            reply.modal(modal).await,
            origin,
            trajectory,
            "open note modal",
        );
    }

    pub(super) async fn on_modal(&self, ctx: &Context, modal: &ModalInteraction) {
        let origin = Origin::of_modal(modal);
        let mut reply = Reply::new(&ctx.http, modal.id, &modal.token, modal.channel_id);
        let Some((trajectory, command)) = map::modal_note(modal) else {
            warn!(custom_id = %modal.data.custom_id, "a modal with an unknown custom id was submitted");
            log_failure(reply.acknowledge().await, &origin, None, "acknowledge");
            return;
        };
        let trajectory = self.resolve(&origin, trajectory);
        if let Err(error) = reply.defer(Visibility::Private).await {
            log_failure(Err(error), &origin, trajectory, "acknowledge");
            return;
        }
        let input = origin.input(trajectory, command);
        self.run(ctx, &origin, &mut reply, input).await;
    }
}

/// Returns the key of the message that explains why Discord refused to open a thread:
/// missing permissions, a channel that cannot hold threads (a thread or a forum, Discord's
/// code 50024), a rate limit, or anything else.
fn thread_failure_key(error: &serenity::Error) -> &'static str {
    use serenity::http::HttpError;
    let serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) = error else {
        return "discord.thread_failed";
    };
    match (response.status_code.as_u16(), response.error.code) {
        (_, 50024) => "discord.thread_unsupported",
        (429, _) => "discord.thread_busy",
        (403, _) | (_, 50001 | 50013) => "discord.thread_forbidden",
        _ => "discord.thread_failed",
    }
}
