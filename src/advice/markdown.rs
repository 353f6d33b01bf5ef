//! Markdown output of the advice, for people.

use super::document;
use super::view::AdviceView;

/// Renders the advice as a Markdown report.
pub fn render(view: &AdviceView) -> String {
    document::to_markdown(&document::build(view))
}

/// Escapes Markdown in text a user typed, so it shows as typed and cannot format or break
/// the message around it.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '<'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Quotes text a user typed as a Markdown block quote: escaped, with every line of it inside
/// the quote, so a line break cannot end the quote early.
pub fn quote_user_text(label: &str, text: &str) -> String {
    let lines: Vec<String> = text.lines().map(escape_markdown).collect();
    format!("> {}: {}", escape_markdown(label), lines.join("\n> "))
}
