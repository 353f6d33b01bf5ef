//! Renders engine messages as terminal text.

use crate::advice::document;
use crate::engine::message::*;

/// Renders a message as lines of text; attachments are listed by name.
pub fn render(message: &Message) -> String {
    let mut out = Vec::new();
    for block in &message.blocks {
        match block {
            Block::Heading(text) => out.push(format!("## {text}")),
            Block::Text(text) => out.push(text.clone()),
            Block::Question(q) => out.push(question(q)),
            Block::Choices(choices) => out.push(choices_line(choices)),
            Block::Scale(scale) => out.push(scale_line(scale)),
            Block::NotePrompt {
                max_chars, label, ..
            } => out.push(format!("  {label}: /note … (max {max_chars})")),
            Block::Actions(actions) => out.push(actions_line(actions)),
            Block::Document(doc) => out.push(document::to_markdown(doc)),
            Block::Mentions { members, .. } => {
                let names: Vec<String> = members
                    .iter()
                    .map(|m| format!("- {} ({})", m.name, m.open))
                    .collect();
                out.push(names.join("\n"));
            }
            Block::Attachment(file) => out.push(format!(
                "  [{} · {} bytes]",
                file.filename,
                file.bytes.len()
            )),
        }
    }
    out.join("\n")
}

fn question(q: &QuestionBlock) -> String {
    let mut lines = vec![
        format!("── {} ──", q.context),
        format!("{}", q.title),
        q.text.clone(),
        format!("  ({})", q.hint),
    ];
    if let Some(status) = &q.status {
        lines.push(format!("  {status}"));
    }
    lines.join("\n")
}

fn choices_line(choices: &ChoicesBlock) -> String {
    let options: Vec<String> = choices
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            format!(
                "{}{}) {} [{}]",
                if o.selected { "*" } else { "" },
                i + 1,
                o.label,
                o.id
            )
        })
        .collect();
    // The console shows no words of its own under a question, so Dutch and English
    // trajectories read alike: the arrow shows what to type.
    let count = choices.options.len();
    let how = if choices.multiple {
        format!("1,2 … {count} | -")
    } else {
        format!("1 … {count}")
    };
    format!("  {}\n  → {how}", options.join("\n  "))
}

fn scale_line(scale: &ScaleBlock) -> String {
    let steps: Vec<String> = scale
        .steps
        .iter()
        .map(|(step, label)| {
            if scale.selected == Some(*step) {
                format!("*{label}")
            } else {
                label.clone()
            }
        })
        .collect();
    format!(
        "  {} … {}\n  → {}",
        scale.low,
        scale.high,
        steps.join(" | ")
    )
}

fn actions_line(actions: &[Action]) -> String {
    let items: Vec<String> = actions
        .iter()
        .map(|a| format!("[{} {}]", command_of(&a.kind), a.label))
        .collect();
    format!("  {}", items.join(" "))
}

/// Returns the console command that performs an action.
pub fn command_of(kind: &ActionKind) -> &'static str {
    match kind {
        ActionKind::Next(_) => "/next",
        ActionKind::Back(_) => "/back",
        ActionKind::Skip(_) => "/skip",
        ActionKind::PrivateWalk => "/private",
        ActionKind::Result => "/result",
        ActionKind::Status => "/status",
        ActionKind::DeleteConfirm => "/delete confirm",
        ActionKind::DeleteCancel => "/cancel",
    }
}
