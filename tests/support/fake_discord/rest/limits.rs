//! Discord's length limits on embeds and message components (API v10), which Discord enforces
//! with Invalid Form Body (50035) and `BASE_TYPE_MAX_LENGTH`.

use serde_json::Value;

use super::ApiError;

const EMBED_TITLE: usize = 256;
const EMBED_DESCRIPTION: usize = 4096;
const EMBED_FIELDS: usize = 25;
const FIELD_NAME: usize = 256;
const FIELD_VALUE: usize = 1024;
const FOOTER_TEXT: usize = 2048;
const AUTHOR_NAME: usize = 256;
/// Characters across titles, descriptions, field names and values, footers and author names of
/// all embeds in one message.
const EMBEDS_TOTAL: usize = 6000;
const CUSTOM_ID: usize = 100;
const BUTTON_LABEL: usize = 80;

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |text| text.chars().count())
}

fn too_long(path: &[&str], max: usize) -> ApiError {
    let message = format!("Must be {max} or fewer in length.");
    ApiError::invalid_field(path, "BASE_TYPE_MAX_LENGTH", &message)
}

/// Checks every embed of a message payload and their total size.
pub fn check_embeds(payload: &Value) -> Result<(), ApiError> {
    let Some(embeds) = payload["embeds"].as_array() else {
        return Ok(());
    };
    let mut total = 0;
    for (index, embed) in embeds.iter().enumerate() {
        let index = index.to_string();
        total += check_embed(embed, &index)?;
    }
    if total > EMBEDS_TOTAL {
        return Err(too_long(&["embeds"], EMBEDS_TOTAL));
    }
    Ok(())
}

/// Checks one embed and returns the characters it counts towards the total.
fn check_embed(embed: &Value, index: &str) -> Result<usize, ApiError> {
    let parts = [
        (&embed["title"], "title", EMBED_TITLE),
        (&embed["description"], "description", EMBED_DESCRIPTION),
        (&embed["footer"]["text"], "footer", FOOTER_TEXT),
        (&embed["author"]["name"], "author", AUTHOR_NAME),
    ];
    let mut size = 0;
    for (text, field, max) in parts {
        if chars(text) > max {
            return Err(too_long(&["embeds", index, field], max));
        }
        size += chars(text);
    }
    let fields = embed["fields"].as_array().cloned().unwrap_or_default();
    if fields.len() > EMBED_FIELDS {
        return Err(too_long(&["embeds", index, "fields"], EMBED_FIELDS));
    }
    for (position, field) in fields.iter().enumerate() {
        let position = position.to_string();
        for (key, max) in [("name", FIELD_NAME), ("value", FIELD_VALUE)] {
            if chars(&field[key]) > max {
                return Err(too_long(&["embeds", index, "fields", &position, key], max));
            }
            size += chars(&field[key]);
        }
    }
    Ok(size)
}

/// Checks the custom ids and labels of the components in a message payload's action rows.
pub fn check_components(payload: &Value) -> Result<(), ApiError> {
    let rows = payload["components"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (row_index, row) in rows.iter().enumerate() {
        let row_index = row_index.to_string();
        let components = row["components"].as_array().cloned().unwrap_or_default();
        for (index, component) in components.iter().enumerate() {
            let index = index.to_string();
            let path = [
                "components",
                row_index.as_str(),
                "components",
                index.as_str(),
            ];
            if chars(&component["custom_id"]) > CUSTOM_ID {
                return Err(too_long(&[&path[..], &["custom_id"]].concat(), CUSTOM_ID));
            }
            if component["type"] == 2 && chars(&component["label"]) > BUTTON_LABEL {
                return Err(too_long(&[&path[..], &["label"]].concat(), BUTTON_LABEL));
            }
        }
    }
    Ok(())
}
