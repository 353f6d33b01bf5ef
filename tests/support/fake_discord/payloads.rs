//! Discord API v10 JSON objects: the fake's own responses and the gateway events that tests
//! dispatch.
//!
//! Each shape follows Discord's documented v10 object (user, guild member, channel, guild,
//! message, interaction) with the fields that serenity 0.12.5 requires present. Snowflakes are
//! sent as strings, as Discord sends them.

use serde_json::{json, Value};

/// Maximum upload size for an unboosted guild, in bytes, as sent in `attachment_size_limit`.
const ATTACHMENT_SIZE_LIMIT: u64 = 10 * 1024 * 1024;

/// Permissions bit set sent for the test member and the bot: every permission.
const ALL_PERMISSIONS: &str = "2251799813685247";

/// Formats the current time as Discord's ISO 8601 timestamps, e.g.
/// `2024-05-01T12:00:00.000000+00:00`.
pub fn timestamp_now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        .to_string()
}

/// Builds a user object. `bot` marks bot accounts, which bots usually ignore.
pub fn user(id: u64, username: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": username,
        "discriminator": "0",
        "global_name": if bot { Value::Null } else { json!(username) },
        "avatar": null,
        "bot": bot,
        "system": false,
        "public_flags": 0,
    })
}

/// Builds a guild member object as a GUILD_CREATE or an interaction carries it.
pub fn member(user: Value, joined_at: &str) -> Value {
    json!({
        "user": user,
        "nick": null,
        "avatar": null,
        "roles": [],
        "joined_at": joined_at,
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "permissions": ALL_PERMISSIONS,
        "communication_disabled_until": null,
    })
}

/// Builds a guild text channel (type 0).
pub fn text_channel(id: u64, guild_id: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "guild_id": guild_id.to_string(),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "topic": null,
        "nsfw": false,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "parent_id": null,
        "flags": 0,
    })
}

/// Fields of a thread channel that the creating request decides.
pub struct ThreadSpec<'a> {
    pub id: u64,
    pub guild_id: u64,
    pub parent_id: u64,
    pub owner_id: u64,
    pub name: &'a str,
    /// Channel type: 11 for a public thread, 12 for a private one.
    pub kind: u64,
    pub auto_archive_duration: u64,
}

/// Builds a thread channel object as `POST /channels/{id}/threads` returns it.
pub fn thread_channel(spec: &ThreadSpec<'_>, now: &str) -> Value {
    json!({
        "id": spec.id.to_string(),
        "type": spec.kind,
        "guild_id": spec.guild_id.to_string(),
        "parent_id": spec.parent_id.to_string(),
        "owner_id": spec.owner_id.to_string(),
        "name": spec.name,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": false,
            "auto_archive_duration": spec.auto_archive_duration,
            "archive_timestamp": now,
            "locked": false,
            "create_timestamp": now,
        },
    })
}

/// Builds the `@everyone` role, whose id equals the guild id.
fn everyone_role(guild_id: u64) -> Value {
    json!({
        "id": guild_id.to_string(),
        "name": "@everyone",
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": 0,
        "permissions": "1071698660929",
        "managed": false,
        "mentionable": false,
        "flags": 0,
    })
}

/// Identity and contents of the guild that the fake announces after READY.
pub struct GuildSpec<'a> {
    pub id: u64,
    pub name: &'a str,
    pub owner_id: u64,
    pub channels: Vec<Value>,
    pub members: Vec<Value>,
    pub joined_at: &'a str,
}

/// Builds the GUILD_CREATE payload: a guild object plus the gateway-only fields.
pub fn guild_create(spec: GuildSpec<'_>) -> Value {
    let mut guild = json!({
        "id": spec.id.to_string(),
        "name": spec.name,
        "icon": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": spec.owner_id.to_string(),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [everyone_role(spec.id)],
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_members": 500000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "nl",
        "public_updates_channel_id": null,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
    });
    add_gateway_fields(&mut guild, spec);
    guild
}

/// Adds the fields that only GUILD_CREATE carries.
fn add_gateway_fields(guild: &mut Value, spec: GuildSpec<'_>) {
    let member_count = spec.members.len();
    let fields = json!({
        "joined_at": spec.joined_at,
        "large": false,
        "unavailable": false,
        "member_count": member_count,
        "voice_states": [],
        "members": spec.members,
        "channels": spec.channels,
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    });
    if let (Some(guild), Value::Object(fields)) = (guild.as_object_mut(), fields) {
        guild.extend(fields);
    }
}

/// Builds a message object with the fields Discord always sends. Callers add the optional
/// ones (`guild_id`, `member`, `message_reference`, ...) to the returned object.
pub fn message(id: u64, channel_id: u64, author: Value, content: &str, now: &str) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": author,
        "content": content,
        "timestamp": now,
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
    })
}

/// Builds an application command option of type SUB_COMMAND (1) holding `options`.
pub fn subcommand(name: &str, options: Vec<Value>) -> Value {
    json!({"type": 1, "name": name, "options": options})
}

/// Builds an application command option of type SUB_COMMAND_GROUP (2) holding subcommands.
pub fn subcommand_group(name: &str, subcommands: Vec<Value>) -> Value {
    json!({"type": 2, "name": name, "options": subcommands})
}

/// Builds a STRING (3) option value.
pub fn string_option(name: &str, value: &str) -> Value {
    json!({"type": 3, "name": name, "value": value})
}

/// Builds an INTEGER (4) option value.
pub fn integer_option(name: &str, value: i64) -> Value {
    json!({"type": 4, "name": name, "value": value})
}

/// Builds a BOOLEAN (5) option value.
pub fn boolean_option(name: &str, value: bool) -> Value {
    json!({"type": 5, "name": name, "value": value})
}

/// Builds a NUMBER (10) option value.
pub fn number_option(name: &str, value: f64) -> Value {
    json!({"type": 10, "name": name, "value": value})
}

/// Builds an action row (component type 1) around `components`.
pub fn action_row(components: Vec<Value>) -> Value {
    json!({"type": 1, "components": components})
}

/// Builds a button (component type 2) in the primary style.
pub fn button(custom_id: &str, label: &str) -> Value {
    json!({"type": 2, "style": 1, "custom_id": custom_id, "label": label, "disabled": false})
}

/// Builds a string select menu (component type 3) with one option per `(value, label)` pair.
pub fn string_select(custom_id: &str, choices: &[(&str, &str)]) -> Value {
    let options: Vec<Value> = choices
        .iter()
        .map(|(value, label)| json!({"value": value, "label": label}))
        .collect();
    json!({"type": 3, "custom_id": custom_id, "options": options, "min_values": 1, "max_values": 1})
}

/// An INTERACTION_CREATE payload under construction.
///
/// The fake's constructors fill in fresh ids, a token, the test guild, its text channel and the
/// test member. The setters change one field each, and [`InteractionBuilder::build`] returns the
/// gateway event's `d` object.
#[derive(Clone, Debug)]
pub struct InteractionBuilder {
    pub(super) kind: u8,
    pub(super) data: Value,
    pub(super) id: u64,
    pub(super) token: String,
    pub(super) application_id: u64,
    pub(super) guild_id: Option<u64>,
    pub(super) channel: Value,
    pub(super) user: Value,
    pub(super) joined_at: String,
    pub(super) locale: String,
    pub(super) message: Option<Value>,
}

impl InteractionBuilder {
    /// Sets the invoking user.
    pub fn user(mut self, user: Value) -> Self {
        self.user = user;
        self
    }

    /// Sets the invoking user's client locale, e.g. `nl` or `en-US`.
    pub fn locale(mut self, locale: &str) -> Self {
        self.locale = locale.to_string();
        self
    }

    /// Sets the channel the interaction comes from, as a channel object.
    pub fn channel(mut self, channel: Value) -> Self {
        self.channel = channel;
        self
    }

    /// Sets the message a component interaction comes from, or that held the component that
    /// opened a modal.
    pub fn message(mut self, message: Value) -> Self {
        self.message = Some(message);
        self
    }

    /// Makes this a direct-message interaction: no guild, `user` in place of `member`, and a DM
    /// channel (type 1) with the given id.
    pub fn in_dm(mut self, dm_channel_id: u64) -> Self {
        self.guild_id = None;
        self.channel = json!({"id": dm_channel_id.to_string(), "type": 1, "flags": 0});
        self
    }

    /// Returns the interaction id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Returns the interaction token, which the bot's callback and webhook URLs carry.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Builds the interaction object, the `d` of an INTERACTION_CREATE dispatch.
    pub fn build(&self) -> Value {
        let channel_id = self.channel["id"].clone();
        let mut interaction = json!({
            "id": self.id.to_string(),
            "application_id": self.application_id.to_string(),
            "type": self.kind,
            "data": self.data,
            "channel": self.channel,
            "channel_id": channel_id,
            "token": self.token,
            "version": 1,
            "app_permissions": ALL_PERMISSIONS,
            "locale": self.locale,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        });
        self.add_context(&mut interaction);
        if let Some(message) = &self.message {
            interaction["message"] = message.clone();
        }
        interaction
    }

    /// Adds the guild or DM fields: `member` and `guild_id` in a guild, `user` in a DM.
    fn add_context(&self, interaction: &mut Value) {
        match self.guild_id {
            Some(guild_id) => {
                interaction["guild_id"] = json!(guild_id.to_string());
                interaction["guild_locale"] = json!("nl");
                interaction["member"] = member(self.user.clone(), &self.joined_at);
                interaction["authorizing_integration_owners"] = json!({"0": guild_id.to_string()});
                interaction["context"] = json!(0);
            }
            None => {
                interaction["user"] = self.user.clone();
                interaction["authorizing_integration_owners"] = json!({});
                interaction["context"] = json!(1);
            }
        }
    }
}

/// A MESSAGE_CREATE payload under construction, authored by the test user in the test channel
/// unless changed.
#[derive(Clone, Debug)]
pub struct MessageBuilder {
    pub(super) message: Value,
    pub(super) guild_id: Option<u64>,
    pub(super) joined_at: String,
}

impl MessageBuilder {
    /// Sets the author. Use [`user`] with `bot: true` for a message from a bot.
    pub fn author(mut self, author: Value) -> Self {
        self.message["author"] = author;
        self
    }

    /// Sets the channel id.
    pub fn channel_id(mut self, channel_id: u64) -> Self {
        self.message["channel_id"] = json!(channel_id.to_string());
        self
    }

    /// Makes this a direct message: no `guild_id` and no `member`.
    pub fn in_dm(mut self) -> Self {
        self.guild_id = None;
        self
    }

    /// Returns the message id.
    pub fn id(&self) -> u64 {
        self.message["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .expect("message builders always hold a numeric id")
    }

    /// Builds the message object, the `d` of a MESSAGE_CREATE dispatch. In a guild the gateway
    /// adds `guild_id` and a partial `member` without its `user`.
    pub fn build(&self) -> Value {
        let mut message = self.message.clone();
        if let Some(guild_id) = self.guild_id {
            let mut partial_member = member(Value::Null, &self.joined_at);
            if let Some(fields) = partial_member.as_object_mut() {
                fields.remove("user");
            }
            message["guild_id"] = json!(guild_id.to_string());
            message["member"] = partial_member;
        }
        message
    }
}
