//! The bot's own sentences (headings, replies, errors shown in chat), per key, in both
//! languages, from `prompts/messages.toml`.
//!
//! Placeholders are written `{name}` and filled by [`Messages::fill`]. Validation checks that
//! every entry has both languages and that both use the same placeholders.

use std::collections::{BTreeMap, BTreeSet};

use super::raw::RawText;
use super::Problem;
use crate::i18n::{Lang, Text};

/// Every message key the code uses. The file must define exactly these.
pub const KEYS: &[&str] = &[
    "action.next",
    "action.back",
    "action.skip",
    "action.goto",
    "action.close",
    "action.reopen",
    "action.agree",
    "action.facilitator",
    "action.export",
    "action.delete",
    "action.checkin",
    "action.timezone",
    "advice.because",
    "advice.dispute_choice",
    "advice.no_option",
    "advice.dispute_scale",
    "advice.disputes_intro",
    "advice.fit.moderate",
    "advice.fit.none",
    "advice.fit.strong",
    "advice.fit.weak",
    "advice.flag_basis",
    "advice.no_leading",
    "advice.no_leading_lead",
    "advice.nothing_chosen",
    "advice.partial",
    "advice.section.attention",
    "advice.section.closing",
    "advice.section.disputes",
    "advice.section.flags",
    "advice.section.not_scaling",
    "advice.section.relations",
    "advice.section.strategies",
    "advice.section.uncovered",
    "advice.title",
    "advice.uncovered_intro",
    "advice.unsupported_lead",
    "agree.done",
    "answer.saved",
    "answer.unchanged",
    "answers.header",
    "answers.no_value",
    "answers.open",
    "checkin.already_paused",
    "checkin.invalid",
    "checkin.invalid_zone",
    "checkin.none",
    "checkin.not_paused",
    "checkin.nudge_header",
    "checkin.open_members",
    "checkin.paused",
    "checkin.removed",
    "checkin.resumed",
    "checkin.review_disputed",
    "checkin.review_first",
    "checkin.review_gone_flags",
    "checkin.review_header",
    "checkin.review_leading",
    "checkin.review_new_flags",
    "checkin.review_unchanged",
    "checkin.server_zone",
    "checkin.set",
    "checkin.show",
    "checkin.state_paused",
    "checkin.update_button",
    "close.already",
    "close.done",
    "delete.ask",
    "delete.cancel_button",
    "delete.confirm_button",
    "delete.done",
    "discord.bad_command",
    "discord.choice.en",
    "discord.choice.nl",
    "discord.command",
    "discord.continued",
    "discord.delete_cancelled",
    "discord.done",
    "discord.hint",
    "discord.note_label",
    "discord.note_title",
    "discord.option.agree.question",
    "discord.option.agree.value",
    "discord.option.checkin.rule",
    "discord.option.checkin.timezone",
    "discord.option.facilitator.member",
    "discord.option.language.language",
    "discord.option.start.description",
    "discord.option.start.here",
    "discord.option.start.name",
    "discord.option.timezone.zone",
    "discord.post_failed",
    "discord.sub.agree",
    "discord.sub.back",
    "discord.sub.checkin",
    "discord.sub.close",
    "discord.sub.delete",
    "discord.sub.export",
    "discord.sub.facilitator",
    "discord.sub.language",
    "discord.sub.mine",
    "discord.sub.next",
    "discord.sub.private",
    "discord.sub.question",
    "discord.sub.reopen",
    "discord.sub.result",
    "discord.sub.start",
    "discord.sub.status",
    "discord.sub.timezone",
    "discord.thread_failed",
    "discord.thread_forbidden",
    "discord.thread_unsupported",
    "discord.thread_busy",
    "discord.thread_name",
    "error.already_started",
    "error.answer_duplicate",
    "error.answer_exclusive",
    "error.at_first",
    "error.bad_description",
    "error.bad_name",
    "error.closed",
    "error.facilitator_only",
    "error.internal",
    "error.invalid_answer",
    "error.no_trajectory",
    "error.note_empty",
    "error.note_too_long",
    "error.unknown_question",
    "error.walk_done",
    "export.done",
    "facilitator.added",
    "facilitator.already",
    "facilitator.not_member",
    "join.already",
    "join.done",
    "language.done",
    "note.saved",
    "reopen.already",
    "reopen.done",
    "rule.day_count",
    "rule.empty",
    "rule.empty_day",
    "rule.interval_shape",
    "rule.repeated_day",
    "rule.time",
    "rule.unknown_day",
    "rule.unknown_keyword",
    "rule.weekly_shape",
    "start.welcome",
    "status.closed",
    "status.header",
    "status.members",
    "status.open",
    "walk.answered_by",
    "walk.back",
    "walk.channel_done",
    "walk.choose_placeholder",
    "walk.everyone_answered",
    "walk.next",
    "walk.note_button",
    "walk.private",
    "walk.private_done",
    "walk.result",
    "walk.skip",
    "walk.your_answer",
];

#[derive(Debug, Default)]
pub struct Messages {
    entries: BTreeMap<String, Text>,
}

/// Replaces each `{name}` in `template` by its value in one pass, so braces inside an inserted
/// value (a trajectory named `{member}`, say) stay as they are. Unknown names stay too.
pub fn fill_placeholders(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let value = values.iter().find(|(n, _)| *n == name)?.1;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
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
        fill_placeholders(self.get(lang, key), values)
    }

    /// Lists the messages whose placeholders differ from those of the same message in
    /// `reference`, the built-in copy, whose placeholders are the ones the code fills.
    pub(super) fn check_placeholders(&self, reference: &Messages, file: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (key, text) in &self.entries {
            let Some(expected) = reference.entries.get(key) else {
                continue;
            };
            let used = placeholders(&text.en);
            let filled = placeholders(&expected.en);
            if used != filled {
                let names = |set: &BTreeSet<&str>| {
                    let names: Vec<String> = set.iter().map(|n| format!("{{{n}}}")).collect();
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                };
                problems.push(Problem {
                    file: file.to_string(),
                    path: key.clone(),
                    problem: format!(
                        "uses the placeholders {}, but the bot fills {}: use exactly those",
                        names(&used),
                        names(&filled)
                    ),
                });
            }
        }
        problems
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
        for key in KEYS.iter().filter(|key| !entries.contains_key(**key)) {
            problems.push(Problem {
                file: file.to_string(),
                path: key.to_string(),
                problem: format!(
                    "missing message: add `\"{key}\" = {{ nl = \"...\", en = \"...\" }}`"
                ),
            });
        }
        for key in entries.keys().filter(|key| !KEYS.contains(&key.as_str())) {
            problems.push(Problem {
                file: file.to_string(),
                path: key.clone(),
                problem: "unknown message key: check its spelling, or remove it".to_string(),
            });
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

#[cfg(test)]
mod tests {
    use super::fill_placeholders;

    #[test]
    fn placeholders_filled_once() {
        let filled = fill_placeholders(
            "{name} started by {facilitator}",
            &[("name", "{facilitator} {member}"), ("facilitator", "Ada")],
        );
        assert_eq!(filled, "{facilitator} {member} started by Ada");
    }

    #[test]
    fn unknown_and_unclosed_braces_kept() {
        assert_eq!(fill_placeholders("a {x} b {", &[]), "a {x} b {");
        assert_eq!(fill_placeholders("{y}{x}", &[("x", "1")]), "{y}1");
    }
}
