//! Check-in schedules: rules in chat syntax, and the instants they fire at in a time zone.
//! The scheduler task that acts on them is in [`crate::checkins`].

mod rule;
mod slots;

pub use rule::{Day, Rule, RuleError, RuleProblem, MAX_DAYS, SYNTAX};
pub use slots::{upcoming_lines, Schedule, ScheduleError};
