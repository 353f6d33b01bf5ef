//! The input a platform hands the engine: who did what, where, and when.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::model::{MemberId, Place, TrajectoryId};
use crate::answer::AnswerValue;
use crate::i18n::Lang;

/// One chat event, already parsed by the platform.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The platform's id of the event. An id seen before is ignored, so a redelivered event
    /// is recorded once.
    pub event_id: String,
    pub actor: Actor,
    pub place: Place,
    /// The trajectory the event refers to, where the platform knows it (a button carries it);
    /// otherwise the trajectory bound to `place`.
    pub trajectory: Option<TrajectoryId>,
    pub at: Timestamp,
    pub command: Command,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: MemberId,
    pub name: String,
    /// The member's client language, used before a trajectory has its own.
    pub locale: Option<Lang>,
}

/// The walk a navigation command moves: the shared one in the channel, or the actor's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Walk {
    Channel,
    Private,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Start a trajectory in `place`; the actor becomes its facilitator.
    Start {
        name: String,
        description: String,
        lang: Option<Lang>,
    },
    /// Register the actor as a member.
    Join,
    /// Show the current question of a walk.
    Show {
        walk: Walk,
    },
    /// Answer a question; None means the question the walk currently shows.
    Answer {
        question: Option<String>,
        value: AnswerValue,
        walk: Walk,
    },
    /// Answer with typed text, parsed against the question.
    AnswerText {
        question: Option<String>,
        text: String,
        walk: Walk,
    },
    /// Set or replace the actor's note on a question.
    Note {
        question: Option<String>,
        text: String,
        walk: Walk,
    },
    Next {
        walk: Walk,
    },
    Back {
        walk: Walk,
    },
    Skip {
        walk: Walk,
    },
    /// Jump to a question by id.
    Goto {
        question: String,
        walk: Walk,
    },
    Status,
    Result,
    Close,
    Reopen,
    /// Record the team's agreed answer to a question (facilitators only).
    Agree {
        question: String,
        value: AnswerValue,
    },
    /// Record the agreed answer from typed text.
    AgreeText {
        question: String,
        text: String,
    },
    /// Make another member a facilitator.
    AddFacilitator {
        member: MemberId,
        name: String,
    },
    Export,
    /// Delete the trajectory; without confirmation the engine asks for it first.
    Delete {
        confirmed: bool,
    },
    MyAnswers,
    Language(Lang),
    /// Set, pause, resume, remove or show the trajectory's check-ins.
    Checkin(CheckinCommand),
    /// Set the default time zone of check-ins for the whole server (scope).
    ServerZone(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckinCommand {
    /// A rule such as `weekly mon,thu 09:00`, in `zone` or the server's default zone.
    Set {
        rule: String,
        zone: Option<String>,
    },
    Pause,
    Resume,
    Remove,
    Show,
}

impl CheckinCommand {
    /// Reads a check-in argument in English or Dutch: `pause`/`pauze`, `resume`/`hervat`,
    /// `remove`/`verwijder`/`off`/`uit`, `show`/`toon` or nothing, and otherwise a rule to set.
    pub fn from_argument(argument: &str, zone: Option<String>) -> CheckinCommand {
        match argument.trim().to_lowercase().as_str() {
            "pause" | "pauze" => CheckinCommand::Pause,
            "resume" | "hervat" => CheckinCommand::Resume,
            "remove" | "verwijder" | "off" | "uit" => CheckinCommand::Remove,
            "show" | "toon" | "" => CheckinCommand::Show,
            _ => CheckinCommand::Set {
                rule: argument.trim().to_string(),
                zone,
            },
        }
    }
}

impl Command {
    /// Returns the command's name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Start { .. } => "start",
            Command::Join => "join",
            Command::Show { .. } => "show",
            Command::Answer { .. } | Command::AnswerText { .. } => "answer",
            Command::Note { .. } => "note",
            Command::Next { .. } => "next",
            Command::Back { .. } => "back",
            Command::Skip { .. } => "skip",
            Command::Goto { .. } => "goto",
            Command::Status => "status",
            Command::Result => "result",
            Command::Close => "close",
            Command::Reopen => "reopen",
            Command::Agree { .. } | Command::AgreeText { .. } => "agree",
            Command::AddFacilitator { .. } => "facilitator",
            Command::Export => "export",
            Command::Delete { .. } => "delete",
            Command::MyAnswers => "mine",
            Command::Language(_) => "language",
            Command::Checkin(CheckinCommand::Show) => "checkin",
            Command::Checkin(_) => "checkin",
            Command::ServerZone(_) => "timezone",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CheckinCommand;

    #[test]
    fn checkin_words_in_both_languages() {
        let cases = [
            ("pauze", CheckinCommand::Pause),
            ("Pause", CheckinCommand::Pause),
            ("hervat", CheckinCommand::Resume),
            ("verwijder", CheckinCommand::Remove),
            ("remove", CheckinCommand::Remove),
            ("toon", CheckinCommand::Show),
            ("  ", CheckinCommand::Show),
        ];
        for (word, expected) in cases {
            assert_eq!(
                CheckinCommand::from_argument(word, None),
                expected,
                "{word}"
            );
        }
    }

    #[test]
    fn other_text_is_a_rule_with_its_zone() {
        let zone = Some("UTC".to_string());
        assert_eq!(
            CheckinCommand::from_argument(" elke dag 08:00 ", zone.clone()),
            CheckinCommand::Set {
                rule: "elke dag 08:00".into(),
                zone
            }
        );
    }
}
