//! Renders engine messages as Discord messages: embeds for questions and advice, buttons for
//! scales and single choices, a select menu for multiple choice, files for exports.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateButton,
    CreateEmbed, CreateEmbedAuthor, CreateEmbedFooter, UserId,
};
use tracing::warn;

use super::components::{self, limit as component_limit};
use super::custom_id::ComponentId;
use super::split::{self, limit, EmbedSpec};
use crate::advice::document;
use crate::content::Content;
use crate::engine::message::*;
use crate::engine::TrajectoryId;
use crate::i18n::Lang;

/// One Discord message to send.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub content: String,
    pub embeds: Vec<EmbedSpec>,
    pub components: Vec<CreateActionRow>,
    pub files: Vec<(String, Vec<u8>)>,
    /// Users this message may notify; empty means nobody is pinged.
    pub ping: Vec<u64>,
}

impl Outgoing {
    pub fn text(content: impl Into<String>) -> Outgoing {
        Outgoing {
            content: content.into(),
            ..Outgoing::default()
        }
    }

    pub fn embeds(&self) -> Vec<CreateEmbed> {
        self.embeds.iter().map(to_embed).collect()
    }

    pub fn attachments(&self) -> Vec<CreateAttachment> {
        self.files
            .iter()
            .map(|(name, bytes)| CreateAttachment::bytes(bytes.clone(), name.clone()))
            .collect()
    }

    /// Allowed mentions: nobody unless `ping` names users, never roles or everyone, and no
    /// reply ping. Text such as "@everyone" in a note therefore notifies nobody.
    pub fn allowed_mentions(&self) -> CreateAllowedMentions {
        CreateAllowedMentions::new()
            .empty_users()
            .empty_roles()
            .everyone(false)
            .replied_user(false)
            .users(self.ping.iter().map(|id| UserId::new(*id)))
    }
}

fn to_embed(spec: &EmbedSpec) -> CreateEmbed {
    let mut embed = CreateEmbed::new().colour(0x1f6f8b);
    if let Some(author) = &spec.author {
        embed = embed.author(CreateEmbedAuthor::new(author));
    }
    if let Some(title) = &spec.title {
        embed = embed.title(title);
    }
    if let Some(description) = &spec.description {
        embed = embed.description(description);
    }
    for (name, value) in &spec.fields {
        embed = embed.field(name, value, false);
    }
    if let Some(footer) = &spec.footer {
        embed = embed.footer(CreateEmbedFooter::new(footer));
    }
    embed
}

/// The parts of one engine message, gathered before they are laid out as Discord messages.
#[derive(Default)]
struct Parts {
    text: Vec<String>,
    embeds: Vec<EmbedSpec>,
    /// Scale rows and select menus, in block order.
    rows: Vec<CreateActionRow>,
    /// Choice questions, laid out once the other rows are known.
    choices: Vec<ChoicesBlock>,
    /// Note and action buttons, in rows of five after everything else.
    buttons: Vec<CreateButton>,
    files: Vec<(String, Vec<u8>)>,
    ping: Vec<u64>,
    /// Whole messages of their own, such as the advice document's embeds.
    extra: Vec<Outgoing>,
}

/// The inputs of one render besides the message.
struct Context<'a> {
    content: &'a Content,
    lang: Lang,
    trajectory: Option<TrajectoryId>,
}

/// Renders one engine message as one or more Discord messages; components go on the last.
/// Without a trajectory, components refer to the trajectory bound to the channel.
pub fn render(
    content: &Content,
    lang: Lang,
    trajectory: Option<TrajectoryId>,
    message: &Message,
) -> Vec<Outgoing> {
    let context = Context {
        content,
        lang,
        trajectory,
    };
    let mut parts = Parts::default();
    for block in &message.blocks {
        add_block(&context, block, &mut parts);
    }
    assemble(&context, parts)
}

fn add_block(context: &Context<'_>, block: &Block, parts: &mut Parts) {
    let trajectory = context.trajectory;
    match block {
        Block::Heading(heading) => parts.text.push(format!("**{heading}**")),
        Block::Text(body) => parts.text.push(body.clone()),
        Block::Question(question) => parts.embeds.push(question_embed(context, question)),
        Block::Scale(scale) => parts.rows.push(components::scale_row(trajectory, scale)),
        Block::Choices(choices) => parts.choices.push(choices.clone()),
        Block::NotePrompt {
            question,
            walk,
            label,
            ..
        } => {
            let component = ComponentId::NoteButton {
                walk: *walk,
                question: question.clone(),
            };
            let button = components::button(trajectory, &component, label, ButtonStyle::Secondary);
            parts.buttons.push(button);
        }
        Block::Actions(actions) => {
            for action in actions {
                let component = ComponentId::Action(action.kind.clone());
                let style = components::action_style(action.style);
                let button = components::button(trajectory, &component, &action.label, style);
                parts.buttons.push(button);
            }
        }
        Block::Document(doc) => parts.extra.extend(document_messages(context, doc)),
        Block::Attachment(file) => parts
            .files
            .push((file.filename.clone(), file.bytes.clone())),
        Block::Mentions { members, ping } => {
            let (line, ids) = mentions(members, *ping);
            parts.text.push(line);
            parts.ping.extend(ids);
        }
    }
}

/// Lays the parts out: text in messages of at most 2000 characters, embeds with the last of
/// them, then the extra messages, and components, files and mentions on the very last.
fn assemble(context: &Context<'_>, parts: Parts) -> Vec<Outgoing> {
    let rows = component_rows(context.trajectory, &parts);
    let mut messages: Vec<Outgoing> = split::chunk_text(&parts.text.join("\n\n"), limit::CONTENT)
        .into_iter()
        .filter(|chunk| !chunk.is_empty())
        .map(Outgoing::text)
        .collect();
    if messages.is_empty() {
        messages.push(Outgoing::default());
    }
    if let Some(last) = messages.last_mut() {
        last.embeds = parts.embeds;
    }
    messages.extend(parts.extra);
    if let Some(last) = messages.last_mut() {
        last.components = rows;
        last.files.extend(parts.files);
        last.ping = parts.ping;
    }
    messages
}

/// Builds the action rows: scales, then choices as buttons where the rows left over allow
/// (otherwise as a select menu), then the note and action buttons.
fn component_rows(trajectory: Option<TrajectoryId>, parts: &Parts) -> Vec<CreateActionRow> {
    let button_rows = components::button_rows(&parts.buttons);
    let mut rows = parts.rows.clone();
    for (i, choices) in parts.choices.iter().enumerate() {
        // Every later choice question needs at least one row, for its select menu.
        let reserved = rows.len() + button_rows.len() + (parts.choices.len() - i - 1);
        let free = component_limit::ROWS.saturating_sub(reserved);
        rows.extend(components::choice_rows(trajectory, choices, free));
    }
    rows.extend(button_rows);
    if rows.len() > component_limit::ROWS {
        // NOTE: the engine puts at most one question and five buttons in a message, so this
        // does not happen with the built-in views.
        warn!(
            rows = rows.len(),
            "a message has more than five action rows; the rest is left out"
        );
        rows.truncate(component_limit::ROWS);
    }
    rows
}

/// Builds the question embed: context as author, the question as title and description, the
/// hint in fields (continued where it is long), and how it was answered so far as footer.
fn question_embed(context: &Context<'_>, question: &QuestionBlock) -> EmbedSpec {
    let hint_name = context.content.msg(context.lang, "discord.hint");
    let continued = context.content.msg(context.lang, "discord.continued");
    let fields = split::chunk_text(&question.hint, limit::FIELD_VALUE)
        .into_iter()
        .filter(|chunk| !chunk.trim().is_empty())
        .enumerate()
        .map(|(i, chunk)| match i {
            0 => (hint_name.to_string(), chunk),
            _ => (format!("{hint_name} {continued}"), chunk),
        })
        .collect();
    EmbedSpec {
        author: Some(split::shorten(&question.context, limit::AUTHOR)),
        title: Some(split::shorten(&question.title, limit::TITLE)),
        description: Some(split::shorten(&question.text, limit::DESCRIPTION)),
        fields,
        footer: question
            .status
            .as_ref()
            .map(|status| split::shorten(status, limit::FOOTER)),
    }
}

/// Renders members to address: `<@id>` mentions when pinging, otherwise escaped names.
fn mentions(members: &[Mention], ping: bool) -> (String, Vec<u64>) {
    let mut ids = Vec::new();
    let lines: Vec<String> = members
        .iter()
        .map(|m| match m.member.parse::<u64>() {
            Ok(id) if ping => {
                ids.push(id);
                format!("- <@{id}> ({})", m.open)
            }
            _ => format!("- {} ({})", escape_markdown(&m.name), m.open),
        })
        .collect();
    (lines.join("\n"), ids)
}

/// Returns the file name of the advice report: `schaalwijzer-<trajectory id>.md`.
pub fn report_filename(trajectory: Option<TrajectoryId>) -> String {
    match trajectory {
        Some(id) => format!("schaalwijzer-{id}.md"),
        None => "schaalwijzer.md".to_string(),
    }
}

/// Renders the advice as embeds over as many messages as needed, with the full Markdown report
/// attached to the last one.
fn document_messages(context: &Context<'_>, doc: &document::Document) -> Vec<Outgoing> {
    let continued = context.content.msg(context.lang, "discord.continued");
    let embeds = split::document_embeds(doc, continued);
    let mut messages: Vec<Outgoing> = split::group_embeds(embeds)
        .into_iter()
        .map(|embeds| Outgoing {
            embeds,
            ..Outgoing::default()
        })
        .collect();
    if let Some(last) = messages.last_mut() {
        last.files.push((
            report_filename(context.trajectory),
            document::to_markdown(doc).into_bytes(),
        ));
    }
    messages
}
