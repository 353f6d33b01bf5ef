//! The state of one trajectory: who takes part, where it lives, what was answered.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::aggregate::MemberAnswer;
use crate::answer::AnswerValue;
use crate::i18n::Lang;

/// A trajectory's id, unique within one database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TrajectoryId(pub u64);

impl std::fmt::Display for TrajectoryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A chat member, by the platform's user id.
pub type MemberId = String;

/// The channel or thread on one platform where a trajectory is discussed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Place {
    /// `console`, `discord` or `matrix`.
    pub platform: String,
    /// The server (Discord guild, Matrix homeserver); empty where the platform has none.
    pub scope: String,
    /// The channel, thread or room.
    pub channel: String,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}/{}", self.platform, self.scope, self.channel)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub joined_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Open,
    Closed { at: Timestamp, by: MemberId },
}

/// An answer value agreed by a facilitator, which replaces the team's aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreed {
    pub value: AnswerValue,
    pub by: MemberId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trajectory {
    pub id: TrajectoryId,
    pub name: String,
    pub description: String,
    pub lang: Lang,
    pub place: Place,
    pub facilitators: BTreeSet<MemberId>,
    /// Registered members: the starter and everyone who joined or answered.
    pub members: BTreeMap<MemberId, Member>,
    pub status: Status,
    /// Index of the question the channel walk shows.
    pub channel_position: usize,
    /// Index of the question each member's private walk shows.
    pub private_positions: BTreeMap<MemberId, usize>,
    pub agreed: BTreeMap<String, Agreed>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Periodic check-ins, where a facilitator set a rule.
    #[serde(default)]
    pub checkin: Option<Checkin>,
}

impl Trajectory {
    pub fn is_closed(&self) -> bool {
        matches!(self.status, Status::Closed { .. })
    }

    pub fn is_facilitator(&self, member: &str) -> bool {
        self.facilitators.contains(member)
    }

    pub fn member_name<'a>(&'a self, member: &'a str) -> &'a str {
        self.members.get(member).map_or(member, |m| m.name.as_str())
    }

    /// Returns when the scheduler must next look at this trajectory: the pending retry or
    /// the next regular check-in, whichever comes first. None when check-ins are off or paused.
    pub fn due_at(&self) -> Option<Timestamp> {
        let checkin = self.checkin.as_ref().filter(|c| !c.paused)?;
        match (checkin.next_due, checkin.retry.as_ref().map(|r| r.at)) {
            (Some(next), Some(retry)) => Some(next.min(retry)),
            (next, retry) => next.or(retry),
        }
    }

    /// Returns the facilitators' names, comma separated, for rejections that name who can act.
    pub fn facilitator_names(&self) -> String {
        let names: Vec<&str> = self
            .facilitators
            .iter()
            .map(|id| self.member_name(id))
            .collect();
        names.join(", ")
    }
}

/// A trajectory's check-in schedule and what the scheduler did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkin {
    /// The rule in canonical form, such as `weekly mon,thu 09:00`.
    pub rule: String,
    /// The IANA time zone the rule's times are in.
    pub zone: String,
    /// The first day `every N days` counts from.
    pub anchor: jiff::civil::Date,
    pub paused: bool,
    /// The next regular check-in; None while paused.
    pub next_due: Option<Timestamp>,
    pub last_sent: Option<Timestamp>,
    /// A failed check-in waiting for its next attempt.
    pub retry: Option<Retry>,
    /// The result as the last review showed it, to report what changed since.
    pub last_review: Option<ReviewSnapshot>,
    pub set_by: MemberId,
}

/// A check-in that failed to post and is tried again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retry {
    /// The regular slot this attempt belongs to.
    pub slot: Timestamp,
    /// How many attempts failed so far.
    pub attempt: u32,
    pub at: Timestamp,
}

/// The parts of a result a review compares with the next one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReviewSnapshot {
    pub at: Option<Timestamp>,
    pub leading: Option<String>,
    /// Strategy ids with their fit level, best first.
    pub ranking: Vec<(String, String)>,
    pub flags: Vec<String>,
    pub disputed: Vec<String>,
}

/// A member's current answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRecord {
    pub member: MemberId,
    pub question: String,
    /// None when the member only wrote a note so far.
    pub value: Option<AnswerValue>,
    pub note: Option<String>,
    pub at: Timestamp,
}

/// One change to an answer, kept for as long as the trajectory exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub member: MemberId,
    pub question: String,
    pub change: Change,
    pub at: Timestamp,
    /// The platform event that made the change; the engine recognises a redelivered event by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Value(AnswerValue),
    Note(String),
    Agreed(AnswerValue),
}

/// Current answers by (question id, member id).
pub type Answers = BTreeMap<(String, MemberId), AnswerRecord>;

/// A trajectory with all its current answers, as the engine works on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoryState {
    pub trajectory: Trajectory,
    /// Current answers by (question id, member id).
    pub answers: Answers,
}

impl TrajectoryState {
    /// Returns the answers with a value, in the form aggregation takes them.
    pub fn member_answers(&self) -> Vec<MemberAnswer> {
        self.answers
            .values()
            .filter_map(|record| {
                Some(MemberAnswer {
                    member: record.member.clone(),
                    question: record.question.clone(),
                    value: record.value.clone()?,
                    note: record.note.clone(),
                })
            })
            .collect()
    }

    pub fn agreed_values(&self) -> BTreeMap<String, AnswerValue> {
        self.trajectory
            .agreed
            .iter()
            .map(|(q, a)| (q.clone(), a.value.clone()))
            .collect()
    }

    pub fn answer(&self, question: &str, member: &str) -> Option<&AnswerRecord> {
        self.answers
            .get(&(question.to_string(), member.to_string()))
    }

    pub fn has_value(&self, question: &str, member: &str) -> bool {
        self.answer(question, member)
            .is_some_and(|a| a.value.is_some())
    }
}
