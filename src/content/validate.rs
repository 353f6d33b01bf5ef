//! Second loading stage: raw serde structs to the immutable model.
//!
//! Validation does not stop at the first problem: it records every problem with its file and
//! key path, so one run shows a content editor everything that needs fixing.

use std::collections::HashSet;

use super::model::*;
use super::raw::*;
use super::Problem;
use crate::i18n::Text;

/// Maximum characters of a text shown in a chat embed field or title.
const MAX_TITLE: usize = 60;
const MAX_QUESTION: usize = 250;
const MAX_HINT: usize = 400;
const MAX_LABEL: usize = 80;
const MAX_SCALE_LABEL: usize = 40;
const MAX_TEXT: usize = 600;
const MAX_WEIGHT: i64 = 5;

/// Records problems for one file.
pub(super) struct Check<'a> {
    file: String,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Check<'a> {
    pub(super) fn new(file: String, problems: &'a mut Vec<Problem>) -> Self {
        Check { file, problems }
    }

    fn fail(&mut self, path: impl Into<String>, problem: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.clone(),
            path: path.into(),
            problem: problem.into(),
        });
    }

    /// Converts a raw text, recording a missing or empty language or a text over `max` chars.
    fn text(&mut self, path: &str, raw: &RawText, max: usize) -> Text {
        let nl = self.language(path, "nl", "Dutch", raw.nl.as_deref(), max);
        let en = self.language(path, "en", "English", raw.en.as_deref(), max);
        Text { nl, en }
    }

    fn language(
        &mut self,
        path: &str,
        code: &str,
        name: &str,
        value: Option<&str>,
        max: usize,
    ) -> String {
        let value = value.map(str::trim).unwrap_or_default();
        if value.is_empty() {
            self.fail(
                format!("{path}.{code}"),
                format!("missing {name} text: add `{code} = \"...\"`"),
            );
        }
        let length = value.chars().count();
        if length > max {
            self.fail(
                format!("{path}.{code}"),
                format!("text is {length} characters, more than the limit of {max}: shorten it"),
            );
        }
        value.to_string()
    }

    fn unique(&mut self, path: &str, id: &str, seen: &mut HashSet<String>) {
        if id.trim().is_empty() {
            self.fail(format!("{path}.id"), "missing id");
        } else if !seen.insert(id.to_string()) {
            self.fail(
                format!("{path}.id"),
                format!("duplicate id {id:?}: every id must be unique"),
            );
        }
    }

    fn reference(&mut self, path: &str, kind: &str, id: &str, known: &[&str]) {
        if !known.contains(&id) {
            self.fail(
                path,
                format!(
                    "unknown {kind} {id:?}; known {kind} ids: {}",
                    known.join(", ")
                ),
            );
        }
    }
}

const TOPICS: [&str; 5] = ["intake", "reach", "technology", "collaboration", "finance"];

pub(super) fn questionnaire(
    file: QuestionnaireFile,
    aspects: &[&str],
    check: &mut Check,
) -> Questionnaire {
    let mut seen = HashSet::new();
    let topics: Vec<Topic> = file
        .topic
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let path = format!("topic[{i}]");
            check.unique(&path, &raw.id, &mut seen);
            check.reference(&format!("{path}.id"), "topic", &raw.id, &TOPICS);
            Topic {
                id: raw.id.clone(),
                title: check.text(&format!("{path}.title"), &raw.title, MAX_TITLE),
                intro: check.text(&format!("{path}.intro"), &raw.intro, MAX_TEXT),
            }
        })
        .collect();
    let topic_ids: Vec<&str> = topics.iter().map(|t| t.id.as_str()).collect();

    let mut seen = HashSet::new();
    let questions = file
        .question
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let path = format!("question[{i}] ({})", raw.id);
            check.unique(&path, &raw.id, &mut seen);
            question(raw, &path, &topic_ids, aspects, check)
        })
        .collect();
    Questionnaire { topics, questions }
}

fn question(
    raw: &RawQuestion,
    path: &str,
    topics: &[&str],
    aspects: &[&str],
    check: &mut Check,
) -> Question {
    check.reference(&format!("{path}.topic"), "topic", &raw.topic, topics);
    for (i, aspect) in raw.aspects.iter().enumerate() {
        check.reference(&format!("{path}.aspects[{i}]"), "aspect", aspect, aspects);
    }
    Question {
        id: raw.id.clone(),
        topic: raw.topic.clone(),
        kind: question_kind(raw, path, check),
        aspects: raw.aspects.clone(),
        title: check.text(&format!("{path}.title"), &raw.title, MAX_TITLE),
        text: check.text(&format!("{path}.text"), &raw.text, MAX_QUESTION),
        hint: check.text(&format!("{path}.hint"), &raw.hint, MAX_HINT),
    }
}

fn question_kind(raw: &RawQuestion, path: &str, check: &mut Check) -> QuestionKind {
    match raw.kind.as_str() {
        "single" | "multiple" => {
            if raw.scale.is_some() {
                check.fail(
                    format!("{path}.scale"),
                    "a choice question has options, not a scale: remove [question.scale]",
                );
            }
            let options = options(raw, path, check);
            if raw.kind == "single" {
                QuestionKind::Single { options }
            } else {
                QuestionKind::Multiple { options }
            }
        }
        "scale" => {
            if !raw.option.is_empty() {
                check.fail(
                    format!("{path}.option"),
                    "a scale question has no options: remove its [[question.option]] entries",
                );
            }
            QuestionKind::Scale(scale(raw.scale.as_ref(), path, check))
        }
        other => {
            check.fail(
                format!("{path}.kind"),
                format!("unknown kind {other:?}; use \"single\", \"multiple\" or \"scale\""),
            );
            QuestionKind::Single {
                options: Vec::new(),
            }
        }
    }
}

fn options(raw: &RawQuestion, path: &str, check: &mut Check) -> Vec<ChoiceOption> {
    if raw.option.len() < 2 {
        check.fail(
            format!("{path}.option"),
            "a choice question needs at least two options",
        );
    }
    let mut seen = HashSet::new();
    raw.option
        .iter()
        .enumerate()
        .map(|(i, option)| {
            let option_path = format!("{path}.option[{i}]");
            check.unique(&option_path, &option.id, &mut seen);
            if option.exclusive && raw.kind != "multiple" {
                check.fail(
                    format!("{option_path}.exclusive"),
                    "only options of a multiple-choice question can be exclusive",
                );
            }
            ChoiceOption {
                id: option.id.clone(),
                label: check.text(&format!("{option_path}.label"), &option.label, MAX_LABEL),
                exclusive: option.exclusive,
            }
        })
        .collect()
}

fn scale(raw: Option<&RawScale>, path: &str, check: &mut Check) -> Scale {
    let path = format!("{path}.scale");
    let Some(raw) = raw else {
        check.fail(
            &path,
            "missing [question.scale] with the labels `low` and `high`",
        );
        let empty = Text {
            nl: String::new(),
            en: String::new(),
        };
        return Scale {
            low: empty.clone(),
            high: empty,
            steps: None,
        };
    };
    let steps = raw.steps.as_ref().map(|steps| {
        let expected = usize::from(SCALE_MAX - SCALE_MIN + 1);
        if steps.len() != expected {
            check.fail(
                format!("{path}.steps"),
                format!(
                    "has {} labels; give exactly {expected}, one per step",
                    steps.len()
                ),
            );
        }
        steps
            .iter()
            .enumerate()
            .map(|(i, step)| check.text(&format!("{path}.steps[{i}]"), step, MAX_SCALE_LABEL))
            .collect()
    });
    Scale {
        low: check.text(&format!("{path}.low"), &raw.low, MAX_SCALE_LABEL),
        high: check.text(&format!("{path}.high"), &raw.high, MAX_SCALE_LABEL),
        steps,
    }
}

pub(super) fn aspects(file: AspectsFile, check: &mut Check) -> Vec<Aspect> {
    let mut seen = HashSet::new();
    file.aspect
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let path = format!("aspect[{i}] ({})", raw.id);
            check.unique(&path, &raw.id, &mut seen);
            Aspect {
                id: raw.id.clone(),
                number: raw.number,
                name: check.text(&format!("{path}.name"), &raw.name, MAX_TITLE),
                covers: check.text(&format!("{path}.covers"), &raw.covers, MAX_TEXT),
                discussion: check.text(&format!("{path}.discussion"), &raw.discussion, MAX_TEXT),
            }
        })
        .collect()
}

pub(super) fn strategies(file: StrategiesFile, check: &mut Check) -> Vec<Strategy> {
    let mut seen = HashSet::new();
    let ids: Vec<String> = file.strategy.iter().map(|s| s.id.clone()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    file.strategy
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let path = format!("strategy[{i}] ({})", raw.id);
            check.unique(&path, &raw.id, &mut seen);
            for (j, other) in raw.also_applies.iter().enumerate() {
                check.reference(
                    &format!("{path}.also_applies[{j}]"),
                    "strategy",
                    other,
                    &ids,
                );
            }
            Strategy {
                id: raw.id.clone(),
                family: family(&raw.family, &path, check),
                in_scope: raw.in_scope,
                name: check.text(&format!("{path}.name"), &raw.name, MAX_TITLE),
                summary: check.text(&format!("{path}.summary"), &raw.summary, MAX_TEXT),
                characteristics: check.text(
                    &format!("{path}.characteristics"),
                    &raw.characteristics,
                    MAX_TEXT,
                ),
                example: raw
                    .example
                    .as_ref()
                    .map(|e| check.text(&format!("{path}.example"), e, MAX_TEXT)),
                also_applies: raw.also_applies.clone(),
            }
        })
        .collect()
}

fn family(raw: &str, path: &str, check: &mut Check) -> Family {
    match raw {
        "reuse" => Family::Reuse,
        "by-design" => Family::ByDesign,
        "embedding" => Family::Embedding,
        other => {
            check.fail(
                format!("{path}.family"),
                format!("unknown family {other:?}; use \"reuse\", \"by-design\" or \"embedding\""),
            );
            Family::Reuse
        }
    }
}

/// Ids the remaining data files refer to.
pub(super) struct Known<'a> {
    pub questionnaire: &'a Questionnaire,
    pub aspects: Vec<&'a str>,
    pub in_scope: Vec<&'a str>,
}

pub(super) fn attention(
    file: AttentionFile,
    known: &Known,
    check: &mut Check,
) -> Vec<AttentionPoint> {
    file.point
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let path = format!("point[{i}]");
            check.reference(
                &format!("{path}.strategy"),
                "in-scope strategy",
                &raw.strategy,
                &known.in_scope,
            );
            check.reference(
                &format!("{path}.aspect"),
                "aspect",
                &raw.aspect,
                &known.aspects,
            );
            AttentionPoint {
                strategy: raw.strategy.clone(),
                aspect: raw.aspect.clone(),
                text: check.text(&format!("{path}.text"), &raw.text, MAX_TEXT),
            }
        })
        .collect()
}

pub(super) fn signals(file: SignalsFile, known: &Known, check: &mut Check) -> Vec<Signal> {
    let mut seen = HashSet::new();
    file.signal
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let path = format!("signal[{i}] ({})", raw.id);
            check.unique(&path, &raw.id, &mut seen);
            check.reference(
                &format!("{path}.strategy"),
                "in-scope strategy",
                &raw.strategy,
                &known.in_scope,
            );
            if !(1..=MAX_WEIGHT).contains(&raw.weight) {
                check.fail(
                    format!("{path}.weight"),
                    format!(
                        "weight {} is out of range: use 1 (weak) to {MAX_WEIGHT} (strong)",
                        raw.weight
                    ),
                );
            }
            Signal {
                id: raw.id.clone(),
                strategy: raw.strategy.clone(),
                weight: raw.weight.clamp(1, MAX_WEIGHT) as u8,
                reason: check.text(&format!("{path}.reason"), &raw.reason, MAX_TEXT),
                when: condition(
                    &raw.when,
                    &format!("{path}.when"),
                    known.questionnaire,
                    check,
                ),
            }
        })
        .collect()
}

pub(super) fn flags(file: FlagsFile, known: &Known, check: &mut Check) -> Vec<Flag> {
    let mut seen = HashSet::new();
    file.flag
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let path = format!("flag[{i}] ({})", raw.id);
            check.unique(&path, &raw.id, &mut seen);
            check.reference(
                &format!("{path}.aspect"),
                "aspect",
                &raw.aspect,
                &known.aspects,
            );
            Flag {
                id: raw.id.clone(),
                aspect: raw.aspect.clone(),
                title: check.text(&format!("{path}.title"), &raw.title, MAX_LABEL),
                text: check.text(&format!("{path}.text"), &raw.text, MAX_HINT),
                when: condition(
                    &raw.when,
                    &format!("{path}.when"),
                    known.questionnaire,
                    check,
                ),
            }
        })
        .collect()
}

/// Converts a raw condition, checking that it uses exactly one operator, that the question
/// exists and that the operator and option ids fit the question's kind.
fn condition(
    raw: &RawCondition,
    path: &str,
    questionnaire: &Questionnaire,
    check: &mut Check,
) -> Condition {
    let groups = [("all", &raw.all), ("any", &raw.any)];
    let group_count = groups.iter().filter(|(_, g)| g.is_some()).count();
    let operators = leaf_operators(raw);
    if group_count + operators.len() != 1 {
        let used: Vec<&str> = groups
            .iter()
            .filter(|(_, g)| g.is_some())
            .map(|(n, _)| *n)
            .chain(operators.iter().copied())
            .collect();
        check.fail(
            path,
            format!(
                "a condition needs exactly one of equals, one_of, includes, includes_any, only, empty, at_most, at_least, all, any; found {}",
                if used.is_empty() { "none".to_string() } else { used.join(", ") }
            ),
        );
        return Condition::Any(Vec::new());
    }
    if let Some(parts) = &raw.all {
        return Condition::All(group(parts, path, "all", raw, questionnaire, check));
    }
    if let Some(parts) = &raw.any {
        return Condition::Any(group(parts, path, "any", raw, questionnaire, check));
    }
    leaf(raw, path, questionnaire, check)
}

fn leaf_operators(raw: &RawCondition) -> Vec<&'static str> {
    let present = [
        ("equals", raw.equals.is_some()),
        ("one_of", raw.one_of.is_some()),
        ("includes", raw.includes.is_some()),
        ("includes_any", raw.includes_any.is_some()),
        ("only", raw.only.is_some()),
        ("empty", raw.empty.is_some()),
        ("at_most", raw.at_most.is_some()),
        ("at_least", raw.at_least.is_some()),
    ];
    present
        .iter()
        .filter(|(_, p)| *p)
        .map(|(n, _)| *n)
        .collect()
}

fn group(
    parts: &[RawCondition],
    path: &str,
    name: &str,
    raw: &RawCondition,
    questionnaire: &Questionnaire,
    check: &mut Check,
) -> Vec<Condition> {
    if raw.question.is_some() {
        check.fail(
            format!("{path}.question"),
            format!("`{name}` combines conditions: move `question` into each of them"),
        );
    }
    if parts.is_empty() {
        check.fail(
            format!("{path}.{name}"),
            "an empty combination: list at least one condition",
        );
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| condition(part, &format!("{path}.{name}[{i}]"), questionnaire, check))
        .collect()
}

fn leaf(
    raw: &RawCondition,
    path: &str,
    questionnaire: &Questionnaire,
    check: &mut Check,
) -> Condition {
    let Some(id) = raw.question.clone() else {
        check.fail(
            format!("{path}.question"),
            "missing `question`: name the question this condition tests",
        );
        return Condition::Any(Vec::new());
    };
    let Some(question) = questionnaire.question(&id) else {
        check.fail(
            format!("{path}.question"),
            format!(
                "unknown question {id:?}; known questions: {}",
                questionnaire.id_list()
            ),
        );
        return Condition::Any(Vec::new());
    };
    let operator = leaf_operators(raw)[0];
    let expected_kind = match operator {
        "equals" | "one_of" => "single",
        "at_most" | "at_least" => "scale",
        _ => "multiple",
    };
    if question.kind.name() != expected_kind {
        check.fail(
            format!("{path}.{operator}"),
            format!(
                "`{operator}` tests a {expected_kind} question, but {id} is a {} question",
                question.kind.name()
            ),
        );
    }
    let mut option = |value: &String| {
        if question.option(value).is_none() {
            check.fail(
                format!("{path}.{operator}"),
                format!(
                    "{id} has no option {value:?}; {}",
                    question.accepted_values()
                ),
            );
        }
        value.clone()
    };
    let question_id = id.clone();
    match operator {
        "equals" => Condition::Equals {
            question: question_id,
            option: option(raw.equals.as_ref().unwrap_or(&id)),
        },
        "one_of" => Condition::OneOf {
            question: question_id,
            options: raw.one_of.iter().flatten().map(&mut option).collect(),
        },
        "includes" => Condition::Includes {
            question: question_id,
            option: option(raw.includes.as_ref().unwrap_or(&id)),
        },
        "includes_any" => Condition::IncludesAny {
            question: question_id,
            options: raw.includes_any.iter().flatten().map(&mut option).collect(),
        },
        "only" => Condition::Only {
            question: question_id,
            options: raw.only.iter().flatten().map(&mut option).collect(),
        },
        "empty" => {
            if raw.empty != Some(true) {
                check.fail(
                    format!("{path}.empty"),
                    "`empty` must be true; to test for a chosen option use `includes`",
                );
            }
            Condition::Empty {
                question: question_id,
            }
        }
        _ => threshold(raw, path, operator, question_id, check),
    }
}

fn threshold(
    raw: &RawCondition,
    path: &str,
    operator: &str,
    question: String,
    check: &mut Check,
) -> Condition {
    let value = raw.at_most.or(raw.at_least).unwrap_or_default();
    if !(f64::from(SCALE_MIN)..=f64::from(SCALE_MAX)).contains(&value) {
        check.fail(
            format!("{path}.{operator}"),
            format!("{value} is outside the scale: use {SCALE_MIN} to {SCALE_MAX}"),
        );
    }
    if operator == "at_most" {
        Condition::AtMost { question, value }
    } else {
        Condition::AtLeast { question, value }
    }
}

pub(super) fn relations(file: RelationsFile, known: &Known, check: &mut Check) -> Vec<Relation> {
    let mut seen = HashSet::new();
    file.relation
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let path = format!("relation[{i}] ({} -> {})", raw.from, raw.to);
            check.reference(
                &format!("{path}.from"),
                "in-scope strategy",
                &raw.from,
                &known.in_scope,
            );
            check.reference(
                &format!("{path}.to"),
                "in-scope strategy",
                &raw.to,
                &known.in_scope,
            );
            if raw.from == raw.to {
                check.fail(&path, "a strategy cannot relate to itself");
            }
            if !seen.insert((raw.from.clone(), raw.to.clone())) {
                check.fail(&path, "duplicate relation: keep one entry per pair");
            }
            Relation {
                from: raw.from.clone(),
                to: raw.to.clone(),
                requires_support: raw.requires_support.unwrap_or(true),
                text: check.text(&format!("{path}.text"), &raw.text, MAX_TEXT),
            }
        })
        .collect()
}

pub(super) fn closing(file: ClosingFile, check: &mut Check) -> Closing {
    Closing {
        recommendations: id_texts(&file.recommendation, "recommendation", check),
        not_scaling_intro: check.text("not_scaling.intro", &file.not_scaling.intro, MAX_TEXT),
        not_scaling_reasons: id_texts(&file.not_scaling.reason, "not_scaling.reason", check),
    }
}

fn id_texts(raw: &[RawIdText], name: &str, check: &mut Check) -> Vec<IdText> {
    let mut seen = HashSet::new();
    raw.iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("{name}[{i}]");
            check.unique(&path, &item.id, &mut seen);
            IdText {
                id: item.id.clone(),
                text: check.text(&format!("{path}.text"), &item.text, MAX_TEXT),
            }
        })
        .collect()
}

pub(super) fn report(file: ReportFile, check: &mut Check) -> Report {
    if file.title.trim().is_empty() {
        check.fail("title", "missing the report's title");
    }
    if file.authors.is_empty() {
        check.fail("authors", "list at least one author");
    }
    Report {
        citation: check.text("citation", &file.citation, MAX_TEXT),
        title: file.title,
        publisher: file.publisher,
        year: file.year,
        authors: file.authors,
    }
}
