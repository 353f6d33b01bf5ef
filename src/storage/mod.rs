//! Durable storage in sled, behind a small typed API. Only this module builds keys or
//! touches sled trees.
//!
//! One tree, `records`, contains every kind of record under its own key prefix (see [`codec`]):
//! trajectories (id to trajectory), answers (id, question, member to the current answer),
//! history (id, sequence to one change), bindings (place to id), events (platform event id to
//! the time it was handled), the due index (next check-in time and id, ordered by time) and
//! per-server settings. The `meta` tree holds the schema version. A handled event that binds
//! or deletes a trajectory is one sled batch, applied whole or not at all; other events are
//! written record by record in an order that leaves a crash a harmless prefix (see
//! [`Store::write`]). [`Store::flush`] makes writes durable, and concurrent callers share one
//! flush (group commit).

mod codec;
mod group;
mod migrate;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sled::{Batch, Tree};

use crate::engine::model::{
    AnswerRecord, HistoryEntry, Place, Trajectory, TrajectoryId, TrajectoryState,
};

pub use group::GroupCommit;
pub use migrate::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database {path} is in use by another process; stop that process or choose another path (--db for console and replay; SCHAALWIJZER_DB or storage.db in the config file for run)")]
    Locked { path: PathBuf },
    #[error("cannot open the database {path}: {message}; check that the directory is writable, or choose another path (--db for console and replay; SCHAALWIJZER_DB or storage.db in the config file for run)")]
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
    #[error(
        "flushing the database to disk failed: {0}; check free disk space and the disk's health"
    )]
    Flush(String),
}

/// The records one handled event writes.
#[derive(Debug, Default)]
pub struct Write<'a> {
    pub event_id: &'a str,
    /// The trajectory the answers and history belong to.
    pub id: Option<TrajectoryId>,
    /// The trajectory record, when it changed.
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

/// One record change: the key and its new value, or None to remove it.
type Operation = (Vec<u8>, Option<Vec<u8>>);

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
    records: Tree,
    /// Makes the duplicate check and the batch of a binding or deleting write atomic.
    write_lock: Arc<Mutex<()>>,
    flush: Arc<GroupCommit>,
    /// Due-index entries read, for tests and benchmarks of the scheduler's tick.
    due_reads: Arc<AtomicU64>,
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
            records: db.open_tree("records")?,
            write_lock: Arc::default(),
            due_reads: Arc::default(),
            path: path.to_path_buf(),
            db,
            flush: Arc::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Allocates a new trajectory id.
    pub fn new_trajectory_id(&self) -> Result<TrajectoryId, StoreError> {
        // sled's ids start at 0; trajectory ids start at 1 to read naturally.
        Ok(TrajectoryId(self.db.generate_id()? + 1))
    }

    pub fn event_seen(&self, event_id: &str) -> Result<bool, StoreError> {
        Ok(self.records.contains_key(codec::event_key(event_id))?)
    }

    /// Removes the markers of events handled before `handled_before`, and returns how many.
    ///
    /// A platform redelivers an event within minutes, so markers older than that only take
    /// space (about 60 bytes each). This reads every marker: run it now and then, off the
    /// async threads.
    pub fn prune_events(&self, handled_before: jiff::Timestamp) -> Result<usize, StoreError> {
        let mut removed = 0;
        for entry in self.records.scan_prefix([codec::EVENT]) {
            let (key, value) = entry?;
            let handled: jiff::Timestamp = codec::decode("event marker", &value)?;
            if handled < handled_before {
                self.records.remove(key)?;
                removed += 1;
            }
        }
        if removed > 0 {
            self.flush.wrote();
        }
        Ok(removed)
    }

    pub fn binding(&self, place: &Place) -> Result<Option<TrajectoryId>, StoreError> {
        let Some(bytes) = self.records.get(codec::place_key(place))? else {
            return Ok(None);
        };
        codec::decode("binding", &bytes).map(Some)
    }

    pub fn trajectory(&self, id: TrajectoryId) -> Result<Option<Trajectory>, StoreError> {
        let Some(bytes) = self.records.get(codec::trajectory_key(id))? else {
            return Ok(None);
        };
        codec::decode("trajectory", &bytes).map(Some)
    }

    /// Loads a trajectory with all its current answers.
    pub fn load(&self, id: TrajectoryId) -> Result<Option<TrajectoryState>, StoreError> {
        let Some(trajectory) = self.trajectory(id)? else {
            return Ok(None);
        };
        let mut answers = crate::engine::model::Answers::new();
        for entry in self.records.scan_prefix(codec::answers_prefix(id)) {
            let (_, bytes) = entry?;
            let record: AnswerRecord = codec::decode("answer", &bytes)?;
            answers.insert((record.question.clone(), record.member.clone()), record);
        }
        Ok(Some(TrajectoryState {
            trajectory,
            answers,
        }))
    }

    /// Returns a trajectory's answer history, oldest first.
    pub fn history(&self, id: TrajectoryId) -> Result<Vec<HistoryEntry>, StoreError> {
        self.records
            .scan_prefix(codec::history_prefix(id))
            .map(|entry| codec::decode("history", &entry?.1))
            .collect()
    }

    /// Counts the stored trajectories by reading every trajectory key; for tests and tools,
    /// not for start-up.
    pub fn trajectory_count(&self) -> usize {
        self.records.scan_prefix([codec::TRAJECTORY]).keys().count()
    }

    /// Applies one event's changes, unless the event was handled before.
    ///
    /// The changes are not yet durable: call [`Store::flush`].
    ///
    /// A write with answer history records its event id in the history entries and nothing
    /// else: the caller recognises a redelivered event from the history it loaded (the engine
    /// does so under the trajectory's lock), which saves a lookup and a record per answer.
    /// Every other write stores an event marker, which [`Store::prune_events`] removes once it
    /// is old, and is refused as [`Written::Duplicate`] when the marker exists.
    ///
    /// A write that binds or deletes a trajectory is one sled batch, applied whole or not at
    /// all. Other writes (answers, notes, settings) are applied record by record, because
    /// sled's batches take a global lock that stalls concurrent writers; the history entries
    /// or the event marker come last. sled's log keeps the order, so a crash leaves a prefix
    /// of the records, and a redelivered event finds its answer already stored and adds
    /// nothing twice.
    pub fn write(&self, write: &Write) -> Result<Written, StoreError> {
        // Writes that bind or delete are serialized; others for the same trajectory already
        // are, by the engine's per-trajectory lock, which makes the check below atomic.
        let batched = write.bind.is_some() || write.delete.is_some();
        let _guard = batched.then(|| {
            self.write_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        });
        let mut ops = self.operations(write)?;
        if batched || write.history.is_empty() {
            let event = codec::event_key(write.event_id);
            if self.records.contains_key(&event)? {
                return Ok(Written::Duplicate);
            }
            ops.push((event, Some(codec::encode(&jiff::Timestamp::now())?)));
        }
        if batched {
            let mut batch = Batch::default();
            for (key, value) in ops {
                match value {
                    Some(value) => batch.insert(key, value),
                    None => batch.remove(key),
                }
            }
            self.records.apply_batch(batch)?;
        } else {
            for (key, value) in ops {
                match value {
                    Some(value) => self.records.insert(key, value)?,
                    None => self.records.remove(key)?,
                };
            }
        }
        self.flush.wrote();
        Ok(Written::Stored)
    }

    /// Returns the record changes of a write, as (key, new value or None to remove).
    fn operations(&self, write: &Write) -> Result<Vec<Operation>, StoreError> {
        let mut ops: Vec<Operation> = Vec::new();
        let id = write
            .id
            .or(write.delete.map(|(id, _)| id))
            .unwrap_or(TrajectoryId(0));
        for record in &write.answers {
            ops.push((
                codec::answer_key(id, &record.question, &record.member),
                Some(codec::encode(record)?),
            ));
        }
        if let Some(trajectory) = write.trajectory {
            ops.push((
                codec::trajectory_key(trajectory.id),
                Some(codec::encode(trajectory)?),
            ));
        }
        self.index_due(&mut ops, write, id);
        if let Some((scope, zone)) = write.server_zone {
            ops.push((codec::setting_key(scope), Some(codec::encode(&zone)?)));
        }
        if let Some((place, id)) = write.bind {
            ops.push((codec::place_key(place), Some(codec::encode(&id)?)));
        }
        if let Some((id, place)) = write.delete {
            self.remove_trajectory(&mut ops, id, place)?;
        }
        // History last: an entry names its event, so it marks the event as handled.
        if !write.history.is_empty() {
            let sequence_start = self.db.generate_id()?;
            for (offset, entry) in write.history.iter().enumerate() {
                ops.push((
                    codec::history_key(id, sequence_start + offset as u64),
                    Some(codec::encode(entry)?),
                ));
            }
        }
        Ok(ops)
    }

    /// Moves the trajectory's due-index entry when its due time changed.
    fn index_due(&self, ops: &mut Vec<Operation>, write: &Write, id: TrajectoryId) {
        let new_due = write.trajectory.and_then(|t| t.due_at());
        let changed = write.trajectory.is_some() || write.delete.is_some();
        if !changed || (write.previous_due == new_due && write.delete.is_none()) {
            return;
        }
        if let Some(at) = write.previous_due {
            ops.push((codec::due_key(at, id).to_vec(), None));
        }
        if let (Some(at), None) = (new_due, write.delete) {
            ops.push((codec::due_key(at, id).to_vec(), Some(Vec::new())));
        }
    }

    fn remove_trajectory(
        &self,
        ops: &mut Vec<Operation>,
        id: TrajectoryId,
        place: &Place,
    ) -> Result<(), StoreError> {
        ops.push((codec::place_key(place), None));
        ops.push((codec::trajectory_key(id), None));
        for prefix in [codec::answers_prefix(id), codec::history_prefix(id)] {
            for key in self.records.scan_prefix(prefix).keys() {
                ops.push((key?.to_vec(), None));
            }
        }
        Ok(())
    }

    /// Makes every write made before this call durable. Concurrent callers share one flush.
    ///
    /// # Errors
    /// Fails when sled cannot flush.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.flush.flush(&self.db).await.map_err(StoreError::Flush)
    }

    /// Flushes from synchronous code.
    ///
    /// # Errors
    /// Fails when sled cannot flush.
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        Ok(self.flush.flush_blocking(&self.db)?)
    }

    /// Returns the due-index entries at or before `now`, earliest first, at most `limit`.
    /// Reads the index only up to the first entry after `now`.
    pub fn due_before(
        &self,
        now: jiff::Timestamp,
        limit: usize,
    ) -> Result<Vec<(jiff::Timestamp, TrajectoryId)>, StoreError> {
        let mut due = Vec::new();
        for entry in self.records.scan_prefix([codec::DUE]).keys() {
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
        let Some(entry) = self.records.scan_prefix([codec::DUE]).keys().next() else {
            return Ok(None);
        };
        self.due_reads.fetch_add(1, Ordering::Relaxed);
        Ok(codec::due_from_key(&entry?).map(|(at, _)| at))
    }

    /// Returns the number of due-index entries read since the store was opened.
    pub fn due_reads(&self) -> u64 {
        self.due_reads.load(Ordering::Relaxed)
    }

    /// Returns a server's default check-in zone, if one was set.
    pub fn server_zone(&self, scope: &str) -> Result<Option<String>, StoreError> {
        match self.records.get(codec::setting_key(scope))? {
            Some(bytes) => codec::decode("setting", &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Stores trajectories in bulk without going through the engine, as one batch and one
    /// flush. For benchmarks and load tests that need many stored trajectories.
    ///
    /// # Errors
    /// Fails when storage fails.
    pub fn import(&self, trajectories: &[Trajectory]) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        for trajectory in trajectories {
            batch.insert(
                codec::trajectory_key(trajectory.id),
                codec::encode(trajectory)?,
            );
            batch.insert(
                codec::place_key(&trajectory.place),
                codec::encode(&trajectory.id)?,
            );
            if let Some(at) = trajectory.due_at() {
                batch.insert(&codec::due_key(at, trajectory.id), &[]);
            }
        }
        self.records.apply_batch(batch)?;
        self.flush.wrote();
        self.flush_blocking()
    }

    /// Returns the bytes the database uses on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }
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
