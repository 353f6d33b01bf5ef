//! The conversation engine, free of chat platforms and storage.
//!
//! A platform turns a chat event into an [`Input`]; [`step`] computes the new
//! [`TrajectoryState`] and the [`Effect`]s (messages to post or reply); the [`service`] stores
//! the new state durably and only then hands the effects back to the platform to send.

pub mod checkin;
pub mod input;
pub mod message;
pub mod model;
pub mod service;
pub mod step;
pub mod synthetic;
pub mod views;

pub use input::{Actor, CheckinCommand, Command, Input, Walk};
pub use message::{Effect, Message, Visibility};
pub use model::{Place, TrajectoryId, TrajectoryState};
pub use service::{Engine, EngineError};
