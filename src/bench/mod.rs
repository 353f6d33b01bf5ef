//! `schaalwijzer bench`: the engine and sled storage measured in process, side by side with
//! raw sled at the same durability. `--quick` runs the same measurements at smaller sizes.
//! The figures, the machine and what limits each one are written down in BENCHMARKS.md.

pub mod answers;
mod figures;
mod scheduler;
mod startup;

use std::path::{Path, PathBuf};

pub use figures::Latencies;
pub use startup::ready_probe;

use crate::content::Content;

/// Sizes of one benchmark run.
#[derive(Debug, Clone)]
pub struct Sizes {
    pub trajectories: Vec<usize>,
    pub members: usize,
    pub advice_members: Vec<usize>,
    pub stored: usize,
    pub due: Vec<usize>,
}

impl Sizes {
    pub fn full() -> Sizes {
        Sizes {
            trajectories: vec![1, 100, 10_000],
            members: 5,
            advice_members: vec![5, 50, 500],
            stored: 100_000,
            due: vec![0, 10, 1000],
        }
    }

    pub fn quick() -> Sizes {
        Sizes {
            trajectories: vec![1, 100, 1000],
            members: 5,
            advice_members: vec![5, 50, 500],
            stored: 10_000,
            due: vec![0, 10, 100],
        }
    }
}

/// Runs every benchmark and prints the figures. `dir` holds the databases; `exe` is this
/// binary, started again to measure start-up.
///
/// # Errors
/// Returns a message when a database cannot be created or a measurement fails.
pub async fn run(
    content: &'static Content,
    sizes: &Sizes,
    dir: &Path,
    exe: &Path,
) -> Result<(), String> {
    println!(
        "schaalwijzer bench: {} cores, sizes {sizes:?}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for &trajectories in &sizes.trajectories {
        let path = dir.join(format!("answers-{trajectories}"));
        let engine = answers::engine_answers(content, &path, trajectories, sizes.members).await?;
        let raw = answers::raw_answers(
            content,
            &dir.join(format!("raw-{trajectories}")),
            trajectories,
            sizes.members,
        )
        .await?;
        println!(
            "answers, {trajectories} trajectories x {} members: engine {engine}",
            sizes.members
        );
        println!(
            "answers, {trajectories} trajectories x {} members: raw sled {raw}",
            sizes.members
        );
        println!("ratio engine/raw: {:.2}", engine.rate() / raw.rate());
    }
    for &members in &sizes.advice_members {
        let per_call = answers::advice_time(content, members);
        println!("advice, {members} members: {per_call:.3} ms per result");
    }
    let stored_dir: PathBuf = dir.join("stored");
    let per_trajectory = startup::fill(&stored_dir, sizes.stored)?;
    println!(
        "disk, {} stored trajectories: {per_trajectory} bytes per trajectory",
        sizes.stored
    );
    let (ready, rss) = startup::measure(exe, &stored_dir)?;
    println!(
        "start-up, {} stored trajectories: ready in {ready:.1} ms, {rss} kB resident",
        sizes.stored
    );
    for &due in &sizes.due {
        let ticks =
            scheduler::tick_times(content, &dir.join(format!("tick-{due}")), sizes.stored, due)
                .await?;
        println!(
            "tick, {} schedules, {due} due: median {:.3} ms, max {:.3} ms over {} ticks (sent per tick: {:?})",
            sizes.stored,
            ticks.median,
            ticks.max,
            scheduler::ROUNDS,
            ticks.sent
        );
    }
    Ok(())
}
