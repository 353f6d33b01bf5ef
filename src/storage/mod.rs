//! Durable storage in sled, behind a small typed API. Only this module builds keys or
//! touches sled trees.
//!
//! Trees: `trajectories` (id to trajectory), `answers` (id, question, member to the current
//! answer), `history` (id, sequence to one change), `bindings` (place to id), `events`
//! (platform event id to the time it was handled), `due` (next check-in time and id: an index
//! ordered by time), `settings` (per-server defaults), `meta` (the schema version). A write that
//! changes a trajectory happens in one transaction across these trees, and [`Store::flush`]
//! makes it durable; concurrent callers share one flush (group commit).

mod codec;
mod migrate;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use sled::Tree;

use crate::engine::model::{
    AnswerRecord, HistoryEntry, Place, Trajectory, TrajectoryId, TrajectoryState,
};

pub use migrate::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database {path} is in use by another process; stop that process or choose another path with --db")]
    Locked { path: PathBuf },
    #[error("cannot open the database {path}: {message}; check that the directory exists and is writable")]
    Open { path: PathBuf, message: String },
    #[error("the database {path} has schema version {found}, newer than version {supported} that this build reads; upgrade schaalwijzer")]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
    #[error("corrupt database: {0}")]
    Corrupt(String),
}

/// What one handled event writes, applied in one transaction.
#[derive(Debug, Default)]
pub struct Write<'a> {
    pub event_id: &'a str,
    pub trajectory: Option<&'a Trajectory>,
    pub answers: Vec<&'a AnswerRecord>,
    pub history: Vec<&'a HistoryEntry>,
    /// Bind this place to the trajectory.
    pub bind: Option<(&'a Place, TrajectoryId)>,
    /// Delete this trajectory with its answers, history and binding.
    pub delete: Option<(TrajectoryId, &'a Place)>,
    /// The trajectory's due time before this write, to move its due-index entry.
    pub previous_due: Option<jiff::Timestamp>,
    /// Set a server's default check-in zone: (scope, zone).
    pub server_zone: Option<(&'a str, &'a str)>,
}

/// The outcome of [`Store::write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Stored,
    /// The event id was handled before; nothing was written.
    Duplicate,
}

#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    path: PathBuf,
    trajectories: Tree,
    answers: Tree,
    history: Tree,
    bindings: Tree,
    events: Tree,
    due: Tree,
    settings: Tree,
    flush: Arc<FlushState>,
    /// Due-index entries read, for tests and benchmarks of the scheduler's tick.
    due_reads: Arc<AtomicU64>,
}

/// Group commit: writes count up `written`; a flush covers every write counted before it began.
#[derive(Default)]
struct FlushState {
    written: AtomicU64,
    flushed: AtomicU64,
    lock: tokio::sync::Mutex<()>,
}

impl Store {
    /// Opens or creates the database at `path` and migrates it to the current schema.
    ///
    /// # Errors
    /// [`StoreError::Locked`] when another process has it open.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .path(path)
            .open()
            .map_err(|error| open_error(path, error))?;
        Store::from_db(db, path)
    }

    /// Opens a database that is removed when the last handle closes, for demos and tests.
    pub fn temporary() -> Result<Store, StoreError> {
        let db = sled::Config::new().temporary(true).open()?;
        Store::from_db(db, Path::new("(temporary)"))
    }

    fn from_db(db: sled::Db, path: &Path) -> Result<Store, StoreError> {
        migrate::migrate(&db, path)?;
        Ok(Store {
            trajectories: db.open_tree("trajectories")?,
            answers: db.open_tree("answers")?,
            history: db.open_tree("history")?,
            bindings: db.open_tree("bindings")?,
            events: db.open_tree("events")?,
            due: db.open_tree("due")?,
            settings: db.open_tree("settings")?,
            due_reads: Arc::default(),
            path: path.to_path_buf(),
            db,
            flush: Arc::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying database, for other modules' own trees (the scheduler's).
    pub fn db(&self) -> &sled::Db {
        &self.db
    }

    /// Allocates a new trajectory id.
    pub fn new_trajectory_id(&self) -> Result<TrajectoryId, StoreError> {
        // sled's ids start at 0; trajectory ids start at 1 to read naturally.
        Ok(TrajectoryId(self.db.generate_id()? + 1))
    }

    pub fn event_seen(&self, event_id: &str) -> Result<bool, StoreError> {
        Ok(self.events.contains_key(event_id.as_bytes())?)
    }

    pub fn binding(&self, place: &Place) -> Result<Option<TrajectoryId>, StoreError> {
        let Some(bytes) = self.bindings.get(codec::place_key(place))? else {
            return Ok(None);
        };
        codec::decode("bindings", &bytes).map(Some)
    }

    pub fn trajectory(&self, id: TrajectoryId) -> Result<Option<Trajectory>, StoreError> {
        let Some(bytes) = self.trajectories.get(codec::trajectory_key(id))? else {
            return Ok(None);
        };
        codec::decode("trajectories", &bytes).map(Some)
    }

    /// Loads a trajectory with all its current answers.
    pub fn load(&self, id: TrajectoryId) -> Result<Option<TrajectoryState>, StoreError> {
        let Some(trajectory) = self.trajectory(id)? else {
            return Ok(None);
        };
        let mut answers = std::collections::BTreeMap::new();
        for entry in self.answers.scan_prefix(codec::trajectory_key(id)) {
            let (_, bytes) = entry?;
            let record: AnswerRecord = codec::decode("answers", &bytes)?;
            answers.insert((record.question.clone(), record.member.clone()), record);
        }
        Ok(Some(TrajectoryState {
            trajectory,
            answers,
        }))
    }

    /// Returns a trajectory's answer history, oldest first.
    pub fn history(&self, id: TrajectoryId) -> Result<Vec<HistoryEntry>, StoreError> {
        self.history
            .scan_prefix(codec::trajectory_key(id))
            .map(|entry| codec::decode("history", &entry?.1))
            .collect()
    }

    pub fn trajectory_count(&self) -> usize {
        self.trajectories.len()
    }

    /// Returns the ids of all stored trajectories, in id order.
    pub fn trajectory_ids(&self) -> Result<Vec<TrajectoryId>, StoreError> {
        self.trajectories
            .iter()
            .keys()
            .map(|key| Ok(codec::trajectory_from_key(&key?).unwrap_or(TrajectoryId(0))))
            .collect()
    }

    /// Applies one event's changes in a single transaction, unless the event was handled
    /// before. The changes are not yet durable: call [`Store::flush`].
    pub fn write(&self, write: &Write) -> Result<Written, StoreError> {
        let sequence_start = if write.history.is_empty() {
            0
        } else {
            self.db.generate_id()?
        };
        // Keys of a deleted trajectory are gathered first, since a transaction cannot scan.
        let doomed = match write.delete {
            Some((id, _)) => self.keys_of(id)?,
            None => (Vec::new(), Vec::new()),
        };
        let event_value = codec::encode(&jiff::Timestamp::now())?;
        let trees = (
            &self.trajectories,
            &self.answers,
            &self.history,
            &self.bindings,
            &self.events,
            &self.due,
            &self.settings,
        );
        let outcome = trees.transaction(
            |(trajectories, answers, history, bindings, events, due, settings)| {
                if events.get(write.event_id.as_bytes())?.is_some() {
                    return Ok(Written::Duplicate);
                }
                events.insert(write.event_id.as_bytes(), event_value.as_slice())?;
                if let Some(trajectory) = write.trajectory {
                    trajectories.insert(
                        &codec::trajectory_key(trajectory.id),
                        abort_on(codec::encode(trajectory))?,
                    )?;
                }
                for record in &write.answers {
                    let id = write.trajectory.map_or(TrajectoryId(0), |t| t.id);
                    answers.insert(
                        codec::answer_key(id, &record.question, &record.member),
                        abort_on(codec::encode(record))?,
                    )?;
                }
                for (offset, entry) in write.history.iter().enumerate() {
                    let id = write.trajectory.map_or(TrajectoryId(0), |t| t.id);
                    history.insert(
                        &codec::history_key(id, sequence_start + offset as u64),
                        abort_on(codec::encode(entry))?,
                    )?;
                }
                let new_due = write
                    .trajectory
                    .and_then(|t| t.due_at().map(|at| (at, t.id)));
                let old_due = write
                    .previous_due
                    .zip(write.trajectory.map(|t| t.id).or(write.delete.map(|d| d.0)));
                if old_due != new_due || write.delete.is_some() {
                    if let Some((at, id)) = old_due {
                        due.remove(&codec::due_key(at, id))?;
                    }
                    if let (Some((at, id)), None) = (new_due, write.delete) {
                        due.insert(&codec::due_key(at, id), &[])?;
                    }
                }
                if let Some((scope, zone)) = write.server_zone {
                    settings.insert(scope.as_bytes(), abort_on(codec::encode(&zone))?)?;
                }
                if let Some((place, id)) = write.bind {
                    bindings.insert(codec::place_key(place), abort_on(codec::encode(&id))?)?;
                }
                if let Some((id, place)) = write.delete {
                    trajectories.remove(&codec::trajectory_key(id))?;
                    for key in &doomed.0 {
                        answers.remove(key.as_ref())?;
                    }
                    for key in &doomed.1 {
                        history.remove(key.as_ref())?;
                    }
                    bindings.remove(codec::place_key(place))?;
                }
                Ok(Written::Stored)
            },
        );
        let written = outcome.map_err(|error| match error {
            TransactionError::Abort(error) => error,
            TransactionError::Storage(error) => StoreError::Sled(error),
        })?;
        if written == Written::Stored {
            self.flush.written.fetch_add(1, Ordering::SeqCst);
        }
        Ok(written)
    }

    fn keys_of(&self, id: TrajectoryId) -> Result<(Vec<sled::IVec>, Vec<sled::IVec>), StoreError> {
        let prefix = codec::trajectory_key(id);
        let answers = self
            .answers
            .scan_prefix(prefix)
            .keys()
            .collect::<Result<_, _>>()?;
        let history = self
            .history
            .scan_prefix(prefix)
            .keys()
            .collect::<Result<_, _>>()?;
        Ok((answers, history))
    }

    /// Makes every write made before this call durable. Concurrent callers share one flush.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let ticket = self.flush.written.load(Ordering::SeqCst);
        let _guard = self.flush.lock.lock().await;
        if self.flush.flushed.load(Ordering::SeqCst) >= ticket {
            return Ok(());
        }
        let target = self.flush.written.load(Ordering::SeqCst);
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.flush())
            .await
            .map_err(|e| StoreError::Corrupt(format!("the flush task failed: {e}")))??;
        self.flush.flushed.fetch_max(target, Ordering::SeqCst);
        Ok(())
    }

    /// Flushes from synchronous code.
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        let target = self.flush.written.load(Ordering::SeqCst);
        self.db.flush()?;
        self.flush.flushed.fetch_max(target, Ordering::SeqCst);
        Ok(())
    }

    /// Returns the due-index entries at or before `now`, earliest first, at most `limit`.
    /// Reads the index only up to the first entry after `now`.
    pub fn due_before(
        &self,
        now: jiff::Timestamp,
        limit: usize,
    ) -> Result<Vec<(jiff::Timestamp, TrajectoryId)>, StoreError> {
        let mut due = Vec::new();
        for entry in self.due.iter().keys() {
            let key = entry?;
            self.due_reads.fetch_add(1, Ordering::Relaxed);
            let Some((at, id)) = codec::due_from_key(&key) else {
                return Err(StoreError::Corrupt(
                    "a due-index key does not decode".into(),
                ));
            };
            if at > now || due.len() >= limit {
                break;
            }
            due.push((at, id));
        }
        Ok(due)
    }

    /// Returns the earliest due time in the index, if any.
    pub fn next_due(&self) -> Result<Option<jiff::Timestamp>, StoreError> {
        let Some(key) = self.due.first()?.map(|(key, _)| key) else {
            return Ok(None);
        };
        self.due_reads.fetch_add(1, Ordering::Relaxed);
        Ok(codec::due_from_key(&key).map(|(at, _)| at))
    }

    /// The number of due-index entries read since the store was opened.
    pub fn due_reads(&self) -> u64 {
        self.due_reads.load(Ordering::Relaxed)
    }

    /// Returns a server's default check-in zone, if one was set.
    pub fn server_zone(&self, scope: &str) -> Result<Option<String>, StoreError> {
        match self.settings.get(scope.as_bytes())? {
            Some(bytes) => codec::decode("settings", &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Stores trajectories in bulk without going through the engine: one sled batch per tree,
    /// then one flush. For benchmarks and load tests that need many stored trajectories.
    ///
    /// # Errors
    /// Fails when storage fails.
    pub fn import(&self, trajectories: &[Trajectory]) -> Result<(), StoreError> {
        let mut records = sled::Batch::default();
        let mut due = sled::Batch::default();
        let mut bindings = sled::Batch::default();
        for trajectory in trajectories {
            records.insert(
                &codec::trajectory_key(trajectory.id),
                codec::encode(trajectory)?,
            );
            bindings.insert(
                codec::place_key(&trajectory.place),
                codec::encode(&trajectory.id)?,
            );
            if let Some(at) = trajectory.due_at() {
                due.insert(&codec::due_key(at, trajectory.id), &[]);
            }
        }
        self.trajectories.apply_batch(records)?;
        self.bindings.apply_batch(bindings)?;
        self.due.apply_batch(due)?;
        self.flush_blocking()
    }

    /// Returns the bytes the database uses on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }
}

fn abort_on<T>(
    result: Result<T, StoreError>,
) -> Result<T, ConflictableTransactionError<StoreError>> {
    result.map_err(ConflictableTransactionError::Abort)
}

fn open_error(path: &Path, error: sled::Error) -> StoreError {
    let message = error.to_string();
    let locked = matches!(&error, sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock)
        || message.contains("lock");
    if locked {
        StoreError::Locked {
            path: path.to_path_buf(),
        }
    } else {
        StoreError::Open {
            path: path.to_path_buf(),
            message,
        }
    }
}
