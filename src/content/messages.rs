//! The bot's own sentences (headings, replies, errors shown in chat), per key, in both
//! languages, from `prompts/messages.toml`.
//!
//! Placeholders are written `{name}` and filled by [`Messages::fill`]. Validation checks that
//! every entry has both languages and that both use the same placeholders.

use std::collections::{BTreeMap, BTreeSet};

use super::raw::RawText;
use super::Problem;
use crate::i18n::{Lang, Text};

#[derive(Debug, Default)]
pub struct Messages {
    entries: BTreeMap<String, Text>,
}

impl Messages {
    /// Returns the message for `key`, or the key itself when it is missing, so a gap in the
    /// file shows up as a visible key instead of a crash. A test checks every key the code uses.
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        match self.entries.get(key) {
            Some(text) => text.get(lang),
            None => {
                tracing::warn!(key, "message key not found in prompts/messages.toml");
                key
            }
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Returns the message with each `{name}` replaced by its value.
    pub fn fill(&self, lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.get(lang, key).to_string();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub(super) fn validate(
        file: &str,
        raw: BTreeMap<String, RawText>,
        problems: &mut Vec<Problem>,
    ) -> Messages {
        let mut entries = BTreeMap::new();
        for (key, text) in raw {
            let mut fail = |problem: String| {
                problems.push(Problem {
                    file: file.to_string(),
                    path: key.clone(),
                    problem,
                })
            };
            let nl = text.nl.unwrap_or_default();
            let en = text.en.unwrap_or_default();
            if nl.trim().is_empty() {
                fail("missing Dutch text: add `nl = \"...\"`".to_string());
            }
            if en.trim().is_empty() {
                fail("missing English text: add `en = \"...\"`".to_string());
            }
            if placeholders(&nl) != placeholders(&en) {
                fail(format!(
                    "the placeholders differ between languages: nl uses {:?}, en uses {:?}",
                    placeholders(&nl),
                    placeholders(&en)
                ));
            }
            entries.insert(key, Text { nl, en });
        }
        Messages { entries }
    }
}

fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}
