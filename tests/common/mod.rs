//! Helpers shared by the integration tests: content, engines on temporary databases, inputs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use schaalwijzer::content::Content;
use schaalwijzer::engine::{Actor, Command, Effect, Engine, Input, Place, TrajectoryId};
use schaalwijzer::storage::Store;

pub fn content() -> &'static Content {
    Content::global().expect("the built-in content loads")
}

pub fn engine_at(path: &Path) -> Engine {
    Engine::new(content(), Store::open(path).expect("the database opens"))
}

pub fn place(channel: &str) -> Place {
    Place {
        platform: "test".into(),
        scope: "guild".into(),
        channel: channel.into(),
    }
}

pub fn actor(id: &str) -> Actor {
    Actor {
        id: id.into(),
        name: format!("Member {id}"),
        locale: None,
    }
}

static EVENTS: AtomicU64 = AtomicU64::new(0);

/// Returns an input with a fresh event id.
pub fn input(channel: &str, member: &str, command: Command) -> Input {
    let n = EVENTS.fetch_add(1, Ordering::SeqCst);
    Input {
        event_id: format!("test-{}-{n}", std::process::id()),
        actor: actor(member),
        place: place(channel),
        trajectory: None,
        at: jiff::Timestamp::now(),
        command,
    }
}

/// Sends a command and returns the effects.
pub async fn send(engine: &Engine, channel: &str, member: &str, command: Command) -> Vec<Effect> {
    engine
        .handle(input(channel, member, command))
        .await
        .expect("the engine handles the input")
}

/// Returns all text of the effects, for assertions on what members see.
pub fn texts(effects: &[Effect]) -> String {
    let parts: Vec<String> = effects.iter().map(|e| e.message().plain_text()).collect();
    parts.join("\n")
}

pub async fn start(engine: &Engine, channel: &str, facilitator: &str) -> TrajectoryId {
    let command = Command::Start {
        name: "Testtoepassing".into(),
        description: "Een test".into(),
        lang: None,
    };
    send(engine, channel, facilitator, command).await;
    engine
        .store()
        .binding(&place(channel))
        .expect("bindings read")
        .expect("the trajectory is bound to its channel")
}

/// The directory with the report's cases, beside the repository.
/// The report's case files: `SCHAALWIJZER_CASES` if set, else `../shared/cases` beside the
/// repository. Tests that need them fail with this path in the message when it is missing.
pub fn shared_cases() -> PathBuf {
    match std::env::var_os("SCHAALWIJZER_CASES") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases"),
    }
}

pub fn own_cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// Returns the case files (`*.toml`) in a directory, sorted.
pub fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| {
            panic!("cannot read the case directory {}: {e}; put the report's cases there or set SCHAALWIJZER_CASES", dir.display())
        })
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}
