//! From a rule to concrete instants, on the local wall clock of an IANA time zone.

use jiff::civil::Date;
use jiff::tz::{Disambiguation, TimeZone};
use jiff::{Timestamp, ToSpan, Zoned};

use super::rule::{Day, Rule};

/// Why a schedule cannot be built or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error(transparent)]
    Rule(#[from] super::rule::RuleError),
    #[error("unknown time zone {0:?}: use an IANA name such as \"Europe/Amsterdam\" or \"UTC\"")]
    Zone(String),
    #[error("invalid start time {0:?}: use RFC 3339 with an offset, such as \"2026-03-30T09:00:00+02:00\", from the year -9999 to 9999-12-30")]
    From(String),
    #[error("invalid count {0}: use 1 to 1000")]
    Count(usize),
}

/// A rule in a time zone, with the date that `every N days` counts from.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub rule: Rule,
    pub zone: String,
    pub anchor: Date,
    tz: TimeZone,
}

impl Schedule {
    /// # Errors
    /// [`ScheduleError::Zone`] when `zone` is not a known IANA time zone.
    pub fn new(rule: Rule, zone: &str, anchor: Date) -> Result<Schedule, ScheduleError> {
        let tz = TimeZone::get(zone).map_err(|_| ScheduleError::Zone(zone.to_string()))?;
        Ok(Schedule {
            rule,
            zone: zone.to_string(),
            anchor,
            tz,
        })
    }

    /// Returns the first check-in strictly after `after`.
    ///
    /// Times are local wall-clock times, computed with calendar arithmetic, so 09:00 stays
    /// 09:00 across daylight-saving changes. A local time that does not exist (in the
    /// spring-forward gap, such as 02:30 on 29 March 2026 in Europe/Amsterdam) fires once,
    /// shifted forward by the length of the gap (03:30 CEST). A local time that occurs twice
    /// (in the autumn repeated hour, such as 02:30 on 25 October 2026) fires once, at its
    /// first occurrence (02:30 CEST, +02:00).
    pub fn next_after(&self, after: Timestamp) -> Timestamp {
        let local = after.to_zoned(self.tz.clone());
        let mut date = local.date();
        // A slot is at most MAX_DAYS days ahead; the bound guards against a loop on bad data.
        for _ in 0..=(usize::from(super::rule::MAX_DAYS) + 8) {
            if self.fires_on(date) {
                if let Some(at) = self.slot_on(date) {
                    if at > after {
                        return at;
                    }
                }
            }
            date = match date.checked_add(1.day()) {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        after
    }

    /// Returns the next `count` check-ins after `from`, as local times.
    pub fn upcoming(&self, from: Timestamp, count: usize) -> Vec<Zoned> {
        let mut slots = Vec::with_capacity(count);
        let mut cursor = from;
        for _ in 0..count {
            let next = self.next_after(cursor);
            if next <= cursor {
                break;
            }
            slots.push(next.to_zoned(self.tz.clone()));
            cursor = next;
        }
        slots
    }

    fn fires_on(&self, date: Date) -> bool {
        match &self.rule {
            Rule::Weekly { days, .. } => days.contains(&Day::of(date.weekday())),
            Rule::EveryDays { days, .. } => {
                let Ok(span) = self.anchor.until(date) else {
                    return false;
                };
                let elapsed = i64::from(span.get_days());
                elapsed >= 0 && elapsed % i64::from(*days) == 0
            }
        }
    }

    fn slot_on(&self, date: Date) -> Option<Timestamp> {
        let time = match &self.rule {
            Rule::Weekly { time, .. } | Rule::EveryDays { time, .. } => *time,
        };
        let local = date.to_datetime(time);
        // "Compatible" moves a time in a gap forward by the gap and takes the earlier of two
        // occurrences in a fold.
        let zoned = self
            .tz
            .to_ambiguous_zoned(local)
            .disambiguate(Disambiguation::Compatible)
            .ok()?;
        Some(zoned.timestamp())
    }
}

/// Returns the lines `schaalwijzer schedule` prints: the next `count` check-ins of `rule` in
/// `zone` after `from` (default now), one RFC 3339 time with offset per line. For
/// `every N days`, counting starts on the local date of `from`.
///
/// # Errors
/// Returns a [`ScheduleError`] for an invalid rule, zone, start time or count.
pub fn upcoming_lines(
    rule: &str,
    zone: &str,
    from: Option<&str>,
    count: usize,
) -> Result<Vec<String>, ScheduleError> {
    if !(1..=1000).contains(&count) {
        return Err(ScheduleError::Count(count));
    }
    let rule: Rule = rule.parse()?;
    let from = match from {
        Some(text) => text
            .parse::<Timestamp>()
            .map_err(|_| ScheduleError::From(text.to_string()))?,
        None => Timestamp::now(),
    };
    let tz = TimeZone::get(zone).map_err(|_| ScheduleError::Zone(zone.to_string()))?;
    let anchor = from.to_zoned(tz).date();
    let schedule = Schedule::new(rule, zone, anchor)?;
    Ok(schedule
        .upcoming(from, count)
        .iter()
        .map(|z| z.timestamp().display_with_offset(z.offset()).to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(rule: &str, anchor: &str) -> Schedule {
        Schedule::new(
            rule.parse().unwrap(),
            "Europe/Amsterdam",
            anchor.parse().unwrap(),
        )
        .unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn weekly_keeps_local_time_across_both_changes() {
        let weekly = schedule("weekly mon,thu 09:00", "2026-01-01");
        let cases = [
            ("2026-03-25T12:00:00Z", "2026-03-26T08:00:00Z"),
            ("2026-03-26T08:00:00Z", "2026-03-30T07:00:00Z"),
            ("2026-10-20T12:00:00Z", "2026-10-22T07:00:00Z"),
            ("2026-10-22T07:00:00Z", "2026-10-26T08:00:00Z"),
        ];
        for (after, expected) in cases {
            assert_eq!(weekly.next_after(at(after)), at(expected), "after {after}");
        }
    }

    #[test]
    fn gap_time_fires_once_shifted() {
        let daily = schedule("every day 02:30", "2026-03-01");
        let slot = daily.next_after(at("2026-03-28T12:00:00Z"));
        assert_eq!(slot, at("2026-03-29T01:30:00Z"), "03:30 CEST");
        let following = daily.next_after(slot);
        assert_eq!(
            following,
            at("2026-03-30T00:30:00Z"),
            "the next day at 02:30 CEST, no second slot on the 29th"
        );
    }

    #[test]
    fn repeated_hour_fires_once() {
        let daily = schedule("every day 02:30", "2026-10-01");
        let first = daily.next_after(at("2026-10-24T12:00:00Z"));
        assert_eq!(
            first,
            at("2026-10-25T00:30:00Z"),
            "the first 02:30, at +02:00"
        );
        let next = daily.next_after(first);
        assert_eq!(
            next,
            at("2026-10-26T01:30:00Z"),
            "the second 02:30 (+01:00) does not fire"
        );
    }

    #[test]
    fn every_fourteen_days_across_change() {
        let fortnightly = schedule("every 14 days 09:30", "2026-03-19");
        let first = fortnightly.next_after(at("2026-03-19T00:00:00Z"));
        assert_eq!(
            first,
            at("2026-03-19T08:30:00Z"),
            "09:30 CET on the anchor day"
        );
        let second = fortnightly.next_after(first);
        assert_eq!(
            second,
            at("2026-04-02T07:30:00Z"),
            "09:30 CEST fourteen days later"
        );
    }

    #[test]
    fn upcoming_lines_print_offsets() {
        let lines = upcoming_lines(
            "weekly mon 09:00",
            "Europe/Amsterdam",
            Some("2026-03-20T00:00:00Z"),
            2,
        )
        .unwrap();
        assert_eq!(
            lines,
            ["2026-03-23T09:00:00+01:00", "2026-03-30T09:00:00+02:00"]
        );
    }

    #[test]
    fn upcoming_lines_reject_bad_input() {
        assert!(matches!(
            upcoming_lines("weekly mon 09:00", "Mars/Base", None, 3),
            Err(ScheduleError::Zone(_))
        ));
        assert!(matches!(
            upcoming_lines("weekly mon 09:00", "UTC", Some("yesterday"), 3),
            Err(ScheduleError::From(_))
        ));
        assert!(matches!(
            upcoming_lines("weekly mon 09:00", "UTC", None, 0),
            Err(ScheduleError::Count(0))
        ));
        assert!(matches!(
            upcoming_lines("sometimes", "UTC", None, 3),
            Err(ScheduleError::Rule(_))
        ));
    }
}
