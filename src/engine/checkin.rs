//! Check-ins: the schedule commands, and what the scheduler does when a slot is due.
//!
//! A slot is claimed by storing the trajectory with its next due time moved on, under an
//! event id made of the trajectory id and the slot time. Storage ignores an event id seen
//! before, so a slot is claimed at most once, however often the scheduler wakes. The claim is
//! stored before the check-in is posted: a crash between the two loses that one check-in
//! rather than sending it twice.

use jiff::{SignedDuration, Timestamp};

use super::input::CheckinCommand;
use super::message::*;
use super::model::*;
use super::step::{Ctx, Transition};
use super::views::{self, action};
use crate::content::Content;
use crate::i18n::Lang;
use crate::schedule::{Rule, RuleProblem, Schedule};

/// Check-in settings, from the `[checkins]` configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckinPolicy {
    /// The zone for rules set without one, where the server has no default.
    pub default_zone: String,
    /// Mention members with open questions (true) or only name them (false).
    pub mention_members: bool,
    /// A slot missed by at most this much is still sent; a later one is skipped.
    pub catch_up: SignedDuration,
    /// Waits before each new attempt at a check-in that failed to post.
    pub retry_delays: Vec<SignedDuration>,
}

impl Default for CheckinPolicy {
    fn default() -> Self {
        CheckinPolicy {
            default_zone: "Europe/Amsterdam".into(),
            mention_members: false,
            catch_up: SignedDuration::from_hours(2),
            retry_delays: vec![
                SignedDuration::from_mins(5),
                SignedDuration::from_mins(30),
                SignedDuration::from_hours(2),
            ],
        }
    }
}

impl Ctx<'_> {
    pub(super) fn checkin(
        &self,
        command: &CheckinCommand,
        server_zone: Option<&str>,
        policy: &CheckinPolicy,
    ) -> Transition {
        match command {
            CheckinCommand::Set { rule, zone } => {
                let zone = zone
                    .as_deref()
                    .or(server_zone)
                    .unwrap_or(&policy.default_zone);
                self.set_checkin(rule, zone)
            }
            CheckinCommand::Pause => self.pause_checkin(true),
            CheckinCommand::Resume => self.pause_checkin(false),
            CheckinCommand::Remove => self.remove_checkin(),
            CheckinCommand::Show => self.show_checkin(),
        }
    }

    /// Writes a rule in the trajectory's language.
    fn rule_text(&self, rule: &Rule) -> String {
        match self.lang() {
            Lang::Nl => rule.to_dutch(),
            Lang::En => rule.to_string(),
        }
    }

    /// Refuses a rule that does not parse, naming the part at fault in the trajectory's language.
    fn refuse_rule(&self, problem: &RuleProblem) -> Transition {
        let value = escape_markdown(problem.value());
        let detail = self
            .content
            .fill(self.lang(), problem.message_key(), &[("value", &value)]);
        self.refuse("checkin.invalid", &[("problem", &detail)])
    }

    fn set_checkin(&self, rule_text: &str, zone: &str) -> Transition {
        let rule: Rule = match rule_text.parse::<Rule>() {
            Ok(rule) => rule,
            Err(error) => return self.refuse_rule(&error.problem),
        };
        let Some((tz, zone)) = canonical_zone(zone) else {
            return self.refuse("checkin.invalid_zone", &[("zone", &escape_markdown(zone))]);
        };
        let zone = zone.as_str();
        let anchor = self.input.at.to_zoned(tz).date();
        let Ok(schedule) = Schedule::new(rule, zone, anchor) else {
            return self.refuse("checkin.invalid_zone", &[("zone", &escape_markdown(zone))]);
        };
        let next = schedule.next_after(self.input.at);
        let mut state = self.touched();
        let previous_review = state
            .trajectory
            .checkin
            .as_ref()
            .and_then(|c| c.last_review.clone());
        state.trajectory.checkin = Some(Checkin {
            rule: schedule.rule.to_string(),
            zone: zone.to_string(),
            anchor,
            paused: false,
            next_due: Some(next),
            last_sent: None,
            retry: None,
            last_review: previous_review,
            set_by: self.actor().to_string(),
        });
        let message = Message::text(self.text(
            "checkin.set",
            &[
                ("rule", &self.rule_text(&schedule.rule)),
                ("zone", zone),
                ("next", &local_time(next, zone)),
            ],
        ));
        Transition {
            state: Some(state),
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        }
    }

    fn pause_checkin(&self, paused: bool) -> Transition {
        let Some(checkin) = &self.state.trajectory.checkin else {
            return self.refuse("checkin.none", &[]);
        };
        if checkin.paused == paused {
            return self.refuse(
                if paused {
                    "checkin.already_paused"
                } else {
                    "checkin.not_paused"
                },
                &[],
            );
        }
        let mut state = self.touched();
        let Some(checkin) = state.trajectory.checkin.as_mut() else {
            return self.refuse("checkin.none", &[]);
        };
        checkin.paused = paused;
        checkin.retry = None;
        let key = if paused {
            checkin.next_due = None;
            "checkin.paused"
        } else {
            match schedule_of(checkin) {
                Some(schedule) => checkin.next_due = Some(schedule.next_after(self.input.at)),
                None => return self.refuse("checkin.none", &[]),
            }
            "checkin.resumed"
        };
        let next = checkin
            .next_due
            .map(|n| local_time(n, &checkin.zone))
            .unwrap_or_default();
        let message = Message::text(self.text(key, &[("next", &next)]));
        Transition {
            state: Some(state),
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        }
    }

    fn remove_checkin(&self) -> Transition {
        if self.state.trajectory.checkin.is_none() {
            return self.refuse("checkin.none", &[]);
        }
        let mut state = self.touched();
        state.trajectory.checkin = None;
        let message = Message::text(self.text("checkin.removed", &[]));
        Transition {
            state: Some(state),
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        }
    }

    fn show_checkin(&self) -> Transition {
        let Some(checkin) = &self.state.trajectory.checkin else {
            return self.refuse("checkin.none", &[]);
        };
        let next = match (checkin.paused, checkin.next_due) {
            (false, Some(next)) => local_time(next, &checkin.zone),
            _ => self.text("checkin.state_paused", &[]),
        };
        let rule = match checkin.rule.parse::<Rule>() {
            Ok(rule) => self.rule_text(&rule),
            Err(_) => checkin.rule.clone(),
        };
        let message = Message::text(self.text(
            "checkin.show",
            &[("rule", &rule), ("zone", &checkin.zone), ("next", &next)],
        ));
        Transition {
            effects: vec![self.reply(Visibility::Private, message)],
            ..Transition::default()
        }
    }

    pub(super) fn server_zone(&self, zone: &str) -> (Transition, Option<String>) {
        let Some((_, zone)) = canonical_zone(zone) else {
            return (
                self.refuse("checkin.invalid_zone", &[("zone", &escape_markdown(zone))]),
                None,
            );
        };
        let message = Message::text(self.text("checkin.server_zone", &[("zone", &zone)]));
        let transition = Transition {
            effects: vec![self.reply(Visibility::Public, message)],
            ..Transition::default()
        };
        (transition, Some(zone))
    }
}

/// Looks up a time zone by name, in any letter case, and returns it with its IANA name as
/// the time zone database spells it (`europe/amsterdam` becomes `Europe/Amsterdam`).
fn canonical_zone(zone: &str) -> Option<(jiff::tz::TimeZone, String)> {
    let tz = jiff::tz::TimeZone::get(zone.trim()).ok()?;
    let name = tz.iana_name().unwrap_or(zone.trim()).to_string();
    Some((tz, name))
}

/// Rebuilds the schedule of a stored check-in; None if its rule or zone no longer parse.
pub fn schedule_of(checkin: &Checkin) -> Option<Schedule> {
    let rule: Rule = checkin.rule.parse().ok()?;
    Schedule::new(rule, &checkin.zone, checkin.anchor).ok()
}

/// Formats an instant as local time in `zone`, such as `2026-03-30 09:00 (Europe/Amsterdam)`.
pub fn local_time(at: Timestamp, zone: &str) -> String {
    match jiff::tz::TimeZone::get(zone) {
        Ok(tz) => format!("{} ({zone})", at.to_zoned(tz).strftime("%Y-%m-%d %H:%M")),
        Err(_) => at.to_string(),
    }
}

/// The scheduler's next step for a due slot.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// Post this message to the trajectory's place.
    Send {
        place: Place,
        lang: Lang,
        message: Message,
    },
    /// The slot was missed by more than the catch-up delay and is skipped.
    Skipped { late_by: SignedDuration },
    /// Nothing to do: the slot was claimed before, moved, or is not due yet.
    NotDue,
}

/// Claims the slot `slot` of a trajectory at time `now`. Returns the new state to store (with
/// the next due time moved on) and what to do.
pub fn claim(
    content: &Content,
    state: &TrajectoryState,
    slot: Timestamp,
    now: Timestamp,
    policy: &CheckinPolicy,
) -> (Option<TrajectoryState>, Claim) {
    let trajectory = &state.trajectory;
    let Some(checkin) = trajectory.checkin.as_ref() else {
        return (None, Claim::NotDue);
    };
    if trajectory.due_at() != Some(slot) || slot > now {
        return (None, Claim::NotDue);
    }
    let Some(schedule) = schedule_of(checkin) else {
        return (None, Claim::NotDue);
    };
    let mut new_state = state.clone();
    let Some(updated) = new_state.trajectory.checkin.as_mut() else {
        return (None, Claim::NotDue);
    };
    let is_retry = checkin.retry.as_ref().is_some_and(|r| r.at == slot);
    if !is_retry {
        // The next slot is the first one after now, so a long outage does not replay a backlog.
        updated.next_due = Some(schedule.next_after(now.max(slot)));
        if now.duration_since(slot) > policy.catch_up {
            // Of the missed slots, only the latest can still be within the catch-up delay.
            let window_start = now.checked_sub(policy.catch_up).unwrap_or(now);
            let latest = schedule.next_after(window_start);
            if latest > now || latest <= slot {
                return (
                    Some(new_state),
                    Claim::Skipped {
                        late_by: now.duration_since(slot),
                    },
                );
            }
        }
    }
    let (message, review) = checkin_message(content, state, policy);
    let updated = new_state
        .trajectory
        .checkin
        .as_mut()
        .expect("checked above");
    updated.last_sent = Some(now);
    if let Some(review) = review {
        updated.last_review = Some(ReviewSnapshot {
            at: Some(now),
            ..review
        });
    }
    let place = new_state.trajectory.place.clone();
    let lang = new_state.trajectory.lang;
    (
        Some(new_state),
        Claim::Send {
            place,
            lang,
            message,
        },
    )
}

/// Records a failed post of the slot: schedules the next attempt, or gives up after the last
/// one. Returns the new state and whether another attempt is planned.
pub fn record_failure(
    state: &TrajectoryState,
    slot: Timestamp,
    now: Timestamp,
    gone: bool,
    policy: &CheckinPolicy,
) -> (TrajectoryState, Option<Timestamp>) {
    let mut new_state = state.clone();
    let Some(checkin) = new_state.trajectory.checkin.as_mut() else {
        return (new_state, None);
    };
    let (origin, attempt) = match &checkin.retry {
        Some(retry) if retry.at == slot => (retry.slot, retry.attempt + 1),
        _ => (slot, 1),
    };
    let delay = policy.retry_delays.get((attempt - 1) as usize).copied();
    match delay {
        Some(delay) => {
            let at = now.checked_add(delay).unwrap_or(now);
            checkin.retry = Some(Retry {
                slot: origin,
                attempt,
                at,
            });
            (new_state, Some(at))
        }
        None => {
            checkin.retry = None;
            if gone {
                // A channel that stayed gone through every attempt will not come back.
                checkin.paused = true;
                checkin.next_due = None;
            }
            (new_state, None)
        }
    }
}

/// Builds the check-in: progress and a nudge while answers are missing, a review once the
/// trajectory is complete or closed. Returns the snapshot a review leaves behind.
pub fn checkin_message(
    content: &Content,
    state: &TrajectoryState,
    policy: &CheckinPolicy,
) -> (Message, Option<ReviewSnapshot>) {
    let progress = views::progress(content, state);
    if progress.complete() || state.trajectory.is_closed() {
        let (message, snapshot) = review_message(content, state);
        return (message, Some(snapshot));
    }
    (nudge_message(content, state, &progress, policy), None)
}

fn nudge_message(
    content: &Content,
    state: &TrajectoryState,
    progress: &views::Progress,
    policy: &CheckinPolicy,
) -> Message {
    let lang = state.trajectory.lang;
    let mut blocks = vec![Block::Text(content.fill(
        lang,
        "checkin.nudge_header",
        &[("name", &escape_markdown(&state.trajectory.name))],
    ))];
    blocks.extend(
        views::status_message(content, state)
            .blocks
            .into_iter()
            .filter(|b| matches!(b, Block::Text(_))),
    );
    if !progress.members_open.is_empty() {
        let members = progress
            .members_open
            .iter()
            .map(|(id, open)| Mention {
                member: id.clone(),
                name: state.trajectory.member_name(id).to_string(),
                open: *open,
            })
            .collect();
        blocks.push(Block::Text(
            content.msg(lang, "checkin.open_members").to_string(),
        ));
        blocks.push(Block::Mentions {
            members,
            ping: policy.mention_members,
        });
    }
    blocks.push(Block::Actions(vec![action(
        content,
        lang,
        ActionKind::PrivateWalk,
        "walk.private",
        ActionStyle::Primary,
    )]));
    Message { blocks }
}

fn review_message(content: &Content, state: &TrajectoryState) -> (Message, ReviewSnapshot) {
    let lang = state.trajectory.lang;
    let (advice, _) = super::step::advise(content, state);
    let snapshot = ReviewSnapshot {
        at: None,
        leading: advice.leading.clone(),
        ranking: advice
            .strategies
            .iter()
            .map(|s| (s.strategy.clone(), s.fit.key().to_string()))
            .collect(),
        flags: advice.flags.iter().map(|f| f.flag.clone()).collect(),
        disputed: advice.disputed.clone(),
    };
    let name = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| content.strategy(id))
            .map_or_else(|| "—".to_string(), |s| s.name.get(lang).to_string())
    };
    let mut lines = vec![content.fill(
        lang,
        "checkin.review_header",
        &[("name", &escape_markdown(&state.trajectory.name))],
    )];
    let previous = state
        .trajectory
        .checkin
        .as_ref()
        .and_then(|c| c.last_review.clone());
    match previous {
        None => lines.push(content.fill(
            lang,
            "checkin.review_first",
            &[("leading", &name(&snapshot.leading))],
        )),
        Some(previous)
            if previous.leading == snapshot.leading
                && previous.flags == snapshot.flags
                && previous.disputed == snapshot.disputed =>
        {
            lines.push(content.fill(
                lang,
                "checkin.review_unchanged",
                &[("leading", &name(&snapshot.leading))],
            ));
        }
        Some(previous) => lines.extend(review_changes(content, state, &previous, &snapshot)),
    }
    let actions = vec![
        action(
            content,
            lang,
            ActionKind::PrivateWalk,
            "checkin.update_button",
            ActionStyle::Primary,
        ),
        action(
            content,
            lang,
            ActionKind::Result,
            "walk.result",
            ActionStyle::Secondary,
        ),
    ];
    (
        Message {
            blocks: vec![Block::Text(lines.join("\n")), Block::Actions(actions)],
        },
        snapshot,
    )
}

fn review_changes(
    content: &Content,
    state: &TrajectoryState,
    previous: &ReviewSnapshot,
    current: &ReviewSnapshot,
) -> Vec<String> {
    let lang = state.trajectory.lang;
    let strategy = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| content.strategy(id))
            .map_or_else(|| "—".to_string(), |s| s.name.get(lang).to_string())
    };
    let flag = |id: &String| {
        content
            .flag(id)
            .map_or_else(|| id.clone(), |f| f.title.get(lang).to_string())
    };
    let mut lines = Vec::new();
    if previous.leading != current.leading {
        lines.push(content.fill(
            lang,
            "checkin.review_leading",
            &[
                ("before", &strategy(&previous.leading)),
                ("now", &strategy(&current.leading)),
            ],
        ));
    }
    let added: Vec<String> = current
        .flags
        .iter()
        .filter(|f| !previous.flags.contains(f))
        .map(flag)
        .collect();
    let gone: Vec<String> = previous
        .flags
        .iter()
        .filter(|f| !current.flags.contains(f))
        .map(flag)
        .collect();
    if !added.is_empty() {
        lines.push(content.fill(
            lang,
            "checkin.review_new_flags",
            &[("flags", &added.join(", "))],
        ));
    }
    if !gone.is_empty() {
        lines.push(content.fill(
            lang,
            "checkin.review_gone_flags",
            &[("flags", &gone.join(", "))],
        ));
    }
    if previous.disputed != current.disputed {
        let disputed = if current.disputed.is_empty() {
            "—".to_string()
        } else {
            current.disputed.join(", ")
        };
        lines.push(content.fill(lang, "checkin.review_disputed", &[("questions", &disputed)]));
    }
    lines
}
