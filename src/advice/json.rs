//! JSON output of the advice, for other programs. The schema is documented in
//! `docs/advice-json.md`; `schema` names its version.

use serde::Serialize;

use super::view::AdviceView;
use super::{Evidence, Fit};
use crate::aggregate::Effective;

pub const SCHEMA: &str = "schaalwijzer.advice/1";

#[derive(Debug, Serialize)]
pub struct AdviceJson {
    pub schema: &'static str,
    pub name: String,
    pub description: String,
    pub language: &'static str,
    pub complete: bool,
    pub missing: Vec<String>,
    pub leading: Option<String>,
    pub related: Vec<String>,
    pub strategies: Vec<StrategyJson>,
    pub relations: Vec<RelationJson>,
    pub attention: Vec<AspectPointsJson>,
    pub flags: Vec<String>,
    pub flag_details: Vec<FlagJson>,
    pub uncovered_aspects: Vec<AspectJson>,
    pub disputed: Vec<String>,
    pub agreed: Vec<String>,
    pub recommendations: Vec<String>,
    pub not_scaling: NotScalingJson,
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct StrategyJson {
    pub id: String,
    pub name: String,
    pub fit: Fit,
    pub score: u32,
    pub signals: Vec<SignalJson>,
}

#[derive(Debug, Serialize)]
pub struct SignalJson {
    pub id: String,
    pub weight: u8,
    pub reason: String,
    pub answers: Vec<AnswerJson>,
}

#[derive(Debug, Serialize)]
pub struct AnswerJson {
    pub question: String,
    /// An option id, a list of option ids, or the median step.
    pub value: serde_json::Value,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct RelationJson {
    pub from: String,
    pub to: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct AspectPointsJson {
    pub aspect: String,
    pub name: String,
    pub points: Vec<PointJson>,
}

#[derive(Debug, Serialize)]
pub struct PointJson {
    pub strategy: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct FlagJson {
    pub id: String,
    pub aspect: String,
    pub title: String,
    pub text: String,
    pub answers: Vec<AnswerJson>,
}

#[derive(Debug, Serialize)]
pub struct AspectJson {
    pub id: String,
    pub name: String,
    pub discussion: String,
}

#[derive(Debug, Serialize)]
pub struct NotScalingJson {
    pub intro: String,
    pub reasons: Vec<String>,
}

/// Builds the JSON value of the advice.
pub fn build(view: &AdviceView) -> AdviceJson {
    let advice = view.advice;
    let lang = view.lang;
    let content = view.content;
    AdviceJson {
        schema: SCHEMA,
        name: view.name.to_string(),
        description: view.description.to_string(),
        language: lang.code(),
        complete: advice.complete,
        missing: advice.missing.clone(),
        leading: advice.leading.clone(),
        related: advice.related.clone(),
        strategies: advice
            .strategies
            .iter()
            .map(|fit| strategy(view, fit))
            .collect(),
        relations: advice
            .relations
            .iter()
            .map(|&i| &content.relations[i])
            .map(|r| RelationJson {
                from: r.from.clone(),
                to: r.to.clone(),
                text: r.text.get(lang).to_string(),
            })
            .collect(),
        attention: attention(view),
        flags: advice.flags.iter().map(|f| f.flag.clone()).collect(),
        flag_details: advice
            .flags
            .iter()
            .filter_map(|raised| content.flag(&raised.flag).map(|flag| (raised, flag)))
            .map(|(raised, flag)| FlagJson {
                id: flag.id.clone(),
                aspect: flag.aspect.clone(),
                title: flag.title.get(lang).to_string(),
                text: flag.text.get(lang).to_string(),
                answers: answers(view, &raised.evidence),
            })
            .collect(),
        uncovered_aspects: advice
            .uncovered_aspects
            .iter()
            .filter_map(|id| content.aspect(id))
            .map(|a| AspectJson {
                id: a.id.clone(),
                name: a.name.get(lang).to_string(),
                discussion: a.discussion.get(lang).to_string(),
            })
            .collect(),
        disputed: advice.disputed.clone(),
        agreed: advice.agreed.clone(),
        recommendations: content
            .closing
            .recommendations
            .iter()
            .map(|r| r.text.get(lang).to_string())
            .collect(),
        not_scaling: NotScalingJson {
            intro: content.closing.not_scaling_intro.get(lang).to_string(),
            reasons: content
                .closing
                .not_scaling_reasons
                .iter()
                .map(|r| r.text.get(lang).to_string())
                .collect(),
        },
        source: content.report.citation.get(lang).to_string(),
    }
}

/// Renders the advice as pretty-printed JSON.
pub fn render(view: &AdviceView) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&build(view)).unwrap_or_default()
}

fn strategy(view: &AdviceView, fit: &super::StrategyFit) -> StrategyJson {
    StrategyJson {
        id: fit.strategy.clone(),
        name: view.strategy_name(&fit.strategy),
        fit: fit.fit,
        score: fit.score,
        signals: fit
            .signals
            .iter()
            .map(|fired| SignalJson {
                id: fired.signal.clone(),
                weight: fired.weight,
                reason: view.signal_reason(&fired.signal).to_string(),
                answers: answers(view, &fired.evidence),
            })
            .collect(),
    }
}

fn attention(view: &AdviceView) -> Vec<AspectPointsJson> {
    view.content
        .aspects
        .iter()
        .map(|aspect| AspectPointsJson {
            aspect: aspect.id.clone(),
            name: aspect.name.get(view.lang).to_string(),
            points: view
                .attention_points(&aspect.id)
                .map(|p| PointJson {
                    strategy: p.strategy.clone(),
                    text: p.text.get(view.lang).to_string(),
                })
                .collect(),
        })
        .filter(|a| !a.points.is_empty())
        .collect()
}

fn answers(view: &AdviceView, evidence: &[Evidence]) -> Vec<AnswerJson> {
    evidence
        .iter()
        .map(|e| AnswerJson {
            question: e.question.clone(),
            value: match &e.value {
                Effective::Choice(id) => serde_json::json!(id),
                Effective::Choices(ids) => serde_json::json!(ids),
                Effective::Scale(median) => serde_json::json!(median),
            },
            label: view.effective_label(&e.question, &e.value),
        })
        .collect()
}
