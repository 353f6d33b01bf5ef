//! Application commands, interaction callbacks and the interaction webhooks (original response
//! and follow-ups).
//!
//! Interactions are known from their INTERACTION_CREATE dispatch. A callback is accepted once,
//! within the configured deadline (Discord's is 3 seconds), with a response type that fits the
//! interaction type. Follow-ups need an acknowledged interaction.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::super::http::Response;
use super::super::state::{InteractionRecord, Shared, State};
use super::messages::{self, id_of, snowflake};
use super::{ApiError, ApiRequest, ApiResult};

/// Maximum length of a command or option name, in characters.
const MAX_NAME_CHARS: usize = 32;
/// Maximum length of a command or option description, in characters.
const MAX_DESCRIPTION_CHARS: usize = 100;
/// Maximum number of options of a command or subcommand, and of autocomplete choices.
const MAX_OPTIONS: usize = 25;
/// Maximum number of action rows in a modal.
const MAX_MODAL_ROWS: usize = 5;

/// Message flag LOADING (1 << 7): the "is thinking" state of a deferred response.
const FLAG_LOADING: u64 = 1 << 7;

/// Interaction types (Discord's numbering).
const KIND_COMMAND: u64 = 2;
const KIND_COMPONENT: u64 = 3;
const KIND_AUTOCOMPLETE: u64 = 4;
const KIND_MODAL_SUBMIT: u64 = 5;

/// Callback types (Discord's numbering).
const CALLBACK_MESSAGE: u64 = 4;
const CALLBACK_DEFERRED_MESSAGE: u64 = 5;
const CALLBACK_DEFERRED_UPDATE: u64 = 6;
const CALLBACK_UPDATE_MESSAGE: u64 = 7;
const CALLBACK_AUTOCOMPLETE: u64 = 8;
const CALLBACK_MODAL: u64 = 9;

pub fn route_commands(
    shared: &Shared,
    state: &mut State,
    method: &str,
    request: &ApiRequest<'_>,
) -> Option<ApiResult> {
    let result = match (method, request.segments.as_slice()) {
        ("PUT", ["applications", app, "commands"]) => {
            check_application(shared, app).and_then(|()| overwrite(shared, state, None, request))
        }
        ("GET", ["applications", app, "commands"]) => {
            check_application(shared, app).map(|()| list(state, None))
        }
        ("PUT", ["applications", app, "guilds", guild, "commands"]) => {
            check_application(shared, app)
                .and_then(|()| check_guild(shared, guild))
                .and_then(|guild_id| overwrite(shared, state, Some(guild_id), request))
        }
        ("GET", ["applications", app, "guilds", guild, "commands"]) => {
            check_application(shared, app)
                .and_then(|()| check_guild(shared, guild))
                .map(|guild_id| list(state, Some(guild_id)))
        }
        _ => return None,
    };
    Some(result)
}

pub fn route_responses(
    shared: &Shared,
    state: &mut State,
    method: &str,
    request: &ApiRequest<'_>,
) -> Option<ApiResult> {
    let result = match (method, request.segments.as_slice()) {
        ("POST", ["interactions", id, token, "callback"]) => {
            callback(shared, state, id, token, request)
        }
        ("POST", ["webhooks", app, token]) => follow_up(shared, state, app, token, request),
        ("GET" | "PATCH" | "DELETE", ["webhooks", app, token, "messages", message]) => {
            webhook_message(shared, state, method, [app, token, message], request)
        }
        _ => return None,
    };
    Some(result)
}

fn check_application(shared: &Shared, app: &str) -> Result<(), ApiError> {
    if snowflake("application_id", app)? == shared.ids.application {
        Ok(())
    } else {
        Err(ApiError::new(403, "Missing Access", 50001))
    }
}

/// Checks that the bot is in the guild, which is only the test guild.
fn check_guild(shared: &Shared, guild: &str) -> Result<u64, ApiError> {
    let guild_id = snowflake("guild_id", guild)?;
    if guild_id == shared.ids.guild {
        Ok(guild_id)
    } else {
        Err(ApiError::new(403, "Missing Access", 50001))
    }
}

fn list(state: &State, scope: Option<u64>) -> Response {
    let commands = state.commands.get(&scope).cloned().unwrap_or_default();
    Response::json(200, &json!(commands))
}

/// Replaces the command set of `scope`. Commands keep their id when one of the same name and
/// type existed, as Discord's bulk overwrite does.
fn overwrite(
    shared: &Shared,
    state: &mut State,
    scope: Option<u64>,
    request: &ApiRequest<'_>,
) -> ApiResult {
    let payload = request.payload();
    let Some(submitted) = payload.as_array() else {
        let message = "Only arrays are allowed.";
        return Err(ApiError::invalid_field(
            &["_root"],
            "BASE_TYPE_ARRAY",
            message,
        ));
    };
    validate_commands(submitted)?;

    let previous = state.commands.get(&scope).cloned().unwrap_or_default();
    let commands: Vec<Value> = submitted
        .iter()
        .map(|command| stored_command(shared, scope, command, &previous))
        .collect();
    state.commands.insert(scope, commands.clone());
    Ok(Response::json(200, &json!(commands)))
}

fn stored_command(
    shared: &Shared,
    scope: Option<u64>,
    command: &Value,
    previous: &[Value],
) -> Value {
    let kind = command["type"].as_u64().unwrap_or(1);
    let name = command["name"].clone();
    let id = previous
        .iter()
        .find(|old| old["name"] == name && old["type"].as_u64() == Some(kind))
        .map_or_else(
            || shared.snowflake().to_string(),
            |old| id_of(old, "id").to_string(),
        );
    let field = |key: &str| command.get(key).cloned().unwrap_or(Value::Null);
    json!({
        "id": id,
        "type": kind,
        "application_id": shared.ids.application.to_string(),
        "guild_id": scope.map(|guild| guild.to_string()),
        "name": name,
        "name_localizations": field("name_localizations"),
        "description": command["description"].as_str().unwrap_or_default(),
        "description_localizations": field("description_localizations"),
        "options": command.get("options").cloned().unwrap_or_else(|| json!([])),
        "default_member_permissions": field("default_member_permissions"),
        "nsfw": command["nsfw"].as_bool().unwrap_or(false),
        "integration_types": command.get("integration_types").cloned().unwrap_or_else(|| json!([0])),
        "contexts": field("contexts"),
        "version": shared.snowflake().to_string(),
    })
}

/// Checks names, descriptions, option counts and duplicate names the way Discord rejects them,
/// with error paths such as `0.options.1.description`.
fn validate_commands(commands: &[Value]) -> Result<(), ApiError> {
    let mut seen = HashSet::new();
    for (index, command) in commands.iter().enumerate() {
        let kind = command["type"].as_u64().unwrap_or(1);
        let path = vec![index.to_string()];
        let chat_input = kind == 1;
        validate_named(command, &path, chat_input)?;
        if !seen.insert((kind, command["name"].to_string())) {
            let message = "Application command names must be unique";
            return Err(error_at(
                &path,
                "name",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                message,
            ));
        }
        if chat_input {
            validate_options(command, &path)?;
        }
    }
    Ok(())
}

/// Checks the `name` and, for chat input commands and their options, the `description`.
fn validate_named(
    object: &Value,
    path: &[String],
    needs_description: bool,
) -> Result<(), ApiError> {
    let name = object["name"].as_str().unwrap_or_default();
    let length = name.chars().count();
    let valid_chars = name
        .chars()
        .all(|c| (c.is_alphanumeric() || c == '-' || c == '_') && !c.is_uppercase());
    if length == 0 || length > MAX_NAME_CHARS || (needs_description && !valid_chars) {
        let message = "Command name is invalid";
        return Err(error_at(
            path,
            "name",
            "APPLICATION_COMMAND_INVALID_NAME",
            message,
        ));
    }
    let description = object["description"].as_str().unwrap_or_default();
    let length = description.chars().count();
    if needs_description && (length == 0 || length > MAX_DESCRIPTION_CHARS) {
        let message = format!("Must be between 1 and {MAX_DESCRIPTION_CHARS} in length.");
        return Err(error_at(
            path,
            "description",
            "BASE_TYPE_BAD_LENGTH",
            &message,
        ));
    }
    Ok(())
}

fn validate_options(object: &Value, path: &[String]) -> Result<(), ApiError> {
    let options = object["options"].as_array().cloned().unwrap_or_default();
    if options.len() > MAX_OPTIONS {
        let message = format!("Must be {MAX_OPTIONS} or fewer in length.");
        return Err(error_at(path, "options", "BASE_TYPE_MAX_LENGTH", &message));
    }
    for (index, option) in options.iter().enumerate() {
        let mut option_path = path.to_vec();
        option_path.extend(["options".to_string(), index.to_string()]);
        validate_named(option, &option_path, true)?;
        validate_options(option, &option_path)?;
    }
    Ok(())
}

fn error_at(path: &[String], field: &str, code: &str, message: &str) -> ApiError {
    let mut full: Vec<&str> = path.iter().map(String::as_str).collect();
    full.push(field);
    ApiError::invalid_field(&full, code, message)
}

fn unknown_interaction() -> ApiError {
    ApiError::new(404, "Unknown interaction", 10062)
}

fn unknown_webhook() -> ApiError {
    ApiError::new(404, "Unknown Webhook", 10015)
}

/// Callback types Discord accepts for an interaction type.
fn allowed_callbacks(kind: u64, has_source_message: bool) -> &'static [u64] {
    match kind {
        KIND_COMMAND => &[CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_MODAL],
        KIND_COMPONENT => &[
            CALLBACK_MESSAGE,
            CALLBACK_DEFERRED_MESSAGE,
            CALLBACK_DEFERRED_UPDATE,
            CALLBACK_UPDATE_MESSAGE,
            CALLBACK_MODAL,
        ],
        KIND_AUTOCOMPLETE => &[CALLBACK_AUTOCOMPLETE],
        KIND_MODAL_SUBMIT if has_source_message => &[
            CALLBACK_MESSAGE,
            CALLBACK_DEFERRED_MESSAGE,
            CALLBACK_DEFERRED_UPDATE,
            CALLBACK_UPDATE_MESSAGE,
        ],
        KIND_MODAL_SUBMIT => &[CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE],
        _ => &[],
    }
}

fn callback(
    shared: &Shared,
    state: &mut State,
    id: &str,
    token: &str,
    request: &ApiRequest<'_>,
) -> ApiResult {
    let id = snowflake("interaction_id", id)?;
    let record = state
        .interactions
        .get(token)
        .filter(|record| record.id == id)
        .ok_or_else(unknown_interaction)?;
    if record.response_type.is_some() {
        return Err(ApiError::new(
            400,
            "Interaction has already been acknowledged.",
            40060,
        ));
    }
    if record.dispatched_at.elapsed() > shared.config.interaction_deadline {
        return Err(unknown_interaction());
    }

    let payload = request.payload();
    let callback_type = payload["type"].as_u64().unwrap_or_default();
    if !allowed_callbacks(record.kind, record.source_message_id.is_some()).contains(&callback_type)
    {
        // NOTE: Discord rejects such a callback type, but this status, code and text are the
        // fake's own, not copied from a recorded Discord response.
        let message = format!("Callback type {callback_type} is not valid for this interaction.");
        return Err(ApiError::invalid_field(
            &["type"],
            "INTERACTION_CALLBACK_TYPE_INVALID",
            &message,
        ));
    }
    let original = respond(shared, state, token, callback_type, &payload, request)?;

    let record = state
        .interactions
        .get_mut(token)
        .ok_or_else(unknown_interaction)?;
    record.response_type = Some(callback_type);
    record.original_message_id = original;
    Ok(Response::no_content())
}

/// Carries out a callback. Returns the id of the original response message, if it has one.
fn respond(
    shared: &Shared,
    state: &mut State,
    token: &str,
    callback_type: u64,
    payload: &Value,
    request: &ApiRequest<'_>,
) -> Result<Option<u64>, ApiError> {
    let (channel_id, kind, source) = {
        let record = state
            .interactions
            .get(token)
            .ok_or_else(unknown_interaction)?;
        (record.channel_id, record.kind, record.source_message_id)
    };
    let data = payload.get("data").cloned().unwrap_or_else(|| json!({}));
    match callback_type {
        CALLBACK_MESSAGE => {
            let message = interaction_message(shared, state, channel_id, kind, &data, request)?;
            messages::publish(shared, state, &message);
            Ok(Some(id_of(&message, "id")))
        }
        CALLBACK_DEFERRED_MESSAGE => {
            if !state.channels.contains_key(&channel_id) {
                return Err(ApiError::unknown_channel());
            }
            let flags = data["flags"].as_u64().unwrap_or_default() | FLAG_LOADING;
            let placeholder = json!({"content": "", "flags": flags});
            let mut message = messages::build_message(shared, state, channel_id, &placeholder, &[]);
            mark_interaction_message(shared, &mut message, kind);
            messages::publish(shared, state, &message);
            Ok(Some(id_of(&message, "id")))
        }
        CALLBACK_DEFERRED_UPDATE => Ok(source),
        CALLBACK_UPDATE_MESSAGE => {
            let source = source.and_then(|id| state.messages.get(&id).cloned());
            let source = source.ok_or_else(ApiError::unknown_message)?;
            let update = ApiRequest {
                segments: Vec::new(),
                payload: Some(&data),
                files: request.files,
            };
            let edited = messages::edit_message(shared, state, &source, &update)?;
            Ok(Some(id_of(&edited, "id")))
        }
        CALLBACK_AUTOCOMPLETE => validate_choices(&data).map(|()| None),
        CALLBACK_MODAL => validate_modal(&data).map(|()| None),
        _ => Ok(None),
    }
}

/// Builds an interaction response message in the interaction's channel.
fn interaction_message(
    shared: &Shared,
    state: &mut State,
    channel_id: u64,
    kind: u64,
    data: &Value,
    request: &ApiRequest<'_>,
) -> Result<Value, ApiError> {
    let mut message = messages::new_message(shared, state, channel_id, data, request.files)?;
    mark_interaction_message(shared, &mut message, kind);
    Ok(message)
}

/// Adds the fields that mark a message as an interaction response: Discord sends it through
/// the application's webhook, with type 20 for a slash command response.
fn mark_interaction_message(shared: &Shared, message: &mut Value, kind: u64) {
    let application_id = json!(shared.ids.application.to_string());
    message["webhook_id"] = application_id.clone();
    message["application_id"] = application_id;
    if kind == KIND_COMMAND {
        message["type"] = json!(20);
    }
}

fn validate_choices(data: &Value) -> Result<(), ApiError> {
    let count = data["choices"].as_array().map_or(0, Vec::len);
    if count > MAX_OPTIONS {
        let message = format!("Must be {MAX_OPTIONS} or fewer in length.");
        return Err(ApiError::invalid_field(
            &["data", "choices"],
            "BASE_TYPE_MAX_LENGTH",
            &message,
        ));
    }
    Ok(())
}

fn validate_modal(data: &Value) -> Result<(), ApiError> {
    for field in ["custom_id", "title"] {
        if data[field].as_str().is_none_or_empty() {
            let message = "This field is required";
            return Err(ApiError::invalid_field(
                &["data", field],
                "BASE_TYPE_REQUIRED",
                message,
            ));
        }
    }
    let rows = data["components"].as_array().map_or(0, Vec::len);
    if rows == 0 || rows > MAX_MODAL_ROWS {
        let message = format!("Must be between 1 and {MAX_MODAL_ROWS} in length.");
        let path = ["data", "components"];
        return Err(ApiError::invalid_field(
            &path,
            "BASE_TYPE_BAD_LENGTH",
            &message,
        ));
    }
    Ok(())
}

/// Empty-string check for an optional string.
trait IsNoneOrEmpty {
    fn is_none_or_empty(&self) -> bool;
}

impl IsNoneOrEmpty for Option<&str> {
    fn is_none_or_empty(&self) -> bool {
        self.is_none_or(str::is_empty)
    }
}

/// Looks up the interaction behind a webhook path: the application id must be the fake's and
/// the token a dispatched interaction's.
fn webhook_record<'a>(
    shared: &Shared,
    state: &'a State,
    app: &str,
    token: &str,
) -> Result<&'a InteractionRecord, ApiError> {
    if snowflake("webhook_id", app)? != shared.ids.application {
        return Err(unknown_webhook());
    }
    state.interactions.get(token).ok_or_else(unknown_webhook)
}

/// Sends a follow-up message.
///
/// NOTE: The fake returns Unknown Webhook for a follow-up before the interaction was
/// acknowledged, because Discord's documentation describes follow-ups only after a response.
fn follow_up(
    shared: &Shared,
    state: &mut State,
    app: &str,
    token: &str,
    request: &ApiRequest<'_>,
) -> ApiResult {
    let record = webhook_record(shared, state, app, token)?;
    if record.response_type.is_none() {
        return Err(unknown_webhook());
    }
    let (channel_id, kind) = (record.channel_id, record.kind);
    let payload = request.payload();
    let message = interaction_message(shared, state, channel_id, kind, &payload, request)?;
    messages::publish(shared, state, &message);

    let message_id = id_of(&message, "id");
    if let Some(record) = state.interactions.get_mut(token) {
        record.followup_ids.push(message_id);
    }
    Ok(Response::json(200, &message))
}

/// Reads, edits or deletes the original response (`@original`) or a follow-up.
fn webhook_message(
    shared: &Shared,
    state: &mut State,
    method: &str,
    [app, token, message]: [&str; 3],
    request: &ApiRequest<'_>,
) -> ApiResult {
    let record = webhook_record(shared, state, app, token)?;
    let is_original = message == "@original";
    let message_id = if is_original {
        record
            .original_message_id
            .ok_or_else(ApiError::unknown_message)?
    } else {
        let id = snowflake("message_id", message)?;
        let known = record.original_message_id == Some(id) || record.followup_ids.contains(&id);
        known.then_some(id).ok_or_else(ApiError::unknown_message)?
    };
    let stored = state
        .messages
        .get(&message_id)
        .cloned()
        .ok_or_else(ApiError::unknown_message)?;

    match method {
        "GET" => Ok(Response::json(200, &stored)),
        "PATCH" => {
            let mut edited = messages::edit_message(shared, state, &stored, request)?;
            let flags = edited["flags"].as_u64().unwrap_or_default();
            if flags & FLAG_LOADING != 0 {
                edited["flags"] = json!(flags & !FLAG_LOADING);
                state.messages.insert(message_id, edited.clone());
            }
            Ok(Response::json(200, &edited))
        }
        _ => {
            messages::delete_message(shared, state, &stored);
            if let Some(record) = state.interactions.get_mut(token) {
                if is_original {
                    record.original_message_id = None;
                }
                record.followup_ids.retain(|id| *id != message_id);
            }
            Ok(Response::no_content())
        }
    }
}
