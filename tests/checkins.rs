//! The check-in scheduler with an injected clock: due times across daylight-saving changes,
//! exactly-once claims, catch-up after downtime, and failing channels.

mod common;

use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use schaalwijzer::checkins::{Clock, Scheduler, TickReport};
use schaalwijzer::engine::message::{Block, Message};
use schaalwijzer::engine::{CheckinCommand, Command, Engine, Input, TrajectoryId};
use schaalwijzer::platform::{Destination, PostError, Poster};

struct TestClock(Mutex<Timestamp>);

impl TestClock {
    fn at(text: &str) -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(text.parse().unwrap())))
    }

    fn set(&self, text: &str) {
        *self.0.lock().unwrap() = text.parse().unwrap();
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

/// Records posts; posts to channels listed in `gone` fail as if the channel was deleted.
#[derive(Default)]
struct TestPoster {
    posts: Mutex<Vec<(Destination, Message)>>,
    gone: Mutex<Vec<String>>,
}

impl TestPoster {
    fn count(&self) -> usize {
        self.posts.lock().unwrap().len()
    }

    fn channels(&self) -> Vec<String> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .map(|(to, _)| to.place.channel.clone())
            .collect()
    }
}

impl Poster for TestPoster {
    async fn post(&self, to: &Destination, message: &Message) -> Result<(), PostError> {
        if self.gone.lock().unwrap().contains(&to.place.channel) {
            return Err(PostError::Gone(to.place.channel.clone()));
        }
        self.posts
            .lock()
            .unwrap()
            .push((to.clone(), message.clone()));
        Ok(())
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    engine: Arc<Engine>,
    clock: Arc<TestClock>,
    poster: Arc<TestPoster>,
}

impl Setup {
    fn new(now: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let engine = Arc::new(common::engine_at(&dir.path().join("db")));
        Setup {
            _dir: dir,
            engine,
            clock: TestClock::at(now),
            poster: Arc::default(),
        }
    }

    fn scheduler(&self) -> Scheduler<TestPoster> {
        Scheduler::new(self.engine.clone(), self.poster.clone(), self.clock.clone())
    }

    async fn send_at(&self, channel: &str, command: Command) {
        let input = Input {
            at: self.clock.now(),
            ..common::input(channel, "anna", command)
        };
        self.engine.handle(input).await.unwrap();
    }

    /// Starts a trajectory in `channel` and sets its check-in rule, at the clock's time.
    async fn trajectory_with_rule(&self, channel: &str, rule: &str) -> TrajectoryId {
        self.send_at(
            channel,
            Command::Start {
                name: "App".into(),
                description: String::new(),
                lang: None,
            },
        )
        .await;
        let set = CheckinCommand::Set {
            rule: rule.into(),
            zone: Some("Europe/Amsterdam".into()),
        };
        self.send_at(channel, Command::Checkin(set)).await;
        self.engine
            .store()
            .binding(&common::place(channel))
            .unwrap()
            .unwrap()
    }

    async fn tick_at(&self, now: &str) -> TickReport {
        self.clock.set(now);
        self.scheduler().tick().await.unwrap()
    }

    async fn next_due(&self, id: TrajectoryId) -> Option<Timestamp> {
        self.engine
            .state(id)
            .await
            .unwrap()
            .unwrap()
            .trajectory
            .due_at()
    }
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[tokio::test]
async fn weekly_fires_at_local_nine_across_changes() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    let id = setup
        .trajectory_with_rule("c1", "weekly mon,thu 09:00")
        .await;
    assert_eq!(
        setup.next_due(id).await,
        Some(at("2026-03-26T08:00:00Z")),
        "Thursday 09:00 CET"
    );
    assert_eq!(
        setup.tick_at("2026-03-26T07:59:59Z").await.sent,
        0,
        "a timer waking early sends nothing"
    );
    assert_eq!(setup.tick_at("2026-03-26T08:00:00Z").await.sent, 1);
    assert_eq!(
        setup.next_due(id).await,
        Some(at("2026-03-30T07:00:00Z")),
        "Monday 09:00 CEST"
    );
    assert_eq!(setup.tick_at("2026-03-30T07:00:05Z").await.sent, 1);

    setup.clock.set("2026-10-20T12:00:00Z");
    setup
        .send_at(
            "c1",
            Command::Checkin(CheckinCommand::Set {
                rule: "weekly mon,thu 09:00".into(),
                zone: None,
            }),
        )
        .await;
    assert_eq!(
        setup.next_due(id).await,
        Some(at("2026-10-22T07:00:00Z")),
        "Thursday 09:00 CEST"
    );
    assert_eq!(setup.tick_at("2026-10-22T07:00:00Z").await.sent, 1);
    assert_eq!(
        setup.next_due(id).await,
        Some(at("2026-10-26T08:00:00Z")),
        "Monday 09:00 CET"
    );
    assert_eq!(setup.poster.count(), 3);
}

#[tokio::test]
async fn slot_is_claimed_once() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    setup.trajectory_with_rule("c1", "weekly thu 09:00").await;
    setup.clock.set("2026-03-26T08:00:00Z");
    let (one, two) = (setup.scheduler(), setup.scheduler());
    let (first, second) = tokio::join!(one.tick(), two.tick());
    let sent = first.unwrap().sent + second.unwrap().sent;
    assert_eq!(
        sent, 1,
        "two schedulers (two ready events) send one check-in"
    );
    assert_eq!(
        setup.tick_at("2026-03-26T08:00:01Z").await.sent,
        0,
        "a second tick sends nothing"
    );
    assert_eq!(setup.poster.count(), 1);
}

#[tokio::test]
async fn restart_before_and_after_due_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let clock = TestClock::at("2026-03-24T12:00:00Z");
    let poster = Arc::new(TestPoster::default());
    {
        let engine = Arc::new(common::engine_at(&path));
        let setup = Setup {
            _dir: tempfile::tempdir().unwrap(),
            engine,
            clock: clock.clone(),
            poster: poster.clone(),
        };
        setup.trajectory_with_rule("c1", "weekly thu 09:00").await;
        assert_eq!(setup.tick_at("2026-03-25T12:00:00Z").await.sent, 0);
    }
    // Restarted before the due time: the schedule is read back from the database.
    {
        let engine = Arc::new(common::engine_at(&path));
        let setup = Setup {
            _dir: tempfile::tempdir().unwrap(),
            engine,
            clock: clock.clone(),
            poster: poster.clone(),
        };
        assert_eq!(setup.tick_at("2026-03-26T08:00:00Z").await.sent, 1);
    }
    // Restarted after the due time: the slot was claimed before, so it is not sent again.
    let engine = Arc::new(common::engine_at(&path));
    let setup = Setup {
        _dir: tempfile::tempdir().unwrap(),
        engine,
        clock,
        poster: poster.clone(),
    };
    assert_eq!(setup.tick_at("2026-03-26T08:30:00Z").await.sent, 0);
    assert_eq!(poster.count(), 1);
}

#[tokio::test]
async fn short_downtime_catches_up() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    let id = setup.trajectory_with_rule("c1", "weekly thu 09:00").await;
    let report = setup.tick_at("2026-03-26T09:30:00Z").await;
    assert_eq!(
        report.sent, 1,
        "90 minutes late is within the two-hour catch-up delay"
    );
    assert_eq!(setup.next_due(id).await, Some(at("2026-04-02T07:00:00Z")));
}

#[tokio::test]
async fn long_downtime_skips_to_next_slot() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    let id = setup.trajectory_with_rule("c1", "weekly thu 09:00").await;
    let report = setup.tick_at("2026-03-26T11:00:00Z").await;
    assert_eq!(report.sent, 0);
    assert_eq!(
        report.skipped, 1,
        "three hours late is past the catch-up delay"
    );
    assert_eq!(setup.next_due(id).await, Some(at("2026-04-02T07:00:00Z")));
    assert_eq!(setup.poster.count(), 0);
}

#[tokio::test]
async fn week_of_downtime_sends_no_backlog() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    let id = setup.trajectory_with_rule("c1", "every day 09:00").await;
    let report = setup.tick_at("2026-04-01T07:30:00Z").await;
    assert_eq!(
        report.sent, 1,
        "only the slot of today, 30 minutes late, is sent"
    );
    assert_eq!(setup.tick_at("2026-04-01T07:31:00Z").await.sent, 0);
    assert_eq!(setup.next_due(id).await, Some(at("2026-04-02T07:00:00Z")));
}

#[tokio::test]
async fn deleted_channel_retries_then_pauses_without_stalling_others() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    let gone = setup.trajectory_with_rule("gone", "weekly thu 09:00").await;
    setup.trajectory_with_rule("fine", "weekly thu 09:00").await;
    setup.poster.gone.lock().unwrap().push("gone".into());

    let report = setup.tick_at("2026-03-26T08:00:00Z").await;
    assert_eq!(
        report.sent, 1,
        "the healthy channel still gets its check-in"
    );
    assert_eq!(report.failed, 1);
    assert_eq!(setup.poster.channels(), ["fine"]);
    assert_eq!(
        setup.next_due(gone).await,
        Some(at("2026-03-26T08:05:00Z")),
        "first retry after 5 minutes"
    );

    assert_eq!(setup.tick_at("2026-03-26T08:05:00Z").await.failed, 1);
    assert_eq!(
        setup.next_due(gone).await,
        Some(at("2026-03-26T08:35:00Z")),
        "second retry after 30 minutes"
    );
    assert_eq!(setup.tick_at("2026-03-26T08:35:00Z").await.failed, 1);
    assert_eq!(
        setup.next_due(gone).await,
        Some(at("2026-03-26T10:35:00Z")),
        "third retry after 2 hours"
    );
    assert_eq!(setup.tick_at("2026-03-26T10:35:00Z").await.failed, 1);
    let state = setup.engine.state(gone).await.unwrap().unwrap();
    let checkin = state
        .trajectory
        .checkin
        .as_ref()
        .expect("the schedule is kept");
    assert!(
        checkin.paused,
        "a channel gone through every retry pauses its check-ins"
    );
    assert_eq!(state.trajectory.due_at(), None);
}

#[tokio::test]
async fn nudge_names_members_without_mention() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    setup.trajectory_with_rule("c1", "weekly thu 09:00").await;
    setup.tick_at("2026-03-26T08:00:00Z").await;
    let posts = setup.poster.posts.lock().unwrap();
    let mentions = posts[0].1.blocks.iter().find_map(|b| match b {
        Block::Mentions { members, ping } => Some((members.clone(), *ping)),
        _ => None,
    });
    let (members, ping) = mentions.expect("the nudge lists members with open questions");
    assert!(!ping, "members are not pinged by default");
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].open, 19);
}

#[tokio::test]
async fn checkin_carries_trajectory_and_language() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    let id = setup.trajectory_with_rule("c1", "weekly thu 09:00").await;
    let english = Command::Language(schaalwijzer::i18n::Lang::En);
    setup.send_at("c1", english).await;
    setup.tick_at("2026-03-26T08:00:00Z").await;
    let posts = setup.poster.posts.lock().unwrap();
    let (to, message) = &posts[0];
    assert_eq!(to.trajectory, id);
    assert_eq!(to.lang, schaalwijzer::i18n::Lang::En);
    assert_eq!(to.place.channel, "c1");
    assert!(
        message.plain_text().contains("Check-in"),
        "{}",
        message.plain_text()
    );
}

#[tokio::test]
async fn review_reports_changed_result() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    let id = setup.trajectory_with_rule("c1", "weekly thu 09:00").await;
    setup.send_at("c1", Command::Close).await;
    setup.tick_at("2026-03-26T08:00:00Z").await;
    let first_review = setup
        .engine
        .state(id)
        .await
        .unwrap()
        .unwrap()
        .trajectory
        .checkin
        .unwrap()
        .last_review;
    assert!(
        first_review.is_some(),
        "a closed trajectory gets a review that is remembered"
    );

    setup.send_at("c1", Command::Reopen).await;
    let answer = Command::Answer {
        question: Some("R3".into()),
        value: schaalwijzer::answer::AnswerValue::Choice("other-domain".into()),
        walk: schaalwijzer::engine::Walk::Private,
    };
    setup.send_at("c1", answer).await;
    setup.send_at("c1", Command::Close).await;
    setup.tick_at("2026-04-02T07:00:00Z").await;
    let posts = setup.poster.posts.lock().unwrap();
    let text = posts[1].1.plain_text();
    assert!(
        text.contains("Scaling beyond"),
        "the review names the new leading strategy: {text}"
    );
}

#[tokio::test]
async fn idle_tick_reads_only_index_head() {
    let setup = Setup::new("2026-03-24T12:00:00Z");
    let count: u64 = 100_000;
    let due = at("2026-03-30T07:00:00Z");
    let trajectories: Vec<_> = (1..=count)
        .map(|i| schaalwijzer::engine::synthetic::trajectory(1_000_000 + i, 3, Some(due), due))
        .collect();
    setup.engine.store().import(&trajectories).unwrap();
    assert_eq!(setup.engine.store().trajectory_count(), count as usize);
    let before = setup.engine.store().due_reads();
    let report = setup.tick_at("2026-03-25T12:00:00Z").await;
    assert_eq!(report, TickReport::default());
    assert_eq!(
        setup.engine.store().due_reads() - before,
        1,
        "an idle tick reads the index head and stops"
    );
}

fn set_rule(rule: &str) -> Command {
    Command::Checkin(CheckinCommand::Set {
        rule: rule.into(),
        zone: Some("Europe/Amsterdam".into()),
    })
}

#[tokio::test]
async fn rule_replies_speak_the_trajectory_language() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    common::start(&engine, "c1", "anna").await;

    let bad_day = common::send(&engine, "c1", "anna", set_rule("wekelijks ma,xx 09:00")).await;
    let text = common::texts(&bad_day);
    assert!(text.contains("“xx” is geen dag"), "{text}");
    assert!(!text.contains("invalid"), "no English detail: {text}");

    let set = common::send(&engine, "c1", "anna", set_rule("weekly mon,thu 09:00")).await;
    let text = common::texts(&set);
    assert!(text.contains("`wekelijks ma,do 09:00`"), "{text}");

    let english = schaalwijzer::i18n::Lang::En;
    common::send(&engine, "c1", "anna", Command::Language(english)).await;
    let bad_time = common::send(&engine, "c1", "anna", set_rule("every 2 days 25:00")).await;
    let text = common::texts(&bad_time);
    assert!(text.contains("“25:00” is not a time"), "{text}");
    let shown = common::send(
        &engine,
        "c1",
        "anna",
        Command::Checkin(CheckinCommand::Show),
    )
    .await;
    let text = common::texts(&shown);
    assert!(text.contains("`weekly mon,thu 09:00`"), "{text}");
}

#[tokio::test]
async fn zone_stored_in_database_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = common::start(&engine, "c1", "anna").await;
    let set = Command::Checkin(CheckinCommand::Set {
        rule: "weekly mon 09:00".into(),
        zone: Some("europe/amsterdam".into()),
    });
    let reply = common::texts(&common::send(&engine, "c1", "anna", set).await);
    assert!(reply.contains("Europe/Amsterdam"), "{reply}");
    let state = engine.state(id).await.unwrap().unwrap();
    let checkin = state.trajectory.checkin.expect("the check-in is set");
    assert_eq!(checkin.zone, "Europe/Amsterdam");
}
