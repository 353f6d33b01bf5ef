//! Answering one interaction: the first reply fills the deferred response, later ones go out
//! as follow-ups, and after the interaction token expires (15 minutes) as channel messages.

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

/// Discord's interaction tokens are valid for 15 minutes; a little margin stays below it.
const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60 + 30);

/// The state of the interaction's own response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Original {
    /// Deferred and still empty; filled by the first reply of the same visibility.
    Deferred(Visibility),
    /// Filled, or an update of the message with the pressed component (never replaced).
    Used,
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

    /// Acknowledges the interaction with a deferred response ("thinking…"), ephemeral when private.
    pub async fn defer(&mut self, visibility: Visibility) -> serenity::Result<()> {
        let message =
            CreateInteractionResponseMessage::new().ephemeral(visibility == Visibility::Private);
        CreateInteractionResponse::Defer(message)
            .execute(self.http, (self.id, &self.token))
            .await?;
        self.original = Original::Deferred(visibility);
        Ok(())
    }

    /// Acknowledges a component press without changing its message.
    pub async fn acknowledge(&mut self) -> serenity::Result<()> {
        CreateInteractionResponse::Acknowledge
            .execute(self.http, (self.id, &self.token))
            .await?;
        self.original = Original::Used;
        Ok(())
    }

    /// Responds directly with a message (for errors before any deferral).
    pub async fn respond(
        &mut self,
        outgoing: &Outgoing,
        visibility: Visibility,
    ) -> serenity::Result<()> {
        let mut message = CreateInteractionResponseMessage::new()
            .ephemeral(visibility == Visibility::Private)
            .embeds(outgoing.embeds())
            .components(outgoing.components.clone())
            .allowed_mentions(outgoing.allowed_mentions());
        if !outgoing.content.is_empty() {
            message = message.content(&outgoing.content);
        }
        CreateInteractionResponse::Message(message)
            .execute(self.http, (self.id, &self.token))
            .await?;
        self.original = Original::Used;
        Ok(())
    }

    fn expired(&self) -> bool {
        self.received.elapsed() > TOKEN_LIFETIME
    }

    /// Sends one rendered message as a reply of the given visibility.
    pub async fn send(
        &mut self,
        outgoing: &Outgoing,
        visibility: Visibility,
    ) -> serenity::Result<()> {
        if self.original == Original::Deferred(visibility) && !self.expired() {
            self.original = Original::Used;
            return self.edit_original(outgoing).await;
        }
        match (visibility, self.expired()) {
            (_, false) => self.follow_up(outgoing, visibility).await,
            (Visibility::Public, true) => poster::send(self.http, self.channel, outgoing).await,
            (Visibility::Private, true) => {
                warn!(interaction = %self.id, "a private reply could not be sent: the interaction token expired");
                Ok(())
            }
        }
    }

    async fn edit_original(&self, outgoing: &Outgoing) -> serenity::Result<()> {
        let mut edit = EditInteractionResponse::new()
            .content(&outgoing.content)
            .embeds(outgoing.embeds())
            .components(outgoing.components.clone())
            .allowed_mentions(outgoing.allowed_mentions());
        for file in outgoing.attachments() {
            edit = edit.new_attachment(file);
        }
        edit.execute(self.http, &self.token).await.map(|_| ())
    }

    async fn follow_up(&self, outgoing: &Outgoing, visibility: Visibility) -> serenity::Result<()> {
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
            .execute(self.http, (None, &self.token))
            .await
            .map(|_| ())
    }

    /// Closes a deferred response nothing filled: a short note when private, removed when public.
    pub async fn finish(&mut self, done: &str) -> serenity::Result<()> {
        match self.original {
            Original::Deferred(Visibility::Private) if !self.expired() => {
                self.original = Original::Used;
                EditInteractionResponse::new()
                    .content(done)
                    .execute(self.http, &self.token)
                    .await
                    .map(|_| ())
            }
            Original::Deferred(Visibility::Public) if !self.expired() => {
                self.original = Original::Used;
                self.http
                    .delete_original_interaction_response(&self.token)
                    .await
            }
            _ => Ok(()),
        }
    }
}
