//! `schaalwijzer advise CASE.toml`: the advice for a case file, without chat or storage.

use std::path::Path;

use super::{CliError, Format};
use crate::advice::{self, AdviceView};
use crate::aggregate;
use crate::case;
use crate::content::Content;
use crate::i18n::Lang;

pub fn run(
    content: &Content,
    path: &Path,
    lang: Option<Lang>,
    format: Format,
) -> Result<(), CliError> {
    let case = case::load(path, content)?;
    let lang = lang.unwrap_or(case.language);
    let team = aggregate::aggregate(&content.questionnaire, &case.answers, &Default::default());
    let advice = advice::advise(content, &team);
    let members = case.member_names();
    let view = AdviceView {
        content,
        advice: &advice,
        team: &team,
        name: &case.name,
        description: &case.description,
        members: &members,
        lang,
    };
    let output = match format {
        Format::Markdown => advice::markdown::render(&view),
        Format::Json => advice::json::render(&view),
    };
    println!("{output}");
    Ok(())
}
