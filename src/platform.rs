//! What background work (check-ins) needs from a chat platform: posting a message to a
//! trajectory's place outside any user interaction.

use std::future::Future;

use crate::engine::message::Message;
use crate::engine::{Place, TrajectoryId};
use crate::i18n::Lang;

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

/// Where a background post goes: the trajectory's place, plus the trajectory and its
/// language, so that the platform labels and routes the message's buttons for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub place: Place,
    pub trajectory: TrajectoryId,
    pub lang: Lang,
}

/// Posts messages to places on one platform.
pub trait Poster: Send + Sync + 'static {
    /// Posts `message` to the destination's place.
    fn post(
        &self,
        to: &Destination,
        message: &Message,
    ) -> impl Future<Output = Result<(), PostError>> + Send;
}
