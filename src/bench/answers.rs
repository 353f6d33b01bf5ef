//! Answer throughput through the engine and through raw sled, and advice computation time.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::figures::Latencies;
use crate::answer::AnswerValue;
use crate::content::{Content, Question, QuestionKind};
use crate::engine::model::{AnswerRecord, Change, HistoryEntry, TrajectoryState};
use crate::engine::{step, synthetic, Actor, Command, Engine, Input, TrajectoryId, Walk};
use crate::storage::{GroupCommit, Store};

/// The answer member `member` gives to `question`: a valid value that differs per member.
pub fn value_for(question: &Question, member: usize) -> AnswerValue {
    match &question.kind {
        QuestionKind::Scale(_) => AnswerValue::Scale((member % 5) as u8 + 1),
        QuestionKind::Single { options } => {
            AnswerValue::Choice(options[member % options.len()].id.clone())
        }
        QuestionKind::Multiple { options } => {
            AnswerValue::Choices(vec![options[member % options.len()].id.clone()])
        }
    }
}

fn trajectory_ids(count: usize) -> Vec<TrajectoryId> {
    (1..=count as u64).map(TrajectoryId).collect()
}

/// Every member of `trajectories` trajectories answers every question through the engine,
/// all members concurrently; each answer is durable before it is confirmed.
pub async fn engine_answers(
    content: &'static Content,
    path: &Path,
    trajectories: usize,
    members: usize,
) -> Result<Latencies, String> {
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let now = jiff::Timestamp::now();
    let records: Vec<_> = trajectory_ids(trajectories)
        .iter()
        .map(|id| synthetic::trajectory(id.0, members, None, now))
        .collect();
    store.import(&records).map_err(|e| e.to_string())?;
    let engine = Arc::new(Engine::new(content, store));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for id in trajectory_ids(trajectories) {
        for member in 0..members {
            let engine = engine.clone();
            tasks.push(tokio::spawn(async move {
                answer_all(&engine, id, member).await
            }));
        }
    }
    let mut micros = Vec::new();
    for task in tasks {
        micros.extend(task.await.map_err(|e| e.to_string())??);
    }
    Ok(Latencies::new(micros, started.elapsed()))
}

async fn answer_all(engine: &Engine, id: TrajectoryId, member: usize) -> Result<Vec<u64>, String> {
    let mut micros = Vec::new();
    let actor = Actor {
        id: format!("member-{member}"),
        name: format!("Member {member}"),
        locale: None,
    };
    for question in &engine.content().questionnaire.questions {
        let input = Input {
            event_id: format!("bench-{id}-{member}-{}", question.id),
            actor: actor.clone(),
            place: synthetic::trajectory(id.0, 0, None, jiff::Timestamp::UNIX_EPOCH).place,
            trajectory: Some(id),
            at: jiff::Timestamp::now(),
            command: Command::Answer {
                question: Some(question.id.clone()),
                value: value_for(question, member),
                walk: Walk::Channel,
            },
        };
        let sent = Instant::now();
        engine.handle(input).await.map_err(|e| e.to_string())?;
        micros.push(sent.elapsed().as_micros() as u64);
    }
    Ok(micros)
}

/// The limit: the same answer and history records written straight into sled trees with
/// the same group-commit flushing, without the engine.
pub async fn raw_answers(
    content: &Content,
    path: &Path,
    trajectories: usize,
    members: usize,
) -> Result<Latencies, String> {
    let db = sled::Config::new()
        .path(path)
        .open()
        .map_err(|e| e.to_string())?;
    let raw = Arc::new(RawStore {
        answers: db.open_tree("answers").map_err(|e| e.to_string())?,
        history: db.open_tree("history").map_err(|e| e.to_string())?,
        commit: GroupCommit::default(),
        questions: content
            .questionnaire
            .questions
            .iter()
            .map(|q| q.id.clone())
            .collect(),
        db,
    });
    let started = Instant::now();
    let mut tasks = Vec::new();
    for id in trajectory_ids(trajectories) {
        for member in 0..members {
            let raw = raw.clone();
            tasks.push(tokio::spawn(
                async move { raw.answer_all(id, member).await },
            ));
        }
    }
    let mut micros = Vec::new();
    for task in tasks {
        micros.extend(task.await.map_err(|e| e.to_string())??);
    }
    Ok(Latencies::new(micros, started.elapsed()))
}

/// Two sled trees written directly, with the engine's group commit.
struct RawStore {
    db: sled::Db,
    answers: sled::Tree,
    history: sled::Tree,
    commit: GroupCommit,
    questions: Vec<String>,
}

impl RawStore {
    /// Writes one member's answer and history records for every question, each flushed before
    /// the next, and returns the latencies in microseconds.
    async fn answer_all(&self, id: TrajectoryId, member: usize) -> Result<Vec<u64>, String> {
        let mut micros = Vec::new();
        for question in &self.questions {
            let sent = Instant::now();
            self.write(id, member, question)?;
            self.commit.wrote();
            self.commit.flush(&self.db).await?;
            micros.push(sent.elapsed().as_micros() as u64);
        }
        Ok(micros)
    }

    fn write(&self, id: TrajectoryId, member: usize, question: &str) -> Result<(), String> {
        let value = AnswerValue::Scale((member % 5) as u8 + 1);
        let at = jiff::Timestamp::now();
        let member = format!("member-{member}");
        let record = AnswerRecord {
            member: member.clone(),
            question: question.to_string(),
            value: Some(value.clone()),
            note: None,
            at,
        };
        let entry = HistoryEntry {
            member: member.clone(),
            question: question.to_string(),
            change: Change::Value(value),
            at,
            event: Some(format!("raw-{}-{question}-{member}", id.0)),
        };
        let mut key = id.0.to_be_bytes().to_vec();
        key.extend_from_slice(question.as_bytes());
        key.extend_from_slice(member.as_bytes());
        self.answers
            .insert(key, serde_json::to_vec(&record).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let sequence = self.db.generate_id().map_err(|e| e.to_string())?;
        let mut history_key = id.0.to_be_bytes().to_vec();
        history_key.extend_from_slice(&sequence.to_be_bytes());
        let encoded = serde_json::to_vec(&entry).map_err(|e| e.to_string())?;
        self.history
            .insert(history_key, encoded)
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// Builds a trajectory in which `members` members answered every question, with a varied
/// but deterministic spread of answers so that aggregation has work to do.
pub fn state_with_members(content: &Content, members: usize) -> TrajectoryState {
    let now = jiff::Timestamp::now();
    let trajectory = synthetic::trajectory(1, members, None, now);
    let mut answers = crate::engine::model::Answers::new();
    for member in 0..members {
        for question in &content.questionnaire.questions {
            let value = value_for(question, member * 7 + question.id.len());
            let record = AnswerRecord {
                member: format!("member-{member}"),
                question: question.id.clone(),
                value: Some(value),
                note: None,
                at: now,
            };
            answers.insert((question.id.clone(), record.member.clone()), record);
        }
    }
    TrajectoryState {
        trajectory,
        answers,
    }
}

/// Returns the median time in milliseconds to compute the result document of a trajectory
/// in which `members` members answered every question.
pub fn advice_time(content: &'static Content, members: usize) -> f64 {
    let state = state_with_members(content, members);
    let runs = (20_000 / members).clamp(20, 2000);
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let document = step::result_document(content, &state);
            std::hint::black_box(document);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
