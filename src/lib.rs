//! Schaalwijzer: a chat bot that walks a team through the conversation starter for scaling
//! AI in Dutch government, from the TNO report "Verantwoord opschalen van AI door de overheid"
//! (2026), and posts back the scaling strategies that fit.
//!
//! Modules, in the order an answer travels through them:
//!
//! - [`content`]: the questionnaire and the advice data, loaded from `prompts/` and `data/`.
//! - [`answer`]: one member's answer, checked against its question.
//! - [`aggregate`]: all members' answers to one team answer per question, with disputes.
//! - [`advice`]: from team answers to ranked strategies, attention points and flags, and its
//!   Markdown and JSON output.
//! - [`engine`]: the conversation state machine and the service that runs it.
//! - [`storage`]: sled trees behind a typed API.
//! - [`case`]: case files, whole trajectories written down as answers.
//! - [`console`]: a terminal chat on the real engine, and [`replay`], which drives a case
//!   file through it.
//! - [`cli`]: the command line, and [`config`], the layered configuration.
//! - [`schedule`]: check-in rules and their times; [`checkins`]: the scheduler task.
//! - [`discord`]: the bot on Discord (serenity).
//! - [`platform`]: what background work needs from a chat platform.
//! - [`i18n`]: the two languages.
//! - [`bench`]: the load generator behind `schaalwijzer bench`.

pub mod advice;
pub mod aggregate;
pub mod answer;
pub mod bench;
pub mod case;
pub mod checkins;
pub mod cli;
pub mod config;
pub mod console;
pub mod content;
pub mod discord;
pub mod engine;
pub mod i18n;
pub mod platform;
pub mod replay;
pub mod schedule;
pub mod storage;
