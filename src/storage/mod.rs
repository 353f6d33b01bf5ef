//! Durable storage in sled, behind a small typed API. Only this module builds keys or
//! touches sled trees.
//!
//! Trees: `trajectories` (id to trajectory), `answers` (id, question, member to the current
//! answer), `history` (id, sequence to one change), `bindings` (place to id), `events`
//! (platform event id to the time it was handled), `meta` (the schema version). A write that
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
    flush: Arc<FlushState>,
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
        );
        let outcome = trees.transaction(|(trajectories, answers, history, bindings, events)| {
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
        });
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
