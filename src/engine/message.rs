//! The platform-neutral message model. The engine says what to show; each platform decides
//! how (embeds and buttons on Discord, plain lines on the console).
//!
//! Text is Markdown. Text a user typed (names, notes, application names) is escaped with
//! [`escape_markdown`] before it goes into a message, so it shows as typed.

use super::input::Walk;
use super::model::TrajectoryId;
use crate::advice::document::Document;

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub blocks: Vec<Block>,
}

impl Message {
    pub fn text(text: impl Into<String>) -> Message {
        Message {
            blocks: vec![Block::Text(text.into())],
        }
    }

    /// Returns the text blocks joined, for logs and tests.
    pub fn plain_text(&self) -> String {
        let parts: Vec<String> = self
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text(t) | Block::Heading(t) => Some(t.clone()),
                Block::Question(q) => Some(format!("{} {}", q.title, q.text)),
                _ => None,
            })
            .collect();
        parts.join("\n")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Text(String),
    Question(QuestionBlock),
    /// Options to pick from: buttons for a single choice, a menu for a multiple choice.
    Choices(ChoicesBlock),
    /// The steps of a scale, as buttons.
    Scale(ScaleBlock),
    /// An invitation to add or change a note.
    NotePrompt {
        question: String,
        max_chars: usize,
        walk: Walk,
        label: String,
    },
    Actions(Vec<Action>),
    Document(Document),
    Attachment(Attachment),
    /// Members to address. With `ping`, platforms that can notify them do; otherwise their
    /// names are shown without a notification.
    Mentions {
        members: Vec<Mention>,
        ping: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub member: super::model::MemberId,
    pub name: String,
    /// Questions this member has not answered.
    pub open: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionBlock {
    pub id: String,
    /// "Bereik & groei · 3/19"
    pub context: String,
    pub title: String,
    pub text: String,
    pub hint: String,
    /// How the team or the member answered so far, if at all.
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoicesBlock {
    pub question: String,
    pub multiple: bool,
    pub walk: Walk,
    pub options: Vec<ChoiceItem>,
    pub placeholder: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceItem {
    pub id: String,
    pub label: String,
    /// Chosen by the member the message is for (private walk) or nobody (channel walk).
    pub selected: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScaleBlock {
    pub question: String,
    pub walk: Walk,
    /// Steps 1 to 5 with their labels ("1 · onduidelijk" or just "1").
    pub steps: Vec<(u8, String)>,
    pub low: String,
    pub high: String,
    pub selected: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub kind: ActionKind,
    pub label: String,
    pub style: ActionStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionStyle {
    Primary,
    Secondary,
    Danger,
}

/// The engine command behind an action button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionKind {
    Next(Walk),
    Back(Walk),
    Skip(Walk),
    /// Start or continue the actor's private walk.
    PrivateWalk,
    Result,
    Status,
    DeleteConfirm,
    DeleteCancel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Who sees a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only the actor (an ephemeral message on Discord).
    Private,
    /// Everyone in the place where the actor acted.
    Public,
}

/// An instruction to the platform after the engine handled an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Post to the trajectory's channel.
    Post {
        trajectory: TrajectoryId,
        message: Message,
    },
    /// Reply to the actor's event.
    Reply {
        trajectory: Option<TrajectoryId>,
        visibility: Visibility,
        message: Message,
    },
}

impl Effect {
    pub fn message(&self) -> &Message {
        match self {
            Effect::Post { message, .. } | Effect::Reply { message, .. } => message,
        }
    }
}

pub use crate::advice::markdown::escape_markdown;

/// Most characters of a user's text that an error message quotes back.
pub const MAX_QUOTED_CHARS: usize = 60;

/// Truncates `text` to at most `max` characters, the last of them an ellipsis where it was
/// cut. Used for labels and titles whose full text is shown elsewhere, and for quotes.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Returns the start of `text` for quoting in an error, so a pasted page does not come back
/// as a page.
pub fn excerpt(text: &str) -> String {
    shorten(text, MAX_QUOTED_CHARS)
}
