//! Team aggregation: from every member's answer to one answer per question.
//!
//! Each member answers for themselves. Per question the team gets:
//!
//! - **Scale**: the median of the members' steps (the mean of the two middle steps for an even
//!   count, so 2 and 3 give 2.5) and the spread (highest minus lowest step). Disputed when the
//!   spread is 2 steps or more.
//! - **Single choice**: the count per option. The team's answer is the option chosen by more
//!   than half of the members. Without such a majority the question is disputed and the answer
//!   is the most chosen option, or none when two or more options tie for most.
//! - **Multiple choice**: the count per option. The team's answer is the set of options chosen
//!   by more than half of the members (an option chosen by exactly half is left out). Disputed
//!   when two members' selections have no option in common; an empty selection has nothing in
//!   common with a non-empty one, while two empty selections agree.
//!
//! A facilitator's agreed answer replaces the team's answer and clears the dispute. A question
//! answered by one member is never disputed. The result does not depend on the order of the
//! answers.

use std::collections::{BTreeMap, BTreeSet};

use crate::answer::AnswerValue;
use crate::content::{QuestionKind, Questionnaire};

/// A member's current answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAnswer {
    pub member: String,
    pub question: String,
    pub value: AnswerValue,
    pub note: Option<String>,
}

/// The value the advice uses for a question.
#[derive(Debug, Clone, PartialEq)]
pub enum Effective {
    Choice(String),
    Choices(BTreeSet<String>),
    /// The median step, possibly halfway between two steps.
    Scale(f64),
}

/// The distribution of the members' answers to one question.
#[derive(Debug, Clone, PartialEq)]
pub enum Summary {
    Scale {
        values: Vec<u8>,
        median: f64,
        spread: u8,
    },
    Choice {
        counts: BTreeMap<String, usize>,
        majority: Option<String>,
    },
    Choices {
        counts: BTreeMap<String, usize>,
        selected: BTreeSet<String>,
        /// Members who chose no option at all.
        empty: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionResult {
    pub question: String,
    pub respondents: usize,
    pub summary: Summary,
    /// The team's answer, or the agreed answer where one is set. None when a single choice ties.
    pub effective: Option<Effective>,
    pub disputed: bool,
    pub agreed: Option<AnswerValue>,
    /// Notes by member id, sorted by member id.
    pub notes: Vec<(String, String)>,
}

/// The aggregated answers of a team, per question id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamAnswers {
    pub questions: BTreeMap<String, QuestionResult>,
}

impl TeamAnswers {
    pub fn get(&self, question: &str) -> Option<&QuestionResult> {
        self.questions.get(question)
    }

    pub fn effective(&self, question: &str) -> Option<&Effective> {
        self.questions.get(question)?.effective.as_ref()
    }

    /// Returns the ids of disputed questions in questionnaire order.
    pub fn disputed(&self, questionnaire: &Questionnaire) -> Vec<String> {
        questionnaire
            .questions
            .iter()
            .filter(|q| self.questions.get(&q.id).is_some_and(|r| r.disputed))
            .map(|q| q.id.clone())
            .collect()
    }

    /// Returns the ids of questions nobody answered and nobody agreed on, in questionnaire order.
    pub fn missing(&self, questionnaire: &Questionnaire) -> Vec<String> {
        questionnaire
            .questions
            .iter()
            .filter(|q| !self.questions.contains_key(&q.id))
            .map(|q| q.id.clone())
            .collect()
    }
}

/// Aggregates the members' current answers and applies the agreed answers.
///
/// Answers to questions the questionnaire does not have are ignored; callers validate answers
/// before storing them.
pub fn aggregate(
    questionnaire: &Questionnaire,
    answers: &[MemberAnswer],
    agreed: &BTreeMap<String, AnswerValue>,
) -> TeamAnswers {
    let mut by_question: BTreeMap<&str, Vec<&MemberAnswer>> = BTreeMap::new();
    for answer in answers {
        by_question
            .entry(answer.question.as_str())
            .or_default()
            .push(answer);
    }
    let mut team = TeamAnswers::default();
    for question in &questionnaire.questions {
        let mut members = by_question.remove(question.id.as_str()).unwrap_or_default();
        members.sort_by(|a, b| a.member.cmp(&b.member));
        let agreed_value = agreed.get(&question.id);
        if members.is_empty() && agreed_value.is_none() {
            continue;
        }
        let result = aggregate_question(&question.id, &question.kind, &members, agreed_value);
        team.questions.insert(question.id.clone(), result);
    }
    team
}

fn aggregate_question(
    id: &str,
    kind: &QuestionKind,
    members: &[&MemberAnswer],
    agreed: Option<&AnswerValue>,
) -> QuestionResult {
    let (summary, effective, disputed) = match kind {
        QuestionKind::Scale(_) => scale(members),
        QuestionKind::Single { .. } => single(members),
        QuestionKind::Multiple { .. } => multiple(members),
    };
    let notes = members
        .iter()
        .filter_map(|m| m.note.as_ref().map(|note| (m.member.clone(), note.clone())))
        .collect();
    QuestionResult {
        question: id.to_string(),
        respondents: members.len(),
        summary,
        effective: agreed.map(effective_of).or(effective),
        disputed: disputed && agreed.is_none(),
        agreed: agreed.cloned(),
        notes,
    }
}

fn effective_of(value: &AnswerValue) -> Effective {
    match value {
        AnswerValue::Choice(id) => Effective::Choice(id.clone()),
        AnswerValue::Choices(ids) => Effective::Choices(ids.iter().cloned().collect()),
        AnswerValue::Scale(step) => Effective::Scale(f64::from(*step)),
    }
}

fn scale(members: &[&MemberAnswer]) -> (Summary, Option<Effective>, bool) {
    let mut values: Vec<u8> = members
        .iter()
        .filter_map(|m| match m.value {
            AnswerValue::Scale(step) => Some(step),
            _ => None,
        })
        .collect();
    values.sort_unstable();
    let Some((&lowest, &highest)) = values.first().zip(values.last()) else {
        let summary = Summary::Scale {
            values,
            median: 0.0,
            spread: 0,
        };
        return (summary, None, false);
    };
    let middle = values.len() / 2;
    let median = if values.len() % 2 == 1 {
        f64::from(values[middle])
    } else {
        (f64::from(values[middle - 1]) + f64::from(values[middle])) / 2.0
    };
    let spread = highest - lowest;
    (
        Summary::Scale {
            values,
            median,
            spread,
        },
        Some(Effective::Scale(median)),
        spread >= 2,
    )
}

fn single(members: &[&MemberAnswer]) -> (Summary, Option<Effective>, bool) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for member in members {
        if let AnswerValue::Choice(id) = &member.value {
            *counts.entry(id.clone()).or_default() += 1;
        }
    }
    let total: usize = counts.values().sum();
    let majority = counts
        .iter()
        .find(|(_, &n)| n * 2 > total)
        .map(|(id, _)| id.clone());
    let most = counts.values().copied().max().unwrap_or(0);
    let leaders: Vec<&String> = counts
        .iter()
        .filter(|(_, &n)| n == most)
        .map(|(id, _)| id)
        .collect();
    let effective = match (&majority, leaders.as_slice()) {
        (Some(id), _) => Some(id.clone()),
        (None, [only]) => Some((*only).clone()),
        _ => None,
    };
    let disputed = majority.is_none() && total >= 2;
    (
        Summary::Choice { counts, majority },
        effective.map(Effective::Choice),
        disputed,
    )
}

fn multiple(members: &[&MemberAnswer]) -> (Summary, Option<Effective>, bool) {
    let selections: Vec<BTreeSet<&String>> = members
        .iter()
        .filter_map(|m| match &m.value {
            AnswerValue::Choices(ids) => Some(ids.iter().collect()),
            _ => None,
        })
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for id in selections.iter().flatten() {
        *counts.entry((*id).clone()).or_default() += 1;
    }
    let total = selections.len();
    let selected: BTreeSet<String> = counts
        .iter()
        .filter(|(_, &n)| n * 2 > total)
        .map(|(id, _)| id.clone())
        .collect();
    let disputed = selections
        .iter()
        .enumerate()
        .any(|(i, a)| selections[i + 1..].iter().any(|b| disjoint(a, b)));
    let effective = (total > 0).then(|| Effective::Choices(selected.clone()));
    let empty = selections.iter().filter(|s| s.is_empty()).count();
    let summary = Summary::Choices {
        counts,
        selected,
        empty,
    };
    (summary, effective, disputed)
}

/// Two selections are disjoint when they share no option, unless both are empty.
fn disjoint(a: &BTreeSet<&String>, b: &BTreeSet<&String>) -> bool {
    if a.is_empty() && b.is_empty() {
        return false;
    }
    a.is_disjoint(b)
}
