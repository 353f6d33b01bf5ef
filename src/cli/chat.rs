//! `console`, `replay` and `demo`: the engine and storage run offline.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CliError;

use crate::case::{self, Case};
use crate::checkins::{FixedClock, Scheduler, SystemClock};
use crate::console::{self, Console, ConsolePoster};
use crate::content::Content;
use crate::engine::{step, Actor, CheckinCommand, Command, Engine, Input, Place};
use crate::i18n::Lang;
use crate::replay::{self, Replay};
use crate::storage::Store;

/// The trajectory `demo` plays, built into the binary.
const DEMO_CASE: &str = include_str!("../../data/demo.toml");

/// Returns the default database path: `schaalwijzer/db` in the user's data directory.
pub fn default_db_path() -> Result<PathBuf, CliError> {
    let base = dirs::data_dir().ok_or_else(|| {
        CliError::Invalid(
            "cannot find the user's data directory (is HOME set?); choose a database path with --db, or for run with SCHAALWIJZER_DB or storage.db in the config file".into(),
        )
    })?;
    Ok(base.join("schaalwijzer").join("db"))
}

pub fn open_store(db: Option<&Path>) -> Result<Store, CliError> {
    let path = match db {
        Some(path) => path.to_path_buf(),
        None => default_db_path()?,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::Invalid(format!(
                "cannot create the directory {}: {e}; choose another path (--db for console and replay; SCHAALWIJZER_DB or storage.db in the config file for run)",
                parent.display()
            ))
        })?;
    }
    Store::open(&path).map_err(|error| match error {
        crate::storage::StoreError::Open { .. } => CliError::Invalid(error.to_string()),
        _ => CliError::Failed(error.to_string()),
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))
}

pub fn console(
    content: &'static Content,
    db: Option<&Path>,
    channel: &str,
) -> Result<(), CliError> {
    let store = open_store(db)?;
    tracing::info!(path = %store.path().display(), "database opened");
    let engine = Arc::new(Engine::new(content, store));
    let export_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    runtime()?.block_on(async {
        // Check-ins set in the console are printed where they fall due.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let scheduler = Scheduler::new(
            engine.clone(),
            Arc::new(console::ConsolePoster),
            Arc::new(SystemClock),
        );
        let task = tokio::spawn(scheduler.run(engine.checkin_changed(), stopped));
        let mut session = Console::new(&engine, channel, export_dir);
        let stdin = tokio::io::BufReader::new(tokio::io::stdin());
        let result = console::run(&mut session, stdin, &mut std::io::stdout()).await;
        let _ = stop.send(true);
        let _ = task.await;
        result
    })?;
    Ok(())
}

pub fn replay(
    content: &'static Content,
    path: &Path,
    db: Option<&Path>,
    lang: Option<Lang>,
) -> Result<(), CliError> {
    let mut case = case::load(path, content)?;
    if let Some(lang) = lang {
        case.language = lang;
    }
    let store = match db {
        Some(_) => open_store(db)?,
        None => Store::temporary().map_err(|e| CliError::Failed(e.to_string()))?,
    };
    let engine = Engine::new(content, store);
    let place = Place {
        platform: "replay".into(),
        scope: String::new(),
        channel: format!("{}-{}", case.name, jiff::Timestamp::now().as_nanosecond()),
    };
    let mut out = std::io::stdout();
    runtime()?.block_on(replay::replay_case(&engine, &case, place, &mut out))?;
    Ok(())
}

/// Plays the built-in trajectory in a temporary database, restarting the engine halfway to
/// show that nothing is lost.
pub fn demo(content: &'static Content) -> Result<(), CliError> {
    let case = case::parse("data/demo.toml", DEMO_CASE, content)?;
    let dir = tempfile::tempdir()
        .map_err(|e| CliError::Failed(format!("cannot create a temporary directory: {e}")))?;
    let path = dir.path().join("db");
    let place = Place {
        platform: "demo".into(),
        scope: String::new(),
        channel: "team".into(),
    };
    let run = format!("demo-{}", jiff::Timestamp::now().as_nanosecond());
    let mut out = std::io::stdout();
    let half = case.participants.len() / 2;
    runtime()?.block_on(async {
        let engine = Engine::new(content, open_store(Some(&path))?);
        let replay = Replay {
            engine: &engine,
            place: place.clone(),
            run: run.clone(),
        };
        replay.start(&case, &mut out).await?;
        for participant in &case.participants[..half] {
            replay.answer(&case, &participant.id, &mut out).await?;
        }
        drop(engine);
        let _ = writeln!(
            out,
            "\n--- the bot restarts: the database {} is closed and opened again ---\n",
            path.display()
        );
        let engine = Arc::new(Engine::new(content, open_store(Some(&path))?));
        let replay = Replay {
            engine: &engine,
            place,
            run,
        };
        for participant in &case.participants[half..] {
            replay.answer(&case, &participant.id, &mut out).await?;
        }
        let state = replay.result(&case, &mut out).await?;
        demo_checkin(&engine, &case, &replay.place, &mut out).await?;
        summarize(content, &case, state.as_ref(), &engine, &mut out)
    })
}

/// Sets a weekly check-in as the facilitator and runs the scheduler at its first due time,
/// so the demo ends with the review the team would get.
async fn demo_checkin(
    engine: &Arc<Engine>,
    case: &Case,
    place: &Place,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let Some(facilitator) = case.participants.first() else {
        return Ok(());
    };
    let set = CheckinCommand::Set {
        rule: "weekly mon 09:00".into(),
        zone: Some("Europe/Amsterdam".into()),
    };
    let input = Input {
        event_id: format!("demo-checkin-{}", jiff::Timestamp::now().as_nanosecond()),
        actor: Actor {
            id: facilitator.id.clone(),
            name: facilitator.name.clone(),
            locale: None,
        },
        place: place.clone(),
        trajectory: None,
        at: jiff::Timestamp::now(),
        command: Command::Checkin(set),
    };
    for effect in engine.handle(input).await? {
        let _ = writeln!(out, "[bot] {}", effect.message().plain_text());
    }
    let Some(id) = engine
        .store()
        .binding(place)
        .map_err(|e| CliError::Failed(e.to_string()))?
    else {
        return Ok(());
    };
    let due = engine.state(id).await?.and_then(|s| s.trajectory.due_at());
    let Some(due) = due else {
        return Ok(());
    };
    let _ = writeln!(
        out,
        "\n--- the clock jumps to the first check-in, {due} ---"
    );
    let scheduler = Scheduler::new(
        engine.clone(),
        Arc::new(ConsolePoster),
        Arc::new(FixedClock(due)),
    );
    scheduler.tick().await?;
    Ok(())
}

fn summarize(
    content: &Content,
    case: &Case,
    state: Option<&crate::engine::TrajectoryState>,
    engine: &Engine,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let Some(state) = state else {
        return Err(CliError::Failed(
            "the demo trajectory was not stored; this is a bug".into(),
        ));
    };
    let history = engine
        .store()
        .history(state.trajectory.id)
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let (advice, _) = step::advise(content, state);
    let strategies = advice
        .strategies
        .iter()
        .filter(|s| s.fit != crate::advice::Fit::None)
        .count();
    let leading = advice.leading.unwrap_or_else(|| "none".into());
    let _ = writeln!(
        out,
        "--- demo done: {} members, {} stored answers, {} changes in the history, {} fitting strategies, leading: {} ---",
        case.participants.len(),
        state.answers.len(),
        history.len(),
        strategies,
        leading
    );
    Ok(())
}

impl From<crate::engine::EngineError> for CliError {
    fn from(error: crate::engine::EngineError) -> Self {
        CliError::Failed(error.to_string())
    }
}
