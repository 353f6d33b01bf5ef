//! The questionnaire and the advice content, loaded from TOML files.
//!
//! Loading has two stages: serde reads each file into raw structs that reject unknown keys
//! ([`raw`]), then validation builds the immutable model ([`model`]) and reports every problem
//! with its file and key path. The files are embedded in the binary; a content directory with
//! the same layout (`prompts/`, `data/`) can replace them at start. The model is loaded once
//! per process.

mod messages;
mod model;
mod raw;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use once_cell::sync::OnceCell;
use serde::de::DeserializeOwned;

use crate::i18n::Lang;

pub use messages::{Messages, KEYS as MESSAGE_KEYS};
pub use model::*;

use validate::{Check, Known};

/// The content files, relative to the content root.
pub const FILES: [&str; 10] = [
    "prompts/questionnaire.toml",
    "prompts/messages.toml",
    "data/aspects.toml",
    "data/strategies.toml",
    "data/attention.toml",
    "data/signals.toml",
    "data/flags.toml",
    "data/relations.toml",
    "data/closing.toml",
    "data/report.toml",
];

const EMBEDDED: [&str; 10] = [
    include_str!("../../prompts/questionnaire.toml"),
    include_str!("../../prompts/messages.toml"),
    include_str!("../../data/aspects.toml"),
    include_str!("../../data/strategies.toml"),
    include_str!("../../data/attention.toml"),
    include_str!("../../data/signals.toml"),
    include_str!("../../data/flags.toml"),
    include_str!("../../data/relations.toml"),
    include_str!("../../data/closing.toml"),
    include_str!("../../data/report.toml"),
];

/// Everything the bot asks and advises, validated.
#[derive(Debug)]
pub struct Content {
    pub questionnaire: Questionnaire,
    pub messages: Messages,
    pub aspects: Vec<Aspect>,
    pub strategies: Vec<Strategy>,
    pub attention: Vec<AttentionPoint>,
    pub signals: Vec<Signal>,
    pub flags: Vec<Flag>,
    pub relations: Vec<Relation>,
    pub closing: Closing,
    pub report: Report,
}

/// One validation problem: where it is and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub path: String,
    pub problem: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.problem)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("cannot read content file {path}: {source}; check the content directory or leave it unset to use the built-in content")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not match the schema; the message carries the line.
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("invalid content, {} {}:\n{}", .0.len(), if .0.len() == 1 { "problem" } else { "problems" }, list(.0))]
    Invalid(Vec<Problem>),
}

fn list(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    lines.join("\n")
}

static CONTENT: OnceCell<Content> = OnceCell::new();

impl Content {
    /// Returns the process-wide content, loading the embedded files on first use.
    ///
    /// # Errors
    /// Fails only if the embedded files are invalid, which the test suite rules out.
    pub fn global() -> Result<&'static Content, ContentError> {
        CONTENT.get_or_try_init(Content::embedded)
    }

    /// Loads the content from a directory once for the whole process, replacing the embedded
    /// files. Later calls return the content loaded first.
    ///
    /// # Errors
    /// Returns the read, parse or validation errors of the directory's files.
    pub fn init_from_dir(root: &Path) -> Result<&'static Content, ContentError> {
        CONTENT.get_or_try_init(|| Content::load_dir(root))
    }

    /// Parses and validates the files built into the binary.
    pub fn embedded() -> Result<Content, ContentError> {
        let sources: Vec<(String, String)> = FILES
            .iter()
            .zip(EMBEDDED)
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        Content::from_sources(&sources)
    }

    /// Reads, parses and validates the content files under `root`.
    pub fn load_dir(root: &Path) -> Result<Content, ContentError> {
        let mut sources = Vec::new();
        for name in FILES {
            let path = root.join(name);
            let text = std::fs::read_to_string(&path).map_err(|source| ContentError::Read {
                path: path.clone(),
                source,
            })?;
            sources.push((path.display().to_string(), text));
        }
        let content = Content::from_sources(&sources)?;
        // An edited message may only use the placeholders the code fills, which are those of
        // the built-in copy.
        let reference = Content::embedded()?;
        let file = root.join(FILES[1]).display().to_string();
        let problems = content
            .messages
            .check_placeholders(&reference.messages, &file);
        if !problems.is_empty() {
            return Err(ContentError::Invalid(problems));
        }
        Ok(content)
    }

    /// Builds the content from (file name, text) pairs in the order of [`FILES`].
    pub fn from_sources(sources: &[(String, String)]) -> Result<Content, ContentError> {
        let [questionnaire, messages, aspects, strategies, attention, signals, flags, relations, closing, report] =
            sources
        else {
            return Err(ContentError::Parse {
                file: "content".to_string(),
                message: format!("expected {} files: {}", FILES.len(), FILES.join(", ")),
            });
        };
        let mut problems = Vec::new();
        let aspects = validate::aspects(parse(aspects)?, &mut check(aspects, &mut problems));
        let aspect_ids: Vec<&str> = aspects.iter().map(|a| a.id.as_str()).collect();
        let questionnaire = validate::questionnaire(
            parse(questionnaire)?,
            &aspect_ids,
            &mut check(questionnaire, &mut problems),
        );
        let messages = Messages::validate(&messages.0, parse(messages)?, &mut problems);
        let strategies =
            validate::strategies(parse(strategies)?, &mut check(strategies, &mut problems));
        let known = Known {
            questionnaire: &questionnaire,
            aspects: aspect_ids.clone(),
            in_scope: strategies
                .iter()
                .filter(|s| s.in_scope)
                .map(|s| s.id.as_str())
                .collect(),
        };
        let attention = validate::attention(
            parse(attention)?,
            &known,
            &mut check(attention, &mut problems),
        );
        let signals =
            validate::signals(parse(signals)?, &known, &mut check(signals, &mut problems));
        let flags = validate::flags(parse(flags)?, &known, &mut check(flags, &mut problems));
        let relations = validate::relations(
            parse(relations)?,
            &known,
            &mut check(relations, &mut problems),
        );
        let closing = validate::closing(parse(closing)?, &mut check(closing, &mut problems));
        let report = validate::report(parse(report)?, &mut check(report, &mut problems));
        if !problems.is_empty() {
            return Err(ContentError::Invalid(problems));
        }
        Ok(Content {
            questionnaire,
            messages,
            aspects,
            strategies,
            attention,
            signals,
            flags,
            relations,
            closing,
            report,
        })
    }

    /// Returns the bot message `key` in `lang`.
    pub fn msg<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.messages.get(lang, key)
    }

    /// Returns the bot message `key` in `lang` with its placeholders filled.
    pub fn fill(&self, lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
        self.messages.fill(lang, key, values)
    }

    pub fn strategy(&self, id: &str) -> Option<&Strategy> {
        self.strategies.iter().find(|s| s.id == id)
    }

    pub fn signal(&self, id: &str) -> Option<&Signal> {
        self.signals.iter().find(|s| s.id == id)
    }

    pub fn aspect(&self, id: &str) -> Option<&Aspect> {
        self.aspects.iter().find(|a| a.id == id)
    }

    pub fn flag(&self, id: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.id == id)
    }

    /// Returns the aspects that no question informs, in the report's order.
    pub fn uncovered_aspects(&self) -> Vec<&Aspect> {
        self.aspects
            .iter()
            .filter(|aspect| {
                !self
                    .questionnaire
                    .questions
                    .iter()
                    .any(|q| q.aspects.contains(&aspect.id))
            })
            .collect()
    }
}

fn check<'a>(source: &(String, String), problems: &'a mut Vec<Problem>) -> Check<'a> {
    Check::new(source.0.clone(), problems)
}

fn parse<T: DeserializeOwned>(source: &(String, String)) -> Result<T, ContentError> {
    toml::from_str(&source.1).map_err(|error| ContentError::Parse {
        file: source.0.clone(),
        message: error.to_string(),
    })
}
