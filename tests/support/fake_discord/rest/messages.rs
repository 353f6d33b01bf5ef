//! Channels, messages and threads.
//!
//! Messages the bot creates are stored and echoed as MESSAGE_CREATE to the gateway session, as
//! Discord does for a session with the GUILD_MESSAGES intent. New threads are echoed as
//! THREAD_CREATE.

use serde_json::{json, Value};

use super::super::gateway;
use super::super::http::Response;
use super::super::multipart::UploadedFile;
use super::super::payloads::{self, ThreadSpec};
use super::super::state::{Shared, State};
use super::{guess_content_type, limits, ApiError, ApiRequest, ApiResult, ATTACHMENTS_PREFIX};

/// Maximum length of message content, in characters.
const MAX_CONTENT_CHARS: usize = 2000;
/// Maximum number of embeds in one message.
const MAX_EMBEDS: usize = 10;
/// Maximum number of action rows in one message, and of components in one row.
const MAX_COMPONENT_ROWS: usize = 5;
/// Maximum length of a thread name, in characters.
const MAX_THREAD_NAME_CHARS: usize = 100;

/// Channel types that can hold threads: text (0) and announcement (5).
const THREAD_PARENT_TYPES: [u64; 2] = [0, 5];
/// Channel types of threads: announcement (10), public (11) and private (12).
const THREAD_TYPES: [u64; 3] = [10, 11, 12];

pub fn route(
    shared: &Shared,
    state: &mut State,
    method: &str,
    request: &ApiRequest<'_>,
) -> Option<ApiResult> {
    let result = match (method, request.segments.as_slice()) {
        ("GET", ["channels", channel]) => get_channel(state, channel),
        ("POST", ["channels", channel, "messages"]) => {
            let channel_id = snowflake("channel_id", channel);
            channel_id.and_then(|id| {
                let message = create_message(shared, state, id, &request.payload(), request.files)?;
                Ok(Response::json(200, &message))
            })
        }
        ("GET", ["channels", channel, "messages", message]) => {
            find_message(state, channel, message).map(|found| Response::json(200, &found))
        }
        ("PATCH", ["channels", channel, "messages", message]) => {
            find_message(state, channel, message).and_then(|found| {
                let edited = edit_message(shared, state, &found, request)?;
                Ok(Response::json(200, &edited))
            })
        }
        ("DELETE", ["channels", channel, "messages", message]) => {
            find_message(state, channel, message).map(|found| {
                delete_message(shared, state, &found);
                Response::no_content()
            })
        }
        ("POST", ["channels", channel, "threads"]) => start_thread(shared, state, channel, request),
        ("POST", ["channels", channel, "messages", message, "threads"]) => {
            start_thread_from_message(shared, state, channel, message, request)
        }
        _ => return None,
    };
    Some(result)
}

/// Parses a snowflake path segment. Discord returns Invalid Form Body for a non-numeric one.
pub fn snowflake(field: &str, segment: &str) -> Result<u64, ApiError> {
    segment.parse().map_err(|_| {
        let message = format!("Value \"{segment}\" is not snowflake.");
        ApiError::invalid_field(&[field], "NUMBER_TYPE_COERCE", &message)
    })
}

/// Reads the numeric id of an object whose `id` is a snowflake string.
pub fn id_of(object: &Value, field: &str) -> u64 {
    object[field]
        .as_str()
        .and_then(|id| id.parse().ok())
        .unwrap_or_default()
}

fn get_channel(state: &State, channel: &str) -> ApiResult {
    let id = snowflake("channel_id", channel)?;
    let found = state
        .channels
        .get(&id)
        .ok_or_else(ApiError::unknown_channel)?;
    Ok(Response::json(200, found))
}

fn find_message(state: &State, channel: &str, message: &str) -> Result<Value, ApiError> {
    let channel_id = snowflake("channel_id", channel)?;
    let message_id = snowflake("message_id", message)?;
    if !state.channels.contains_key(&channel_id) {
        return Err(ApiError::unknown_channel());
    }
    state
        .messages
        .get(&message_id)
        .filter(|found| id_of(found, "channel_id") == channel_id)
        .cloned()
        .ok_or_else(ApiError::unknown_message)
}

/// Checks a message payload against Discord's limits. `creating` also rejects an empty message.
pub fn validate_message(
    payload: &Value,
    files: &[UploadedFile],
    creating: bool,
) -> Result<(), ApiError> {
    let content = payload["content"].as_str().unwrap_or_default();
    if content.chars().count() > MAX_CONTENT_CHARS {
        let message = format!("Must be {MAX_CONTENT_CHARS} or fewer in length.");
        return Err(ApiError::invalid_field(
            &["content"],
            "BASE_TYPE_MAX_LENGTH",
            &message,
        ));
    }
    let count = |field: &str| payload[field].as_array().map_or(0, Vec::len);
    if count("embeds") > MAX_EMBEDS {
        let message = format!("Must be {MAX_EMBEDS} or fewer in length.");
        return Err(ApiError::invalid_field(
            &["embeds"],
            "BASE_TYPE_MAX_LENGTH",
            &message,
        ));
    }
    validate_components(payload)?;
    limits::check_embeds(payload)?;
    limits::check_components(payload)?;

    let empty = content.is_empty()
        && count("embeds") == 0
        && count("components") == 0
        && count("sticker_ids") == 0
        && payload.get("poll").is_none_or(Value::is_null)
        && files.is_empty();
    if creating && empty {
        return Err(ApiError::new(400, "Cannot send an empty message", 50006));
    }
    Ok(())
}

fn validate_components(payload: &Value) -> Result<(), ApiError> {
    let Some(rows) = payload["components"].as_array() else {
        return Ok(());
    };
    let message = format!("Must be {MAX_COMPONENT_ROWS} or fewer in length.");
    if rows.len() > MAX_COMPONENT_ROWS {
        return Err(ApiError::invalid_field(
            &["components"],
            "BASE_TYPE_MAX_LENGTH",
            &message,
        ));
    }
    for (index, row) in rows.iter().enumerate() {
        let size = row["components"].as_array().map_or(0, Vec::len);
        if size > MAX_COMPONENT_ROWS {
            let index = index.to_string();
            let path = ["components", index.as_str(), "components"];
            return Err(ApiError::invalid_field(
                &path,
                "BASE_TYPE_MAX_LENGTH",
                &message,
            ));
        }
    }
    Ok(())
}

/// Creates a message by the bot in `channel_id`, stores it and echoes MESSAGE_CREATE.
pub fn create_message(
    shared: &Shared,
    state: &mut State,
    channel_id: u64,
    payload: &Value,
    files: &[UploadedFile],
) -> Result<Value, ApiError> {
    let message = new_message(shared, state, channel_id, payload, files)?;
    publish(shared, state, &message);
    Ok(message)
}

/// Checks a create payload and builds the message from it; see [`build_message`].
pub fn new_message(
    shared: &Shared,
    state: &mut State,
    channel_id: u64,
    payload: &Value,
    files: &[UploadedFile],
) -> Result<Value, ApiError> {
    if !state.channels.contains_key(&channel_id) {
        return Err(ApiError::unknown_channel());
    }
    validate_message(payload, files, true)?;
    Ok(build_message(shared, state, channel_id, payload, files))
}

/// Builds a message by the bot from a payload and stores its files, without storing or
/// announcing the message itself.
pub fn build_message(
    shared: &Shared,
    state: &mut State,
    channel_id: u64,
    payload: &Value,
    files: &[UploadedFile],
) -> Value {
    let id = shared.snowflake();
    let now = payloads::timestamp_now();
    let bot = payloads::user(shared.ids.bot_user, "Schaalwijzer Test", true);
    let content = payload["content"].as_str().unwrap_or_default();
    let mut message = payloads::message(id, channel_id, bot, content, &now);
    copy_display_fields(payload, &mut message);
    if let Some(reference) = payload
        .get("message_reference")
        .filter(|value| !value.is_null())
    {
        message["message_reference"] = reference.clone();
        message["type"] = json!(19);
    }
    message["attachments"] = json!(store_files(shared, state, channel_id, payload, files));
    message
}

/// Stores a message and echoes MESSAGE_CREATE, except for an ephemeral one, which Discord shows
/// only to the interaction's user.
pub fn publish(shared: &Shared, state: &mut State, message: &Value) {
    state.messages.insert(id_of(message, "id"), message.clone());
    if is_ephemeral(message) {
        return;
    }
    let channel_id = id_of(message, "channel_id");
    if let Some(channel) = state.channels.get(&channel_id).cloned() {
        echo_message(shared, state, &channel, "MESSAGE_CREATE", message);
    }
}

/// Message flag EPHEMERAL (1 << 6).
pub const FLAG_EPHEMERAL: u64 = 1 << 6;

fn is_ephemeral(message: &Value) -> bool {
    message["flags"].as_u64().unwrap_or_default() & FLAG_EPHEMERAL != 0
}

/// Copies the fields that a create or edit payload sets directly onto the message.
fn copy_display_fields(payload: &Value, message: &mut Value) {
    for field in ["content", "embeds", "components", "flags", "tts", "poll"] {
        if let Some(value) = payload.get(field).filter(|value| !value.is_null()) {
            message[field] = value.clone();
        }
    }
}

/// Stores uploaded files and returns their attachment objects.
///
/// Each file part is named `files[n]`; the payload's `attachments` entry with `id` n carries
/// its description.
fn store_files(
    shared: &Shared,
    state: &mut State,
    channel_id: u64,
    payload: &Value,
    files: &[UploadedFile],
) -> Vec<Value> {
    let described = payload["attachments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    files
        .iter()
        .map(|file| {
            let id = shared.snowflake();
            let path = format!("{ATTACHMENTS_PREFIX}{channel_id}/{id}/{}", file.filename);
            let url = format!("{}{path}", shared.rest_url);
            let index = file
                .field
                .trim_start_matches("files[")
                .trim_end_matches(']');
            let description = described
                .iter()
                .find(|entry| entry["id"].to_string().trim_matches('"') == index)
                .map_or(Value::Null, |entry| entry["description"].clone());
            let content_type = file
                .content_type
                .clone()
                .unwrap_or_else(|| guess_content_type(&file.filename).to_string());
            state.files.insert(path, file.bytes.clone());
            json!({
                "id": id.to_string(),
                "filename": file.filename,
                "description": description,
                "content_type": content_type,
                "size": file.bytes.len(),
                "url": url,
                "proxy_url": url,
            })
        })
        .collect()
}

/// Sends a message event for a guild channel message, with `guild_id` and the bot's member.
fn echo_message(shared: &Shared, state: &mut State, channel: &Value, event: &str, message: &Value) {
    let mut data = message.clone();
    if let Some(guild_id) = channel.get("guild_id").filter(|id| !id.is_null()) {
        let mut member = payloads::member(Value::Null, &shared.joined_at);
        if let Some(fields) = member.as_object_mut() {
            fields.remove("user");
        }
        data["guild_id"] = guild_id.clone();
        data["member"] = member;
    }
    gateway::emit(shared, state, event, data);
}

/// Applies an edit payload to a stored message authored by the bot.
pub fn edit_message(
    shared: &Shared,
    state: &mut State,
    message: &Value,
    request: &ApiRequest<'_>,
) -> Result<Value, ApiError> {
    let bot_id = json!(shared.ids.bot_user.to_string());
    if message["author"]["id"] != bot_id {
        let error = "Cannot edit a message authored by another user";
        return Err(ApiError::new(403, error, 50005));
    }
    let payload = request.payload();
    validate_message(&payload, request.files, false)?;

    let channel_id = id_of(message, "channel_id");
    let mut edited = message.clone();
    copy_display_fields(&payload, &mut edited);
    let new_files = store_files(shared, state, channel_id, &payload, request.files);
    edited["attachments"] = json!(kept_attachments(message, &payload, new_files));
    edited["edited_timestamp"] = json!(payloads::timestamp_now());

    state.messages.insert(id_of(message, "id"), edited.clone());
    if is_ephemeral(&edited) {
        return Ok(edited);
    }
    if let Some(channel) = state.channels.get(&channel_id).cloned() {
        echo_message(shared, state, &channel, "MESSAGE_UPDATE", &edited);
    }
    Ok(edited)
}

/// Returns the attachments after an edit: the existing ones the payload lists by id (all of them
/// when it lists none), then the new uploads.
fn kept_attachments(message: &Value, payload: &Value, new_files: Vec<Value>) -> Vec<Value> {
    let existing = message["attachments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut kept: Vec<Value> = match payload["attachments"].as_array() {
        Some(listed) => existing
            .into_iter()
            .filter(|attachment| listed.iter().any(|entry| entry["id"] == attachment["id"]))
            .collect(),
        None => existing,
    };
    kept.extend(new_files);
    kept
}

/// Removes a stored message and echoes MESSAGE_DELETE.
pub fn delete_message(shared: &Shared, state: &mut State, message: &Value) {
    state.messages.remove(&id_of(message, "id"));
    let channel_id = id_of(message, "channel_id");
    let mut data = json!({"id": message["id"], "channel_id": message["channel_id"]});
    if let Some(guild_id) = state
        .channels
        .get(&channel_id)
        .map(|channel| channel["guild_id"].clone())
    {
        data["guild_id"] = guild_id;
    }
    gateway::emit(shared, state, "MESSAGE_DELETE", data);
}

/// Reads and checks the `name` of a thread to create.
fn thread_name(payload: &Value) -> Result<String, ApiError> {
    let name = payload["name"].as_str().unwrap_or_default();
    let length = name.chars().count();
    if length == 0 || length > MAX_THREAD_NAME_CHARS {
        let message = format!("Must be between 1 and {MAX_THREAD_NAME_CHARS} in length.");
        return Err(ApiError::invalid_field(
            &["name"],
            "BASE_TYPE_BAD_LENGTH",
            &message,
        ));
    }
    Ok(name.to_string())
}

/// Looks up a channel that can hold threads.
fn thread_parent(state: &State, channel: &str) -> Result<Value, ApiError> {
    let channel_id = snowflake("channel_id", channel)?;
    let parent = state
        .channels
        .get(&channel_id)
        .ok_or_else(ApiError::unknown_channel)?;
    let parent_type = parent["type"].as_u64().unwrap_or_default();
    if !THREAD_PARENT_TYPES.contains(&parent_type) {
        let error = "Cannot execute action on this channel type";
        return Err(ApiError::new(400, error, 50024));
    }
    Ok(parent.clone())
}

/// Starts a thread without a starting message.
///
/// NOTE: Discord's v10 documentation calls `type` required here, while v9 defaulted to a
/// private thread (12). The fake defaults to 12, so a bot that wants a public thread must send
/// type 11.
fn start_thread(
    shared: &Shared,
    state: &mut State,
    channel: &str,
    request: &ApiRequest<'_>,
) -> ApiResult {
    let parent = thread_parent(state, channel)?;
    let payload = request.payload();
    let name = thread_name(&payload)?;
    let kind = payload["type"].as_u64().unwrap_or(12);
    if !THREAD_TYPES.contains(&kind) {
        let message = format!("Value \"{kind}\" is not a thread channel type.");
        return Err(ApiError::invalid_field(
            &["type"],
            "BASE_TYPE_CHOICES",
            &message,
        ));
    }
    let thread = insert_thread(
        shared,
        state,
        &parent,
        shared.snowflake(),
        &name,
        kind,
        &payload,
    );
    Ok(Response::json(201, &thread))
}

/// Starts a public thread on a message; the thread takes the message's id, as on Discord.
fn start_thread_from_message(
    shared: &Shared,
    state: &mut State,
    channel: &str,
    message: &str,
    request: &ApiRequest<'_>,
) -> ApiResult {
    let parent = thread_parent(state, channel)?;
    let starter = find_message(state, channel, message)?;
    if starter
        .get("thread")
        .is_some_and(|thread| !thread.is_null())
    {
        let error = "A thread has already been created for this message";
        return Err(ApiError::new(400, error, 160004));
    }
    let payload = request.payload();
    let name = thread_name(&payload)?;
    let id = id_of(&starter, "id");
    let thread = insert_thread(shared, state, &parent, id, &name, 11, &payload);
    if let Some(stored) = state.messages.get_mut(&id) {
        stored["thread"] = thread.clone();
    }
    Ok(Response::json(201, &thread))
}

fn insert_thread(
    shared: &Shared,
    state: &mut State,
    parent: &Value,
    id: u64,
    name: &str,
    kind: u64,
    payload: &Value,
) -> Value {
    let spec = ThreadSpec {
        id,
        guild_id: id_of(parent, "guild_id"),
        parent_id: id_of(parent, "id"),
        owner_id: shared.ids.bot_user,
        name,
        kind,
        auto_archive_duration: payload["auto_archive_duration"].as_u64().unwrap_or(4320),
    };
    let thread = payloads::thread_channel(&spec, &payloads::timestamp_now());
    state.channels.insert(id, thread.clone());

    let mut event = thread.clone();
    event["newly_created"] = json!(true);
    gateway::emit(shared, state, "THREAD_CREATE", event);
    thread
}
