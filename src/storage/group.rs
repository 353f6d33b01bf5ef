//! Group commit: many writers, few flushes. Each writer counts its write, then waits for a
//! flush that began after it. One flush covers every write counted before it began, so
//! concurrent writers share it.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct GroupCommit {
    written: AtomicU64,
    flushed: AtomicU64,
    lock: tokio::sync::Mutex<()>,
}

impl GroupCommit {
    /// Counts one write that the next flush must cover.
    pub fn wrote(&self) {
        self.written.fetch_add(1, Ordering::SeqCst);
    }

    /// Makes every write counted before this call durable, sharing flushes with concurrent
    /// callers.
    ///
    /// # Errors
    /// Returns sled's error when the flush fails, or a join error message.
    pub async fn flush(&self, db: &sled::Db) -> Result<(), String> {
        let ticket = self.written.load(Ordering::SeqCst);
        let _guard = self.lock.lock().await;
        if self.flushed.load(Ordering::SeqCst) >= ticket {
            return Ok(());
        }
        let target = self.written.load(Ordering::SeqCst);
        let db = db.clone();
        let flushed = tokio::task::spawn_blocking(move || db.flush()).await;
        match flushed {
            Ok(Ok(_)) => {
                self.flushed.fetch_max(target, Ordering::SeqCst);
                Ok(())
            }
            Ok(Err(error)) => Err(error.to_string()),
            Err(error) => Err(format!("the flush task failed: {error}")),
        }
    }

    /// Flushes from synchronous code.
    ///
    /// # Errors
    /// Returns sled's error when the flush fails.
    pub fn flush_blocking(&self, db: &sled::Db) -> Result<(), sled::Error> {
        let target = self.written.load(Ordering::SeqCst);
        db.flush()?;
        self.flushed.fetch_max(target, Ordering::SeqCst);
        Ok(())
    }
}
