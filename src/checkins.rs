//! The check-in scheduler: one task that owns its state, sleeps until the next due check-in
//! or a wake-up, claims each due slot through the engine, posts it, and stops on shutdown.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use jiff::Timestamp;
use tokio::sync::{watch, Notify};
use tracing::{error, info, warn};

use crate::engine::checkin::Claim;
use crate::engine::{Engine, EngineError, TrajectoryId};
use crate::platform::{Destination, PostError, Poster};

/// How many due check-ins one tick handles; the rest follow in the next tick.
const TICK_BATCH: usize = 100;
/// The maximum time the scheduler sleeps without looking, in case a wake-up was missed.
const MAX_SLEEP: Duration = Duration::from_secs(300);
/// How long one post may take before it counts as a temporary failure.
const POST_TIMEOUT: Duration = Duration::from_secs(20);

/// The current time; tests inject their own.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock stopped at one instant, for demos, benchmarks and tests.
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// Counts of what one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub sent: usize,
    pub skipped: usize,
    pub failed: usize,
    /// Due entries another tick or an earlier claim handled already.
    pub not_due: usize,
}

pub struct Scheduler<P: Poster> {
    engine: Arc<Engine>,
    poster: Arc<P>,
    clock: Arc<dyn Clock>,
}

impl<P: Poster> Scheduler<P> {
    pub fn new(engine: Arc<Engine>, poster: Arc<P>, clock: Arc<dyn Clock>) -> Scheduler<P> {
        Scheduler {
            engine,
            poster,
            clock,
        }
    }

    /// Handles every check-in due now.
    ///
    /// # Errors
    /// Fails when storage fails; unsent check-ins stay due.
    pub async fn tick(&self) -> Result<TickReport, EngineError> {
        let now = self.clock.now();
        let due = self.engine.due_checkins(now, TICK_BATCH)?;
        // Every claim is durable before anything is posted, and the claims share one flush.
        let claims = self.engine.claim_checkins(due, now).await?;
        let mut report = TickReport::default();
        let mut sends = Vec::new();
        for (slot, id, claim) in claims {
            match claim {
                Claim::Send {
                    place,
                    lang,
                    message,
                } => {
                    let to = Destination {
                        place,
                        trajectory: id,
                        lang,
                    };
                    sends.push((slot, id, to, message));
                }
                Claim::Skipped { late_by } => {
                    info!(trajectory = %id, slot = %slot, late_by = %late_by, "missed check-in skipped: later than the catch-up delay");
                    report.skipped += 1;
                }
                Claim::NotDue => report.not_due += 1,
            }
        }
        let posts = join_all(sends.iter().map(|(_, _, to, message)| async move {
            let outcome = tokio::time::timeout(POST_TIMEOUT, self.poster.post(to, message)).await;
            outcome.unwrap_or_else(|_| Err(PostError::Temporary("timed out".into())))
        }))
        .await;
        for ((slot, id, to, _), outcome) in sends.iter().zip(posts) {
            match outcome {
                Ok(()) => {
                    info!(trajectory = %id, place = %to.place, slot = %slot, "check-in sent");
                    report.sent += 1;
                }
                Err(post_error) => {
                    self.failed(*id, *slot, now, &post_error).await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    async fn failed(
        &self,
        id: TrajectoryId,
        slot: Timestamp,
        now: Timestamp,
        post_error: &PostError,
    ) -> Result<(), EngineError> {
        let gone = matches!(post_error, PostError::Gone(_));
        match self.engine.checkin_failed(id, slot, now, gone).await? {
            Some(retry) => {
                warn!(trajectory = %id, slot = %slot, retry = %retry, error = %post_error, "check-in not posted; it is tried again")
            }
            None if gone => {
                error!(trajectory = %id, slot = %slot, error = %post_error, "check-in given up after the last attempt; check-ins paused because the channel is gone")
            }
            None => {
                error!(trajectory = %id, slot = %slot, error = %post_error, "check-in given up after the last attempt; the next regular check-in follows")
            }
        }
        Ok(())
    }

    /// Runs until `shutdown` turns true: ticks, then sleeps until the next due check-in, a
    /// wake-up from the engine, or at most five minutes.
    pub async fn run(self, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
        info!("check-in scheduler started");
        while !*shutdown.borrow() {
            if let Err(error) = self.tick().await {
                error!(error = %error, "check-in tick failed; retrying after a pause");
            }
            let sleep = self.sleep_duration();
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = wake.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
        info!("check-in scheduler stopped");
    }

    fn sleep_duration(&self) -> Duration {
        let next = match self.engine.next_checkin() {
            Ok(next) => next,
            Err(error) => {
                warn!(error = %error, "cannot read the next check-in time");
                None
            }
        };
        let Some(next) = next else {
            return MAX_SLEEP;
        };
        let wait = next.duration_since(self.clock.now());
        Duration::try_from(wait)
            .unwrap_or(Duration::ZERO)
            .min(MAX_SLEEP)
    }
}
