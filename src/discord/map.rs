//! Maps Discord events (serenity models) to engine inputs: who acted, where, when, and which
//! command. Pure functions, so they can be checked against Discord's documented payloads.

use serenity::all::{
    ActionRowComponent, ChannelId, CommandInteraction, ComponentInteraction,
    ComponentInteractionDataKind, GuildId, Message as DiscordMessage, ModalInteraction, User,
};

use super::commands::{self, Invocation};
use super::custom_id::{self, ComponentId, Decoded};
use crate::answer::AnswerValue;
use crate::content::{Content, QuestionKind};
use crate::engine::message::ActionKind;
use crate::engine::{Actor, Command, Input, Place, TrajectoryId, Walk};
use crate::i18n::Lang;

/// Milliseconds from the Unix epoch to Discord's epoch, 2015-01-01T00:00:00Z.
const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

/// Where, when and by whom an interaction or message happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    pub guild: Option<GuildId>,
    pub channel: ChannelId,
    pub actor: Actor,
    /// `discord-i-<interaction id>` or `discord-m-<message id>`: redeliveries share it.
    pub event_id: String,
    /// When Discord created the event, from its snowflake id.
    pub at: jiff::Timestamp,
}

impl Origin {
    pub fn of_command(command: &CommandInteraction) -> Origin {
        let nick = command.member.as_ref().and_then(|m| m.nick.as_deref());
        Origin {
            guild: command.guild_id,
            channel: command.channel_id,
            actor: actor(&command.user, nick, Some(&command.locale)),
            event_id: format!("discord-i-{}", command.id),
            at: snowflake_time(command.id.get()),
        }
    }

    pub fn of_component(component: &ComponentInteraction) -> Origin {
        let nick = component.member.as_ref().and_then(|m| m.nick.as_deref());
        Origin {
            guild: component.guild_id,
            channel: component.channel_id,
            actor: actor(&component.user, nick, Some(&component.locale)),
            event_id: format!("discord-i-{}", component.id),
            at: snowflake_time(component.id.get()),
        }
    }

    pub fn of_modal(modal: &ModalInteraction) -> Origin {
        let nick = modal.member.as_ref().and_then(|m| m.nick.as_deref());
        Origin {
            guild: modal.guild_id,
            channel: modal.channel_id,
            actor: actor(&modal.user, nick, Some(&modal.locale)),
            event_id: format!("discord-i-{}", modal.id),
            at: snowflake_time(modal.id.get()),
        }
    }

    /// Builds the origin of a message. A message carries no client locale, so its author's
    /// language stays unknown.
    pub fn of_message(message: &DiscordMessage) -> Origin {
        let nick = message.member.as_ref().and_then(|m| m.nick.as_deref());
        Origin {
            guild: message.guild_id,
            channel: message.channel_id,
            actor: actor(&message.author, nick, None),
            event_id: format!("discord-m-{}", message.id),
            at: snowflake_time(message.id.get()),
        }
    }

    pub fn place(&self) -> Place {
        Place {
            platform: "discord".into(),
            scope: self.guild.map(|g| g.to_string()).unwrap_or_default(),
            channel: self.channel.to_string(),
        }
    }

    /// Builds the engine input; a None trajectory is resolved by the engine from the place.
    pub fn input(&self, trajectory: Option<TrajectoryId>, command: Command) -> Input {
        Input {
            event_id: self.event_id.clone(),
            actor: self.actor.clone(),
            place: self.place(),
            trajectory,
            at: self.at,
            command,
        }
    }
}

/// Returns the creation time that Discord encodes in the top 42 bits of a snowflake id.
pub fn snowflake_time(id: u64) -> jiff::Timestamp {
    let millis = i64::try_from(id >> 22).unwrap_or(0) + DISCORD_EPOCH_MS;
    jiff::Timestamp::from_millisecond(millis).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Returns the member as an actor, named by server nickname, else global display name, else
/// username.
pub fn actor(user: &User, nick: Option<&str>, locale: Option<&str>) -> Actor {
    let name = nick
        .or(user.global_name.as_deref())
        .unwrap_or(&user.name)
        .to_string();
    Actor {
        id: user.id.to_string(),
        name,
        locale: locale.and_then(lang_of_locale),
    }
}

/// Maps a Discord client locale: `nl` to Dutch, every English variant (`en-US`, `en-GB`) to
/// English, anything else to None (the trajectory's or default language then applies).
pub fn lang_of_locale(locale: &str) -> Option<Lang> {
    if locale == "nl" || locale.starts_with("nl-") {
        Some(Lang::Nl)
    } else if locale.starts_with("en") {
        Some(Lang::En)
    } else {
        None
    }
}

/// Parses a `/schaalwijzer` invocation; the error names the unknown part, for a reply.
///
/// # Errors
/// Returns what is missing or unknown in the options.
pub fn invocation(
    command: &CommandInteraction,
    start_in_thread: bool,
) -> Result<Invocation, String> {
    if command.data.name != commands::NAME {
        return Err(format!("unknown command /{}", command.data.name));
    }
    commands::parse(&command.data.options, start_in_thread)
}

/// Decodes the custom id of a pressed component, None for a foreign or outdated id.
pub fn decode_component(component: &ComponentInteraction) -> Option<Decoded> {
    custom_id::decode(&component.data.custom_id)
}

/// Maps a pressed component to an engine command; None for a press without engine work
/// (cancelling a deletion) or data that does not match the component.
pub fn component_command(
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
            ComponentInteractionDataKind::Button,
        ) => Some(Command::Answer {
            question: Some(question.clone()),
            value: button_value(content, question, value),
            walk: *walk,
        }),
        (
            ComponentId::Select { walk, question },
            ComponentInteractionDataKind::StringSelect { values },
        ) => Some(Command::Answer {
            question: Some(question.clone()),
            value: select_value(content, question, values)?,
            walk: *walk,
        }),
        (ComponentId::Action(action), ComponentInteractionDataKind::Button) => {
            action_command(action)
        }
        _ => None,
    }
}

/// Returns a button's value: a scale step for a scale question, an option id otherwise.
fn button_value(content: &Content, question: &str, value: &str) -> AnswerValue {
    let is_scale = content
        .questionnaire
        .question(question)
        .is_some_and(|q| matches!(q.kind, QuestionKind::Scale(_)));
    match value.parse::<u8>() {
        Ok(step) if is_scale => AnswerValue::Scale(step),
        _ => AnswerValue::Choice(value.to_string()),
    }
}

/// Returns the value a select menu gives: all chosen options (possibly none) for a multiple
/// choice, and the one chosen option for a single choice that did not fit as buttons.
fn select_value(content: &Content, question: &str, values: &[String]) -> Option<AnswerValue> {
    let multiple = content
        .questionnaire
        .question(question)
        .is_none_or(|q| matches!(q.kind, QuestionKind::Multiple { .. }));
    if multiple {
        return Some(AnswerValue::Choices(values.to_vec()));
    }
    values.first().cloned().map(AnswerValue::Choice)
}

fn action_command(action: &ActionKind) -> Option<Command> {
    Some(match action {
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
    })
}

/// Reports whether the reply to a press goes only to the member who pressed: the private
/// walk, and the deletion dialogue, which started as an ephemeral message.
pub fn replies_privately(kind: &ComponentId, command: &Command) -> bool {
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

/// Maps a submitted note modal to its trajectory and a note command; None for a modal this
/// bot did not make.
pub fn modal_note(modal: &ModalInteraction) -> Option<(Option<TrajectoryId>, Command)> {
    let Decoded {
        trajectory,
        component: ComponentId::NoteModal { walk, question },
    } = custom_id::decode(&modal.data.custom_id)?
    else {
        return None;
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
    let command = Command::Note {
        question: Some(question),
        text,
        walk,
    };
    Some((trajectory, command))
}

/// Returns the text of a message that may be a typed answer: None for messages from bots
/// (this bot included) and for messages without text, such as those that arrive without
/// the Message Content intent.
pub fn typed_text(message: &DiscordMessage) -> Option<&str> {
    if message.author.bot {
        return None;
    }
    let text = message.content.trim();
    (!text.is_empty()).then_some(text)
}
