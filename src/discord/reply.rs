//! Answering one interaction: the first reply fills the deferred response, later ones go out
//! as follow-ups, and once the interaction token has expired (15 minutes after Discord
//! created the interaction) public replies go out as channel messages.

use std::time::{Duration, Instant};

use serenity::all::{
    ChannelId, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, EditInteractionResponse, Http, InteractionId,
};
use serenity::builder::Builder;
use tracing::warn;

use super::poster;
use super::render::Outgoing;
use crate::engine::Visibility;

/// Discord's interaction tokens are valid for 15 minutes; the margin covers clock skew and the
/// time a send takes.
const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60 + 30);

/// The state of the interaction's own response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Original {
    /// Deferred and still empty; filled by the first reply of the same visibility.
    Deferred(Visibility),
    /// Filled, or an update of the message with the pressed component (never replaced).
    Used,
}

/// The way one reply is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Fill the deferred response.
    EditOriginal,
    /// Builds a follow-up message on the interaction token.
    FollowUp,
    /// A normal channel message, because the token has expired.
    Channel,
    /// Nothing can carry a private reply once the token has expired.
    Dropped,
}

/// Decides how a reply of `visibility` goes out, `age` after Discord created the interaction.
pub fn route(original: Original, visibility: Visibility, age: Duration) -> Route {
    let expired = age > TOKEN_LIFETIME;
    match (expired, visibility) {
        (true, Visibility::Public) => Route::Channel,
        (true, Visibility::Private) => Route::Dropped,
        (false, _) if original == Original::Deferred(visibility) => Route::EditOriginal,
        (false, _) => Route::FollowUp,
    }
}

/// Builds the deferred response (type 5), "thinking…", ephemeral when private.
pub fn defer_response(visibility: Visibility) -> CreateInteractionResponse {
    let message =
        CreateInteractionResponseMessage::new().ephemeral(visibility == Visibility::Private);
    CreateInteractionResponse::Defer(message)
}

/// Builds the immediate response with a message (type 4).
pub fn message_response(outgoing: &Outgoing, visibility: Visibility) -> CreateInteractionResponse {
    let mut message = CreateInteractionResponseMessage::new()
        .ephemeral(visibility == Visibility::Private)
        .embeds(outgoing.embeds())
        .components(outgoing.components.clone())
        .allowed_mentions(outgoing.allowed_mentions());
    if !outgoing.content.is_empty() {
        message = message.content(&outgoing.content);
    }
    CreateInteractionResponse::Message(message)
}

/// Builds the response that replaces the message with the pressed component (type 7).
pub fn update_response(outgoing: &Outgoing) -> CreateInteractionResponse {
    let message = CreateInteractionResponseMessage::new()
        .content(&outgoing.content)
        .embeds(outgoing.embeds())
        .components(outgoing.components.clone())
        .allowed_mentions(outgoing.allowed_mentions());
    CreateInteractionResponse::UpdateMessage(message)
}

/// Builds a follow-up message on the interaction token.
pub fn follow_up(outgoing: &Outgoing, visibility: Visibility) -> CreateInteractionResponseFollowup {
    let mut followup = CreateInteractionResponseFollowup::new()
        .ephemeral(visibility == Visibility::Private)
        .embeds(outgoing.embeds())
        .components(outgoing.components.clone())
        .add_files(outgoing.attachments())
        .allowed_mentions(outgoing.allowed_mentions());
    if !outgoing.content.is_empty() {
        followup = followup.content(&outgoing.content);
    }
    followup
}

/// Builds the edit that fills a deferred response.
pub fn edit_original(outgoing: &Outgoing) -> EditInteractionResponse {
    let mut edit = EditInteractionResponse::new()
        .content(&outgoing.content)
        .embeds(outgoing.embeds())
        .components(outgoing.components.clone())
        .allowed_mentions(outgoing.allowed_mentions());
    for file in outgoing.attachments() {
        edit = edit.new_attachment(file);
    }
    edit
}

pub struct Reply<'a> {
    pub http: &'a Http,
    pub id: InteractionId,
    pub token: String,
    pub channel: ChannelId,
    received: Instant,
    original: Original,
}

impl<'a> Reply<'a> {
    pub fn new(http: &'a Http, id: InteractionId, token: &str, channel: ChannelId) -> Reply<'a> {
        Reply {
            http,
            id,
            token: token.to_string(),
            channel,
            received: Instant::now(),
            original: Original::Used,
        }
    }

    /// Sends later public replies, once the token has expired, to `channel`: the thread a
    /// start opened instead of the channel the command was typed in.
    pub fn redirect(&mut self, channel: ChannelId) {
        self.channel = channel;
    }

    /// Returns the time since Discord created the interaction, by its snowflake id, or since it
    /// arrived if that is longer, which happens when the local clock is behind Discord's.
    fn age(&self) -> Duration {
        let created = super::map::snowflake_time(self.id.get());
        let since_created = jiff::Timestamp::now().duration_since(created);
        // NOTE: a local clock more than 14 minutes ahead of Discord's makes fresh interactions
        // look expired, so their public replies go out as channel messages.
        let since_created = Duration::try_from(since_created).unwrap_or(Duration::ZERO);
        since_created.max(self.received.elapsed())
    }

    async fn respond(&mut self, response: CreateInteractionResponse) -> serenity::Result<()> {
        response.execute(self.http, (self.id, &self.token)).await?;
        self.original = Original::Used;
        Ok(())
    }

    /// Acknowledges the interaction with a deferred response ("thinking…"), ephemeral when private.
    pub async fn defer(&mut self, visibility: Visibility) -> serenity::Result<()> {
        self.respond(defer_response(visibility)).await?;
        self.original = Original::Deferred(visibility);
        Ok(())
    }

    /// Acknowledges a component press without changing its message (type 6).
    pub async fn acknowledge(&mut self) -> serenity::Result<()> {
        self.respond(CreateInteractionResponse::Acknowledge).await
    }

    /// Responds directly with a message (type 4), for replies that need no engine work.
    pub async fn message(
        &mut self,
        outgoing: &Outgoing,
        visibility: Visibility,
    ) -> serenity::Result<()> {
        self.respond(message_response(outgoing, visibility)).await
    }

    /// Replaces the message with the pressed component (type 7).
    pub async fn update(&mut self, outgoing: &Outgoing) -> serenity::Result<()> {
        self.respond(update_response(outgoing)).await
    }

    /// Opens a modal (type 9).
    pub async fn modal(&mut self, modal: serenity::all::CreateModal) -> serenity::Result<()> {
        self.respond(CreateInteractionResponse::Modal(modal)).await
    }

    /// Sends one rendered message as a reply of the given visibility.
    pub async fn send(
        &mut self,
        outgoing: &Outgoing,
        visibility: Visibility,
    ) -> serenity::Result<()> {
        match route(self.original, visibility, self.age()) {
            Route::EditOriginal => {
                self.original = Original::Used;
                let edit = edit_original(outgoing);
                edit.execute(self.http, &self.token).await.map(|_| ())
            }
            Route::FollowUp => {
                let followup = follow_up(outgoing, visibility);
                let target = (None, self.token.as_str());
                followup.execute(self.http, target).await.map(|_| ())
            }
            Route::Channel => poster::send(self.http, self.channel, outgoing).await,
            Route::Dropped => {
                warn!(interaction = %self.id, "a private reply was not sent: the interaction token expired");
                Ok(())
            }
        }
    }

    /// Closes a deferred response nothing filled: a short note when private, removed when public.
    pub async fn finish(&mut self, done: &str) -> serenity::Result<()> {
        let Original::Deferred(visibility) = self.original else {
            return Ok(());
        };
        if route(self.original, visibility, self.age()) != Route::EditOriginal {
            return Ok(());
        }
        self.original = Original::Used;
        match visibility {
            Visibility::Private => edit_original(&Outgoing::text(done))
                .execute(self.http, &self.token)
                .await
                .map(|_| ()),
            Visibility::Public => {
                self.http
                    .delete_original_interaction_response(&self.token)
                    .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: Duration = Duration::from_secs(2);
    const OLD: Duration = Duration::from_secs(15 * 60 + 1);

    #[test]
    fn first_reply_fills_deferred_response() {
        let deferred = Original::Deferred(Visibility::Private);
        assert_eq!(
            route(deferred, Visibility::Private, FRESH),
            Route::EditOriginal
        );
        assert_eq!(route(deferred, Visibility::Public, FRESH), Route::FollowUp);
    }

    #[test]
    fn later_replies_are_follow_ups() {
        for visibility in [Visibility::Private, Visibility::Public] {
            assert_eq!(route(Original::Used, visibility, FRESH), Route::FollowUp);
        }
    }

    #[test]
    fn expired_public_reply_goes_to_channel() {
        let deferred = Original::Deferred(Visibility::Public);
        assert_eq!(route(deferred, Visibility::Public, OLD), Route::Channel);
        assert_eq!(
            route(Original::Used, Visibility::Public, OLD),
            Route::Channel
        );
    }

    #[test]
    fn expired_private_reply_is_dropped() {
        assert_eq!(
            route(Original::Used, Visibility::Private, OLD),
            Route::Dropped
        );
    }

    #[test]
    fn token_margin_before_fifteen_minutes() {
        let just_before = TOKEN_LIFETIME;
        let just_after = TOKEN_LIFETIME + Duration::from_millis(1);
        assert_eq!(
            route(Original::Used, Visibility::Public, just_before),
            Route::FollowUp
        );
        assert_eq!(
            route(Original::Used, Visibility::Public, just_after),
            Route::Channel
        );
    }
}
