//! Test payloads built from the fake's own ids: interactions, messages, and a stored bot
//! message for component interactions to refer to.

use serde_json::{json, Value};

use super::payloads::{self, InteractionBuilder, MessageBuilder};
use super::FakeDiscord;

impl FakeDiscord {
    /// Stores a message from the bot in the text channel, as if the bot had sent it earlier, and
    /// returns it: the `message` of a component interaction needs one.
    pub fn bot_message(&self, content: &str, components: Vec<Value>) -> Value {
        let id = self.shared.snowflake();
        let bot = payloads::user(self.shared.ids.bot_user, "Schaalwijzer Test", true);
        let now = payloads::timestamp_now();
        let mut message = payloads::message(id, self.text_channel_id(), bot, content, &now);
        message["components"] = json!(components);
        message["application_id"] = json!(self.application_id().to_string());
        self.shared
            .update(|state| state.messages.insert(id, message.clone()));
        message
    }

    /// Starts an application command interaction (type 2) for the chat input command `name`.
    /// `options` are its options, e.g. `[payloads::subcommand("start", vec![..])]`. When the bot
    /// registered `name`, the payload carries that command's id.
    pub fn slash_command(&self, name: &str, options: Vec<Value>) -> InteractionBuilder {
        let command_id = self.registered_command_id(name);
        let data = json!({
            "id": command_id.to_string(),
            "name": name,
            "type": 1,
            "options": options,
            "guild_id": self.guild_id().to_string(),
        });
        self.interaction(2, data, None)
    }

    fn registered_command_id(&self, name: &str) -> u64 {
        let state = self.shared.lock();
        [Some(self.guild_id()), None]
            .iter()
            .filter_map(|scope| state.commands.get(scope))
            .flatten()
            .find(|command| command["name"] == json!(name))
            .and_then(|command| command["id"].as_str()?.parse().ok())
            .unwrap_or_else(|| self.shared.snowflake())
    }

    /// Starts a message component interaction (type 3) for a button click on `message`.
    pub fn button_click(&self, message: &Value, custom_id: &str) -> InteractionBuilder {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.interaction(3, data, Some(message.clone()))
    }

    /// Starts a message component interaction (type 3) for a string select menu choice.
    pub fn select_menu(
        &self,
        message: &Value,
        custom_id: &str,
        values: &[&str],
    ) -> InteractionBuilder {
        let data = json!({"custom_id": custom_id, "component_type": 3, "values": values});
        self.interaction(3, data, Some(message.clone()))
    }

    /// Starts a modal submit interaction (type 5) with one text input per `(custom_id, value)`
    /// pair, each in its own action row.
    pub fn modal_submit(&self, custom_id: &str, inputs: &[(&str, &str)]) -> InteractionBuilder {
        let rows: Vec<Value> = inputs
            .iter()
            .map(|(input_id, value)| {
                let input = json!({"type": 4, "custom_id": input_id, "value": value});
                payloads::action_row(vec![input])
            })
            .collect();
        let data = json!({"custom_id": custom_id, "components": rows});
        self.interaction(5, data, None)
    }

    fn interaction(&self, kind: u8, data: Value, message: Option<Value>) -> InteractionBuilder {
        let id = self.shared.snowflake();
        let channel = self.channel(self.text_channel_id()).unwrap_or(Value::Null);
        InteractionBuilder {
            kind,
            data,
            id,
            token: format!("fake-interaction-token-{id}"),
            application_id: self.application_id(),
            guild_id: Some(self.guild_id()),
            channel,
            user: self.test_user(),
            joined_at: self.shared.joined_at.clone(),
            locale: "nl".to_string(),
            message,
        }
    }

    /// Starts a MESSAGE_CREATE by the test user in the text channel.
    pub fn user_message(&self, content: &str) -> MessageBuilder {
        let id = self.shared.snowflake();
        let now = payloads::timestamp_now();
        let message =
            payloads::message(id, self.text_channel_id(), self.test_user(), content, &now);
        MessageBuilder {
            message,
            guild_id: Some(self.guild_id()),
            joined_at: self.shared.joined_at.clone(),
        }
    }
}
