//! From a team's aggregated answers to advice: ranked strategies with the answers behind
//! them, relations, attention points, flags, open aspects and disputes.
//!
//! Every signal in `data/signals.toml` whose condition holds adds its weight to one strategy.
//! Strategies are ranked by total weight; ties go to the strategy with more fired signals, then
//! to the order of `data/strategies.toml`, so the same answers always give the same advice.
//! The fit level compares a strategy's weight with the leading strategy's weight.

pub mod document;
mod evaluate;
pub mod json;
pub mod markdown;
mod view;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::aggregate::TeamAnswers;
use crate::content::Content;

pub use evaluate::Evidence;
pub use view::{format_step, AdviceView};

/// How well a strategy fits, relative to the leading strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// At least three quarters of the leading weight (the leading strategy itself included).
    Strong,
    /// At least 40% of the leading weight.
    Moderate,
    /// Some answer points to it, less than 40% of the leading weight.
    Weak,
    /// No answer points to it.
    None,
}

impl Fit {
    fn of(score: u32, top: u32) -> Fit {
        if score == 0 || top == 0 {
            Fit::None
        } else if score * 4 >= top * 3 {
            Fit::Strong
        } else if score * 10 >= top * 4 {
            Fit::Moderate
        } else {
            Fit::Weak
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Fit::Strong => "strong",
            Fit::Moderate => "moderate",
            Fit::Weak => "weak",
            Fit::None => "none",
        }
    }
}

/// A signal whose condition held, with the answers that made it hold.
#[derive(Debug, Clone, PartialEq)]
pub struct FiredSignal {
    pub signal: String,
    pub weight: u8,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StrategyFit {
    pub strategy: String,
    pub score: u32,
    pub fit: Fit,
    pub signals: Vec<FiredSignal>,
}

/// A flag that the answers raised, with the answers behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct RaisedFlag {
    pub flag: String,
    pub evidence: Vec<Evidence>,
}

/// The advice for one trajectory. Texts are looked up in [`Content`] when rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    /// True when every question has an answer or an agreed answer.
    pub complete: bool,
    pub missing: Vec<String>,
    /// The best fitting strategy; None when no answer points to any strategy yet.
    pub leading: Option<String>,
    /// The in-scope strategies, best fit first.
    pub strategies: Vec<StrategyFit>,
    /// Strategies that accompany or follow the leading one.
    pub related: Vec<String>,
    /// Indexes into `Content::relations` that apply, from the leading strategy.
    pub relations: Vec<usize>,
    /// Strategies whose attention points are listed: the leading strategy, the ones it takes
    /// points from, and other strong fits.
    pub attention_strategies: Vec<String>,
    pub flags: Vec<RaisedFlag>,
    pub uncovered_aspects: Vec<String>,
    pub disputed: Vec<String>,
    pub agreed: Vec<String>,
}

/// Computes the advice for a team's answers.
pub fn advise(content: &Content, team: &TeamAnswers) -> Advice {
    let strategies = rank(content, team);
    let leading = strategies
        .first()
        .filter(|s| s.score > 0)
        .map(|s| s.strategy.clone());
    let (related, relations) = related(content, &strategies, leading.as_deref());
    let missing = team.missing(&content.questionnaire);
    Advice {
        complete: missing.is_empty(),
        missing,
        attention_strategies: attention_strategies(content, &strategies, leading.as_deref()),
        leading,
        related,
        relations,
        flags: raise_flags(content, team),
        uncovered_aspects: content
            .uncovered_aspects()
            .iter()
            .map(|a| a.id.clone())
            .collect(),
        disputed: team.disputed(&content.questionnaire),
        agreed: agreed(content, team),
        strategies,
    }
}

fn rank(content: &Content, team: &TeamAnswers) -> Vec<StrategyFit> {
    let mut fits: Vec<StrategyFit> = content
        .strategies
        .iter()
        .filter(|s| s.in_scope)
        .map(|strategy| {
            let signals: Vec<FiredSignal> = content
                .signals
                .iter()
                .filter(|signal| signal.strategy == strategy.id)
                .filter_map(|signal| {
                    let evidence = evaluate::holds(&signal.when, team)?;
                    Some(FiredSignal {
                        signal: signal.id.clone(),
                        weight: signal.weight,
                        evidence,
                    })
                })
                .collect();
            let score = signals.iter().map(|s| u32::from(s.weight)).sum();
            StrategyFit {
                strategy: strategy.id.clone(),
                score,
                fit: Fit::None,
                signals,
            }
        })
        .collect();
    // A stable sort keeps the data file's order among equals.
    fits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.signals.len().cmp(&a.signals.len()))
    });
    let top = fits.first().map_or(0, |f| f.score);
    for fit in &mut fits {
        fit.fit = Fit::of(fit.score, top);
    }
    fits
}

/// Returns the related strategies and the indexes of the relations that apply.
///
/// A strategy is related when it fits at least moderately, or when a relation leads to it
/// from the leading strategy (for relations that require support, only if some answer points
/// to it).
fn related(
    content: &Content,
    fits: &[StrategyFit],
    leading: Option<&str>,
) -> (Vec<String>, Vec<usize>) {
    let Some(leading) = leading else {
        return (Vec::new(), Vec::new());
    };
    let score_of = |id: &str| {
        fits.iter()
            .find(|f| f.strategy == id)
            .map_or(0, |f| f.score)
    };
    let relations: Vec<usize> = content
        .relations
        .iter()
        .enumerate()
        .filter(|(_, r)| r.from == leading && (!r.requires_support || score_of(&r.to) > 0))
        .map(|(i, _)| i)
        .collect();
    let via_relation: BTreeSet<&str> = relations
        .iter()
        .map(|&i| content.relations[i].to.as_str())
        .collect();
    let related = fits
        .iter()
        .filter(|f| f.strategy != leading)
        .filter(|f| f.fit <= Fit::Moderate || via_relation.contains(f.strategy.as_str()))
        .map(|f| f.strategy.clone())
        .collect();
    (related, relations)
}

fn attention_strategies(
    content: &Content,
    fits: &[StrategyFit],
    leading: Option<&str>,
) -> Vec<String> {
    let Some(leading) = leading else {
        return Vec::new();
    };
    let mut chosen: Vec<String> = vec![leading.to_string()];
    let strong = fits
        .iter()
        .filter(|f| f.fit == Fit::Strong)
        .map(|f| f.strategy.clone());
    for id in strong.collect::<Vec<_>>() {
        if !chosen.contains(&id) {
            chosen.push(id);
        }
    }
    let inherited: Vec<String> = chosen
        .iter()
        .filter_map(|id| content.strategy(id))
        .flat_map(|s| s.also_applies.iter().cloned())
        .collect();
    for id in inherited {
        if !chosen.contains(&id) {
            chosen.push(id);
        }
    }
    chosen
}

fn raise_flags(content: &Content, team: &TeamAnswers) -> Vec<RaisedFlag> {
    content
        .flags
        .iter()
        .filter_map(|flag| {
            let evidence = evaluate::holds(&flag.when, team)?;
            Some(RaisedFlag {
                flag: flag.id.clone(),
                evidence,
            })
        })
        .collect()
}

fn agreed(content: &Content, team: &TeamAnswers) -> Vec<String> {
    content
        .questionnaire
        .questions
        .iter()
        .filter(|q| team.get(&q.id).is_some_and(|r| r.agreed.is_some()))
        .map(|q| q.id.clone())
        .collect()
}
