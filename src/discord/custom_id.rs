//! Component custom ids: what a button, menu or modal does, encoded so that the id plus the
//! stored state is all a press needs. Buttons therefore keep working after a restart.
//!
//! Format: `sw1:<trajectory>:<kind>[:<walk>[:<question>[:<value>]]]`, at most 100 characters
//! (Discord's limit). `sw1` is the format version. Trajectory ids start at 1, so a trajectory
//! of `0` marks a component posted without one (a check-in): its press goes to the trajectory
//! bound to the channel it was pressed in.

use crate::engine::message::ActionKind;
use crate::engine::{TrajectoryId, Walk};

const PREFIX: &str = "sw1";
/// Discord's maximum custom id length.
pub const MAX_LEN: usize = 100;

/// What a component stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentId {
    /// A button that answers `question` with `value` (an option id or a scale step).
    Answer {
        walk: Walk,
        question: String,
        value: String,
    },
    /// A select menu whose chosen values answer a multiple-choice `question`.
    Select {
        walk: Walk,
        question: String,
    },
    /// A button that opens the note modal for `question`.
    NoteButton {
        walk: Walk,
        question: String,
    },
    /// The note modal itself.
    NoteModal {
        walk: Walk,
        question: String,
    },
    Action(ActionKind),
}

/// A decoded custom id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// None for trajectory id 0, which the components of a check-in carry. A press on such a
    /// component goes to the trajectory bound to the channel it was pressed in.
    pub trajectory: Option<TrajectoryId>,
    pub component: ComponentId,
}

fn walk_code(walk: Walk) -> &'static str {
    match walk {
        Walk::Channel => "c",
        Walk::Private => "p",
    }
}

fn walk_of(code: &str) -> Option<Walk> {
    match code {
        "c" => Some(Walk::Channel),
        "p" => Some(Walk::Private),
        _ => None,
    }
}

/// Encodes a component of `trajectory`, or of the channel's trajectory for None.
pub fn encode(trajectory: Option<TrajectoryId>, component: &ComponentId) -> String {
    let rest = match component {
        ComponentId::Answer {
            walk,
            question,
            value,
        } => format!("a:{}:{question}:{value}", walk_code(*walk)),
        ComponentId::Select { walk, question } => format!("m:{}:{question}", walk_code(*walk)),
        ComponentId::NoteButton { walk, question } => format!("n:{}:{question}", walk_code(*walk)),
        ComponentId::NoteModal { walk, question } => format!("N:{}:{question}", walk_code(*walk)),
        ComponentId::Action(action) => action_code(action),
    };
    let trajectory = trajectory.map_or(0, |id| id.0);
    format!("{PREFIX}:{trajectory}:{rest}")
}

fn action_code(action: &ActionKind) -> String {
    match action {
        ActionKind::Next(walk) => format!("next:{}", walk_code(*walk)),
        ActionKind::Back(walk) => format!("back:{}", walk_code(*walk)),
        ActionKind::Skip(walk) => format!("skip:{}", walk_code(*walk)),
        ActionKind::PrivateWalk => "private".into(),
        ActionKind::Result => "result".into(),
        ActionKind::Status => "status".into(),
        ActionKind::DeleteConfirm => "delete".into(),
        ActionKind::DeleteCancel => "keep".into(),
    }
}

/// Decodes a custom id; None for ids this bot did not make or an older format.
pub fn decode(id: &str) -> Option<Decoded> {
    let mut parts = id.splitn(6, ':');
    if parts.next()? != PREFIX {
        return None;
    }
    let trajectory = match parts.next()?.parse().ok()? {
        0 => None,
        id => Some(TrajectoryId(id)),
    };
    let kind = parts.next()?;
    let mut next = || parts.next().map(str::to_string);
    let component = match kind {
        "a" => ComponentId::Answer {
            walk: walk_of(&next()?)?,
            question: next()?,
            value: next()?,
        },
        "m" => ComponentId::Select {
            walk: walk_of(&next()?)?,
            question: next()?,
        },
        "n" => ComponentId::NoteButton {
            walk: walk_of(&next()?)?,
            question: next()?,
        },
        "N" => ComponentId::NoteModal {
            walk: walk_of(&next()?)?,
            question: next()?,
        },
        "next" => ComponentId::Action(ActionKind::Next(walk_of(&next()?)?)),
        "back" => ComponentId::Action(ActionKind::Back(walk_of(&next()?)?)),
        "skip" => ComponentId::Action(ActionKind::Skip(walk_of(&next()?)?)),
        "private" => ComponentId::Action(ActionKind::PrivateWalk),
        "result" => ComponentId::Action(ActionKind::Result),
        "status" => ComponentId::Action(ActionKind::Status),
        "delete" => ComponentId::Action(ActionKind::DeleteConfirm),
        "keep" => ComponentId::Action(ActionKind::DeleteCancel),
        _ => return None,
    };
    Some(Decoded {
        trajectory,
        component,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_kind() {
        let id = Some(TrajectoryId(u64::MAX));
        let components = [
            ComponentId::Answer {
                walk: Walk::Channel,
                question: "C4".into(),
                value: "during-trajectory".into(),
            },
            ComponentId::Answer {
                walk: Walk::Private,
                question: "R2".into(),
                value: "5".into(),
            },
            ComponentId::Select {
                walk: Walk::Private,
                question: "F2".into(),
            },
            ComponentId::NoteButton {
                walk: Walk::Channel,
                question: "R1".into(),
            },
            ComponentId::NoteModal {
                walk: Walk::Private,
                question: "R1".into(),
            },
            ComponentId::Action(ActionKind::Next(Walk::Channel)),
            ComponentId::Action(ActionKind::Back(Walk::Private)),
            ComponentId::Action(ActionKind::Skip(Walk::Private)),
            ComponentId::Action(ActionKind::PrivateWalk),
            ComponentId::Action(ActionKind::Result),
            ComponentId::Action(ActionKind::Status),
            ComponentId::Action(ActionKind::DeleteConfirm),
            ComponentId::Action(ActionKind::DeleteCancel),
        ];
        for component in components {
            let encoded = encode(id, &component);
            assert!(
                encoded.len() <= MAX_LEN,
                "{encoded} is {} characters",
                encoded.len()
            );
            assert_eq!(
                decode(&encoded),
                Some(Decoded {
                    trajectory: id,
                    component
                }),
                "{encoded}"
            );
        }
    }

    #[test]
    fn zero_trajectory_means_channel() {
        let component = ComponentId::Action(ActionKind::PrivateWalk);
        let encoded = encode(None, &component);
        assert_eq!(encoded, "sw1:0:private");
        assert_eq!(
            decode(&encoded),
            Some(Decoded {
                trajectory: None,
                component
            })
        );
    }

    #[test]
    fn trajectory_zero_decodes_as_unbound() {
        let encoded = encode(
            Some(TrajectoryId(0)),
            &ComponentId::Action(ActionKind::Result),
        );
        let decoded = decode(&encoded).expect("a valid id");
        assert_eq!(decoded.trajectory, None);
        assert_eq!(decoded.component, ComponentId::Action(ActionKind::Result));
    }

    #[test]
    fn foreign_ids_are_ignored() {
        for id in [
            "",
            "other:1:a:c:R1:1",
            "sw1:x:a:c:R1:1",
            "sw1:1:zz",
            "sw1:1:a:q:R1:1",
            "sw1:1:a:c:R1",
        ] {
            assert_eq!(decode(id), None, "{id}");
        }
    }
}
