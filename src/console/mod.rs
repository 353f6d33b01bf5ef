//! A chat in the terminal on the real engine and storage. `/as NAME` switches the member, so
//! one person can play a whole team.

mod parse;
pub mod render;

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::engine::message::{Block, Effect, Visibility};
use crate::engine::{Actor, Engine, EngineError, Input, Place, Walk};

pub use parse::{member_id, parse, Line, ParseError, HELP};

/// One terminal session: the place it talks in and who is typing.
pub struct Console<'a> {
    engine: &'a Engine,
    place: Place,
    member: Actor,
    walks: HashMap<String, Walk>,
    session: String,
    counter: u64,
    export_dir: PathBuf,
}

impl<'a> Console<'a> {
    pub fn new(engine: &'a Engine, channel: &str, export_dir: PathBuf) -> Console<'a> {
        let name = std::env::var("USER").unwrap_or_else(|_| "facilitator".to_string());
        Console {
            engine,
            place: Place {
                platform: "console".into(),
                scope: String::new(),
                channel: channel.to_string(),
            },
            member: Actor {
                id: member_id(&name),
                name,
                locale: None,
            },
            walks: HashMap::new(),
            session: jiff::Timestamp::now().as_nanosecond().to_string(),
            counter: 0,
            export_dir,
        }
    }

    pub fn member_name(&self) -> &str {
        &self.member.name
    }

    /// Handles one typed line and returns what to print, or None to quit.
    ///
    /// # Errors
    /// Fails when storage fails.
    pub async fn line(&mut self, text: &str) -> Result<Option<String>, EngineError> {
        let walk = self
            .walks
            .get(&self.member.id)
            .copied()
            .unwrap_or(Walk::Channel);
        let command = match parse(text, walk) {
            Ok(Line::Engine(command)) => command,
            Ok(Line::As(name)) => {
                self.member = Actor {
                    id: member_id(&name),
                    name: name.clone(),
                    locale: None,
                };
                return Ok(Some(format!("(you are now {name})")));
            }
            Ok(Line::Mode(walk)) => {
                self.walks.insert(self.member.id.clone(), walk);
                let command = crate::engine::Command::Show { walk };
                return self.send(command).await.map(Some);
            }
            Ok(Line::Help) => return Ok(Some(HELP.to_string())),
            Ok(Line::Cancelled) => return Ok(Some("(nothing deleted)".to_string())),
            Ok(Line::Quit) => return Ok(None),
            Ok(Line::Nothing) => return Ok(Some(String::new())),
            Err(error) => return Ok(Some(error.to_string())),
        };
        self.send(command).await.map(Some)
    }

    async fn send(&mut self, command: crate::engine::Command) -> Result<String, EngineError> {
        self.counter += 1;
        let input = Input {
            event_id: format!("console-{}-{}", self.session, self.counter),
            actor: self.member.clone(),
            place: self.place.clone(),
            trajectory: None,
            at: jiff::Timestamp::now(),
            command,
        };
        let effects = self.engine.handle(input).await?;
        Ok(self.show(&effects))
    }

    fn show(&self, effects: &[Effect]) -> String {
        let mut out = Vec::new();
        for effect in effects {
            let to = match effect {
                Effect::Reply {
                    visibility: Visibility::Private,
                    ..
                } => format!("bot → {} only", self.member.name),
                _ => "bot".to_string(),
            };
            out.push(format!("{to}:\n{}", render::render(effect.message())));
            for block in &effect.message().blocks {
                if let Block::Attachment(file) = block {
                    out.push(self.save(file));
                }
            }
        }
        out.join("\n\n")
    }

    fn save(&self, file: &crate::engine::message::Attachment) -> String {
        let path = self.export_dir.join(&file.filename);
        match std::fs::write(&path, &file.bytes) {
            Ok(()) => format!("(saved {})", path.display()),
            Err(error) => format!(
                "(cannot save {}: {error}; check that the directory is writable)",
                path.display()
            ),
        }
    }
}

/// Prints check-ins to standard output, as the console's stand-in for a channel.
pub struct ConsolePoster;

impl crate::platform::Poster for ConsolePoster {
    async fn post(
        &self,
        place: &Place,
        message: &crate::engine::Message,
    ) -> Result<(), crate::platform::PostError> {
        println!(
            "\n[check-in in {}]\n{}",
            place.channel,
            render::render(message)
        );
        Ok(())
    }
}

/// Runs the console until end of input or `/quit`.
///
/// # Errors
/// Fails when storage fails or the terminal cannot be read.
pub async fn run(
    console: &mut Console<'_>,
    input: impl AsyncBufRead + Unpin,
    output: &mut impl Write,
) -> Result<(), EngineError> {
    let mut lines = input.lines();
    let _ = writeln!(
        output,
        "Schaalwijzer console. You are {}. Type /help for the commands.",
        console.member_name()
    );
    loop {
        let _ = write!(output, "{}> ", console.member_name());
        let _ = output.flush();
        let Ok(Some(line)) = lines.next_line().await else {
            break;
        };
        match console.line(&line).await? {
            Some(text) if text.is_empty() => {}
            Some(text) => {
                let _ = writeln!(output, "{text}");
            }
            None => break,
        }
    }
    Ok(())
}
