//! Splitting long text and the advice document within Discord's message limits, so nothing
//! is cut silently: long values continue in the next field, extra embeds go into further
//! messages.

use crate::advice::document::Document;
pub use crate::engine::message::shorten;

/// Discord's limits on messages and embeds (API v10).
pub mod limit {
    pub const CONTENT: usize = 2000;
    pub const TITLE: usize = 256;
    pub const DESCRIPTION: usize = 4096;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FIELDS: usize = 25;
    pub const FOOTER: usize = 2048;
    pub const AUTHOR: usize = 256;
    /// Characters across all embeds of one message.
    pub const EMBED_TOTAL: usize = 6000;
    pub const EMBEDS: usize = 10;
}

/// An embed as plain data, converted to serenity's builder when sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedSpec {
    pub author: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<(String, String)>,
    pub footer: Option<String>,
}

impl EmbedSpec {
    /// Returns the characters Discord counts against the 6000-character total.
    pub fn size(&self) -> usize {
        let optional = [&self.author, &self.title, &self.description, &self.footer];
        let text: usize = optional
            .iter()
            .filter_map(|t| t.as_ref())
            .map(|t| t.chars().count())
            .sum();
        let fields: usize = self
            .fields
            .iter()
            .map(|(n, v)| n.chars().count() + v.chars().count())
            .sum();
        text + fields
    }

    /// Checks every per-embed limit.
    pub fn within_limits(&self) -> bool {
        let fits = |text: &Option<String>, max: usize| {
            text.as_ref().is_none_or(|t| t.chars().count() <= max)
        };
        fits(&self.author, limit::AUTHOR)
            && fits(&self.title, limit::TITLE)
            && fits(&self.description, limit::DESCRIPTION)
            && fits(&self.footer, limit::FOOTER)
            && self.fields.len() <= limit::FIELDS
            && self.fields.iter().all(|(n, v)| {
                n.chars().count() <= limit::FIELD_NAME
                    && v.chars().count() <= limit::FIELD_VALUE
                    && !v.is_empty()
            })
            && self.size() <= limit::EMBED_TOTAL
    }
}

/// Splits text into pieces of at most `max` characters, at line breaks where possible, then
/// at spaces, and inside a word only when a word alone is too long.
pub fn chunk_text(text: &str, max: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    for line in text.split('\n') {
        for piece in split_long(line, max) {
            let needed =
                current.chars().count() + piece.chars().count() + usize::from(!current.is_empty());
            if needed > max && !current.is_empty() {
                chunks.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(&piece);
        }
    }
    if !current.is_empty() || chunks.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Splits one line longer than `max` at spaces, or hard where a word is longer than `max`.
/// A block quote (`> `) stays a block quote in every piece, and a hard cut never separates
/// a Markdown escape from the character it escapes.
fn split_long(line: &str, max: usize) -> Vec<String> {
    if line.chars().count() <= max {
        return vec![line.to_string()];
    }
    if let Some(quoted) = line.strip_prefix(QUOTE) {
        let width = max.saturating_sub(QUOTE.len()).max(2);
        return split_words(quoted, width)
            .into_iter()
            .map(|piece| format!("{QUOTE}{piece}"))
            .collect();
    }
    split_words(line, max)
}

const QUOTE: &str = "> ";

/// Returns where to cut `word` hard so that it keeps at most `max` characters and a
/// trailing escaping backslash moves to the next piece with the character it escapes.
fn escape_safe_cut(word: &[char], max: usize) -> usize {
    let backslashes = word[..max].iter().rev().take_while(|c| **c == '\\').count();
    if backslashes % 2 == 1 && max > 1 {
        max - 1
    } else {
        max
    }
}

fn split_words(line: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for word in line.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > max {
            if !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
            }
            let cut = escape_safe_cut(&word, max);
            pieces.push(word.drain(..cut).collect());
        }
        let word: String = word.into_iter().collect();
        let needed =
            current.chars().count() + word.chars().count() + usize::from(!current.is_empty());
        if needed > max {
            pieces.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Turns the advice document into embeds within the per-embed limits. `continued` is the
/// word appended to the heading of a continuation, such as "(continued)".
pub fn document_embeds(document: &Document, continued: &str) -> Vec<EmbedSpec> {
    let mut embeds = vec![EmbedSpec {
        title: Some(shorten(&document.title, limit::TITLE)),
        description: document
            .notice
            .as_ref()
            .map(|n| shorten(n, limit::DESCRIPTION)),
        ..EmbedSpec::default()
    }];
    for section in &document.sections {
        let title = shorten(
            &section.heading,
            limit::TITLE - continued.chars().count() - 1,
        );
        let mut fields = Vec::new();
        for item in &section.items {
            let lead = if item.lead.is_empty() {
                "\u{200b}".to_string()
            } else {
                shorten(&item.lead, 200)
            };
            for (i, value) in chunk_text(&item.body, limit::FIELD_VALUE)
                .into_iter()
                .enumerate()
            {
                let name = if i == 0 {
                    lead.clone()
                } else {
                    format!("{lead} {continued}")
                };
                let value = if value.trim().is_empty() {
                    "\u{200b}".to_string()
                } else {
                    value
                };
                fields.push((name, value));
            }
        }
        let intro = section
            .intro
            .as_deref()
            .map(|i| chunk_text(i, limit::DESCRIPTION))
            .unwrap_or_default();
        embeds.extend(pack_section(&title, continued, intro, fields));
    }
    add_footer(&mut embeds, shorten(&document.source, limit::FOOTER));
    embeds
}

/// Puts the source under the last embed, or under an embed of its own where the last one has
/// no room left for it.
fn add_footer(embeds: &mut Vec<EmbedSpec>, footer: String) {
    let footer_size = footer.chars().count();
    let fits = embeds
        .last()
        .is_some_and(|last| last.size() + footer_size <= limit::EMBED_TOTAL);
    if !fits {
        embeds.push(EmbedSpec::default());
    }
    if let Some(last) = embeds.last_mut() {
        last.footer = Some(footer);
    }
}

/// Packs one section's description parts and fields into as many embeds as the limits need.
fn pack_section(
    title: &str,
    continued: &str,
    intro: Vec<String>,
    fields: Vec<(String, String)>,
) -> Vec<EmbedSpec> {
    let budget = limit::EMBED_TOTAL;
    let mut embeds: Vec<EmbedSpec> = Vec::new();
    let new_embed = |count: usize| EmbedSpec {
        title: Some(if count == 0 {
            title.to_string()
        } else {
            format!("{title} {continued}")
        }),
        ..EmbedSpec::default()
    };
    for part in intro {
        let mut embed = new_embed(embeds.len());
        embed.description = Some(part);
        embeds.push(embed);
    }
    if embeds.is_empty() {
        embeds.push(new_embed(0));
    }
    for field in fields {
        let field_size = field.0.chars().count() + field.1.chars().count();
        let full = embeds
            .last()
            .is_some_and(|e| e.fields.len() >= limit::FIELDS || e.size() + field_size > budget);
        if full {
            embeds.push(new_embed(embeds.len()));
        }
        if let Some(embed) = embeds.last_mut() {
            embed.fields.push(field);
        }
    }
    embeds
}

/// Groups embeds into messages: at most 10 per message and 6000 characters in total.
pub fn group_embeds(embeds: Vec<EmbedSpec>) -> Vec<Vec<EmbedSpec>> {
    let mut messages: Vec<Vec<EmbedSpec>> = Vec::new();
    let mut size = 0;
    for embed in embeds {
        let embed_size = embed.size();
        let start_new = messages
            .last()
            .is_none_or(|m| m.len() >= limit::EMBEDS || size + embed_size > limit::EMBED_TOTAL);
        if start_new {
            messages.push(Vec::new());
            size = 0;
        }
        size += embed_size;
        if let Some(message) = messages.last_mut() {
            message.push(embed);
        }
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advice::document::{Item, Section};

    fn document(sections: usize, items: usize, body: &str) -> Document {
        Document {
            title: "Advies".into(),
            notice: None,
            sections: (0..sections)
                .map(|s| Section {
                    key: "strategies",
                    heading: format!("Section {s}"),
                    intro: None,
                    items: (0..items)
                        .map(|i| Item {
                            lead: format!("Item {i}"),
                            body: body.to_string(),
                        })
                        .collect(),
                })
                .collect(),
            source: "Bron: TNO".into(),
        }
    }

    fn all_text(messages: &[Vec<EmbedSpec>]) -> String {
        messages
            .iter()
            .flatten()
            .flat_map(|e| e.fields.iter().map(|(_, v)| v.clone()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn assert_within_limits(messages: &[Vec<EmbedSpec>]) {
        for message in messages {
            assert!(
                message.len() <= limit::EMBEDS,
                "{} embeds in one message",
                message.len()
            );
            let total: usize = message.iter().map(EmbedSpec::size).sum();
            assert!(
                total <= limit::EMBED_TOTAL,
                "{total} characters in one message"
            );
            for embed in message {
                assert!(embed.within_limits(), "an embed over a limit: {embed:?}");
            }
        }
    }

    #[test]
    fn chunks_respect_limit_and_keep_text() {
        let cases = [
            "short".to_string(),
            "x".repeat(1024),
            "x".repeat(1025),
            "y".repeat(5000),
            format!("{}\n{}", "a".repeat(1000), "b".repeat(1000)),
            "word ".repeat(700),
        ];
        for text in cases {
            let chunks = chunk_text(&text, 1024);
            assert!(
                chunks.iter().all(|c| c.chars().count() <= 1024),
                "a chunk over the limit"
            );
            let letters = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
            let kept: usize = chunks.iter().map(|c| letters(c)).sum();
            assert_eq!(kept, letters(&text), "no character is lost");
        }
    }

    #[test]
    fn exact_limit_is_one_chunk() {
        assert_eq!(chunk_text(&"x".repeat(1024), 1024).len(), 1);
        assert_eq!(chunk_text(&"x".repeat(1025), 1024).len(), 2);
    }

    #[test]
    fn long_item_continues_in_next_field() {
        let doc = document(1, 1, &"z".repeat(5000));
        let messages = group_embeds(document_embeds(&doc, "(continued)"));
        assert_within_limits(&messages);
        assert_eq!(
            all_text(&messages).chars().filter(|c| *c == 'z').count(),
            5000
        );
        let names: Vec<String> = messages
            .iter()
            .flatten()
            .flat_map(|e| e.fields.iter().map(|(n, _)| n.clone()))
            .collect();
        assert!(names.iter().any(|n| n == "Item 0 (continued)"));
    }

    #[test]
    fn many_sections_spread_over_messages() {
        let doc = document(30, 12, &"w ".repeat(400));
        let messages = group_embeds(document_embeds(&doc, "(continued)"));
        assert_within_limits(&messages);
        assert!(messages.len() > 1);
        let fields: usize = messages.iter().flatten().map(|e| e.fields.len()).sum();
        assert_eq!(fields, 30 * 12, "every item is shown");
    }

    #[test]
    fn more_than_25_items_make_second_embed() {
        let doc = document(1, 30, "short");
        let embeds = document_embeds(&doc, "(continued)");
        assert_eq!(embeds.len(), 3, "title embed, then 25 fields, then 5");
        assert_eq!(embeds[2].title.as_deref(), Some("Section 0 (continued)"));
    }

    fn spec_of_size(size: usize) -> EmbedSpec {
        EmbedSpec {
            description: Some("d".repeat(size)),
            ..EmbedSpec::default()
        }
    }

    fn intro_document(intro_chars: usize) -> Document {
        let mut doc = document(1, 0, "");
        doc.sections[0].intro = Some("i".repeat(intro_chars));
        doc
    }

    #[test]
    fn content_limit_exact_and_over() {
        assert_eq!(
            chunk_text(&"c".repeat(limit::CONTENT), limit::CONTENT).len(),
            1
        );
        let over = chunk_text(&"c".repeat(limit::CONTENT + 1), limit::CONTENT);
        assert_eq!(over.len(), 2);
        assert_eq!(over[1], "c");
    }

    #[test]
    fn field_value_exact_and_over() {
        let exact = document_embeds(&document(1, 1, &"v".repeat(1024)), "(continued)");
        assert_eq!(exact[1].fields.len(), 1, "1024 characters fit one field");
        let over = document_embeds(&document(1, 1, &"v".repeat(1025)), "(continued)");
        assert_eq!(over[1].fields.len(), 2, "1025 characters take two fields");
        assert_eq!(over[1].fields[1].0, "Item 0 (continued)");
        assert_eq!(over[1].fields[1].1, "v");
    }

    #[test]
    fn description_exact_and_over() {
        let exact = document_embeds(&intro_document(limit::DESCRIPTION), "(continued)");
        assert_eq!(exact.len(), 2, "title embed and one section embed");
        let over = document_embeds(&intro_document(limit::DESCRIPTION + 1), "(continued)");
        assert_eq!(over.len(), 3, "the intro continues in a second embed");
        assert_eq!(over[2].description.as_deref(), Some("i"));
        assert_eq!(over[2].title.as_deref(), Some("Section 0 (continued)"));
    }

    #[test]
    fn field_count_exact_and_over() {
        let exact = document_embeds(&document(1, limit::FIELDS, "x"), "(continued)");
        assert_eq!(exact.len(), 2, "25 items fit one section embed");
        let over = document_embeds(&document(1, limit::FIELDS + 1, "x"), "(continued)");
        assert_eq!(over.len(), 3, "the 26th item opens a second embed");
        assert_eq!(over[2].fields.len(), 1);
    }

    #[test]
    fn long_heading_fits_title() {
        let mut doc = document(1, 1, "x");
        doc.sections[0].heading = "h".repeat(300);
        let embeds = document_embeds(&doc, "(continued)");
        let title = embeds[1].title.clone().unwrap();
        assert!(
            title.chars().count() <= limit::TITLE,
            "{} characters",
            title.len()
        );
        assert!(title.ends_with('…'), "a shortened heading shows it");
    }

    #[test]
    fn embeds_per_message_exact_and_over() {
        let ten = group_embeds(vec![spec_of_size(10); limit::EMBEDS]);
        assert_eq!(ten.len(), 1);
        let eleven = group_embeds(vec![spec_of_size(10); limit::EMBEDS + 1]);
        assert_eq!(eleven.len(), 2);
        assert_eq!(eleven[1].len(), 1);
    }

    #[test]
    fn message_total_exact_and_over() {
        let exact = group_embeds(vec![spec_of_size(4000), spec_of_size(2000)]);
        assert_eq!(exact.len(), 1, "6000 characters fit one message");
        let over = group_embeds(vec![spec_of_size(4000), spec_of_size(2001)]);
        assert_eq!(over.len(), 2, "6001 characters take two messages");
    }

    #[test]
    fn long_source_gets_own_embed() {
        let mut doc = document(1, 5, &"w ".repeat(500));
        doc.source = "s".repeat(1500);
        let embeds = document_embeds(&doc, "(continued)");
        let last = embeds.last().unwrap();
        assert_eq!(last.footer.as_deref().map(str::len), Some(1500));
        assert!(
            last.fields.is_empty(),
            "the source sits in an embed of its own"
        );
        assert_within_limits(&group_embeds(embeds));
    }

    #[test]
    fn shorten_adds_ellipsis() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }

    #[test]
    fn hard_cut_keeps_escapes_whole() {
        let line = format!("a{}", "\\*".repeat(600));
        let pieces = split_long(&line, 1024);
        assert!(pieces.len() > 1, "the line is split");
        for piece in &pieces {
            assert!(piece.chars().count() <= 1024, "{} characters", piece.len());
            let trailing = piece.chars().rev().take_while(|c| *c == '\\').count();
            assert_eq!(trailing % 2, 0, "a piece ends in a lone backslash");
        }
        assert_eq!(pieces.concat(), line, "nothing is lost");
    }

    #[test]
    fn quote_continues_in_every_piece() {
        let line = format!("> Lid B: {}", "word ".repeat(400));
        let pieces = split_long(line.trim_end(), 1024);
        assert!(pieces.len() > 1, "the line is split");
        for piece in &pieces {
            assert!(piece.starts_with("> "), "{piece:.40}");
            assert!(piece.chars().count() <= 1024);
        }
    }
}
