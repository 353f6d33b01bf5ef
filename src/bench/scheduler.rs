//! Scheduler tick time among many schedules.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use crate::checkins::{FixedClock, Scheduler, TickReport};
use crate::content::Content;
use crate::engine::message::Message;
use crate::engine::{synthetic, Engine, Place};
use crate::platform::{PostError, Poster};
use crate::storage::Store;

/// A poster that accepts everything, so the tick measures the scheduler and storage only.
struct NullPoster;

impl Poster for NullPoster {
    async fn post(&self, _place: &Place, _message: &Message) -> Result<(), PostError> {
        Ok(())
    }
}

/// Stores `schedules` scheduled trajectories of which `due` are due, then times one tick.
pub async fn tick_time(
    content: &'static Content,
    path: &Path,
    schedules: usize,
    due: usize,
) -> Result<(f64, TickReport), String> {
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let now = jiff::Timestamp::now();
    let later = now
        .checked_add(jiff::SignedDuration::from_hours(24))
        .map_err(|e| e.to_string())?;
    let earlier = now
        .checked_sub(jiff::SignedDuration::from_mins(1))
        .map_err(|e| e.to_string())?;
    for chunk in (1..=schedules as u64).collect::<Vec<_>>().chunks(10_000) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|id| {
                synthetic::trajectory(
                    *id,
                    3,
                    Some(if (*id as usize) <= due {
                        earlier
                    } else {
                        later
                    }),
                    now,
                )
            })
            .collect();
        store.import(&batch).map_err(|e| e.to_string())?;
    }
    // One more schedule, due three hours ago, is handled by a warm-up tick two hours ago, so
    // one-time costs (time zone data, first flush) stay out of the measured tick.
    let warm_up_due = now
        .checked_sub(jiff::SignedDuration::from_hours(3))
        .map_err(|e| e.to_string())?;
    let warm_up_at = now
        .checked_sub(jiff::SignedDuration::from_hours(2))
        .map_err(|e| e.to_string())?;
    store
        .import(&[synthetic::trajectory(
            schedules as u64 + 1,
            3,
            Some(warm_up_due),
            now,
        )])
        .map_err(|e| e.to_string())?;
    let engine = Arc::new(Engine::new(content, store));
    let warm_up = Scheduler::new(
        engine.clone(),
        Arc::new(NullPoster),
        Arc::new(FixedClock(warm_up_at)),
    );
    warm_up.tick().await.map_err(|e| e.to_string())?;
    let scheduler = Scheduler::new(engine, Arc::new(NullPoster), Arc::new(FixedClock(now)));
    let started = Instant::now();
    let report = scheduler.tick().await.map_err(|e| e.to_string())?;
    Ok((started.elapsed().as_secs_f64() * 1000.0, report))
}
