//! The engine as a service: resolves the trajectory of an input, runs [`step`] under that
//! trajectory's lock, stores the outcome durably, and returns the effects to send.
//!
//! Trajectories are cached in memory once loaded; the cache is written through, so sled
//! stays the source of truth. Inputs for different trajectories run in parallel; inputs for
//! one trajectory run one at a time, so two members answering at once both land.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use tracing::{debug, info, warn};

use super::checkin::{self, CheckinPolicy, Claim};
use super::input::{Command, Input};
use super::message::Effect;
use super::model::{AnswerRecord, Trajectory, TrajectoryId, TrajectoryState};
use super::step::{self, Extra, Transition};
use crate::content::Content;
use crate::storage::{Store, StoreError, Write, Written};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// A loaded trajectory with the events that changed its answers.
struct Cached {
    state: TrajectoryState,
    /// Hashes of the event ids in the answer history. Answer writes store no event marker,
    /// so a redelivered answer is recognised here.
    events: HashSet<u64>,
}

impl Cached {
    fn seen(&self, event_id: &str) -> bool {
        self.events.contains(&event_hash(event_id))
    }
}

fn event_hash(event_id: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    event_id.hash(&mut hasher);
    hasher.finish()
}

/// The outcome of one applied input: its effects and the changes for the cache.
#[derive(Default)]
struct Applied {
    /// Something was written, so the effects wait for a flush.
    changed: bool,
    effects: Vec<Effect>,
    state: Option<TrajectoryState>,
    trajectory: Option<Trajectory>,
    upserts: Vec<AnswerRecord>,
    deleted: bool,
    /// History entries naming this event were written.
    wrote_history: bool,
}

pub struct Engine {
    content: &'static Content,
    store: Store,
    policy: Arc<CheckinPolicy>,
    slots: Mutex<HashMap<TrajectoryId, Slot>>,
    /// Serializes starts, which have no trajectory to lock yet.
    start_lock: tokio::sync::Mutex<()>,
    /// Notified when a check-in schedule changed, so the scheduler recomputes its sleep.
    checkin_changed: Arc<tokio::sync::Notify>,
}

impl Engine {
    pub fn new(content: &'static Content, store: Store) -> Engine {
        Engine::with_policy(content, store, CheckinPolicy::default())
    }

    pub fn with_policy(content: &'static Content, store: Store, policy: CheckinPolicy) -> Engine {
        Engine {
            content,
            store,
            policy: Arc::new(policy),
            slots: Mutex::default(),
            start_lock: tokio::sync::Mutex::new(()),
            checkin_changed: Arc::default(),
        }
    }

    pub fn policy(&self) -> &CheckinPolicy {
        &self.policy
    }

    /// Returns the notification the scheduler waits on besides its timer.
    pub fn checkin_changed(&self) -> Arc<tokio::sync::Notify> {
        self.checkin_changed.clone()
    }

    pub fn content(&self) -> &'static Content {
        self.content
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Handles one input and returns the effects to send. Changes are durable before this
    /// returns, so a confirmation among the effects is true even after a crash.
    ///
    /// # Errors
    /// Fails when storage fails; nothing is confirmed then.
    #[tracing::instrument(skip_all, fields(event = %input.event_id, command = input.command.name(), actor = %input.actor.id, place = %input.place))]
    pub async fn handle(&self, input: Input) -> Result<Vec<Effect>, EngineError> {
        // A redelivered answer is caught by the cached history's event ids, any other
        // redelivered event when its write finds its event marker stored.
        let id = match input.trajectory {
            Some(id) => Some(id),
            None => self.store.binding(&input.place)?,
        };
        let _start_guard = match &input.command {
            Command::Start { .. } => Some(self.start_lock.lock().await),
            _ => None,
        };
        let Some(id) = id else {
            let applied = self.apply(None, &input)?;
            return self.confirm(applied).await;
        };
        let applied = {
            let slot = self.slot(id);
            let mut cached = slot.lock().await;
            self.load_into(&mut cached, id)?;
            if cached.as_ref().is_some_and(|c| c.seen(&input.event_id)) {
                debug!("event handled before, ignored");
                return Ok(Vec::new());
            }
            let mut applied = self.apply(cached.as_ref().map(|c| &c.state), &input)?;
            update_cache(&mut cached, id, &mut applied, &input.event_id);
            if cached.is_none() {
                self.forget(id);
            }
            applied
        };
        self.confirm(applied).await
    }

    /// Loads a trajectory into its empty cache slot, with the events of its answer history.
    fn load_into(&self, cached: &mut Option<Cached>, id: TrajectoryId) -> Result<(), EngineError> {
        if cached.is_some() {
            return Ok(());
        }
        let Some(state) = self.store.load(id)? else {
            return Ok(());
        };
        let events = self
            .store
            .history(id)?
            .iter()
            .filter_map(|entry| entry.event.as_deref())
            .map(event_hash)
            .collect();
        *cached = Some(Cached { state, events });
        Ok(())
    }

    /// Waits until the input's changes are durable, then releases its effects. The flush
    /// happens after the trajectory's lock is released, so other members' answers to the
    /// same trajectory can join the same flush.
    async fn confirm(&self, applied: Applied) -> Result<Vec<Effect>, EngineError> {
        if applied.changed {
            self.store.flush().await?;
        }
        Ok(applied.effects)
    }

    /// Runs the step and writes its outcome (not yet flushed); the caller updates the cache.
    fn apply(
        &self,
        state: Option<&TrajectoryState>,
        input: &Input,
    ) -> Result<Applied, EngineError> {
        let extra = self.extra(state, input)?;
        let transition = step::step(self.content, state, input, &extra);
        let changed =
            transition.state.is_some() || transition.delete || !transition.upserts.is_empty();
        match self.store.write(&write_of(input, state, &transition))? {
            Written::Duplicate => {
                debug!("event handled concurrently, ignored");
                return Ok(Applied::default());
            }
            Written::Stored => {}
        }
        let due_before = state.and_then(|s| s.trajectory.due_at());
        if transition
            .state
            .as_ref()
            .is_some_and(|s| s.trajectory.due_at() != due_before)
        {
            self.checkin_changed.notify_one();
        }
        self.log(state, &transition);
        Ok(Applied {
            changed,
            deleted: transition.delete,
            state: transition.state,
            trajectory: transition.trajectory,
            upserts: transition.upserts,
            effects: transition.effects,
            wrote_history: !transition.history.is_empty(),
        })
    }

    fn extra(&self, state: Option<&TrajectoryState>, input: &Input) -> Result<Extra, EngineError> {
        let mut extra = Extra {
            policy: self.policy.clone(),
            ..Extra::default()
        };
        match (&input.command, state) {
            (Command::Checkin(_), Some(_)) => {
                extra.server_zone = self.store.server_zone(&input.place.scope)?
            }
            (Command::Start { .. }, None) => extra.new_id = Some(self.store.new_trajectory_id()?),
            (Command::Start { .. }, Some(s)) if s.trajectory.is_closed() => {
                extra.new_id = Some(self.store.new_trajectory_id()?)
            }
            (Command::Export, Some(s)) => extra.history = self.store.history(s.trajectory.id)?,
            _ => {}
        }
        Ok(extra)
    }

    fn log(&self, before: Option<&TrajectoryState>, transition: &Transition) {
        let id = transition
            .state
            .as_ref()
            .or(before)
            .map(|s| s.trajectory.id);
        if transition.delete {
            info!(trajectory = ?id, "trajectory deleted");
        } else if before.is_none() && transition.state.is_some() {
            info!(trajectory = ?id, "trajectory started");
        } else if !transition.changed_answers.is_empty() {
            debug!(trajectory = ?id, answers = transition.changed_answers.len(), "answers stored");
        }
        if transition.state.is_none() && !transition.delete && transition.effects.is_empty() {
            warn!(trajectory = ?id, "input produced no effect");
        }
    }

    fn slot(&self, id: TrajectoryId) -> Slot {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.entry(id).or_default().clone()
    }

    fn forget(&self, id: TrajectoryId) {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.remove(&id);
    }

    /// Returns the check-ins due at or before `now`, earliest first.
    pub fn due_checkins(
        &self,
        now: jiff::Timestamp,
        limit: usize,
    ) -> Result<Vec<(jiff::Timestamp, TrajectoryId)>, EngineError> {
        Ok(self.store.due_before(now, limit)?)
    }

    /// Returns the earliest due check-in time, if any.
    pub fn next_checkin(&self) -> Result<Option<jiff::Timestamp>, EngineError> {
        Ok(self.store.next_due()?)
    }

    /// Claims due check-in slots: stores each trajectory with its next due time moved on,
    /// then makes all of them durable with one flush, and returns what to post for each. A
    /// slot is claimed at most once.
    ///
    /// # Errors
    /// Fails when storage fails, and unclaimed slots then stay due.
    pub async fn claim_checkins(
        &self,
        due: Vec<(jiff::Timestamp, TrajectoryId)>,
        now: jiff::Timestamp,
    ) -> Result<Vec<(jiff::Timestamp, TrajectoryId, Claim)>, EngineError> {
        let mut claims = Vec::with_capacity(due.len());
        let mut failure = None;
        for (slot, id) in due {
            let event_id = format!("checkin-{id}-{}", slot.as_nanosecond());
            let claimed = self
                .change(id, &event_id, |state| {
                    checkin::claim(self.content, state, slot, now, &self.policy)
                })
                .await;
            match claimed {
                Ok(claim) => claims.push((slot, id, claim.unwrap_or(Claim::NotDue))),
                Err(error) => {
                    failure = Some((id, error));
                    break;
                }
            }
        }
        // The slots claimed before a failure are stored, so they are flushed and posted too.
        self.store.flush().await?;
        match failure {
            Some((_, error)) if claims.is_empty() => Err(error),
            Some((id, error)) => {
                warn!(trajectory = %id, %error, "claiming a check-in failed; it stays due for the next tick");
                Ok(claims)
            }
            None => Ok(claims),
        }
    }

    /// Records that posting a claimed check-in failed; returns when it is tried again, or
    /// None when it was the last attempt.
    ///
    /// # Errors
    /// Fails when storage fails.
    pub async fn checkin_failed(
        &self,
        id: TrajectoryId,
        slot: jiff::Timestamp,
        now: jiff::Timestamp,
        gone: bool,
    ) -> Result<Option<jiff::Timestamp>, EngineError> {
        let event_id = format!("checkin-failed-{id}-{}", slot.as_nanosecond());
        self.update(id, &event_id, |state| {
            let (new_state, retry) = checkin::record_failure(state, slot, now, gone, &self.policy);
            (Some(new_state), retry)
        })
        .await
        .map(Option::flatten)
    }

    /// Runs `change` on a trajectory under its lock and stores the new state durably under
    /// `event_id`. Returns None when the trajectory is gone or the event was handled before.
    async fn update<T>(
        &self,
        id: TrajectoryId,
        event_id: &str,
        change: impl FnOnce(&TrajectoryState) -> (Option<TrajectoryState>, T),
    ) -> Result<Option<T>, EngineError> {
        let outcome = self.change(id, event_id, change).await?;
        self.store.flush().await?;
        Ok(outcome)
    }

    /// Like `update`, but leaves the flush to the caller, so that several changes can share one.
    async fn change<T>(
        &self,
        id: TrajectoryId,
        event_id: &str,
        change: impl FnOnce(&TrajectoryState) -> (Option<TrajectoryState>, T),
    ) -> Result<Option<T>, EngineError> {
        let slot = self.slot(id);
        let mut cached = slot.lock().await;
        self.load_into(&mut cached, id)?;
        let Some(state) = cached.as_ref().map(|c| &c.state) else {
            self.forget(id);
            return Ok(None);
        };
        let (new_state, outcome) = change(state);
        let Some(new_state) = new_state else {
            return Ok(Some(outcome));
        };
        let write = Write {
            event_id,
            id: Some(id),
            trajectory: Some(&new_state.trajectory),
            previous_due: state.trajectory.due_at(),
            ..Write::default()
        };
        if self.store.write(&write)? == Written::Duplicate {
            return Ok(None);
        }
        if let Some(c) = cached.as_mut() {
            c.state = new_state;
        }
        Ok(Some(outcome))
    }

    /// Loads a trajectory's current state, from the cache where it is loaded.
    pub async fn state(&self, id: TrajectoryId) -> Result<Option<TrajectoryState>, EngineError> {
        let slot = self.slot(id);
        let mut cached = slot.lock().await;
        self.load_into(&mut cached, id)?;
        Ok(cached.as_ref().map(|c| c.state.clone()))
    }
}

/// Applies what an input changed to the cached trajectory `id`.
fn update_cache(
    cached: &mut Option<Cached>,
    id: TrajectoryId,
    applied: &mut Applied,
    event_id: &str,
) {
    if applied.deleted {
        *cached = None;
        return;
    }
    // A start in the channel of a closed trajectory creates a new one; this slot keeps the
    // closed trajectory, which is read again from storage.
    if applied
        .state
        .as_ref()
        .is_some_and(|s| s.trajectory.id != id)
    {
        *cached = None;
        return;
    }
    if applied.wrote_history {
        if let Some(c) = cached.as_mut() {
            c.events.insert(event_hash(event_id));
        }
    }
    if let Some(new_state) = applied.state.take() {
        match cached.as_mut() {
            Some(c) => c.state = new_state,
            None => {
                *cached = Some(Cached {
                    state: new_state,
                    events: HashSet::new(),
                })
            }
        }
    } else if let Some(c) = cached.as_mut() {
        if let Some(trajectory) = applied.trajectory.take() {
            c.state.trajectory = trajectory;
        }
        for record in applied.upserts.drain(..) {
            c.state
                .answers
                .insert((record.question.clone(), record.member.clone()), record);
        }
    }
}

/// Collects what a transition writes.
fn write_of<'a>(
    input: &'a Input,
    before: Option<&'a TrajectoryState>,
    transition: &'a Transition,
) -> Write<'a> {
    let state = transition.state.as_ref();
    let answers = match state {
        Some(state) => transition
            .changed_answers
            .iter()
            .filter_map(|(q, m)| state.answer(q, m))
            .collect(),
        None => transition.upserts.iter().collect(),
    };
    // A full state is written only where the trajectory record changed; an answer that changes
    // nothing but its own record leaves the trajectory unwritten.
    let trajectory = match state {
        Some(state) => {
            Some(&state.trajectory).filter(|t| before.is_none_or(|b| &b.trajectory != *t))
        }
        None => transition.trajectory.as_ref(),
    };
    Write {
        event_id: &input.event_id,
        id: state.or(before).map(|s| s.trajectory.id),
        trajectory,
        answers,
        history: transition.history.iter().collect(),
        bind: match (transition.bind, state) {
            (true, Some(s)) => Some((&s.trajectory.place, s.trajectory.id)),
            _ => None,
        },
        delete: match (transition.delete, before) {
            (true, Some(s)) => Some((s.trajectory.id, &s.trajectory.place)),
            _ => None,
        },
        previous_due: before.and_then(|s| s.trajectory.due_at()),
        server_zone: transition
            .server_zone
            .as_ref()
            .map(|(scope, zone)| (scope.as_str(), zone.as_str())),
    }
}
