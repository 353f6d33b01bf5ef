//! Renders engine messages as Discord messages: embeds for questions and advice, buttons for
//! scales and single choices, a select menu for multiple choice, files for exports.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateButton,
    CreateEmbed, CreateEmbedAuthor, CreateEmbedFooter, CreateSelectMenu, CreateSelectMenuKind,
    CreateSelectMenuOption, UserId,
};

use super::custom_id::{self, ComponentId};
use super::split::{self, limit, EmbedSpec};
use crate::advice::document;
use crate::content::Content;
use crate::engine::message::*;
use crate::engine::TrajectoryId;
use crate::i18n::Lang;

/// Discord allows five action rows per message and five buttons per row.
const MAX_ROWS: usize = 5;
const ROW_BUTTONS: usize = 5;
const BUTTON_LABEL: usize = 80;
const SELECT_OPTIONS: usize = 25;
const OPTION_LABEL: usize = 100;

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
    pub fn embeds(&self) -> Vec<CreateEmbed> {
        self.embeds.iter().map(to_embed).collect()
    }

    pub fn attachments(&self) -> Vec<CreateAttachment> {
        self.files
            .iter()
            .map(|(name, bytes)| CreateAttachment::bytes(bytes.clone(), name.clone()))
            .collect()
    }

    /// Allowed mentions: nobody unless `ping` names users, never roles or everyone.
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
    rows: Vec<CreateActionRow>,
    buttons: Vec<CreateButton>,
    files: Vec<(String, Vec<u8>)>,
    ping: Vec<u64>,
    /// Whole messages of their own, such as the advice document's embeds.
    extra: Vec<Outgoing>,
}

/// Renders one engine message as one or more Discord messages; components go on the last.
pub fn render(
    content: &Content,
    lang: Lang,
    trajectory: Option<TrajectoryId>,
    message: &Message,
) -> Vec<Outgoing> {
    let id = trajectory.unwrap_or(TrajectoryId(0));
    let mut parts = Parts::default();
    for block in &message.blocks {
        add_block(content, lang, id, block, &mut parts);
    }
    assemble(parts)
}

fn add_block(content: &Content, lang: Lang, id: TrajectoryId, block: &Block, parts: &mut Parts) {
    match block {
        Block::Heading(heading) => parts.text.push(format!("**{heading}**")),
        Block::Text(body) => parts.text.push(body.clone()),
        Block::Question(question) => parts.embeds.push(question_embed(content, lang, question)),
        Block::Scale(scale) => parts.rows.push(scale_row(id, scale)),
        Block::Choices(choices) => parts.rows.extend(choice_rows(id, choices)),
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
            parts
                .buttons
                .push(button(id, &component, label, ButtonStyle::Secondary));
        }
        Block::Actions(actions) => {
            for action in actions {
                let style = match action.style {
                    ActionStyle::Primary => ButtonStyle::Primary,
                    ActionStyle::Secondary => ButtonStyle::Secondary,
                    ActionStyle::Danger => ButtonStyle::Danger,
                };
                parts.buttons.push(button(
                    id,
                    &ComponentId::Action(action.kind.clone()),
                    &action.label,
                    style,
                ));
            }
        }
        Block::Document(doc) => parts.extra.extend(document_messages(content, lang, doc)),
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
fn assemble(mut parts: Parts) -> Vec<Outgoing> {
    for chunk in parts.buttons.chunks(ROW_BUTTONS) {
        parts.rows.push(CreateActionRow::Buttons(chunk.to_vec()));
    }
    parts.rows.truncate(MAX_ROWS);
    let mut messages: Vec<Outgoing> = split::chunk_text(&parts.text.join("\n\n"), limit::CONTENT)
        .into_iter()
        .filter(|chunk| !chunk.is_empty())
        .map(|chunk| Outgoing {
            content: chunk,
            ..Outgoing::default()
        })
        .collect();
    if messages.is_empty() {
        messages.push(Outgoing::default());
    }
    if let Some(last) = messages.last_mut() {
        last.embeds = parts.embeds;
    }
    messages.extend(parts.extra);
    if let Some(last) = messages.last_mut() {
        last.components = parts.rows;
        last.files.extend(parts.files);
        last.ping = parts.ping;
    }
    messages
}

fn question_embed(content: &Content, lang: Lang, question: &QuestionBlock) -> EmbedSpec {
    EmbedSpec {
        author: Some(split::shorten(&question.context, limit::AUTHOR)),
        title: Some(split::shorten(&question.title, limit::TITLE)),
        description: Some(split::shorten(&question.text, limit::DESCRIPTION)),
        fields: vec![(
            content.msg(lang, "discord.hint").to_string(),
            split::shorten(&question.hint, limit::FIELD_VALUE),
        )],
        footer: question.status.clone(),
    }
}

fn button(
    id: TrajectoryId,
    component: &ComponentId,
    label: &str,
    style: ButtonStyle,
) -> CreateButton {
    CreateButton::new(custom_id::encode(id, component))
        .label(split::shorten(label, BUTTON_LABEL))
        .style(style)
}

fn scale_row(id: TrajectoryId, scale: &ScaleBlock) -> CreateActionRow {
    let buttons = scale
        .steps
        .iter()
        .map(|(step, label)| {
            let component = ComponentId::Answer {
                walk: scale.walk,
                question: scale.question.clone(),
                value: step.to_string(),
            };
            let style = if scale.selected == Some(*step) {
                ButtonStyle::Success
            } else {
                ButtonStyle::Secondary
            };
            button(id, &component, label, style)
        })
        .collect();
    CreateActionRow::Buttons(buttons)
}

fn choice_rows(id: TrajectoryId, choices: &ChoicesBlock) -> Vec<CreateActionRow> {
    // Up to three rows of buttons leave room for the note and navigation buttons.
    if !choices.multiple && choices.options.len() <= 3 * ROW_BUTTONS {
        let buttons: Vec<CreateButton> = choices
            .options
            .iter()
            .map(|option| {
                let component = ComponentId::Answer {
                    walk: choices.walk,
                    question: choices.question.clone(),
                    value: option.id.clone(),
                };
                let style = if option.selected {
                    ButtonStyle::Success
                } else {
                    ButtonStyle::Primary
                };
                button(id, &component, &option.label, style)
            })
            .collect();
        return buttons
            .chunks(ROW_BUTTONS)
            .map(|row| CreateActionRow::Buttons(row.to_vec()))
            .collect();
    }
    let options: Vec<CreateSelectMenuOption> = choices
        .options
        .iter()
        .take(SELECT_OPTIONS)
        .map(|o| {
            CreateSelectMenuOption::new(split::shorten(&o.label, OPTION_LABEL), &o.id)
                .default_selection(o.selected)
        })
        .collect();
    let count = options.len() as u8;
    let component = ComponentId::Select {
        walk: choices.walk,
        question: choices.question.clone(),
    };
    let (min, max) = if choices.multiple { (0, count) } else { (1, 1) };
    let menu = CreateSelectMenu::new(
        custom_id::encode(id, &component),
        CreateSelectMenuKind::String { options },
    )
    .placeholder(split::shorten(&choices.placeholder, 150))
    .min_values(min)
    .max_values(max);
    vec![CreateActionRow::SelectMenu(menu)]
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

/// The advice as embeds over as many messages as needed, with the full Markdown report
/// attached to the last one.
fn document_messages(content: &Content, lang: Lang, doc: &document::Document) -> Vec<Outgoing> {
    let embeds = split::document_embeds(doc, content.msg(lang, "discord.continued"));
    let mut messages: Vec<Outgoing> = split::group_embeds(embeds)
        .into_iter()
        .map(|embeds| Outgoing {
            embeds,
            ..Outgoing::default()
        })
        .collect();
    if let Some(last) = messages.last_mut() {
        last.files.push((
            "schaalwijzer-advies.md".into(),
            document::to_markdown(doc).into_bytes(),
        ));
    }
    messages
}
