//! The content files as serde reads them, before validation.
//!
//! Every struct rejects unknown keys, so a misspelt key is an error instead of a silently
//! ignored text. Texts are optional per language here so that validation can name the exact
//! key that lacks a translation.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawText {
    pub nl: Option<String>,
    pub en: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireFile {
    pub topic: Vec<RawTopic>,
    pub question: Vec<RawQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub id: String,
    pub title: RawText,
    pub intro: RawText,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    pub id: String,
    pub topic: String,
    pub kind: String,
    #[serde(default)]
    pub aspects: Vec<String>,
    pub title: RawText,
    pub text: RawText,
    pub hint: RawText,
    #[serde(default)]
    pub option: Vec<RawOption>,
    pub scale: Option<RawScale>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    pub id: String,
    pub label: RawText,
    #[serde(default)]
    pub exclusive: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScale {
    pub low: RawText,
    pub high: RawText,
    pub steps: Option<Vec<RawText>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AspectsFile {
    pub aspect: Vec<RawAspect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAspect {
    pub id: String,
    pub number: u8,
    pub name: RawText,
    pub covers: RawText,
    pub discussion: RawText,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategiesFile {
    pub strategy: Vec<RawStrategy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStrategy {
    pub id: String,
    pub family: String,
    pub in_scope: bool,
    pub name: RawText,
    pub summary: RawText,
    pub characteristics: RawText,
    pub example: Option<RawText>,
    #[serde(default)]
    pub also_applies: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttentionFile {
    pub point: Vec<RawPoint>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoint {
    pub strategy: String,
    pub aspect: String,
    pub text: RawText,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalsFile {
    pub signal: Vec<RawSignal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignal {
    pub id: String,
    pub strategy: String,
    pub weight: i64,
    pub reason: RawText,
    pub when: RawCondition,
}

/// One condition: either a test on one question's answer (exactly one operator) or a
/// combination (`all` or `any`). Which keys may be combined is checked in validation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub question: Option<String>,
    pub equals: Option<String>,
    pub one_of: Option<Vec<String>>,
    pub includes: Option<String>,
    pub includes_any: Option<Vec<String>>,
    pub only: Option<Vec<String>>,
    pub empty: Option<bool>,
    pub at_most: Option<f64>,
    pub at_least: Option<f64>,
    pub all: Option<Vec<RawCondition>>,
    pub any: Option<Vec<RawCondition>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagsFile {
    pub flag: Vec<RawFlag>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlag {
    pub id: String,
    pub aspect: String,
    pub title: RawText,
    pub text: RawText,
    pub when: RawCondition,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationsFile {
    pub relation: Vec<RawRelation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelation {
    pub from: String,
    pub to: String,
    /// When true (the default), the relation is shown only if some answer supports `to`.
    #[serde(default)]
    pub requires_support: Option<bool>,
    pub text: RawText,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosingFile {
    pub recommendation: Vec<RawIdText>,
    pub not_scaling: RawNotScaling,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdText {
    pub id: String,
    pub text: RawText,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotScaling {
    pub intro: RawText,
    pub reason: Vec<RawIdText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFile {
    pub title: String,
    pub publisher: String,
    pub year: u16,
    pub authors: Vec<String>,
    pub citation: RawText,
}
