//! Evaluating conditions on the team's answers, collecting the answers behind the outcome.

use crate::aggregate::{Effective, TeamAnswers};
use crate::content::Condition;

/// A question whose team answer made a condition hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub question: String,
    pub value: Effective,
}

/// Returns the evidence when the condition holds, and None when it does not. A condition on
/// a question without a team answer does not hold.
pub fn holds(condition: &Condition, team: &TeamAnswers) -> Option<Vec<Evidence>> {
    match condition {
        Condition::All(parts) => {
            let mut evidence = Vec::new();
            for part in parts {
                evidence.extend(holds(part, team)?);
            }
            (!parts.is_empty()).then_some(evidence)
        }
        Condition::Any(parts) => {
            // Every part is evaluated, so the evidence names all answers that point this way.
            let evidence: Vec<Evidence> = parts
                .iter()
                .filter_map(|p| holds(p, team))
                .flatten()
                .collect();
            (!evidence.is_empty()).then_some(evidence)
        }
        leaf => leaf_holds(leaf, team),
    }
}

fn leaf_holds(condition: &Condition, team: &TeamAnswers) -> Option<Vec<Evidence>> {
    let question = leaf_question(condition);
    let value = team.effective(question)?;
    let result = match (condition, value) {
        (Condition::Equals { option, .. }, Effective::Choice(chosen)) => chosen == option,
        (Condition::OneOf { options, .. }, Effective::Choice(chosen)) => options.contains(chosen),
        (Condition::Includes { option, .. }, Effective::Choices(chosen)) => chosen.contains(option),
        (Condition::IncludesAny { options, .. }, Effective::Choices(chosen)) => {
            options.iter().any(|o| chosen.contains(o))
        }
        (Condition::Only { options, .. }, Effective::Choices(chosen)) => {
            chosen.len() == options.len() && options.iter().all(|o| chosen.contains(o))
        }
        (Condition::Empty { .. }, Effective::Choices(chosen)) => chosen.is_empty(),
        (Condition::AtMost { value: limit, .. }, Effective::Scale(median)) => median <= limit,
        (Condition::AtLeast { value: limit, .. }, Effective::Scale(median)) => median >= limit,
        _ => false,
    };
    result.then(|| {
        vec![Evidence {
            question: question.to_string(),
            value: value.clone(),
        }]
    })
}

fn leaf_question(condition: &Condition) -> &str {
    match condition {
        Condition::Equals { question, .. }
        | Condition::OneOf { question, .. }
        | Condition::Includes { question, .. }
        | Condition::IncludesAny { question, .. }
        | Condition::Only { question, .. }
        | Condition::Empty { question }
        | Condition::AtMost { question, .. }
        | Condition::AtLeast { question, .. } => question,
        Condition::All(_) | Condition::Any(_) => "",
    }
}
