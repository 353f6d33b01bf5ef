//! Latency figures.

use std::fmt;
use std::time::Duration;

/// Latencies of many operations with the wall time they took together.
pub struct Latencies {
    /// Microseconds per operation, sorted.
    pub micros: Vec<u64>,
    pub wall: Duration,
}

impl Latencies {
    pub fn new(mut micros: Vec<u64>, wall: Duration) -> Latencies {
        micros.sort_unstable();
        Latencies { micros, wall }
    }

    /// Operations per second over the wall time.
    pub fn rate(&self) -> f64 {
        self.micros.len() as f64 / self.wall.as_secs_f64().max(f64::EPSILON)
    }

    /// Returns the latency at quantile `q` (0 to 1), in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.micros.is_empty() {
            return 0.0;
        }
        let index = ((self.micros.len() - 1) as f64 * q).round() as usize;
        self.micros[index] as f64 / 1000.0
    }
}

impl fmt::Display for Latencies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} answers in {:.2} s = {:.0}/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.micros.len(),
            self.wall.as_secs_f64(),
            self.rate(),
            self.quantile_ms(0.5),
            self.quantile_ms(0.99),
            self.quantile_ms(1.0)
        )
    }
}
