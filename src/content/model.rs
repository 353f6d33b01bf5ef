//! The validated, immutable content model.
//!
//! Values of these types exist only after validation, so code that uses them may rely on
//! every id being unique and every reference resolving.

use crate::i18n::Text;

/// Lowest and highest step of every scale question.
pub const SCALE_MIN: u8 = 1;
pub const SCALE_MAX: u8 = 5;

#[derive(Debug)]
pub struct Questionnaire {
    pub topics: Vec<Topic>,
    pub questions: Vec<Question>,
}

impl Questionnaire {
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// Returns the question ids, comma separated, for error messages.
    pub fn id_list(&self) -> String {
        let ids: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
        ids.join(", ")
    }
}

#[derive(Debug)]
pub struct Topic {
    pub id: String,
    pub title: Text,
    pub intro: Text,
}

#[derive(Debug)]
pub struct Question {
    pub id: String,
    pub topic: String,
    pub kind: QuestionKind,
    /// Aspects this question informs; aspects no question names are "not covered".
    pub aspects: Vec<String>,
    pub title: Text,
    pub text: Text,
    pub hint: Text,
}

impl Question {
    pub fn options(&self) -> &[ChoiceOption] {
        match &self.kind {
            QuestionKind::Single { options } | QuestionKind::Multiple { options } => options,
            QuestionKind::Scale(_) => &[],
        }
    }

    pub fn option(&self, id: &str) -> Option<&ChoiceOption> {
        self.options().iter().find(|o| o.id == id)
    }

    /// Returns the accepted values in the form a case file or a typed answer uses them.
    pub fn accepted_values(&self) -> String {
        match &self.kind {
            QuestionKind::Scale(_) => format!("a whole number from {SCALE_MIN} to {SCALE_MAX}"),
            QuestionKind::Single { options } => {
                let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
                format!("one of: {}", ids.join(", "))
            }
            QuestionKind::Multiple { options } => {
                let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
                format!("a list of zero or more of: {}", ids.join(", "))
            }
        }
    }
}

#[derive(Debug)]
pub enum QuestionKind {
    Single { options: Vec<ChoiceOption> },
    Multiple { options: Vec<ChoiceOption> },
    Scale(Scale),
}

impl QuestionKind {
    pub fn name(&self) -> &'static str {
        match self {
            QuestionKind::Single { .. } => "single",
            QuestionKind::Multiple { .. } => "multiple",
            QuestionKind::Scale(_) => "scale",
        }
    }
}

#[derive(Debug)]
pub struct ChoiceOption {
    pub id: String,
    pub label: Text,
    /// Choosing this option deselects every other one (for example "no market involvement").
    pub exclusive: bool,
}

#[derive(Debug)]
pub struct Scale {
    pub low: Text,
    pub high: Text,
    /// A label per step, from step 1 to step 5, where the questionnaire names every step.
    pub steps: Option<Vec<Text>>,
}

impl Scale {
    /// Returns the label of a step, if the questionnaire names it.
    pub fn step_label(&self, step: u8) -> Option<&Text> {
        let steps = self.steps.as_ref()?;
        steps.get(usize::from(step.checked_sub(SCALE_MIN)?))
    }
}

#[derive(Debug)]
pub struct Aspect {
    pub id: String,
    pub number: u8,
    pub name: Text,
    pub covers: Text,
    pub discussion: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Reuse,
    ByDesign,
    Embedding,
}

#[derive(Debug)]
pub struct Strategy {
    pub id: String,
    pub family: Family,
    /// False for scaling up and scaling deep, which the report names only as context.
    pub in_scope: bool,
    pub name: Text,
    pub summary: Text,
    pub characteristics: Text,
    pub example: Option<Text>,
    /// Strategies whose attention points apply to this one as well.
    pub also_applies: Vec<String>,
}

#[derive(Debug)]
pub struct AttentionPoint {
    pub strategy: String,
    pub aspect: String,
    pub text: Text,
}

#[derive(Debug)]
pub struct Signal {
    pub id: String,
    pub strategy: String,
    pub weight: u8,
    pub reason: Text,
    pub when: Condition,
}

/// A test on the team's answers. Scale tests compare the team's median.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Equals {
        question: String,
        option: String,
    },
    OneOf {
        question: String,
        options: Vec<String>,
    },
    Includes {
        question: String,
        option: String,
    },
    IncludesAny {
        question: String,
        options: Vec<String>,
    },
    Only {
        question: String,
        options: Vec<String>,
    },
    Empty {
        question: String,
    },
    AtMost {
        question: String,
        value: f64,
    },
    AtLeast {
        question: String,
        value: f64,
    },
    All(Vec<Condition>),
    Any(Vec<Condition>),
}

#[derive(Debug)]
pub struct Flag {
    pub id: String,
    pub aspect: String,
    pub title: Text,
    pub text: Text,
    pub when: Condition,
}

#[derive(Debug)]
pub struct Relation {
    pub from: String,
    pub to: String,
    /// Show the relation only when at least one answer points to `to`.
    pub requires_support: bool,
    pub text: Text,
}

#[derive(Debug)]
pub struct IdText {
    pub id: String,
    pub text: Text,
}

#[derive(Debug)]
pub struct Closing {
    pub recommendations: Vec<IdText>,
    pub not_scaling_intro: Text,
    pub not_scaling_reasons: Vec<IdText>,
}

#[derive(Debug)]
pub struct Report {
    pub title: String,
    pub publisher: String,
    pub year: u16,
    pub authors: Vec<String>,
    pub citation: Text,
}
