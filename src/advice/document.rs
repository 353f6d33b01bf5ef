//! The advice as a platform-neutral document: a title, an optional notice and sections of
//! items. Markdown output and chat embeds are both rendered from it, so they never disagree.

use super::markdown::{escape_markdown, quote_user_text};
use super::view::AdviceView;
use super::{Fit, StrategyFit};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    /// Shown above everything, for a partial result.
    pub notice: Option<String>,
    pub sections: Vec<Section>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// A stable key for the section, for platforms that style sections differently.
    pub key: &'static str,
    pub heading: String,
    /// Introductory text under the heading.
    pub intro: Option<String>,
    pub items: Vec<Item>,
}

/// One entry of a section: a bold lead and its body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub lead: String,
    pub body: String,
}

impl Item {
    fn new(lead: impl Into<String>, body: impl Into<String>) -> Item {
        Item {
            lead: lead.into(),
            body: body.into(),
        }
    }
}

/// Builds the document for an advice.
pub fn build(view: &AdviceView) -> Document {
    let sections = [
        disputes(view),
        strategies(view),
        relations(view),
        attention(view),
        flags(view),
        uncovered(view),
        closing(view),
        not_scaling(view),
    ];
    Document {
        title: view.fill("advice.title", &[("name", &title_name(view.name))]),
        notice: notice(view),
        sections: sections.into_iter().flatten().collect(),
        source: view.content.report.citation.get(view.lang).to_string(),
    }
}

/// Returns the trajectory name for the title, escaped and on one line.
fn title_name(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    escape_markdown(&words.join(" "))
}

fn notice(view: &AdviceView) -> Option<String> {
    if view.advice.complete {
        return None;
    }
    let total = view.content.questionnaire.questions.len();
    let answered = (total - view.advice.missing.len()).to_string();
    let missing: Vec<String> = view
        .advice
        .missing
        .iter()
        .map(|id| view.question_name(id))
        .collect();
    Some(view.fill(
        "advice.partial",
        &[
            ("answered", &answered),
            ("total", &total.to_string()),
            ("missing", &missing.join(", ")),
        ],
    ))
}

fn disputes(view: &AdviceView) -> Option<Section> {
    let items: Vec<Item> = view
        .advice
        .disputed
        .iter()
        .filter_map(|id| view.team.get(id))
        .map(|result| {
            let mut body = view.spread_summary(result);
            for (member, note) in &result.notes {
                body.push('\n');
                body.push_str(&quote_user_text(view.member_name(member), note));
            }
            Item::new(view.question_name(&result.question), body)
        })
        .collect();
    section(
        view,
        "disputes",
        items,
        Some(view.msg("advice.disputes_intro").to_string()),
    )
}

fn strategies(view: &AdviceView) -> Option<Section> {
    if view.advice.leading.is_none() {
        let item = Item::new(
            view.msg("advice.no_leading_lead"),
            view.msg("advice.no_leading"),
        );
        return section(view, "strategies", vec![item], None);
    }
    let mut items: Vec<Item> = view
        .advice
        .strategies
        .iter()
        .filter(|fit| fit.fit != Fit::None)
        .enumerate()
        .map(|(rank, fit)| strategy_item(view, rank + 1, fit))
        .collect();
    let unsupported: Vec<String> = view
        .advice
        .strategies
        .iter()
        .filter(|fit| fit.fit == Fit::None)
        .map(|fit| view.strategy_name(&fit.strategy))
        .collect();
    if !unsupported.is_empty() {
        items.push(Item::new(
            view.msg("advice.unsupported_lead"),
            unsupported.join(", "),
        ));
    }
    section(view, "strategies", items, None)
}

fn strategy_item(view: &AdviceView, rank: usize, fit: &StrategyFit) -> Item {
    let strategy = view.content.strategy(&fit.strategy);
    let level = view
        .msg(&format!("advice.fit.{}", fit.fit.key()))
        .to_string();
    let lead = format!("{rank}. {} ({level})", view.strategy_name(&fit.strategy));
    let mut body = strategy
        .map(|s| s.summary.get(view.lang).to_string())
        .unwrap_or_default();
    body.push('\n');
    body.push_str(view.msg("advice.because"));
    for fired in &fit.signals {
        let line = format!(
            "\n- {} → {} (+{})",
            view.evidence_text(&fired.evidence),
            view.signal_reason(&fired.signal),
            fired.weight
        );
        body.push_str(&line);
    }
    Item::new(lead, body)
}

fn relations(view: &AdviceView) -> Option<Section> {
    let items = view
        .advice
        .relations
        .iter()
        .map(|&i| &view.content.relations[i])
        .map(|r| {
            Item::new(
                format!(
                    "{} → {}",
                    view.strategy_name(&r.from),
                    view.strategy_name(&r.to)
                ),
                r.text.get(view.lang),
            )
        })
        .collect();
    section(view, "relations", items, None)
}

fn attention(view: &AdviceView) -> Option<Section> {
    let items = view
        .content
        .aspects
        .iter()
        .filter_map(|aspect| {
            let lines: Vec<String> = view
                .attention_points(&aspect.id)
                .map(|p| {
                    format!(
                        "- {} ({})",
                        p.text.get(view.lang),
                        view.strategy_name(&p.strategy)
                    )
                })
                .collect();
            (!lines.is_empty()).then(|| Item::new(aspect.name.get(view.lang), lines.join("\n")))
        })
        .collect();
    section(view, "attention", items, None)
}

fn flags(view: &AdviceView) -> Option<Section> {
    let items = view
        .advice
        .flags
        .iter()
        .filter_map(|raised| view.content.flag(&raised.flag).map(|flag| (raised, flag)))
        .map(|(raised, flag)| {
            let body = format!(
                "{}\n{} {}",
                flag.text.get(view.lang),
                view.fill(
                    "advice.flag_basis",
                    &[("aspect", &view.aspect_name(&flag.aspect))]
                ),
                view.evidence_text(&raised.evidence)
            );
            Item::new(flag.title.get(view.lang), body)
        })
        .collect();
    section(view, "flags", items, None)
}

fn uncovered(view: &AdviceView) -> Option<Section> {
    let items = view
        .advice
        .uncovered_aspects
        .iter()
        .filter_map(|id| view.content.aspect(id))
        .map(|a| Item::new(a.name.get(view.lang), a.discussion.get(view.lang)))
        .collect();
    section(
        view,
        "uncovered",
        items,
        Some(view.msg("advice.uncovered_intro").to_string()),
    )
}

fn closing(view: &AdviceView) -> Option<Section> {
    let lines: Vec<String> = view
        .content
        .closing
        .recommendations
        .iter()
        .map(|r| format!("- {}", r.text.get(view.lang)))
        .collect();
    section(view, "closing", vec![Item::new("", lines.join("\n"))], None)
}

fn not_scaling(view: &AdviceView) -> Option<Section> {
    let closing = &view.content.closing;
    let lines: Vec<String> = closing
        .not_scaling_reasons
        .iter()
        .map(|r| format!("- {}", r.text.get(view.lang)))
        .collect();
    let intro = closing.not_scaling_intro.get(view.lang).to_string();
    section(
        view,
        "not_scaling",
        vec![Item::new("", lines.join("\n"))],
        Some(intro),
    )
}

fn section(
    view: &AdviceView,
    key: &'static str,
    items: Vec<Item>,
    intro: Option<String>,
) -> Option<Section> {
    if items.is_empty() {
        return None;
    }
    let heading_key = format!("advice.section.{key}");
    let heading = view.msg(&heading_key).to_string();
    Some(Section {
        key,
        heading,
        intro,
        items,
    })
}

/// Renders the document as Markdown.
pub fn to_markdown(document: &Document) -> String {
    let mut out = format!("# {}\n\n", document.title);
    if let Some(notice) = &document.notice {
        out.push_str(&format!("> **{notice}**\n\n"));
    }
    for section in &document.sections {
        out.push_str(&format!("## {}\n\n", section.heading));
        if let Some(intro) = &section.intro {
            out.push_str(&format!("{intro}\n\n"));
        }
        for item in &section.items {
            if item.lead.is_empty() {
                out.push_str(&format!("{}\n\n", item.body));
            } else {
                out.push_str(&format!("**{}**\n{}\n\n", item.lead, item.body));
            }
        }
    }
    out.push_str(&format!("---\n_{}_\n", document.source));
    out
}
