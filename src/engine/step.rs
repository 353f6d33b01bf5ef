//! The trajectory state machine: an input and the current state give a new state, the
//! changes to store, and the effects to show. Pure: no storage, no platform, no clock.

use std::collections::{BTreeMap, BTreeSet};

use super::checkin::CheckinPolicy;
use super::input::{CheckinCommand, Command, Input, Walk};
use super::message::*;
use super::model::*;
use super::views::{self, action};
use crate::advice::{self, document, AdviceView};
use crate::aggregate;
use crate::answer::{AnswerValue, MAX_NOTE_CHARS};
use crate::content::Content;
use crate::i18n::Lang;

pub use crate::answer::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS};

/// The outcome of one input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transition {
    /// The new state to store, when anything changed (all commands but answers and notes).
    pub state: Option<TrajectoryState>,
    /// For answers and notes: the changed answer records, applied to the current state in
    /// place, so an answer costs no copy of the whole state.
    pub upserts: Vec<AnswerRecord>,
    /// With `upserts`: the new trajectory record, when it changed.
    pub trajectory: Option<Trajectory>,
    /// Answers whose current record changed, by (question, member).
    pub changed_answers: Vec<(String, MemberId)>,
    pub history: Vec<HistoryEntry>,
    /// Bind the new trajectory to its place.
    pub bind: bool,
    /// Remove the trajectory, its answers, history and binding.
    pub delete: bool,
    /// Set the server's default check-in zone: (scope, zone).
    pub server_zone: Option<(String, String)>,
    pub effects: Vec<Effect>,
}

/// Data the engine reads besides the state, for the commands that need it.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// The answer history, loaded for an export.
    pub history: Vec<HistoryEntry>,
    /// The id for a new trajectory, allocated for a start.
    pub new_id: Option<TrajectoryId>,
    /// The server's default check-in zone, loaded for a check-in command.
    pub server_zone: Option<String>,
    pub policy: std::sync::Arc<CheckinPolicy>,
}

/// Handles one input against the state of the trajectory it refers to.
pub fn step(
    content: &Content,
    state: Option<&TrajectoryState>,
    input: &Input,
    extra: &Extra,
) -> Transition {
    let Some(state) = state else {
        return match &input.command {
            Command::Start { .. } => start(content, input, extra.new_id),
            _ => refuse(content, input_lang(input), None, "error.no_trajectory", &[]),
        };
    };
    let ctx = Ctx {
        content,
        state,
        input,
    };
    match &input.command {
        // A closed trajectory frees its place for a new one.
        Command::Start { .. } if state.trajectory.is_closed() => {
            start(content, input, extra.new_id)
        }
        Command::Start { .. } => ctx.refuse(
            "error.already_started",
            &[("name", &escape_markdown(&state.trajectory.name))],
        ),
        command => ctx.handle(command, extra),
    }
}

fn input_lang(input: &Input) -> Lang {
    input.actor.locale.unwrap_or_default()
}

fn refuse(
    content: &Content,
    lang: Lang,
    trajectory: Option<TrajectoryId>,
    key: &str,
    values: &[(&str, &str)],
) -> Transition {
    let message = Message::text(content.fill(lang, key, values));
    Transition {
        effects: vec![Effect::Reply {
            trajectory,
            visibility: Visibility::Private,
            message,
        }],
        ..Transition::default()
    }
}

fn start(content: &Content, input: &Input, id: Option<TrajectoryId>) -> Transition {
    let Command::Start {
        name,
        description,
        lang,
    } = &input.command
    else {
        return Transition::default();
    };
    let lang = lang.or(input.actor.locale).unwrap_or_default();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return refuse(
            content,
            lang,
            None,
            "error.bad_name",
            &[("max", &MAX_NAME_CHARS.to_string())],
        );
    }
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        let max = MAX_DESCRIPTION_CHARS.to_string();
        return refuse(
            content,
            lang,
            None,
            "error.bad_description",
            &[("max", &max)],
        );
    }
    let Some(id) = id else {
        return refuse(content, lang, None, "error.internal", &[]);
    };
    let state = TrajectoryState {
        trajectory: new_trajectory(input, id, name, description, lang),
        answers: Answers::new(),
    };
    let actor_name = escape_markdown(&input.actor.name);
    let welcome = content.fill(
        lang,
        "start.welcome",
        &[
            ("name", &escape_markdown(name)),
            ("facilitator", &actor_name),
        ],
    );
    let first = views::question_message(
        content,
        &state.trajectory,
        &state.answers,
        0,
        Walk::Channel,
        None,
    );
    Transition {
        effects: vec![
            Effect::Reply {
                trajectory: Some(id),
                visibility: Visibility::Public,
                message: Message::text(welcome),
            },
            Effect::Post {
                trajectory: id,
                message: first,
            },
        ],
        state: Some(state),
        bind: true,
        ..Transition::default()
    }
}

/// Builds a new trajectory whose starter is its first member and facilitator.
fn new_trajectory(
    input: &Input,
    id: TrajectoryId,
    name: &str,
    description: &str,
    lang: Lang,
) -> Trajectory {
    let actor = &input.actor;
    let member = Member {
        name: actor.name.clone(),
        joined_at: input.at,
    };
    Trajectory {
        id,
        name: name.to_string(),
        description: description.trim().to_string(),
        lang,
        place: input.place.clone(),
        facilitators: BTreeSet::from([actor.id.clone()]),
        members: BTreeMap::from([(actor.id.clone(), member)]),
        status: Status::Open,
        channel_position: 0,
        private_positions: BTreeMap::new(),
        agreed: BTreeMap::new(),
        created_at: input.at,
        updated_at: input.at,
        checkin: None,
    }
}

/// The context of one input on an existing trajectory.
pub(super) struct Ctx<'a> {
    pub(super) content: &'a Content,
    pub(super) state: &'a TrajectoryState,
    pub(super) input: &'a Input,
}

impl Ctx<'_> {
    pub(super) fn lang(&self) -> Lang {
        self.state.trajectory.lang
    }

    pub(super) fn id(&self) -> TrajectoryId {
        self.state.trajectory.id
    }

    pub(super) fn actor(&self) -> &str {
        &self.input.actor.id
    }

    pub(super) fn text(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.content.fill(self.lang(), key, values)
    }

    pub(super) fn refuse(&self, key: &str, values: &[(&str, &str)]) -> Transition {
        refuse(self.content, self.lang(), Some(self.id()), key, values)
    }

    pub(super) fn reply(&self, visibility: Visibility, message: Message) -> Effect {
        Effect::Reply {
            trajectory: Some(self.id()),
            visibility,
            message,
        }
    }

    pub(super) fn post(&self, message: Message) -> Effect {
        Effect::Post {
            trajectory: self.id(),
            message,
        }
    }

    fn handle(&self, command: &Command, extra: &Extra) -> Transition {
        if let Some(refusal) = self.check_allowed(command) {
            return refusal;
        }
        match command {
            Command::Start { .. } => Transition::default(),
            Command::Join => self.join(),
            Command::Show { walk } => self.show(*walk),
            Command::Answer {
                question,
                value,
                walk,
            } => self.answer(question.as_deref(), Ok(value.clone()), *walk),
            Command::AnswerText {
                question,
                text,
                walk,
            } => self.answer_text(question.as_deref(), text, *walk),
            Command::Note {
                question,
                text,
                walk,
            } => self.note(question.as_deref(), text, *walk),
            Command::Next { walk } | Command::Skip { walk } => self.move_by(*walk, 1),
            Command::Back { walk } => self.move_by(*walk, -1),
            Command::Goto { question, walk } => self.goto(question, *walk),
            Command::Status => Transition {
                effects: vec![self.reply(
                    Visibility::Public,
                    views::status_message(self.content, self.state),
                )],
                ..Transition::default()
            },
            Command::Result => self.result(),
            Command::Close => self.set_closed(true),
            Command::Reopen => self.set_closed(false),
            Command::Agree { question, value } => self.agree(question, Ok(value.clone())),
            Command::AgreeText { question, text } => self.agree_text(question, text),
            Command::AddFacilitator { member, name } => self.add_facilitator(member, name),
            Command::Export => self.export(&extra.history),
            Command::Delete { confirmed } => self.delete(*confirmed),
            Command::MyAnswers => Transition {
                effects: vec![self.reply(
                    Visibility::Private,
                    views::my_answers_message(self.content, self.state, self.actor()),
                )],
                ..Transition::default()
            },
            Command::Language(lang) => self.language(*lang),
            Command::Checkin(command) => {
                self.checkin(command, extra.server_zone.as_deref(), &extra.policy)
            }
            Command::ServerZone(zone) => {
                let (mut transition, zone) = self.server_zone(zone);
                transition.server_zone = zone.map(|zone| (self.input.place.scope.clone(), zone));
                transition
            }
        }
    }

    /// Returns a refusal when the actor may not run the command or the trajectory is closed.
    fn check_allowed(&self, command: &Command) -> Option<Transition> {
        let facilitator_only = matches!(
            command,
            Command::Next {
                walk: Walk::Channel
            } | Command::Back {
                walk: Walk::Channel
            } | Command::Skip {
                walk: Walk::Channel
            } | Command::Goto {
                walk: Walk::Channel,
                ..
            } | Command::Close
                | Command::Reopen
                | Command::Agree { .. }
                | Command::AgreeText { .. }
                | Command::AddFacilitator { .. }
                | Command::Export
                | Command::Delete { .. }
                | Command::Checkin(CheckinCommand::Set { .. })
                | Command::Checkin(CheckinCommand::Pause)
                | Command::Checkin(CheckinCommand::Resume)
                | Command::Checkin(CheckinCommand::Remove)
                | Command::ServerZone(_)
        );
        let trajectory = &self.state.trajectory;
        if facilitator_only && !trajectory.is_facilitator(self.actor()) {
            let names = escape_markdown(&trajectory.facilitator_names());
            let action = self
                .content
                .msg(self.lang(), &action_key(command))
                .to_string();
            return Some(self.refuse(
                "error.facilitator_only",
                &[("action", &action), ("facilitators", &names)],
            ));
        }
        let changes_answers = matches!(
            command,
            Command::Answer { .. }
                | Command::AnswerText { .. }
                | Command::Note { .. }
                | Command::Agree { .. }
                | Command::AgreeText { .. }
        );
        if changes_answers && trajectory.is_closed() {
            return Some(self.refuse(
                "error.closed",
                &[(
                    "facilitators",
                    &escape_markdown(&trajectory.facilitator_names()),
                )],
            ));
        }
        None
    }

    /// Returns a copy of the state with the actor registered and the update time set.
    pub(super) fn touched(&self) -> TrajectoryState {
        let mut state = self.registered();
        state.trajectory.updated_at = self.input.at;
        state
    }

    /// Returns a copy of the state with the actor registered. The trajectory's update time
    /// changes only when the actor is new, so an answer rewrites just its own record.
    fn registered(&self) -> TrajectoryState {
        TrajectoryState {
            trajectory: self.registered_trajectory(),
            answers: self.state.answers.clone(),
        }
    }

    /// Returns a copy of the trajectory record with the actor registered.
    fn registered_trajectory(&self) -> Trajectory {
        let mut trajectory = self.state.trajectory.clone();
        let actor = &self.input.actor;
        if !trajectory.members.contains_key(&actor.id) {
            let member = Member {
                name: actor.name.clone(),
                joined_at: self.input.at,
            };
            trajectory.members.insert(actor.id.clone(), member);
            trajectory.updated_at = self.input.at;
        }
        trajectory
    }

    /// Builds the transition of an answer or note: the record, the trajectory when it changed.
    fn upsert(
        &self,
        record: AnswerRecord,
        trajectory: Trajectory,
        history: HistoryEntry,
        effects: Vec<Effect>,
    ) -> Transition {
        let key = (record.question.clone(), record.member.clone());
        let changed = trajectory != self.state.trajectory;
        Transition {
            upserts: vec![record],
            trajectory: changed.then_some(trajectory),
            changed_answers: vec![key],
            history: vec![history],
            effects,
            ..Transition::default()
        }
    }

    fn join(&self) -> Transition {
        let already = self.state.trajectory.members.contains_key(self.actor());
        let key = if already { "join.already" } else { "join.done" };
        let message = Message::text(self.text(
            key,
            &[("name", &escape_markdown(&self.state.trajectory.name))],
        ));
        Transition {
            state: (!already).then(|| self.touched()),
            effects: vec![self.reply(Visibility::Private, message)],
            ..Transition::default()
        }
    }

    fn position(&self, walk: Walk) -> usize {
        match walk {
            Walk::Channel => self.state.trajectory.channel_position,
            Walk::Private => self.private_position(),
        }
    }

    /// The actor's private position, or their first unanswered question when they have none.
    fn private_position(&self) -> usize {
        if let Some(position) = self.state.trajectory.private_positions.get(self.actor()) {
            return *position;
        }
        let questions = &self.content.questionnaire.questions;
        questions
            .iter()
            .position(|q| !self.state.has_value(&q.id, self.actor()))
            .unwrap_or(questions.len())
    }

    /// Shows question `index` of `trajectory`, with the answers as they were before this input.
    fn question_message(&self, trajectory: &Trajectory, index: usize, walk: Walk) -> Message {
        let member = (walk == Walk::Private).then(|| self.actor());
        let answers = &self.state.answers;
        views::question_message(self.content, trajectory, answers, index, walk, member)
    }

    fn show(&self, walk: Walk) -> Transition {
        let message = self.question_message(&self.state.trajectory, self.position(walk), walk);
        let effect = match walk {
            Walk::Channel => self.reply(Visibility::Public, message),
            Walk::Private => self.reply(Visibility::Private, message),
        };
        Transition {
            effects: vec![effect],
            ..Transition::default()
        }
    }

    /// Resolves the question an answer or note is about: the named one, or the one the walk shows.
    fn resolve_question(
        &self,
        question: Option<&str>,
        walk: Walk,
    ) -> Result<&crate::content::Question, Box<Transition>> {
        let questionnaire = &self.content.questionnaire;
        match question {
            Some(id) => questionnaire.question(id).ok_or_else(|| {
                Box::new(self.refuse(
                    "error.unknown_question",
                    &[
                        ("question", &escape_markdown(&excerpt(id))),
                        ("known", &questionnaire.id_list()),
                    ],
                ))
            }),
            None => questionnaire
                .questions
                .get(self.position(walk))
                .ok_or_else(|| Box::new(self.refuse("error.walk_done", &[]))),
        }
    }

    /// Rejects an answer in the trajectory's language, listing what the question accepts.
    fn invalid_answer(
        &self,
        question: &crate::content::Question,
        error: &crate::answer::AnswerError,
    ) -> Transition {
        use crate::answer::AnswerError;
        let accepted = accepted_answers(question, self.lang());
        let (key, value) = match error {
            AnswerError::Exclusive { value, .. } => ("error.answer_exclusive", value.as_str()),
            AnswerError::Duplicate { value, .. } => ("error.answer_duplicate", value.as_str()),
            AnswerError::UnknownOption { value, .. } | AnswerError::OutOfRange { value, .. } => {
                ("error.invalid_answer", value.as_str())
            }
            AnswerError::WrongKind { .. } => ("error.invalid_answer", "?"),
        };
        let values = [
            ("value", escape_markdown(&excerpt(value))),
            ("question", question.id.clone()),
            ("accepted", accepted),
        ];
        let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.refuse(key, &values)
    }

    fn answer_text(&self, question: Option<&str>, text: &str, walk: Walk) -> Transition {
        let question = match self.resolve_question(question, walk) {
            Ok(q) => q,
            Err(refusal) => return *refusal,
        };
        self.answer(Some(&question.id), AnswerValue::parse(question, text), walk)
    }

    fn answer(
        &self,
        question: Option<&str>,
        value: Result<AnswerValue, crate::answer::AnswerError>,
        walk: Walk,
    ) -> Transition {
        let question = match self.resolve_question(question, walk) {
            Ok(q) => q,
            Err(refusal) => return *refusal,
        };
        let value = match value.and_then(|v| v.validate(question)) {
            Ok(value) => value,
            Err(error) => return self.invalid_answer(question, &error),
        };
        let key = (question.id.clone(), self.actor().to_string());
        let previous = self.state.answers.get(&key);
        if previous.and_then(|p| p.value.as_ref()) == Some(&value) {
            let message =
                Message::text(self.text("answer.unchanged", &[("question", &question.id)]));
            return Transition {
                effects: vec![self.reply(Visibility::Private, message)],
                ..Transition::default()
            };
        }
        let record = AnswerRecord {
            member: key.1.clone(),
            question: key.0.clone(),
            value: Some(value.clone()),
            note: previous.and_then(|p| p.note.clone()),
            at: self.input.at,
        };
        let history = HistoryEntry {
            member: key.1.clone(),
            question: key.0.clone(),
            change: Change::Value(value.clone()),
            at: self.input.at,
            event: Some(self.input.event_id.clone()),
        };
        let label = escape_markdown(&value.label(question, self.lang()));
        let confirmation = self.text(
            "answer.saved",
            &[("question", &question.id), ("answer", &label)],
        );
        let mut trajectory = self.registered_trajectory();
        let mut effects = Vec::new();
        match walk {
            Walk::Private => {
                let index = self
                    .content
                    .questionnaire
                    .position(&question.id)
                    .unwrap_or_default()
                    + 1;
                trajectory.private_positions.insert(key.1.clone(), index);
                // The next question shows the member's own earlier answer to it, which this
                // answer does not change, so the state before it serves.
                let mut message =
                    self.question_message(&self.state.trajectory, index, Walk::Private);
                message.blocks.insert(0, Block::Text(confirmation));
                effects.push(self.reply(Visibility::Private, message));
            }
            Walk::Channel => {
                effects.push(self.reply(Visibility::Private, Message::text(confirmation)));
                effects.extend(self.advance_when_everyone_answered(&mut trajectory, &question.id));
            }
        }
        self.upsert(record, trajectory, history, effects)
    }

    /// Moves the channel walk on once every registered member answered the question it shows,
    /// counting the actor's answer being stored now.
    fn advance_when_everyone_answered(
        &self,
        trajectory: &mut Trajectory,
        question: &str,
    ) -> Option<Effect> {
        let questions = &self.content.questionnaire.questions;
        let current = questions.get(trajectory.channel_position)?;
        if current.id != question {
            return None;
        }
        let actor = self.actor();
        let everyone = trajectory
            .members
            .keys()
            .all(|member| member == actor || self.state.has_value(question, member));
        if !everyone {
            return None;
        }
        trajectory.channel_position += 1;
        let mut message =
            self.question_message(trajectory, trajectory.channel_position, Walk::Channel);
        message.blocks.insert(
            0,
            Block::Text(self.text("walk.everyone_answered", &[("question", question)])),
        );
        Some(self.post(message))
    }

    fn note(&self, question: Option<&str>, text: &str, walk: Walk) -> Transition {
        let question = match self.resolve_question(question, walk) {
            Ok(q) => q,
            Err(refusal) => return *refusal,
        };
        let text = text.trim();
        let length = text.chars().count();
        if length > MAX_NOTE_CHARS {
            return self.refuse(
                "error.note_too_long",
                &[
                    ("length", &length.to_string()),
                    ("max", &MAX_NOTE_CHARS.to_string()),
                ],
            );
        }
        if text.is_empty() {
            return self.refuse("error.note_empty", &[]);
        }
        let key = (question.id.clone(), self.actor().to_string());
        let mut record = self
            .state
            .answers
            .get(&key)
            .cloned()
            .unwrap_or_else(|| AnswerRecord {
                member: key.1.clone(),
                question: key.0.clone(),
                value: None,
                note: None,
                at: self.input.at,
            });
        record.note = Some(text.to_string());
        record.at = self.input.at;
        let history = HistoryEntry {
            member: key.1.clone(),
            question: key.0.clone(),
            change: Change::Note(text.to_string()),
            at: self.input.at,
            event: Some(self.input.event_id.clone()),
        };
        let message = Message::text(self.text("note.saved", &[("question", &question.id)]));
        let effects = vec![self.reply(Visibility::Private, message)];
        self.upsert(record, self.registered_trajectory(), history, effects)
    }

    fn move_by(&self, walk: Walk, delta: isize) -> Transition {
        let total = self.content.questionnaire.questions.len();
        let current = self.position(walk);
        let target = current.saturating_add_signed(delta).min(total);
        if delta < 0 && current == 0 {
            return self.refuse("error.at_first", &[]);
        }
        self.move_to(walk, target)
    }

    fn goto(&self, question: &str, walk: Walk) -> Transition {
        match self.content.questionnaire.position(question) {
            Some(index) => self.move_to(walk, index),
            None => self.refuse(
                "error.unknown_question",
                &[
                    ("question", &escape_markdown(question)),
                    ("known", &self.content.questionnaire.id_list()),
                ],
            ),
        }
    }

    fn move_to(&self, walk: Walk, index: usize) -> Transition {
        let mut state = self.touched();
        let effect = match walk {
            Walk::Channel => {
                state.trajectory.channel_position = index;
                self.post(self.question_message(&state.trajectory, index, walk))
            }
            Walk::Private => {
                state
                    .trajectory
                    .private_positions
                    .insert(self.actor().to_string(), index);
                self.reply(
                    Visibility::Private,
                    self.question_message(&state.trajectory, index, walk),
                )
            }
        };
        Transition {
            state: Some(state),
            effects: vec![effect],
            ..Transition::default()
        }
    }

    fn result(&self) -> Transition {
        let document = result_document(self.content, self.state);
        let message = Message {
            blocks: vec![Block::Document(document)],
        };
        Transition {
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        }
    }

    fn set_closed(&self, closed: bool) -> Transition {
        if self.state.trajectory.is_closed() == closed {
            let key = if closed {
                "close.already"
            } else {
                "reopen.already"
            };
            return self.refuse(key, &[]);
        }
        let mut state = self.touched();
        state.trajectory.status = if closed {
            Status::Closed {
                at: self.input.at,
                by: self.actor().to_string(),
            }
        } else {
            Status::Open
        };
        let key = if closed { "close.done" } else { "reopen.done" };
        let message =
            Message::text(self.text(key, &[("member", &escape_markdown(&self.input.actor.name))]));
        Transition {
            state: Some(state),
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        }
    }

    fn agree_text(&self, question: &str, text: &str) -> Transition {
        match self.content.questionnaire.question(question) {
            Some(q) => self.agree(question, AnswerValue::parse(q, text)),
            None => self.refuse(
                "error.unknown_question",
                &[
                    ("question", &escape_markdown(question)),
                    ("known", &self.content.questionnaire.id_list()),
                ],
            ),
        }
    }

    fn agree(
        &self,
        question: &str,
        value: Result<AnswerValue, crate::answer::AnswerError>,
    ) -> Transition {
        let question = match self.resolve_question(Some(question), Walk::Channel) {
            Ok(q) => q,
            Err(refusal) => return *refusal,
        };
        let value = match value.and_then(|v| v.validate(question)) {
            Ok(value) => value,
            Err(error) => return self.invalid_answer(question, &error),
        };
        let mut state = self.touched();
        let agreed = Agreed {
            value: value.clone(),
            by: self.actor().to_string(),
            at: self.input.at,
        };
        state.trajectory.agreed.insert(question.id.clone(), agreed);
        let history = HistoryEntry {
            member: self.actor().to_string(),
            question: question.id.clone(),
            change: Change::Agreed(value.clone()),
            at: self.input.at,
            event: Some(self.input.event_id.clone()),
        };
        let message = Message::text(self.text(
            "agree.done",
            &[
                ("question", &question.id),
                (
                    "answer",
                    &escape_markdown(&value.label(question, self.lang())),
                ),
            ],
        ));
        Transition {
            state: Some(state),
            history: vec![history],
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        }
    }

    fn add_facilitator(&self, member: &str, name: &str) -> Transition {
        // Only registered members, so a mistyped name cannot add a member who never answers
        // and would hold up the channel walk.
        if !self.state.trajectory.members.contains_key(member) {
            return self.refuse(
                "facilitator.not_member",
                &[("member", &escape_markdown(name))],
            );
        }
        let name = self.state.trajectory.member_name(member).to_string();
        let mut state = self.touched();
        if !state.trajectory.facilitators.insert(member.to_string()) {
            return self.refuse(
                "facilitator.already",
                &[("member", &escape_markdown(&name))],
            );
        }
        let message =
            Message::text(self.text("facilitator.added", &[("member", &escape_markdown(&name))]));
        Transition {
            state: Some(state),
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        }
    }

    fn export(&self, history: &[HistoryEntry]) -> Transition {
        let attachments = export_files(self.content, self.state, history);
        let mut blocks = vec![Block::Text(self.text("export.done", &[]))];
        blocks.extend(attachments.into_iter().map(Block::Attachment));
        Transition {
            effects: vec![self.reply(Visibility::Private, Message { blocks })],
            ..Transition::default()
        }
    }

    fn delete(&self, confirmed: bool) -> Transition {
        let name = escape_markdown(&self.state.trajectory.name);
        if !confirmed {
            let actions = vec![
                action(
                    self.content,
                    self.lang(),
                    ActionKind::DeleteConfirm,
                    "delete.confirm_button",
                    ActionStyle::Danger,
                ),
                action(
                    self.content,
                    self.lang(),
                    ActionKind::DeleteCancel,
                    "delete.cancel_button",
                    ActionStyle::Secondary,
                ),
            ];
            let message = Message {
                blocks: vec![
                    Block::Text(self.text("delete.ask", &[("name", &name)])),
                    Block::Actions(actions),
                ],
            };
            return Transition {
                effects: vec![self.reply(Visibility::Private, message)],
                ..Transition::default()
            };
        }
        let message = Message::text(self.text(
            "delete.done",
            &[
                ("name", &name),
                ("member", &escape_markdown(&self.input.actor.name)),
            ],
        ));
        Transition {
            delete: true,
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        }
    }

    fn language(&self, lang: Lang) -> Transition {
        let mut state = self.touched();
        state.trajectory.lang = lang;
        let message = Message::text(self.content.fill(lang, "language.done", &[]));
        Transition {
            state: Some(state),
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        }
    }
}

/// Returns the message key that describes what a facilitator-only command does, for refusals.
fn action_key(command: &Command) -> String {
    format!("action.{}", command.name())
}

/// Computes the advice document of a trajectory's current answers.
pub fn result_document(content: &Content, state: &TrajectoryState) -> document::Document {
    with_advice_view(content, state, document::build)
}

/// Computes the advice of a trajectory's answers and hands the view of it to `render`.
fn with_advice_view<T>(
    content: &Content,
    state: &TrajectoryState,
    render: impl FnOnce(&AdviceView) -> T,
) -> T {
    let (advice, team) = advise(content, state);
    let members = member_names(state);
    let trajectory = &state.trajectory;
    let view = AdviceView {
        content,
        advice: &advice,
        team: &team,
        name: &trajectory.name,
        description: &trajectory.description,
        members: &members,
        lang: trajectory.lang,
    };
    render(&view)
}

/// Aggregates a trajectory's answers and computes its advice.
pub fn advise(
    content: &Content,
    state: &TrajectoryState,
) -> (advice::Advice, aggregate::TeamAnswers) {
    let team = aggregate::aggregate(
        &content.questionnaire,
        &state.member_answers(),
        &state.agreed_values(),
    );
    (advice::advise(content, &team), team)
}

fn member_names(state: &TrajectoryState) -> BTreeMap<String, String> {
    state
        .trajectory
        .members
        .iter()
        .map(|(id, m)| (id.clone(), m.name.clone()))
        .collect()
}

/// Builds the export: the advice as Markdown and as JSON with the answers and their history.
pub fn export_files(
    content: &Content,
    state: &TrajectoryState,
    history: &[HistoryEntry],
) -> Vec<Attachment> {
    let (markdown, advice_json) = with_advice_view(content, state, |view| {
        (advice::markdown::render(view), advice::json::build(view))
    });
    let trajectory = &state.trajectory;
    let json = serde_json::json!({
        "trajectory": {
            "id": trajectory.id.0,
            "name": trajectory.name,
            "description": trajectory.description,
            "language": trajectory.lang.code(),
            "closed": trajectory.is_closed(),
            "members": member_names(state),
            "facilitators": trajectory.facilitators,
        },
        "advice": advice_json,
        "answers": state.answers.values().collect::<Vec<_>>(),
        "agreed": trajectory.agreed,
        "history": history,
    });
    let stem = format!("schaalwijzer-{}", trajectory.id);
    vec![
        Attachment {
            filename: format!("{stem}.md"),
            content_type: "text/markdown; charset=utf-8".into(),
            bytes: markdown.into_bytes(),
        },
        Attachment {
            filename: format!("{stem}.json"),
            content_type: "application/json".into(),
            bytes: serde_json::to_vec_pretty(&json).unwrap_or_default(),
        },
    ]
}

/// Lists what a question accepts, in words: the scale's range with its ends, or the options
/// numbered as a typed answer may name them.
fn accepted_answers(question: &crate::content::Question, lang: Lang) -> String {
    use crate::content::QuestionKind;
    match &question.kind {
        QuestionKind::Scale(scale) => {
            format!("1 ({}) … 5 ({})", scale.low.get(lang), scale.high.get(lang))
        }
        QuestionKind::Single { options } | QuestionKind::Multiple { options } => {
            let listed: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, o)| format!("{} = {}", i + 1, o.label.get(lang)))
                .collect();
            listed.join(", ")
        }
    }
}
