//! What background work (check-ins) needs from a chat platform: posting a message to a
//! trajectory's place outside any user interaction.

use std::future::Future;

use crate::engine::message::Message;
use crate::engine::Place;

/// Why a post failed, classified for the retry policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// The channel or thread no longer exists (deleted, or the bot left the server).
    #[error("the channel {0} is gone")]
    Gone(String),
    /// The bot may not post there (missing permission, archived or locked thread).
    #[error("posting to {0} is forbidden")]
    Forbidden(String),
    /// A failure that may pass: rate limit, network, server error.
    #[error("posting failed for now: {0}")]
    Temporary(String),
}

/// Posts messages to places on one platform.
pub trait Poster: Send + Sync + 'static {
    /// Posts `message` to `place`.
    fn post(
        &self,
        place: &Place,
        message: &Message,
    ) -> impl Future<Output = Result<(), PostError>> + Send;
}
