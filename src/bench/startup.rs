//! Start-up time and memory with many stored trajectories, and bytes on disk per trajectory.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::engine::synthetic;
use crate::storage::Store;

/// Stores `count` trajectories (5 members, a weekly check-in each) and returns the bytes on
/// disk per trajectory.
pub fn fill(path: &Path, count: usize) -> Result<u64, String> {
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let now = jiff::Timestamp::now();
    let due = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 7))
        .map_err(|e| e.to_string())?;
    for chunk in (1..=count as u64).collect::<Vec<_>>().chunks(10_000) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|id| synthetic::trajectory(*id, 5, Some(due), now))
            .collect();
        store.import(&batch).map_err(|e| e.to_string())?;
    }
    let bytes = store.size_on_disk().map_err(|e| e.to_string())?;
    Ok(bytes / count.max(1) as u64)
}

/// Starts this binary's `bench-startup` probe on `path` and returns the wall time from launch
/// to its ready line in milliseconds, and its resident memory in kB.
pub fn measure(exe: &Path, path: &Path) -> Result<(f64, u64), String> {
    let started = Instant::now();
    let mut child = Command::new(exe)
        .arg("bench-startup")
        .arg("--db")
        .arg(path)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or("no standard output from the probe")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let ready = started.elapsed().as_secs_f64() * 1000.0;
    let _ = child.wait();
    let rss = line
        .split_whitespace()
        .nth(1)
        .and_then(|kb| kb.parse().ok())
        .ok_or_else(|| format!("unexpected probe output {line:?}"))?;
    Ok((ready, rss))
}

/// The probe: opens the database and the engine as `run` does, looks up the next check-in as
/// the scheduler does first, then prints `ready <resident kB>`.
pub fn ready_probe(content: &'static crate::content::Content, path: &Path) -> Result<(), String> {
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let engine = crate::engine::Engine::new(content, store);
    engine.next_checkin().map_err(|e| e.to_string())?;
    println!("ready {}", resident_kb());
    Ok(())
}

/// Resident memory of this process in kB, from /proc (0 where /proc is missing).
fn resident_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}
