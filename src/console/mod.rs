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

pub use parse::{member_id, parse, Line, ParseError, HELP, HELP_NL};

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
            Ok(Line::Help) => return Ok(Some(self.help().await.to_string())),
            Ok(Line::Cancelled) => return Ok(Some("(nothing deleted)".to_string())),
            Ok(Line::Quit) => return Ok(None),
            Ok(Line::Nothing) => return Ok(Some(String::new())),
            Err(error) => return Ok(Some(error.to_string())),
        };
        self.send(command).await.map(Some)
    }

    /// Returns the command list in the language of the trajectory in this channel, Dutch
    /// when none runs here.
    async fn help(&self) -> &'static str {
        let bound = self.engine.store().binding(&self.place).ok().flatten();
        let lang = match bound {
            Some(id) => match self.engine.state(id).await {
                Ok(Some(state)) => state.trajectory.lang,
                _ => crate::i18n::Lang::default(),
            },
            None => crate::i18n::Lang::default(),
        };
        match lang {
            crate::i18n::Lang::Nl => HELP_NL,
            crate::i18n::Lang::En => HELP,
        }
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

    /// Saves an attachment under its file name, or with `-2`, `-3` ... added before the
    /// extension when that name is taken, so an export never replaces an earlier file.
    fn save(&self, file: &crate::engine::message::Attachment) -> String {
        let name = std::path::Path::new(&file.filename);
        let stem = name
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("export");
        let extension = name.extension().and_then(|e| e.to_str());
        let mut path = self.export_dir.join(&file.filename);
        for number in 2..=MAX_EXPORT_COPIES + 1 {
            match write_new(&path, &file.bytes) {
                Ok(()) => return format!("(saved {})", path.display()),
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let numbered = match extension {
                        Some(extension) => format!("{stem}-{number}.{extension}"),
                        None => format!("{stem}-{number}"),
                    };
                    path = self.export_dir.join(numbered);
                }
                Err(error) => {
                    return format!(
                        "(cannot save {}: {error}; check that the directory is writable)",
                        path.display()
                    )
                }
            }
        }
        format!(
            "(cannot save {}: {MAX_EXPORT_COPIES} files of that name exist already; move them away and export again)",
            self.export_dir.join(&file.filename).display()
        )
    }
}

/// Most numbered copies of one export file name before `save` gives up.
const MAX_EXPORT_COPIES: u32 = 1000;

/// Writes `bytes` to a file that must not exist yet.
fn write_new(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)
}

/// Prints check-ins to standard output, as the console's stand-in for a channel.
pub struct ConsolePoster;

impl crate::platform::Poster for ConsolePoster {
    async fn post(
        &self,
        to: &crate::platform::Destination,
        message: &crate::engine::Message,
    ) -> Result<(), crate::platform::PostError> {
        println!(
            "\n[check-in in {}]\n{}",
            to.place.channel,
            render::render(message)
        );
        Ok(())
    }
}

/// Runs the console until end of input, a read error or `/quit`. A line that is not UTF-8
/// is skipped with a message.
///
/// # Errors
/// Fails when storage fails.
pub async fn run(
    console: &mut Console<'_>,
    input: impl AsyncBufRead + Unpin,
    output: &mut impl Write,
) -> Result<(), EngineError> {
    let mut input = input;
    let mut bytes = Vec::new();
    let mut number = 0;
    let _ = writeln!(
        output,
        "Schaalwijzer console. You are {}. Type /help for the commands.",
        console.member_name()
    );
    loop {
        let _ = write!(output, "{}> ", console.member_name());
        let _ = output.flush();
        bytes.clear();
        match input.read_until(b'\n', &mut bytes).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                let _ = writeln!(
                    output,
                    "Reading the input failed: {error}; the console stops."
                );
                break;
            }
        }
        number += 1;
        let Ok(line) = std::str::from_utf8(&bytes) else {
            let _ = writeln!(
                output,
                "Line {number} is not valid UTF-8 text and was skipped; set the terminal to UTF-8 and type it again."
            );
            continue;
        };
        let line = line.trim_end_matches(['\n', '\r']);
        match console.line(line).await? {
            Some(text) if text.is_empty() => {}
            Some(text) => {
                let _ = writeln!(output, "{text}");
            }
            None => break,
        }
    }
    Ok(())
}
