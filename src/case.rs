//! Case files: a whole trajectory written down as the answers a team gave.
//!
//! A case file has a `[trajectory]` table (name, description, language), `[[participant]]`
//! entries (id, name), `[[answer]]` entries (participant, question, value, optional note) and
//! an optional `[expect]` table with the result the case must give. Errors name the file, the
//! line and the accepted values.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::aggregate::MemberAnswer;
use crate::answer::{AnswerValue, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_NOTE_CHARS};
use crate::content::{Content, Question, QuestionKind};
use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub name: String,
    pub description: String,
    pub language: Lang,
    pub participants: Vec<Participant>,
    /// Answers in file order.
    pub answers: Vec<MemberAnswer>,
    pub expect: Option<Expect>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: String,
    pub name: String,
}

/// What a correct result for the case contains.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub leading: String,
    #[serde(default)]
    pub also: Vec<String>,
    #[serde(default)]
    pub disputed: Vec<String>,
    #[serde(default)]
    pub flags: Vec<String>,
}

impl Case {
    /// Returns display names by participant id.
    pub fn member_names(&self) -> BTreeMap<String, String> {
        self.participants
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect()
    }
}

/// An invalid case file: where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct CaseError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    trajectory: RawTrajectory,
    #[serde(default)]
    participant: Vec<RawParticipant>,
    #[serde(default)]
    answer: Vec<RawAnswer>,
    expect: Option<Spanned<Expect>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrajectory {
    name: Spanned<String>,
    description: Option<Spanned<String>>,
    language: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParticipant {
    id: Spanned<String>,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    participant: Spanned<String>,
    question: Spanned<String>,
    value: Spanned<toml::Value>,
    note: Option<Spanned<String>>,
}

/// Reads and validates a case file.
///
/// # Errors
/// Returns a [`CaseError`] when the file cannot be read or is invalid.
pub fn load(path: &Path, content: &Content) -> Result<Case, CaseError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| CaseError {
        file: file.clone(),
        line: None,
        message: match error.kind() {
            std::io::ErrorKind::InvalidData => {
                "the case file is not UTF-8 text; save it as UTF-8".to_string()
            }
            _ => format!("cannot read the case file: {error}; check the path"),
        },
    })?;
    parse(&file, &text, content)
}

/// Parses and validates the text of a case file named `file`.
///
/// # Errors
/// Returns a [`CaseError`] naming the line, the id or value at fault and the accepted values.
pub fn parse(file: &str, text: &str, content: &Content) -> Result<Case, CaseError> {
    let parser = Parser {
        file,
        text,
        content,
    };
    let raw: RawCase = toml::from_str(text).map_err(|error| parser.toml_error(&error))?;
    parser.case(raw)
}

struct Parser<'a> {
    file: &'a str,
    text: &'a str,
    content: &'a Content,
}

impl Parser<'_> {
    fn error(&self, span: std::ops::Range<usize>, message: String) -> CaseError {
        let line = self.text[..span.start.min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        CaseError {
            file: self.file.to_string(),
            line: Some(line),
            message,
        }
    }

    fn toml_error(&self, error: &toml::de::Error) -> CaseError {
        let message = error.message().to_string();
        match error.span() {
            Some(span) => self.error(span, message),
            None => CaseError {
                file: self.file.to_string(),
                line: None,
                message,
            },
        }
    }

    fn case(&self, raw: RawCase) -> Result<Case, CaseError> {
        let name = raw.trajectory.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(self.error(
                raw.trajectory.name.span(),
                "trajectory name is empty: name the AI application".into(),
            ));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(self.error(
                raw.trajectory.name.span(),
                format!("trajectory name has more than {MAX_NAME_CHARS} characters: shorten it"),
            ));
        }
        let description = self.description(raw.trajectory.description)?;
        let language = match &raw.trajectory.language {
            None => Lang::default(),
            Some(code) => code
                .get_ref()
                .parse()
                .map_err(|e: crate::i18n::UnknownLang| self.error(code.span(), e.to_string()))?,
        };
        if raw.participant.is_empty() {
            return Err(CaseError {
                file: self.file.to_string(),
                line: None,
                message: "the case has no participants: add a [[participant]] table with an id for each team member".into(),
            });
        }
        let participants = self.participants(&raw.participant)?;
        let answers = self.answers(&raw.answer, &participants)?;
        let expect = raw.expect.map(|e| self.expect(e)).transpose()?;
        Ok(Case {
            name,
            description,
            language,
            participants,
            answers,
            expect,
        })
    }

    fn description(&self, raw: Option<Spanned<String>>) -> Result<String, CaseError> {
        let Some(raw) = raw else {
            return Ok(String::new());
        };
        let chars = raw.get_ref().chars().count();
        if chars > MAX_DESCRIPTION_CHARS {
            let message = format!(
                "trajectory description has {chars} characters, more than {MAX_DESCRIPTION_CHARS}: shorten it"
            );
            return Err(self.error(raw.span(), message));
        }
        Ok(raw.into_inner().trim().to_string())
    }

    fn participants(&self, raw: &[RawParticipant]) -> Result<Vec<Participant>, CaseError> {
        let mut seen = HashSet::new();
        let mut participants = Vec::new();
        for p in raw {
            let id = p.id.get_ref().trim();
            if id.is_empty() {
                return Err(self.error(
                    p.id.span(),
                    "participant id is empty: give each participant a unique id".into(),
                ));
            }
            if !seen.insert(id.to_string()) {
                return Err(self.error(
                    p.id.span(),
                    format!("participant id {id:?} is used twice: ids must be unique"),
                ));
            }
            let name = if p.name.trim().is_empty() {
                id.to_string()
            } else {
                p.name.trim().to_string()
            };
            participants.push(Participant {
                id: id.to_string(),
                name,
            });
        }
        Ok(participants)
    }

    fn answers(
        &self,
        raw: &[RawAnswer],
        participants: &[Participant],
    ) -> Result<Vec<MemberAnswer>, CaseError> {
        let known: Vec<&str> = participants.iter().map(|p| p.id.as_str()).collect();
        let mut seen = HashSet::new();
        let mut answers = Vec::new();
        for answer in raw {
            let member = answer.participant.get_ref().as_str();
            if !known.contains(&member) {
                let message = format!(
                    "unknown participant {member:?}; declared participants: {}",
                    known.join(", ")
                );
                return Err(self.error(answer.participant.span(), message));
            }
            let id = answer.question.get_ref().as_str();
            let Some(question) = self.content.questionnaire.question(id) else {
                let message = format!(
                    "unknown question {id:?}; expected one of: {}",
                    self.content.questionnaire.id_list()
                );
                return Err(self.error(answer.question.span(), message));
            };
            if !seen.insert((member, id)) {
                let message =
                    format!("participant {member:?} answers {id} twice: keep one answer per participant and question");
                return Err(self.error(answer.question.span(), message));
            }
            let value = self.value(question, &answer.value)?;
            let note = self.note(answer.note.as_ref())?;
            answers.push(MemberAnswer {
                member: member.to_string(),
                question: id.to_string(),
                value,
                note,
            });
        }
        Ok(answers)
    }

    fn value(
        &self,
        question: &Question,
        raw: &Spanned<toml::Value>,
    ) -> Result<AnswerValue, CaseError> {
        let invalid = || {
            let message = format!(
                "invalid value {} for {}; expected {}",
                raw.get_ref(),
                question.id,
                question.accepted_values()
            );
            self.error(raw.span(), message)
        };
        let value = match (&question.kind, raw.get_ref()) {
            (QuestionKind::Scale(_), toml::Value::Integer(step)) => {
                AnswerValue::Scale(u8::try_from(*step).map_err(|_| invalid())?)
            }
            (QuestionKind::Single { .. }, toml::Value::String(id)) => {
                AnswerValue::Choice(id.clone())
            }
            (QuestionKind::Multiple { .. }, toml::Value::Array(items)) => {
                let ids: Option<Vec<String>> = items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect();
                AnswerValue::Choices(ids.ok_or_else(invalid)?)
            }
            _ => return Err(invalid()),
        };
        value
            .validate(question)
            .map_err(|error| self.error(raw.span(), error.to_string()))
    }

    fn note(&self, raw: Option<&Spanned<String>>) -> Result<Option<String>, CaseError> {
        let Some(note) = raw else {
            return Ok(None);
        };
        let length = note.get_ref().chars().count();
        if length > MAX_NOTE_CHARS {
            let message =
                format!("note is {length} characters; the limit is {MAX_NOTE_CHARS}: shorten it");
            return Err(self.error(note.span(), message));
        }
        let text = note.get_ref().trim();
        Ok((!text.is_empty()).then(|| text.to_string()))
    }

    fn expect(&self, raw: Spanned<Expect>) -> Result<Expect, CaseError> {
        let span = raw.span();
        let expect = raw.into_inner();
        let strategies: Vec<&str> = self
            .content
            .strategies
            .iter()
            .filter(|s| s.in_scope)
            .map(|s| s.id.as_str())
            .collect();
        let flags: Vec<&str> = self.content.flags.iter().map(|f| f.id.as_str()).collect();
        let checks = [
            (
                "strategy",
                std::slice::from_ref(&expect.leading),
                &strategies,
            ),
            ("strategy", expect.also.as_slice(), &strategies),
            ("flag", expect.flags.as_slice(), &flags),
        ];
        for (kind, ids, known) in checks {
            if let Some(id) = ids.iter().find(|id| !known.contains(&id.as_str())) {
                return Err(self.error(
                    span.clone(),
                    format!(
                        "[expect] names unknown {kind} {id:?}; expected one of: {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        if let Some(id) = expect
            .disputed
            .iter()
            .find(|id| self.content.questionnaire.question(id).is_none())
        {
            let message = format!(
                "[expect] names unknown question {id:?}; expected one of: {}",
                self.content.questionnaire.id_list()
            );
            return Err(self.error(span, message));
        }
        Ok(expect)
    }
}
