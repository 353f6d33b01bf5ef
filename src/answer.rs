//! One member's answer to one question, checked against the questionnaire.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::content::{Question, QuestionKind, SCALE_MAX, SCALE_MIN};
use crate::i18n::Lang;

/// Maximum characters of a note. Discord's modal text input allows 4000, but a note is shown
/// inside an embed field of at most 1024 characters next to the answer, so it stops at 1000.
pub const MAX_NOTE_CHARS: usize = 1000;

/// Maximum characters of a trajectory's name and description.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 300;

/// The value of an answer. Choice lists are kept in the questionnaire's option order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum AnswerValue {
    Choice(String),
    Choices(Vec<String>),
    Scale(u8),
}

/// The reason a value is not a valid answer to a question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("{question} has no option {value:?}; expected {accepted}")]
    UnknownOption {
        question: String,
        value: String,
        accepted: String,
    },
    #[error("{value} is outside the scale of {question}; expected {accepted}")]
    OutOfRange {
        question: String,
        value: String,
        accepted: String,
    },
    #[error("{question} expects {accepted}, not {given}")]
    WrongKind {
        question: String,
        given: &'static str,
        accepted: String,
    },
    #[error("{question}: option {value:?} is listed twice; list each option once")]
    Duplicate { question: String, value: String },
    #[error("{question}: {value:?} excludes the other options; choose it alone")]
    Exclusive { question: String, value: String },
}

impl AnswerValue {
    pub fn kind_name(&self) -> &'static str {
        match self {
            AnswerValue::Choice(_) => "a single option",
            AnswerValue::Choices(_) => "a list of options",
            AnswerValue::Scale(_) => "a scale step",
        }
    }

    /// Checks the value against the question and returns it in canonical form.
    ///
    /// # Errors
    /// Returns which option or step is not accepted and what the question accepts.
    pub fn validate(self, question: &Question) -> Result<AnswerValue, AnswerError> {
        let wrong_kind = |given: &AnswerValue| AnswerError::WrongKind {
            question: question.id.clone(),
            given: given.kind_name(),
            accepted: question.accepted_values(),
        };
        match (&question.kind, self) {
            (QuestionKind::Scale(_), AnswerValue::Scale(step)) => validate_step(question, step),
            (QuestionKind::Single { .. }, AnswerValue::Choice(option)) => {
                known_option(question, &option)?;
                Ok(AnswerValue::Choice(option))
            }
            (QuestionKind::Multiple { .. }, AnswerValue::Choices(options)) => {
                validate_choices(question, options)
            }
            (_, other) => Err(wrong_kind(&other)),
        }
    }

    /// Parses a typed answer: a step number for a scale, an option id (or its 1-based number)
    /// for a single choice, and a comma-separated list (or `-` for none) for a multiple choice.
    ///
    /// # Errors
    /// Returns what was wrong with the text and the accepted values.
    pub fn parse(question: &Question, text: &str) -> Result<AnswerValue, AnswerError> {
        let text = text.trim();
        let value = match &question.kind {
            QuestionKind::Scale(_) => {
                let step = text.parse::<u8>().map_err(|_| AnswerError::OutOfRange {
                    question: question.id.clone(),
                    value: text.to_string(),
                    accepted: question.accepted_values(),
                })?;
                AnswerValue::Scale(step)
            }
            QuestionKind::Single { .. } => AnswerValue::Choice(option_id(question, text)),
            QuestionKind::Multiple { .. } => {
                let parts = text
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty() && *p != "-");
                AnswerValue::Choices(parts.map(|p| option_id(question, p)).collect())
            }
        };
        value.validate(question)
    }

    /// Returns the value with option labels in `lang`, for people.
    pub fn label(&self, question: &Question, lang: Lang) -> String {
        match (self, &question.kind) {
            (AnswerValue::Scale(step), QuestionKind::Scale(scale)) => match scale.step_label(*step)
            {
                Some(label) => format!("{step} ({})", label.get(lang)),
                None if *step == SCALE_MIN => format!("{step} ({})", scale.low.get(lang)),
                None if *step == SCALE_MAX => format!("{step} ({})", scale.high.get(lang)),
                None => format!("{step}/{SCALE_MAX}"),
            },
            (AnswerValue::Choice(id), _) => option_label(question, id, lang),
            (AnswerValue::Choices(ids), _) if ids.is_empty() => "—".to_string(),
            (AnswerValue::Choices(ids), _) => {
                let labels: Vec<String> = ids
                    .iter()
                    .map(|id| option_label(question, id, lang))
                    .collect();
                labels.join(", ")
            }
            (value, _) => value.to_string(),
        }
    }
}

impl fmt::Display for AnswerValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerValue::Choice(id) => f.write_str(id),
            AnswerValue::Choices(ids) => write!(f, "[{}]", ids.join(", ")),
            AnswerValue::Scale(step) => write!(f, "{step}"),
        }
    }
}

fn option_label(question: &Question, id: &str, lang: Lang) -> String {
    question
        .option(id)
        .map_or_else(|| id.to_string(), |o| o.label.get(lang).to_string())
}

/// Maps a 1-based option number to its id; any other text is taken as an id.
fn option_id(question: &Question, text: &str) -> String {
    let options = question.options();
    match text.parse::<usize>() {
        Ok(n) if question.option(text).is_none() && (1..=options.len()).contains(&n) => {
            options[n - 1].id.clone()
        }
        _ => text.to_string(),
    }
}

fn validate_step(question: &Question, step: u8) -> Result<AnswerValue, AnswerError> {
    if (SCALE_MIN..=SCALE_MAX).contains(&step) {
        Ok(AnswerValue::Scale(step))
    } else {
        Err(AnswerError::OutOfRange {
            question: question.id.clone(),
            value: step.to_string(),
            accepted: question.accepted_values(),
        })
    }
}

fn known_option(question: &Question, option: &str) -> Result<(), AnswerError> {
    match question.option(option) {
        Some(_) => Ok(()),
        None => Err(AnswerError::UnknownOption {
            question: question.id.clone(),
            value: option.to_string(),
            accepted: question.accepted_values(),
        }),
    }
}

fn validate_choices(question: &Question, options: Vec<String>) -> Result<AnswerValue, AnswerError> {
    for (i, option) in options.iter().enumerate() {
        known_option(question, option)?;
        if options[..i].contains(option) {
            return Err(AnswerError::Duplicate {
                question: question.id.clone(),
                value: option.clone(),
            });
        }
    }
    if options.len() > 1 {
        if let Some(exclusive) = options
            .iter()
            .find(|id| question.option(id).is_some_and(|o| o.exclusive))
        {
            return Err(AnswerError::Exclusive {
                question: question.id.clone(),
                value: exclusive.clone(),
            });
        }
    }
    let mut ordered = options;
    ordered.sort_by_key(|id| question.options().iter().position(|o| &o.id == id));
    Ok(AnswerValue::Choices(ordered))
}
