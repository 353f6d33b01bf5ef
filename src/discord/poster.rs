//! Posting outside interactions (check-ins) through Discord's REST API.

use std::sync::Arc;

use serenity::all::{ChannelId, CreateMessage, Http};
use serenity::http::HttpError;

use super::render::{self, Outgoing};
use crate::content::Content;
use crate::engine::message::Message;
use crate::platform::{Destination, PostError, Poster};

pub struct DiscordPoster {
    http: Arc<Http>,
    content: &'static Content,
}

impl DiscordPoster {
    pub fn new(http: Arc<Http>, content: &'static Content) -> DiscordPoster {
        DiscordPoster { http, content }
    }
}

impl Poster for DiscordPoster {
    async fn post(&self, to: &Destination, message: &Message) -> Result<(), PostError> {
        let place = &to.place;
        let channel =
            channel_id(&place.channel).ok_or_else(|| PostError::Gone(place.channel.clone()))?;
        let outgoing = render::render(self.content, to.lang, Some(to.trajectory), message);
        for outgoing in outgoing {
            send(&self.http, channel, &outgoing)
                .await
                .map_err(|e| classify(&e, &place.channel))?;
        }
        Ok(())
    }
}

pub fn channel_id(text: &str) -> Option<ChannelId> {
    text.parse::<u64>()
        .ok()
        .filter(|id| *id != 0)
        .map(ChannelId::new)
}

/// Sends one rendered message to a channel, with no one pinged unless the message says so.
pub async fn send(http: &Http, channel: ChannelId, outgoing: &Outgoing) -> serenity::Result<()> {
    let mut builder = CreateMessage::new()
        .embeds(outgoing.embeds())
        .components(outgoing.components.clone())
        .add_files(outgoing.attachments())
        .allowed_mentions(outgoing.allowed_mentions());
    if !outgoing.content.is_empty() {
        builder = builder.content(&outgoing.content);
    }
    channel.send_message(http, builder).await.map(|_| ())
}

/// Classifies a failed call for the retry policy: gone (404, Unknown Channel), forbidden
/// (403, Missing Access, Missing Permissions, archived thread) or temporary.
pub fn classify(error: &serenity::Error, channel: &str) -> PostError {
    if let serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) = error {
        let status = response.status_code.as_u16();
        let code = response.error.code;
        if status == 404 || code == 10003 {
            return PostError::Gone(channel.to_string());
        }
        if status == 403 || matches!(code, 50001 | 50013 | 50083) {
            return PostError::Forbidden(channel.to_string());
        }
    }
    PostError::Temporary(error.to_string())
}
