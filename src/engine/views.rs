//! Messages the engine builds from a trajectory's state: questions, progress, answers.

use super::input::Walk;
use super::message::*;
use super::model::{Answers, MemberId, Trajectory, TrajectoryState};
use crate::answer::MAX_NOTE_CHARS;
use crate::content::{Content, Question, QuestionKind, SCALE_MAX, SCALE_MIN};
use crate::i18n::Lang;

/// Answered questions and finished members of a trajectory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Per topic: (topic id, answered questions, questions).
    pub topics: Vec<(String, usize, usize)>,
    pub answered: usize,
    pub total: usize,
    /// Members who answered every question.
    pub members_done: usize,
    pub members: usize,
    /// Members with unanswered questions, with how many are open for each.
    pub members_open: Vec<(MemberId, usize)>,
}

impl Progress {
    pub fn complete(&self) -> bool {
        self.answered == self.total
    }
}

/// Counts answered questions per topic and members who are done. A question counts as
/// answered when a member gave a value or a facilitator recorded the agreed answer.
pub fn progress(content: &Content, state: &TrajectoryState) -> Progress {
    let questions = &content.questionnaire.questions;
    let answered = |q: &Question| {
        state.trajectory.agreed.contains_key(&q.id)
            || state
                .answers
                .values()
                .any(|a| a.question == q.id && a.value.is_some())
    };
    let topics = content
        .questionnaire
        .topics
        .iter()
        .map(|topic| {
            let in_topic: Vec<&Question> =
                questions.iter().filter(|q| q.topic == topic.id).collect();
            let done = in_topic.iter().filter(|q| answered(q)).count();
            (topic.id.clone(), done, in_topic.len())
        })
        .collect();
    let members_open: Vec<(MemberId, usize)> = state
        .trajectory
        .members
        .keys()
        .map(|member| {
            (
                member.clone(),
                questions
                    .iter()
                    .filter(|q| !state.has_value(&q.id, member))
                    .count(),
            )
        })
        .filter(|(_, open)| *open > 0)
        .collect();
    let members = state.trajectory.members.len();
    Progress {
        topics,
        answered: questions.iter().filter(|q| answered(q)).count(),
        total: questions.len(),
        members_done: members - members_open.len(),
        members,
        members_open,
    }
}

/// Builds an action button with the label `key` from the bot's messages.
pub fn action(
    content: &Content,
    lang: Lang,
    kind: ActionKind,
    key: &str,
    style: ActionStyle,
) -> Action {
    Action {
        kind,
        label: content.msg(lang, key).to_string(),
        style,
    }
}

/// Builds the message that shows question `index` in a walk. For the private walk,
/// `member` is whose answer is pre-selected.
pub fn question_message(
    content: &Content,
    trajectory: &Trajectory,
    answers: &Answers,
    index: usize,
    walk: Walk,
    member: Option<&str>,
) -> Message {
    let lang = trajectory.lang;
    let questionnaire = &content.questionnaire;
    let Some(question) = questionnaire.questions.get(index) else {
        return walk_done_message(content, lang, walk);
    };
    let topic = questionnaire
        .topic(&question.topic)
        .map(|t| t.title.get(lang))
        .unwrap_or_default();
    let own = member.and_then(|m| answers.get(&(question.id.clone(), m.to_string())));
    let block = QuestionBlock {
        id: question.id.clone(),
        context: format!("{topic} · {}/{}", index + 1, questionnaire.questions.len()),
        title: format!("{} · {}", question.id, question.title.get(lang)),
        text: question.text.get(lang).to_string(),
        hint: question.hint.get(lang).to_string(),
        status: question_status(
            content,
            trajectory,
            answers,
            question,
            walk,
            own.and_then(|a| a.value.as_ref()),
        ),
    };
    let mut blocks = vec![Block::Question(block)];
    if index == 0 || questionnaire.questions[index - 1].topic != question.topic {
        if let Some(topic) = questionnaire.topic(&question.topic) {
            blocks.insert(
                0,
                Block::Text(format!(
                    "**{}**\n{}",
                    topic.title.get(lang),
                    topic.intro.get(lang)
                )),
            );
        }
    }
    blocks.push(answer_block(
        content,
        question,
        walk,
        lang,
        own.and_then(|a| a.value.as_ref()),
    ));
    blocks.push(Block::NotePrompt {
        question: question.id.clone(),
        max_chars: MAX_NOTE_CHARS,
        walk,
        label: content.msg(lang, "walk.note_button").to_string(),
    });
    blocks.push(Block::Actions(walk_actions(content, lang, walk)));
    Message { blocks }
}

fn question_status(
    content: &Content,
    trajectory: &Trajectory,
    answers: &Answers,
    question: &Question,
    walk: Walk,
    own: Option<&crate::answer::AnswerValue>,
) -> Option<String> {
    let lang = trajectory.lang;
    match walk {
        Walk::Private => own.map(|value| {
            content.fill(
                lang,
                "walk.your_answer",
                &[("answer", &value.label(question, lang))],
            )
        }),
        Walk::Channel => {
            let answered = answers
                .values()
                .filter(|a| a.question == question.id && a.value.is_some())
                .count();
            let members = trajectory.members.len().to_string();
            Some(content.fill(
                lang,
                "walk.answered_by",
                &[("count", &answered.to_string()), ("members", &members)],
            ))
        }
    }
}

fn answer_block(
    content: &Content,
    question: &Question,
    walk: Walk,
    lang: Lang,
    own: Option<&crate::answer::AnswerValue>,
) -> Block {
    use crate::answer::AnswerValue;
    match &question.kind {
        QuestionKind::Scale(scale) => Block::Scale(ScaleBlock {
            question: question.id.clone(),
            walk,
            steps: (SCALE_MIN..=SCALE_MAX)
                .map(|step| {
                    let label = scale
                        .step_label(step)
                        .map_or_else(|| step.to_string(), |l| format!("{step} · {}", l.get(lang)));
                    (step, label)
                })
                .collect(),
            low: scale.low.get(lang).to_string(),
            high: scale.high.get(lang).to_string(),
            selected: match own {
                Some(AnswerValue::Scale(step)) => Some(*step),
                _ => None,
            },
        }),
        QuestionKind::Single { options } | QuestionKind::Multiple { options } => {
            let chosen: Vec<&str> = match own {
                Some(AnswerValue::Choice(id)) => vec![id.as_str()],
                Some(AnswerValue::Choices(ids)) => ids.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            Block::Choices(ChoicesBlock {
                question: question.id.clone(),
                multiple: matches!(question.kind, QuestionKind::Multiple { .. }),
                walk,
                options: options
                    .iter()
                    .map(|o| ChoiceItem {
                        id: o.id.clone(),
                        label: o.label.get(lang).to_string(),
                        selected: chosen.contains(&o.id.as_str()),
                    })
                    .collect(),
                placeholder: content.msg(lang, "walk.choose_placeholder").to_string(),
            })
        }
    }
}

fn walk_actions(content: &Content, lang: Lang, walk: Walk) -> Vec<Action> {
    match walk {
        Walk::Channel => vec![
            action(
                content,
                lang,
                ActionKind::Back(walk),
                "walk.back",
                ActionStyle::Secondary,
            ),
            action(
                content,
                lang,
                ActionKind::Next(walk),
                "walk.next",
                ActionStyle::Primary,
            ),
            action(
                content,
                lang,
                ActionKind::PrivateWalk,
                "walk.private",
                ActionStyle::Secondary,
            ),
        ],
        Walk::Private => vec![
            action(
                content,
                lang,
                ActionKind::Back(walk),
                "walk.back",
                ActionStyle::Secondary,
            ),
            action(
                content,
                lang,
                ActionKind::Skip(walk),
                "walk.skip",
                ActionStyle::Secondary,
            ),
        ],
    }
}

fn walk_done_message(content: &Content, lang: Lang, walk: Walk) -> Message {
    let key = match walk {
        Walk::Channel => "walk.channel_done",
        Walk::Private => "walk.private_done",
    };
    let actions = vec![
        action(
            content,
            lang,
            ActionKind::Back(walk),
            "walk.back",
            ActionStyle::Secondary,
        ),
        action(
            content,
            lang,
            ActionKind::Result,
            "walk.result",
            ActionStyle::Primary,
        ),
    ];
    Message {
        blocks: vec![
            Block::Text(content.msg(lang, key).to_string()),
            Block::Actions(actions),
        ],
    }
}

/// Builds the progress message: answered questions per topic and members who are done.
pub fn status_message(content: &Content, state: &TrajectoryState) -> Message {
    let lang = state.trajectory.lang;
    let progress = progress(content, state);
    let trajectory = &state.trajectory;
    let mut lines = vec![content.fill(
        lang,
        "status.header",
        &[
            ("name", &escape_markdown(&trajectory.name)),
            ("answered", &progress.answered.to_string()),
            ("total", &progress.total.to_string()),
        ],
    )];
    for (topic, done, total) in &progress.topics {
        let title = content
            .questionnaire
            .topic(topic)
            .map(|t| t.title.get(lang))
            .unwrap_or(topic);
        lines.push(format!("- {title}: {done}/{total}"));
    }
    lines.push(content.fill(
        lang,
        "status.members",
        &[
            ("done", &progress.members_done.to_string()),
            ("members", &progress.members.to_string()),
        ],
    ));
    let state_key = if trajectory.is_closed() {
        "status.closed"
    } else {
        "status.open"
    };
    lines.push(content.fill(
        lang,
        state_key,
        &[(
            "facilitators",
            &escape_markdown(&trajectory.facilitator_names()),
        )],
    ));
    let mut actions = Vec::new();
    // A closed trajectory takes no answers, so it offers only the result.
    if !trajectory.is_closed() {
        actions.push(action(
            content,
            lang,
            ActionKind::PrivateWalk,
            "walk.private",
            ActionStyle::Primary,
        ));
    }
    actions.push(action(
        content,
        lang,
        ActionKind::Result,
        "walk.result",
        ActionStyle::Secondary,
    ));
    Message {
        blocks: vec![Block::Text(lines.join("\n")), Block::Actions(actions)],
    }
}

/// Builds the list of the actor's own answers and notes.
pub fn my_answers_message(content: &Content, state: &TrajectoryState, member: &str) -> Message {
    let lang = state.trajectory.lang;
    let mut lines = vec![content.msg(lang, "answers.header").to_string()];
    for question in &content.questionnaire.questions {
        let title = format!("{} · {}", question.id, question.title.get(lang));
        let line = match state.answer(&question.id, member) {
            Some(record) => {
                let value = record.value.as_ref().map_or_else(
                    || content.msg(lang, "answers.no_value").to_string(),
                    |v| v.label(question, lang),
                );
                let note = record
                    .note
                    .as_ref()
                    .map(|n| format!("\n  > {}", escape_markdown(n)))
                    .unwrap_or_default();
                format!("- **{title}**: {value}{note}")
            }
            None => format!("- **{title}**: {}", content.msg(lang, "answers.open")),
        };
        lines.push(line);
    }
    Message {
        blocks: vec![Block::Text(lines.join("\n"))],
    }
}
