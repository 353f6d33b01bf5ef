//! What rendering needs besides the advice: the trajectory's names, the team's answers and
//! the language, plus shared formatting of answers.

use std::collections::BTreeMap;

use crate::aggregate::{Effective, QuestionResult, Summary, TeamAnswers};
use crate::content::{AttentionPoint, Content, Question, QuestionKind};
use crate::i18n::Lang;

use super::{Advice, Evidence};

/// Everything needed to render one advice.
pub struct AdviceView<'a> {
    pub content: &'a Content,
    pub advice: &'a Advice,
    pub team: &'a TeamAnswers,
    pub name: &'a str,
    pub description: &'a str,
    /// Display names by member id; ids without a name are shown as they are.
    pub members: &'a BTreeMap<String, String>,
    pub lang: Lang,
}

impl AdviceView<'_> {
    pub fn msg<'b>(&'b self, key: &'b str) -> &'b str {
        self.content.msg(self.lang, key)
    }

    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.content.fill(self.lang, key, values)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.content.questionnaire.question(id)
    }

    /// Returns "R4 Growth strategy" style names for a question id.
    pub fn question_name(&self, id: &str) -> String {
        match self.question(id) {
            Some(q) => format!("{id} {}", q.title.get(self.lang)),
            None => id.to_string(),
        }
    }

    pub fn member_name<'b>(&'b self, id: &'b str) -> &'b str {
        self.members.get(id).map_or(id, String::as_str)
    }

    pub fn strategy_name(&self, id: &str) -> String {
        self.content
            .strategy(id)
            .map_or_else(|| id.to_string(), |s| s.name.get(self.lang).to_string())
    }

    pub fn aspect_name(&self, id: &str) -> String {
        self.content
            .aspect(id)
            .map_or_else(|| id.to_string(), |a| a.name.get(self.lang).to_string())
    }

    /// Formats a team answer with option labels; a median between steps keeps its half.
    pub fn effective_label(&self, question: &str, value: &Effective) -> String {
        let Some(q) = self.question(question) else {
            return format!("{value:?}");
        };
        match value {
            Effective::Choice(id) => option_label(q, id, self.lang),
            Effective::Choices(ids) if ids.is_empty() => {
                self.msg("advice.nothing_chosen").to_string()
            }
            Effective::Choices(ids) => {
                let labels: Vec<String> = ids
                    .iter()
                    .map(|id| option_label(q, id, self.lang))
                    .collect();
                labels.join(", ")
            }
            Effective::Scale(median) => scale_label(q, *median, self.lang),
        }
    }

    /// Returns the attention points of the chosen strategies for one aspect, in strategy order.
    pub fn attention_points<'b>(
        &'b self,
        aspect: &'b str,
    ) -> impl Iterator<Item = &'b AttentionPoint> + 'b {
        self.advice
            .attention_strategies
            .iter()
            .flat_map(move |strategy| {
                self.content
                    .attention
                    .iter()
                    .filter(move |p| &p.strategy == strategy && p.aspect == aspect)
            })
    }

    /// Returns the reason text of a signal in the view's language.
    pub fn signal_reason(&self, id: &str) -> &str {
        self.content
            .signal(id)
            .map(|s| s.reason.get(self.lang))
            .unwrap_or_default()
    }

    /// Formats the answers behind a signal or flag as "R4 Growth strategy: 2; ...".
    pub fn evidence_text(&self, evidence: &[Evidence]) -> String {
        let answers: Vec<String> = evidence
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    self.question_name(&e.question),
                    self.effective_label(&e.question, &e.value)
                )
            })
            .collect();
        answers.join("; ")
    }

    /// Describes how the members answered, for a disputed question.
    pub fn spread_summary(&self, result: &QuestionResult) -> String {
        let Some(q) = self.question(&result.question) else {
            return String::new();
        };
        match &result.summary {
            Summary::Scale {
                values,
                median,
                spread,
            } => {
                let steps: Vec<String> = values.iter().map(u8::to_string).collect();
                self.fill(
                    "advice.dispute_scale",
                    &[
                        ("values", &steps.join(", ")),
                        ("median", &format_step(*median)),
                        ("spread", &spread.to_string()),
                    ],
                )
            }
            Summary::Choice { counts, .. } | Summary::Choices { counts, .. } => {
                let mut parts: Vec<String> = counts
                    .iter()
                    .map(|(id, n)| format!("{} × {n}", option_label(q, id, self.lang)))
                    .collect();
                if let Summary::Choices { empty, .. } = &result.summary {
                    if *empty > 0 {
                        parts.push(format!("{} × {empty}", self.msg("advice.no_option")));
                    }
                }
                let respondents = result.respondents.to_string();
                self.fill(
                    "advice.dispute_choice",
                    &[("counts", &parts.join(", ")), ("respondents", &respondents)],
                )
            }
        }
    }
}

fn option_label(question: &Question, id: &str, lang: Lang) -> String {
    question
        .option(id)
        .map_or_else(|| id.to_string(), |o| o.label.get(lang).to_string())
}

fn scale_label(question: &Question, median: f64, lang: Lang) -> String {
    let QuestionKind::Scale(scale) = &question.kind else {
        return format_step(median);
    };
    let whole = median.fract() == 0.0;
    match scale.step_label(median as u8).filter(|_| whole) {
        Some(label) => format!("{} ({})", format_step(median), label.get(lang)),
        None => format!(
            "{}/5 ({} … {})",
            format_step(median),
            scale.low.get(lang),
            scale.high.get(lang)
        ),
    }
}

/// Formats a median: whole steps without decimals, halves with one.
pub fn format_step(median: f64) -> String {
    if median.fract() == 0.0 {
        format!("{median:.0}")
    } else {
        format!("{median:.1}")
    }
}
