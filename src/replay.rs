//! Drives a case file through the engine as chat events, member by member, the way a team
//! answering privately would, and prints what the bot posts.

use std::io::Write;

use crate::case::Case;
use crate::console::render;
use crate::engine::message::{Block, Effect, Visibility};
use crate::engine::{Actor, Command, Engine, EngineError, Input, Place, TrajectoryState, Walk};

/// Where a replay happens, and how its event ids start.
pub struct Replay<'a> {
    pub engine: &'a Engine,
    pub place: Place,
    /// Prefix of the event ids, unique per replay run.
    pub run: String,
}

impl Replay<'_> {
    /// Starts the trajectory as the case's first participant and has the others join.
    ///
    /// # Errors
    /// Fails when storage fails.
    pub async fn start(&self, case: &Case, out: &mut impl Write) -> Result<(), EngineError> {
        let Some(facilitator) = case.participants.first() else {
            return Ok(());
        };
        let start = Command::Start {
            name: case.name.clone(),
            description: case.description.clone(),
            lang: Some(case.language),
        };
        self.send(&facilitator.id, &facilitator.name, start, "start", out)
            .await?;
        for participant in &case.participants[1..] {
            self.send(
                &participant.id,
                &participant.name,
                Command::Join,
                "join",
                out,
            )
            .await?;
        }
        Ok(())
    }

    /// Sends every answer and note of one participant, in file order.
    ///
    /// # Errors
    /// Fails when storage fails.
    pub async fn answer(
        &self,
        case: &Case,
        participant: &str,
        out: &mut impl Write,
    ) -> Result<(), EngineError> {
        let name = case
            .participants
            .iter()
            .find(|p| p.id == participant)
            .map_or(participant, |p| p.name.as_str());
        for answer in case.answers.iter().filter(|a| a.member == participant) {
            let question = Some(answer.question.clone());
            let command = Command::Answer {
                question: question.clone(),
                value: answer.value.clone(),
                walk: Walk::Private,
            };
            self.send(
                participant,
                name,
                command,
                &format!("answer-{}", answer.question),
                out,
            )
            .await?;
            if let Some(note) = &answer.note {
                let command = Command::Note {
                    question,
                    text: note.clone(),
                    walk: Walk::Private,
                };
                self.send(
                    participant,
                    name,
                    command,
                    &format!("note-{}", answer.question),
                    out,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Asks for the result as the facilitator and returns the trajectory's final state.
    ///
    /// # Errors
    /// Fails when storage fails.
    pub async fn result(
        &self,
        case: &Case,
        out: &mut impl Write,
    ) -> Result<Option<TrajectoryState>, EngineError> {
        let Some(facilitator) = case.participants.first() else {
            return Ok(None);
        };
        self.send(
            &facilitator.id,
            &facilitator.name,
            Command::Result,
            "result",
            out,
        )
        .await?;
        match self.engine.store().binding(&self.place)? {
            Some(id) => self.engine.state(id).await,
            None => Ok(None),
        }
    }

    async fn send(
        &self,
        member: &str,
        name: &str,
        command: Command,
        tag: &str,
        out: &mut impl Write,
    ) -> Result<(), EngineError> {
        let input = Input {
            event_id: format!("{}-{member}-{tag}", self.run),
            actor: Actor {
                id: member.to_string(),
                name: name.to_string(),
                locale: None,
            },
            place: self.place.clone(),
            trajectory: None,
            at: jiff::Timestamp::now(),
            command,
        };
        let effects = self.engine.handle(input).await?;
        print_effects(name, &effects, out);
        Ok(())
    }
}

/// Prints posts in full and private replies as their first line.
fn print_effects(name: &str, effects: &[Effect], out: &mut impl Write) {
    for effect in effects {
        let text = render::render(effect.message());
        let _ = match effect {
            Effect::Reply {
                visibility: Visibility::Private,
                message,
                ..
            } => {
                let first = match message.blocks.first() {
                    Some(Block::Text(text)) => text.lines().next().unwrap_or_default().to_string(),
                    _ => text.lines().next().unwrap_or_default().to_string(),
                };
                writeln!(out, "[bot → {name}] {first}")
            }
            _ => writeln!(out, "[bot] {text}\n"),
        };
    }
}

/// Runs a whole case: start, every participant's answers, then the result.
///
/// # Errors
/// Fails when storage fails.
pub async fn replay_case(
    engine: &Engine,
    case: &Case,
    place: Place,
    out: &mut impl Write,
) -> Result<Option<TrajectoryState>, EngineError> {
    let replay = Replay {
        engine,
        place,
        run: format!("replay-{}", jiff::Timestamp::now().as_nanosecond()),
    };
    replay.start(case, out).await?;
    for participant in &case.participants {
        replay.answer(case, &participant.id, out).await?;
    }
    replay.result(case, out).await
}
