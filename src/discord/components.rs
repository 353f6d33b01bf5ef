//! Message components: answer buttons, select menus, action buttons and the note modal, each
//! with a custom id from [`custom_id`](super::custom_id).

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateButton, CreateInputText, CreateModal, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption, InputTextStyle,
};
use tracing::warn;

use super::custom_id::{self, ComponentId};
use super::split::shorten;
use crate::engine::message::{ActionStyle, ChoicesBlock, ScaleBlock};
use crate::engine::{TrajectoryId, Walk};

/// Discord's limits on components (API v10).
pub mod limit {
    /// Action rows per message.
    pub const ROWS: usize = 5;
    /// Buttons per action row.
    pub const ROW_BUTTONS: usize = 5;
    pub const BUTTON_LABEL: usize = 80;
    /// Options of one select menu.
    pub const SELECT_OPTIONS: usize = 25;
    pub const OPTION_LABEL: usize = 100;
    pub const PLACEHOLDER: usize = 150;
    pub const MODAL_TITLE: usize = 45;
    pub const INPUT_LABEL: usize = 45;
}

/// The custom id of the note modal's one text input.
pub const NOTE_INPUT: &str = "note";

pub fn button(
    trajectory: Option<TrajectoryId>,
    component: &ComponentId,
    label: &str,
    style: ButtonStyle,
) -> CreateButton {
    CreateButton::new(custom_id::encode(trajectory, component))
        .label(shorten(label, limit::BUTTON_LABEL))
        .style(style)
}

pub fn action_style(style: ActionStyle) -> ButtonStyle {
    match style {
        ActionStyle::Primary => ButtonStyle::Primary,
        ActionStyle::Secondary => ButtonStyle::Secondary,
        ActionStyle::Danger => ButtonStyle::Danger,
    }
}

/// Returns the buttons in rows of at most five.
pub fn button_rows(buttons: &[CreateButton]) -> Vec<CreateActionRow> {
    buttons
        .chunks(limit::ROW_BUTTONS)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect()
}

/// Returns the five steps of a scale as one row of buttons; the chosen step is green.
pub fn scale_row(trajectory: Option<TrajectoryId>, scale: &ScaleBlock) -> CreateActionRow {
    let buttons = scale
        .steps
        .iter()
        .map(|(step, label)| {
            let component = ComponentId::Answer {
                walk: scale.walk,
                question: scale.question.clone(),
                value: step.to_string(),
            };
            let style = if scale.selected == Some(*step) {
                ButtonStyle::Success
            } else {
                ButtonStyle::Secondary
            };
            button(trajectory, &component, label, style)
        })
        .collect();
    CreateActionRow::Buttons(buttons)
}

/// Returns how many rows the options take as buttons.
pub fn choice_button_rows(choices: &ChoicesBlock) -> usize {
    choices.options.len().div_ceil(limit::ROW_BUTTONS)
}

/// Renders a choice question in at most `free_rows` rows: buttons for a single choice that
/// fits, otherwise one select menu.
pub fn choice_rows(
    trajectory: Option<TrajectoryId>,
    choices: &ChoicesBlock,
    free_rows: usize,
) -> Vec<CreateActionRow> {
    if !choices.multiple && choice_button_rows(choices) <= free_rows {
        let buttons: Vec<CreateButton> = choices
            .options
            .iter()
            .map(|option| {
                let component = ComponentId::Answer {
                    walk: choices.walk,
                    question: choices.question.clone(),
                    value: option.id.clone(),
                };
                let style = if option.selected {
                    ButtonStyle::Success
                } else {
                    ButtonStyle::Primary
                };
                button(trajectory, &component, &option.label, style)
            })
            .collect();
        return button_rows(&buttons);
    }
    vec![CreateActionRow::SelectMenu(select_menu(
        trajectory, choices,
    ))]
}

/// Builds a string select menu. A multiple choice takes any number of options (including
/// none), a single choice exactly one. The member's current options are preselected.
fn select_menu(trajectory: Option<TrajectoryId>, choices: &ChoicesBlock) -> CreateSelectMenu {
    if choices.options.len() > limit::SELECT_OPTIONS {
        // NOTE: no question in the questionnaire has more than 25 options; a longer list
        // would need a typed answer for the options past the 25th.
        warn!(question = %choices.question, options = choices.options.len(), "a select menu shows only the first 25 options");
    }
    let options: Vec<CreateSelectMenuOption> = choices
        .options
        .iter()
        .take(limit::SELECT_OPTIONS)
        .map(|o| {
            CreateSelectMenuOption::new(shorten(&o.label, limit::OPTION_LABEL), &o.id)
                .default_selection(o.selected)
        })
        .collect();
    let count = u8::try_from(options.len()).unwrap_or(u8::MAX);
    let (min, max) = if choices.multiple { (0, count) } else { (1, 1) };
    let component = ComponentId::Select {
        walk: choices.walk,
        question: choices.question.clone(),
    };
    CreateSelectMenu::new(
        custom_id::encode(trajectory, &component),
        CreateSelectMenuKind::String { options },
    )
    .placeholder(shorten(&choices.placeholder, limit::PLACEHOLDER))
    .min_values(min)
    .max_values(max)
}

/// The form behind a note button.
pub struct NoteForm<'a> {
    pub trajectory: Option<TrajectoryId>,
    pub walk: Walk,
    pub question: &'a str,
    pub title: &'a str,
    pub label: &'a str,
    /// The engine's maximum, which Discord then enforces in the text box.
    pub max_chars: usize,
    /// The member's current note, shown for editing.
    pub current: Option<&'a str>,
}

/// Builds the note modal: one required paragraph input, prefilled with the current note.
pub fn note_modal(form: &NoteForm<'_>) -> CreateModal {
    let modal_id = custom_id::encode(
        form.trajectory,
        &ComponentId::NoteModal {
            walk: form.walk,
            question: form.question.to_string(),
        },
    );
    let max_length = u16::try_from(form.max_chars).unwrap_or(u16::MAX);
    let mut input = CreateInputText::new(
        InputTextStyle::Paragraph,
        shorten(form.label, limit::INPUT_LABEL),
        NOTE_INPUT,
    )
    .max_length(max_length)
    .required(true);
    if let Some(note) = form.current {
        input = input.value(note);
    }
    CreateModal::new(modal_id, shorten(form.title, limit::MODAL_TITLE))
        .components(vec![CreateActionRow::InputText(input)])
}
