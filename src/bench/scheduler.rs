//! Scheduler tick time among many schedules.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use crate::checkins::{FixedClock, Scheduler};
use crate::content::Content;
use crate::engine::message::Message;
use crate::engine::{synthetic, Engine};
use crate::platform::{Destination, PostError, Poster};
use crate::storage::Store;

/// A poster that accepts everything, so the tick measures the scheduler and storage only.
struct NullPoster;

impl Poster for NullPoster {
    async fn post(&self, _to: &Destination, _message: &Message) -> Result<(), PostError> {
        Ok(())
    }
}

/// Ticks measured per size; the figures are their median and maximum.
pub const ROUNDS: usize = 5;

/// One size's tick times in milliseconds.
pub struct TickTimes {
    pub median: f64,
    pub max: f64,
    /// Check-ins sent per tick, which is `due` in every round.
    pub sent: Vec<usize>,
}

/// Stores `schedules` scheduled trajectories, of which `due` fall due in each of `ROUNDS`
/// rounds ten seconds apart, then times the tick of every round.
pub async fn tick_times(
    content: &'static Content,
    path: &Path,
    schedules: usize,
    due: usize,
) -> Result<TickTimes, String> {
    let now = jiff::Timestamp::now();
    {
        let store = Store::open(path).map_err(|e| e.to_string())?;
        fill(&store, schedules, due, now)?;
    }
    // Reopened as the bot finds it after a restart, so the import's own work is done.
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let engine = Arc::new(Engine::new(content, store));
    // A warm-up tick handles one schedule, so one-time costs (time zone data, the first
    // flush) stay out of the measured ticks.
    let warm_up = Scheduler::new(
        engine.clone(),
        Arc::new(NullPoster),
        Arc::new(FixedClock(at(now, -2 * 3600)?)),
    );
    warm_up.tick().await.map_err(|e| e.to_string())?;
    let mut times = Vec::with_capacity(ROUNDS);
    let mut sent = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let clock = FixedClock(at(now, 10 * round as i64)?);
        let scheduler = Scheduler::new(engine.clone(), Arc::new(NullPoster), Arc::new(clock));
        let started = Instant::now();
        let report = scheduler.tick().await.map_err(|e| e.to_string())?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        sent.push(report.sent);
    }
    times.sort_by(f64::total_cmp);
    Ok(TickTimes {
        median: times[ROUNDS / 2],
        max: times[ROUNDS - 1],
        sent,
    })
}

/// Imports the schedules: round `r`'s `due` fall due five seconds before its tick at
/// `now + 10 r` seconds, the warm-up one three hours ago, and the rest tomorrow.
fn fill(store: &Store, schedules: usize, due: usize, now: jiff::Timestamp) -> Result<(), String> {
    let tomorrow = at(now, 24 * 3600)?;
    let mut due_at = Vec::with_capacity(schedules + 1);
    due_at.push(at(now, -3 * 3600)?);
    for round in 0..ROUNDS {
        due_at.extend(std::iter::repeat_n(at(now, 10 * round as i64 - 5)?, due));
    }
    due_at.resize(schedules.max(due_at.len()), tomorrow);
    for (first, chunk) in due_at.chunks(10_000).enumerate() {
        let batch: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(offset, due)| {
                let id = (first * 10_000 + offset) as u64 + 1;
                synthetic::trajectory(id, 3, Some(*due), now)
            })
            .collect();
        store.import(&batch).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn at(now: jiff::Timestamp, seconds: i64) -> Result<jiff::Timestamp, String> {
    now.checked_add(jiff::SignedDuration::from_secs(seconds))
        .map_err(|e| e.to_string())
}
