//! Check-in rules: `weekly mon,thu 09:00` and `every 14 days 09:30`, in English or Dutch.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use jiff::civil::{Time, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The accepted syntax, shown with every parse error.
pub const SYNTAX: &str = "expected a rule such as \"weekly mon,thu 09:00\", \"every 14 days 09:30\" or \"every day 09:00\" \
(Dutch: \"wekelijks ma,do 09:00\", \"elke 14 dagen 09:30\"); days: mon tue wed thu fri sat sun, or ma di wo do vr za zo; \
N from 1 to 365; time as HH:MM, 24-hour";

/// The largest N of `every N days`.
pub const MAX_DAYS: u16 = 365;

/// When check-ins happen, as local wall-clock times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// On each of these weekdays at `time`.
    Weekly { days: BTreeSet<Day>, time: Time },
    /// Every `days` days at `time`, counted from the schedule's anchor date.
    EveryDays { days: u16, time: Time },
}

/// A weekday, ordered Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub u8);

impl Day {
    const NAMES: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    pub fn weekday(self) -> Weekday {
        Weekday::from_monday_one_offset(self.0 as i8 + 1).unwrap_or(Weekday::Monday)
    }

    pub fn of(weekday: Weekday) -> Day {
        Day((weekday.to_monday_one_offset() - 1) as u8)
    }

    fn parse(word: &str) -> Option<Day> {
        const ALIASES: [&[&str]; 7] = [
            &["mon", "monday", "ma", "maandag"],
            &["tue", "tuesday", "di", "dinsdag"],
            &["wed", "wednesday", "wo", "woensdag"],
            &["thu", "thursday", "do", "donderdag"],
            &["fri", "friday", "vr", "vrijdag"],
            &["sat", "saturday", "za", "zaterdag"],
            &["sun", "sunday", "zo", "zondag"],
        ];
        let word = word.to_lowercase();
        ALIASES
            .iter()
            .position(|names| names.contains(&word.as_str()))
            .map(|i| Day(i as u8))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Day::NAMES[usize::from(self.0 % 7)])
    }
}

/// A rule that does not parse. The message names the part at fault and the accepted syntax.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid check-in rule {rule:?}: {problem}; {SYNTAX}")]
pub struct RuleError {
    pub rule: String,
    pub problem: RuleProblem,
}

/// The part of a rule at fault. Chat replies name it in the member's language through
/// [`RuleProblem::message_key`]; `Display` gives the English text for logs and the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleProblem {
    Empty,
    WeeklyShape,
    IntervalShape,
    UnknownKeyword(String),
    EmptyDay,
    UnknownDay(String),
    RepeatedDay(String),
    Time(String),
    DayCount(String),
}

impl RuleProblem {
    /// Returns the key of this problem's text in the message catalogue; the text takes `{value}`.
    pub fn message_key(&self) -> &'static str {
        match self {
            RuleProblem::Empty => "rule.empty",
            RuleProblem::WeeklyShape => "rule.weekly_shape",
            RuleProblem::IntervalShape => "rule.interval_shape",
            RuleProblem::UnknownKeyword(_) => "rule.unknown_keyword",
            RuleProblem::EmptyDay => "rule.empty_day",
            RuleProblem::UnknownDay(_) => "rule.unknown_day",
            RuleProblem::RepeatedDay(_) => "rule.repeated_day",
            RuleProblem::Time(_) => "rule.time",
            RuleProblem::DayCount(_) => "rule.day_count",
        }
    }

    /// Returns the offending word, or "" when the problem has none.
    pub fn value(&self) -> &str {
        match self {
            RuleProblem::UnknownKeyword(v)
            | RuleProblem::UnknownDay(v)
            | RuleProblem::RepeatedDay(v)
            | RuleProblem::Time(v)
            | RuleProblem::DayCount(v) => v,
            RuleProblem::Empty
            | RuleProblem::WeeklyShape
            | RuleProblem::IntervalShape
            | RuleProblem::EmptyDay => "",
        }
    }
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleProblem::Empty => f.write_str("the rule is empty"),
            RuleProblem::WeeklyShape => f.write_str("a weekly rule has a list of days and a time"),
            RuleProblem::IntervalShape => {
                f.write_str("an interval rule reads \"every N days HH:MM\"")
            }
            RuleProblem::UnknownKeyword(word) => write!(
                f,
                "unknown keyword {word:?}: start with \"weekly\" or \"every\""
            ),
            RuleProblem::EmptyDay => f.write_str("an empty day in the list"),
            RuleProblem::UnknownDay(word) => write!(f, "unknown day {word:?}"),
            RuleProblem::RepeatedDay(word) => write!(f, "day {word:?} is listed twice"),
            RuleProblem::Time(text) => {
                write!(f, "invalid time {text:?}: use HH:MM from 00:00 to 23:59")
            }
            RuleProblem::DayCount(text) => {
                write!(f, "invalid number of days {text:?}: use 1 to {MAX_DAYS}")
            }
        }
    }
}

impl FromStr for Rule {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Rule, RuleError> {
        let fail = |problem: RuleProblem| RuleError {
            rule: text.to_string(),
            problem,
        };
        // Spaces around the commas of a day list are allowed: "mon, thu" reads as "mon,thu".
        let joined: Vec<&str> = text.split(',').map(str::trim).collect();
        let words: Vec<String> = joined
            .join(",")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match words.as_slice() {
            [] => Err(fail(RuleProblem::Empty)),
            ["weekly" | "wekelijks", days, time] => Ok(Rule::Weekly {
                days: parse_days(days).map_err(fail)?,
                time: parse_time(time).map_err(fail)?,
            }),
            ["weekly" | "wekelijks", ..] => Err(fail(RuleProblem::WeeklyShape)),
            ["every" | "elke" | "iedere", "day" | "dag", time] => Ok(Rule::EveryDays {
                days: 1,
                time: parse_time(time).map_err(fail)?,
            }),
            ["every" | "elke" | "iedere", count, "days" | "dagen" | "day" | "dag", time] => {
                Ok(Rule::EveryDays {
                    days: parse_count(count).map_err(fail)?,
                    time: parse_time(time).map_err(fail)?,
                })
            }
            ["every" | "elke" | "iedere", ..] => Err(fail(RuleProblem::IntervalShape)),
            [first, ..] => Err(fail(RuleProblem::UnknownKeyword(first.to_string()))),
        }
    }
}

fn parse_days(list: &str) -> Result<BTreeSet<Day>, RuleProblem> {
    let mut days = BTreeSet::new();
    for word in list.split(',').map(str::trim) {
        if word.is_empty() {
            return Err(RuleProblem::EmptyDay);
        }
        let day = Day::parse(word).ok_or_else(|| RuleProblem::UnknownDay(word.to_string()))?;
        if !days.insert(day) {
            return Err(RuleProblem::RepeatedDay(word.to_string()));
        }
    }
    Ok(days)
}

fn parse_time(text: &str) -> Result<Time, RuleProblem> {
    let invalid = || RuleProblem::Time(text.to_string());
    let (hours, minutes) = text.split_once(':').ok_or_else(invalid)?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return Err(invalid());
    }
    let hours: i8 = hours.parse().map_err(|_| invalid())?;
    let minutes: i8 = minutes.parse().map_err(|_| invalid())?;
    Time::new(hours, minutes, 0, 0).map_err(|_| invalid())
}

fn parse_count(text: &str) -> Result<u16, RuleProblem> {
    match text.parse::<u16>() {
        Ok(n) if (1..=MAX_DAYS).contains(&n) => Ok(n),
        _ => Err(RuleProblem::DayCount(text.to_string())),
    }
}

impl Rule {
    /// Writes the rule in Dutch (`wekelijks ma,do 09:00`, `elke 14 dagen 09:30`); it parses
    /// back to the same rule. `Display` gives the English canonical form that is stored.
    pub fn to_dutch(&self) -> String {
        const DAYS: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];
        match self {
            Rule::Weekly { days, time } => {
                let days: Vec<&str> = days.iter().map(|d| DAYS[usize::from(d.0 % 7)]).collect();
                format!("wekelijks {} {}", days.join(","), time.strftime("%H:%M"))
            }
            Rule::EveryDays { days: 1, time } => format!("elke dag {}", time.strftime("%H:%M")),
            Rule::EveryDays { days, time } => {
                format!("elke {days} dagen {}", time.strftime("%H:%M"))
            }
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Weekly { days, time } => {
                let days: Vec<String> = days.iter().map(Day::to_string).collect();
                write!(f, "weekly {} {}", days.join(","), time.strftime("%H:%M"))
            }
            Rule::EveryDays { days: 1, time } => write!(f, "every day {}", time.strftime("%H:%M")),
            Rule::EveryDays { days, time } => {
                write!(f, "every {days} days {}", time.strftime("%H:%M"))
            }
        }
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms_round_trip() {
        let cases = [
            ("weekly mon,thu 09:00", "weekly mon,thu 09:00"),
            ("Weekly thu,MON 9:00", "weekly mon,thu 09:00"),
            ("wekelijks ma,do 09:00", "weekly mon,thu 09:00"),
            ("weekly maandag,friday 17:45", "weekly mon,fri 17:45"),
            ("weekly mon, thu 09:00", "weekly mon,thu 09:00"),
            ("every 14 days 09:30", "every 14 days 09:30"),
            ("elke 14 dagen 09:30", "every 14 days 09:30"),
            ("every day 08:00", "every day 08:00"),
            ("elke dag 08:00", "every day 08:00"),
            ("  every 1 days 00:00  ", "every day 00:00"),
        ];
        for (input, canonical) in cases {
            let rule: Rule = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(rule.to_string(), canonical, "{input}");
            let again: Rule = canonical.parse().unwrap();
            assert_eq!(again, rule, "{input} round-trips");
        }
    }

    #[test]
    fn dutch_form_parses_back_to_the_same_rule() {
        let cases = [
            ("weekly mon,thu 09:00", "wekelijks ma,do 09:00"),
            ("weekly sun 18:30", "wekelijks zo 18:30"),
            ("every 14 days 09:30", "elke 14 dagen 09:30"),
            ("every day 08:00", "elke dag 08:00"),
        ];
        for (english, dutch) in cases {
            let rule: Rule = english.parse().unwrap();
            assert_eq!(rule.to_dutch(), dutch);
            assert_eq!(dutch.parse::<Rule>().unwrap(), rule, "{dutch}");
        }
    }

    #[test]
    fn errors_name_the_value() {
        let cases = [
            ("", "empty"),
            ("monthly 1 09:00", "\"monthly\""),
            ("weekly mon,xyz 09:00", "\"xyz\""),
            ("weekly mon,mon 09:00", "listed twice"),
            ("weekly mon", "list of days and a time"),
            ("weekly mon 24:00", "\"24:00\""),
            ("weekly mon 9:60", "\"9:60\""),
            ("weekly mon 0900", "\"0900\""),
            ("every 0 days 09:00", "\"0\""),
            ("every 366 days 09:00", "\"366\""),
            ("every 14 days 09:30 extra", "every N days"),
        ];
        for (input, expected) in cases {
            let error = input.parse::<Rule>().expect_err(input).to_string();
            assert!(error.contains(expected), "{input}: {error}");
            assert!(
                error.contains("weekly mon,thu 09:00"),
                "{input}: the syntax is shown: {error}"
            );
        }
    }
}
