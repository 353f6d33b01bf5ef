//! Markdown output of the advice, for people.

use super::document;
use super::view::AdviceView;

/// Renders the advice as a Markdown report.
pub fn render(view: &AdviceView) -> String {
    document::to_markdown(&document::build(view))
}
