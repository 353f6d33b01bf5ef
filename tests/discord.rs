//! The bot end to end: the real serenity client and engine on a temporary sled database,
//! against the fake Discord in `tests/support/fake_discord` on 127.0.0.1. Covers a start in a
//! new thread, a channel walk by two members with buttons, menus and a note, the advice within
//! Discord's limits, a restart with old buttons, a redelivered interaction, mentions, failing
//! posts, typed answers and what reaches the log.

mod common;
mod support;

use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use schaalwijzer::answer::AnswerValue;
use schaalwijzer::config::{DiscordConfig, Secret};
use schaalwijzer::discord::{self, RunningBot};
use schaalwijzer::engine::{Engine, Place, TrajectoryId};
use serde_json::{json, Value};
use support::fake_discord::{payloads, FakeDiscord, HandshakeKind, RecordedRequest};

/// Upper bound for one test, so a hang fails instead of blocking the suite.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Upper bound for one expected request.
const STEP: Duration = Duration::from_secs(10);
/// The second member; the fake's test user is the first.
const MEMBER_B: u64 = 222_222_222_222_222_222;

/// Runs a test body with [`TEST_TIMEOUT`].
async fn within_timeout(body: impl Future<Output = ()>) {
    capture_logs();
    tokio::time::timeout(TEST_TIMEOUT, body)
        .await
        .expect("the test finished in time");
}

/// Everything logged by any test in this binary, at every level.
fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(Arc::default)
}

struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        log_buffer().lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every level through the bot's own log filter, which caps the targets that would
/// log the token.
fn capture_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(schaalwijzer::cli::log_filter("trace"))
        .with_ansi(false)
        .with_writer(|| LogWriter)
        .try_init();
}

fn logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap()).into_owned()
}

fn config(fake: &FakeDiscord) -> DiscordConfig {
    DiscordConfig {
        token: Secret::new(fake.token()),
        guilds: vec![fake.guild_id()],
        api_url: Some(fake.rest_url().to_string()),
        ..DiscordConfig::default()
    }
}

/// Opens the engine on `path`, retrying while a stopped bot still holds the database.
async fn engine_at(path: &Path) -> Arc<Engine> {
    for _ in 0..100 {
        if let Ok(store) = schaalwijzer::storage::Store::open(path) {
            return Arc::new(Engine::new(common::content(), store));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the database at {} stays locked", path.display());
}

/// Starts the bot and waits for its `sessions`-th gateway session and command registration.
async fn connect(fake: &FakeDiscord, config: &DiscordConfig, engine: Arc<Engine>) -> RunningBot {
    let sessions = fake.handshakes().len() + 1;
    let registrations = count(fake, is_registration) + 1;
    let bot = discord::start(config, engine)
        .await
        .expect("the bot starts");
    fake.wait_for_handshakes(sessions, STEP)
        .await
        .expect("the bot identifies");
    wait_nth(fake, registrations, is_registration).await;
    bot
}

fn is_registration(request: &RecordedRequest) -> bool {
    request.is("PUT", "/api/v10/applications/*/guilds/*/commands")
}

fn count(fake: &FakeDiscord, predicate: impl Fn(&RecordedRequest) -> bool) -> usize {
    fake.requests().iter().filter(|r| predicate(r)).count()
}

/// Waits until `n` requests match and returns the `n`-th.
async fn wait_nth(
    fake: &FakeDiscord,
    n: usize,
    predicate: impl Fn(&RecordedRequest) -> bool,
) -> RecordedRequest {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let matching: Vec<RecordedRequest> = fake
            .requests()
            .into_iter()
            .filter(|r| predicate(r))
            .collect();
        if matching.len() >= n {
            return matching[n - 1].clone();
        }
        if tokio::time::Instant::now() > deadline {
            let seen: Vec<String> = fake
                .requests()
                .iter()
                .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
                .collect();
            panic!("timed out waiting for request {n}; seen: {seen:#?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn is_callback(interaction: u64) -> impl Fn(&RecordedRequest) -> bool {
    move |r| {
        r.is(
            "POST",
            &format!("/api/v10/interactions/{interaction}/*/callback"),
        )
    }
}

/// Requests on the interaction's webhook: follow-ups and edits of the original response.
fn is_webhook(token: String) -> impl Fn(&RecordedRequest) -> bool {
    move |r| r.path.contains("/webhooks/") && r.path.contains(&token)
}

fn is_post(channel: u64) -> impl Fn(&RecordedRequest) -> bool {
    move |r| r.is("POST", &format!("/api/v10/channels/{channel}/messages"))
}

fn is_follow_up(token: String) -> impl Fn(&RecordedRequest) -> bool {
    move |r| r.method == "POST" && r.path.ends_with(&token)
}

/// Waits for the ephemeral follow-up on the interaction `token` and returns its text.
async fn private_notice(fake: &FakeDiscord, token: &str) -> String {
    let notice = wait_nth(fake, 1, |r: &RecordedRequest| {
        is_follow_up(token.to_string())(r) && r.payload().is_some_and(|p| p["flags"] == 64)
    })
    .await;
    notice.payload().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Returns the custom ids of a message's components.
fn custom_ids(message: &Value) -> Vec<String> {
    let rows = message["components"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|component| component["custom_id"].as_str().map(String::from))
        .collect()
}

fn find_id(message: &Value, part: &str) -> String {
    let ids = custom_ids(message);
    ids.iter()
        .find(|id| id.contains(part))
        .cloned()
        .unwrap_or_else(|| panic!("no custom id with {part} in {ids:?}"))
}

fn assert_no_pings(payload: &Value) {
    let mentions = &payload["allowed_mentions"];
    assert_eq!(mentions["parse"], json!([]), "nobody is pinged: {mentions}");
    assert_eq!(
        mentions["users"],
        json!([]),
        "no user is pinged: {mentions}"
    );
    assert_eq!(
        mentions["roles"],
        json!([]),
        "no role is pinged: {mentions}"
    );
}

fn member_b() -> Value {
    payloads::user(MEMBER_B, "member-b", false)
}

fn place(fake: &FakeDiscord, channel: u64) -> Place {
    Place {
        platform: "discord".into(),
        scope: fake.guild_id().to_string(),
        channel: channel.to_string(),
    }
}

fn trajectory_in(engine: &Engine, place: &Place) -> TrajectoryId {
    engine
        .store()
        .binding(place)
        .expect("bindings read")
        .expect("a trajectory is bound to the place")
}

/// Sends `/schaalwijzer <sub>` in `channel` and returns the interaction id and token.
async fn slash(
    fake: &FakeDiscord,
    channel: u64,
    user: Value,
    sub: &str,
    options: Vec<Value>,
) -> (u64, String) {
    let channel = fake.channel(channel).expect("a channel the fake knows");
    let interaction = fake
        .slash_command("schaalwijzer", vec![payloads::subcommand(sub, options)])
        .channel(channel)
        .user(user);
    let ids = (interaction.id(), interaction.token().to_string());
    fake.dispatch("INTERACTION_CREATE", interaction.build())
        .await;
    ids
}

/// Presses a button on `message` as `user` and returns the interaction id and token.
async fn press(fake: &FakeDiscord, message: &Value, custom_id: &str, user: Value) -> (u64, String) {
    let channel: u64 = message["channel_id"].as_str().unwrap().parse().unwrap();
    let interaction = fake
        .button_click(message, custom_id)
        .channel(fake.channel(channel).unwrap())
        .user(user);
    let ids = (interaction.id(), interaction.token().to_string());
    fake.dispatch("INTERACTION_CREATE", interaction.build())
        .await;
    ids
}

/// Starts a trajectory in a new thread of the text channel; returns the thread id and the
/// posted first question.
async fn start_in_thread(fake: &FakeDiscord) -> (u64, Value) {
    let name = payloads::string_option("name", "Omgevingschat");
    let text = fake.text_channel_id();
    let (id, _) = slash(fake, text, fake.test_user(), "start", vec![name]).await;
    let callback = wait_nth(fake, 1, is_callback(id)).await;
    assert_eq!(
        callback.payload().unwrap()["type"],
        5,
        "the start is deferred"
    );
    let thread = wait_nth(fake, 1, |r| {
        r.is("POST", &format!("/api/v10/channels/{text}/threads"))
    })
    .await;
    assert_eq!(thread.payload().unwrap()["type"], 11, "a public thread");
    let thread_id: u64 = thread.response.as_ref().unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let first = wait_nth(fake, 1, is_post(thread_id)).await;
    (
        thread_id,
        first.response.clone().expect("the posted message"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_opens_thread_and_asks() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;

        let identify = &fake.handshakes()[0];
        assert_eq!(identify.kind, HandshakeKind::Identify);
        assert_eq!(identify.intents, Some(1), "the GUILDS intent only");
        let commands = fake.commands(Some(fake.guild_id()));
        assert_eq!(commands.len(), 1, "one command, registered per guild");
        assert_eq!(commands[0]["name"], "schaalwijzer");

        let (thread, first) = start_in_thread(&fake).await;
        let embeds = first["embeds"].to_string();
        assert!(
            embeds.contains("I1"),
            "the first question is an embed: {embeds}"
        );
        let ids = custom_ids(&first);
        assert!(
            ids.iter().any(|id| id.contains(":a:c:I1:")),
            "answer buttons: {ids:?}"
        );
        assert!(
            ids.iter().any(|id| id.contains(":n:c:I1")),
            "a note button: {ids:?}"
        );
        let post = wait_nth(&fake, 1, is_post(thread)).await;
        assert_no_pings(post.payload().unwrap());
        let bound = trajectory_in(&engine, &place(&fake, thread));
        let state = engine.state(bound).await.unwrap().unwrap();
        assert_eq!(state.trajectory.name, "Omgevingschat");
        bot.stop().await;
    })
    .await;
}

/// Picks the component to press for the question a channel post shows: the first step or
/// option that `member` (0 or 1) should choose, and the menu values for a multiple choice.
fn choice_for(post: &Value, member: usize) -> (String, Option<Vec<String>>) {
    let rows = post["components"].as_array().unwrap();
    let first = &rows[0]["components"];
    if first[0]["type"] == 3 {
        let menu = &first[0];
        let options: Vec<String> = menu["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["value"].as_str().unwrap().to_string())
            .collect();
        // The first option may exclude the others ("none"), so pick two after it.
        let values = options[1..3].to_vec();
        return (
            menu["custom_id"].as_str().unwrap().to_string(),
            Some(values),
        );
    }
    let buttons = first.as_array().unwrap();
    // The members disagree on scales (first and last step) and agree on choices.
    let index = if buttons.len() == 5 && member == 1 {
        4
    } else {
        0
    };
    (
        buttons[index]["custom_id"].as_str().unwrap().to_string(),
        None,
    )
}

/// Answers the question a channel post shows as `user`, and waits for the private
/// confirmation.
async fn answer(fake: &FakeDiscord, post: &Value, user: Value, member: usize) {
    let (custom_id, values) = choice_for(post, member);
    let channel: u64 = post["channel_id"].as_str().unwrap().parse().unwrap();
    let interaction = match &values {
        Some(values) => {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            fake.select_menu(post, &custom_id, &values)
        }
        None => fake.button_click(post, &custom_id),
    }
    .channel(fake.channel(channel).unwrap())
    .user(user);
    let (id, token) = (interaction.id(), interaction.token().to_string());
    fake.dispatch("INTERACTION_CREATE", interaction.build())
        .await;
    let callback = wait_nth(fake, 1, is_callback(id)).await;
    assert_eq!(callback.status, 204, "{custom_id} acknowledged");
    assert_eq!(
        callback.payload().unwrap()["type"],
        6,
        "a channel answer is a deferred update"
    );
    let confirmation = wait_nth(fake, 1, is_follow_up(token)).await;
    assert_eq!(confirmation.status, 200, "{custom_id} confirmed");
    assert_eq!(confirmation.payload().unwrap()["flags"], 64, "privately");
}

/// Submits the note modal that the note button of `post` opens, as `user`.
async fn add_note(fake: &FakeDiscord, post: &Value, user: Value, text: &str) {
    let note_button = find_id(post, ":n:c:");
    let (open, _) = press(fake, post, &note_button, user.clone()).await;
    let modal = wait_nth(fake, 1, is_callback(open)).await;
    let modal = modal.payload().unwrap().clone();
    assert_eq!(modal["type"], 9, "the note button opens a modal");
    let input = &modal["data"]["components"][0]["components"][0];
    assert_eq!(
        input["max_length"], 1000,
        "Discord enforces the engine's limit"
    );
    let modal_id = modal["data"]["custom_id"].as_str().unwrap();
    let channel: u64 = post["channel_id"].as_str().unwrap().parse().unwrap();
    let submit = fake
        .modal_submit(modal_id, &[("note", text)])
        .channel(fake.channel(channel).unwrap())
        .user(user);
    let (id, token) = (submit.id(), submit.token().to_string());
    fake.dispatch("INTERACTION_CREATE", submit.build()).await;
    let callback = wait_nth(fake, 1, is_callback(id)).await;
    assert_eq!(callback.payload().unwrap()["type"], 5);
    assert_eq!(callback.payload().unwrap()["data"]["flags"], 64);
    let saved = wait_nth(fake, 1, is_webhook(token)).await;
    assert_eq!(saved.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_walk_and_get_advice() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let (thread, mut post) = start_in_thread(&fake).await;
        let trajectory = trajectory_in(&engine, &place(&fake, thread));
        let questions = &common::content().questionnaire.questions;

        for (index, question) in questions.iter().enumerate() {
            let shown = post["embeds"][0]["title"].as_str().unwrap().to_string();
            assert!(
                shown.starts_with(&question.id),
                "{shown} is {}",
                question.id
            );
            // Member B answers first, so the walk waits for the facilitator.
            answer(&fake, &post, member_b(), 1).await;
            if question.id == "R2" {
                add_note(
                    &fake,
                    &post,
                    member_b(),
                    "@everyone dit moet iedereen lezen",
                )
                .await;
            }
            answer(&fake, &post, fake.test_user(), 0).await;
            let next = wait_nth(&fake, index + 2, is_post(thread)).await;
            assert_no_pings(next.payload().unwrap());
            post = next.response.clone().unwrap();
        }

        let state = engine.state(trajectory).await.unwrap().unwrap();
        let a = fake.test_user_id().to_string();
        let b = MEMBER_B.to_string();
        for question in questions {
            assert!(state.has_value(&question.id, &a), "{} by A", question.id);
            assert!(state.has_value(&question.id, &b), "{} by B", question.id);
        }
        assert_eq!(
            state.answer("R2", &a).unwrap().value,
            Some(AnswerValue::Scale(1))
        );
        assert_eq!(
            state.answer("R2", &b).unwrap().value,
            Some(AnswerValue::Scale(5))
        );
        let Some(AnswerValue::Choices(c4)) = &state.answer("C4", &b).unwrap().value else {
            panic!("C4 is answered with the menu");
        };
        assert_eq!(c4.len(), 2, "two options from the menu");
        assert_eq!(
            state.answer("R2", &b).unwrap().note.as_deref(),
            Some("@everyone dit moet iedereen lezen")
        );

        let (id, token) = slash(&fake, thread, fake.test_user(), "result", vec![]).await;
        wait_nth(&fake, 1, is_callback(id)).await;
        let report = wait_nth(&fake, 1, |r: &RecordedRequest| {
            is_webhook(token.clone())(r)
                && r.multipart.as_ref().is_some_and(|m| !m.files.is_empty())
        })
        .await;
        let replies: Vec<RecordedRequest> = fake
            .requests()
            .into_iter()
            .filter(|r| is_webhook(token.clone())(r) && r.method != "DELETE")
            .collect();
        assert!(replies.len() > 1, "the advice takes several messages");
        let mut all_embeds = String::new();
        for reply in &replies {
            assert_eq!(reply.status, 200, "Discord accepts every part: {reply:?}");
            let payload = reply.payload().unwrap();
            assert_no_pings(payload);
            all_embeds.push_str(&payload["embeds"].to_string());
        }
        assert!(
            all_embeds.contains("@everyone"),
            "the disputed R2 shows the note"
        );
        let files = &report.multipart.as_ref().unwrap().files;
        assert_eq!(files[0].filename, format!("schaalwijzer-{trajectory}.md"));
        let markdown = String::from_utf8_lossy(&files[0].bytes);
        assert!(
            markdown.contains("Omgevingschat"),
            "the report names the trajectory"
        );
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_button_works_after_restart() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let engine = engine_at(&path).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let (thread, first) = start_in_thread(&fake).await;
        bot.stop().await;
        drop(engine);

        let engine = engine_at(&path).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        assert_eq!(
            fake.handshakes().len(),
            2,
            "a new session after the restart"
        );
        let button = find_id(&first, ":a:c:I1:adopting");
        let (id, token) = press(&fake, &first, &button, member_b()).await;
        let callback = wait_nth(&fake, 1, is_callback(id)).await;
        assert_eq!(callback.status, 204);
        wait_nth(&fake, 1, is_follow_up(token)).await;
        let trajectory = trajectory_in(&engine, &place(&fake, thread));
        let state = engine.state(trajectory).await.unwrap().unwrap();
        let value = &state.answer("I1", &MEMBER_B.to_string()).unwrap().value;
        assert_eq!(value, &Some(AnswerValue::Choice("adopting".into())));
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redelivered_interaction_recorded_once() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let (thread, first) = start_in_thread(&fake).await;
        let button = find_id(&first, ":a:c:I1:joint");
        let event = fake
            .button_click(&first, &button)
            .channel(fake.channel(thread).unwrap())
            .user(member_b());
        fake.dispatch("INTERACTION_CREATE", event.build()).await;
        wait_nth(&fake, 1, is_follow_up(event.token().to_string())).await;
        fake.dispatch("INTERACTION_CREATE", event.build()).await;
        wait_nth(&fake, 2, is_callback(event.id())).await;
        // Give a second engine write, if there were one, time to land.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let trajectory = trajectory_in(&engine, &place(&fake, thread));
        let history = engine.store().history(trajectory).unwrap();
        assert_eq!(history.len(), 1, "one answer in the history: {history:?}");
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn note_shows_without_pinging() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let (thread, first) = start_in_thread(&fake).await;
        add_note(&fake, &first, member_b(), "@everyone en @here, kijk mee").await;
        let (_, token) = slash(&fake, thread, member_b(), "mine", vec![]).await;
        let mine = wait_nth(&fake, 1, is_webhook(token)).await;
        let payload = mine.payload().unwrap();
        let content = payload["content"].as_str().unwrap_or_default();
        assert!(content.contains("@everyone en @here"), "{content}");
        assert_no_pings(payload);
        let (_, token) = slash(&fake, thread, fake.test_user(), "status", vec![]).await;
        let status = wait_nth(&fake, 1, is_webhook(token)).await;
        assert_no_pings(status.payload().unwrap());
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_command_answered_privately() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let text = fake.text_channel_id();
        let channel = fake.channel(text).unwrap();
        let interaction = fake
            .slash_command("oud-commando", vec![])
            .channel(channel)
            .user(fake.test_user());
        let id = interaction.id();
        fake.dispatch("INTERACTION_CREATE", interaction.build())
            .await;
        let callback = wait_nth(&fake, 1, is_callback(id)).await;
        let payload = callback.payload().unwrap();
        let body = serde_json::to_string(&payload).unwrap();
        assert_eq!(
            payload["data"]["flags"], 64,
            "only the member sees it: {body}"
        );
        assert!(body.contains("ken ik niet"), "{body}");
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_thread_explained_by_its_cause() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let text = fake.text_channel_id();
        let threads = format!("/api/v10/channels/{text}/threads");
        let cases = [
            (
                400,
                json!({"message": "Cannot execute action on this channel type", "code": 50024}),
                "gewoon tekstkanaal",
            ),
            (
                403,
                json!({"message": "Missing Permissions", "code": 50013}),
                "recht om openbare threads te maken",
            ),
        ];
        for (status, body, expected) in cases {
            fake.fail_next("POST", &threads, status, body);
            let name = payloads::string_option("name", "Omgevingschat");
            let (_, token) = slash(&fake, text, fake.test_user(), "start", vec![name]).await;
            let notice = private_notice(&fake, &token).await;
            assert!(notice.contains(expected), "status {status}: {notice}");
        }
        assert!(
            engine
                .store()
                .binding(&schaalwijzer::engine::Place {
                    platform: "discord".into(),
                    scope: fake.guild_id().to_string(),
                    channel: text.to_string(),
                })
                .unwrap()
                .is_none(),
            "no trajectory was started"
        );
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_post_logged_others_served() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let text = fake.text_channel_id();
        let forbidden = json!({"message": "Missing Permissions", "code": 50013});
        fake.fail_next(
            "POST",
            &format!("/api/v10/channels/{text}/messages"),
            403,
            forbidden,
        );
        let here = payloads::boolean_option("here", true);
        let name = payloads::string_option("name", "Verboden");
        let (_, token) = slash(
            &fake,
            text,
            fake.test_user(),
            "start",
            vec![name, here.clone()],
        )
        .await;
        let refused = wait_nth(&fake, 1, is_post(text)).await;
        assert_eq!(refused.status, 403);
        let notice = private_notice(&fake, &token).await;
        assert!(
            notice.contains("kon niet"),
            "the member hears of it: {notice}"
        );

        // Another channel is still served.
        let other = 333_333_333_333_333_333;
        let channel = payloads::text_channel(other, fake.guild_id(), "ander-kanaal");
        let name = payloads::string_option("name", "Toegestaan");
        let interaction = fake
            .slash_command(
                "schaalwijzer",
                vec![payloads::subcommand("start", vec![name, here])],
            )
            .channel(channel);
        fake.dispatch("INTERACTION_CREATE", interaction.build())
            .await;
        let posted = wait_nth(&fake, 1, is_post(other)).await;
        assert_eq!(
            posted.status, 200,
            "the other channel gets its first question"
        );

        let logged = logs();
        let warning = logged
            .lines()
            .find(|line| {
                line.contains("posting to the trajectory's channel failed")
                    && line.contains(&text.to_string())
            })
            .unwrap_or_else(|| panic!("a warning names the channel"));
        assert!(warning.contains("WARN"), "{warning}");
        assert!(warning.contains("trajectory="), "{warning}");
        assert!(warning.contains("event=discord-i-"), "{warning}");
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_answers_count_bots_ignored() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let config = DiscordConfig {
            message_content: true,
            start_in_thread: false,
            ..config(&fake)
        };
        let bot = connect(&fake, &config, engine.clone()).await;
        let identify = fake.handshakes()[0].intents.unwrap();
        let guilds_messages_content = 1 | (1 << 9) | (1 << 15);
        assert_eq!(identify, guilds_messages_content);
        let text = fake.text_channel_id();
        let name = payloads::string_option("name", "Getypt");
        slash(&fake, text, fake.test_user(), "start", vec![name]).await;
        wait_nth(&fake, 1, is_post(text)).await;
        let trajectory = trajectory_in(&engine, &place(&fake, text));

        let bot_user = payloads::user(fake.bot_user_id(), "Schaalwijzer Test", true);
        let from_bot = fake.user_message("joint").author(bot_user);
        fake.dispatch("MESSAGE_CREATE", from_bot.build()).await;
        let empty = fake.user_message("");
        fake.dispatch("MESSAGE_CREATE", empty.build()).await;
        fake.dispatch("MESSAGE_CREATE", fake.user_message("").build())
            .await;
        let typed = fake.user_message("joint");
        fake.dispatch("MESSAGE_CREATE", typed.build()).await;

        let member = fake.test_user_id().to_string();
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let state = engine.state(trajectory).await.unwrap().unwrap();
            if state.has_value("I1", &member) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the typed answer is stored"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let history = engine.store().history(trajectory).unwrap();
        assert_eq!(
            history.len(),
            1,
            "only the member's message counts: {history:?}"
        );
        let warnings = logs()
            .lines()
            .filter(|line| line.contains("a message arrived without text"))
            .count();
        assert_eq!(warnings, 1, "the empty-content warning is logged once");
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_never_reaches_log() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let (thread, _) = start_in_thread(&fake).await;
        // A failed call logs serenity's request and error details.
        let gone = json!({"message": "Unknown Channel", "code": 10003});
        fake.fail_next(
            "POST",
            &format!("/api/v10/channels/{thread}/messages"),
            404,
            gone,
        );
        slash(&fake, thread, fake.test_user(), "next", vec![]).await;
        wait_nth(&fake, 2, is_post(thread)).await;
        bot.stop().await;
        let logged = logs();
        assert!(logged.contains("Unknown Channel"), "the failure is logged");
        // tungstenite prints frame payloads as byte lists and as hex, so look for those too.
        let token = fake.token().as_bytes();
        let as_bytes = token
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let as_hex: String = token.iter().map(|b| format!("{b:02x}")).collect();
        let leaks: Vec<&str> = logged
            .lines()
            .filter(|line| {
                line.contains(fake.token()) || line.contains(&as_bytes) || line.contains(&as_hex)
            })
            .collect();
        assert!(leaks.is_empty(), "the token is in the log: {leaks:#?}");
        assert!(
            logged.contains("IDENTIFY")
                || logged.contains("Identify")
                || logged.contains("identify"),
            "the log is at trace level and covers the gateway handshake"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_resumes_and_serves() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        assert!(fake.force_reconnect(), "the bot is connected");
        let handshakes = fake
            .wait_for_handshakes(2, STEP)
            .await
            .expect("the bot reconnects");
        assert_eq!(handshakes[1].kind, HandshakeKind::Resume);
        assert!(handshakes[1].accepted);
        let (thread, _) = start_in_thread(&fake).await;
        let trajectory = trajectory_in(&engine, &place(&fake, thread));
        assert!(engine.state(trajectory).await.unwrap().is_some());
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_stand_in_is_an_error() {
    within_timeout(async {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        // Nothing listens on this freshly closed port, so the gateway request is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = DiscordConfig {
            token: Secret::new("unused-token"),
            api_url: Some(format!("http://127.0.0.1:{port}")),
            ..DiscordConfig::default()
        };
        let error = discord::start(&config, engine)
            .await
            .err()
            .expect("the bot does not start without its stand-in");
        assert!(
            matches!(error, discord::DiscordError::StandIn { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("api_url"), "{error}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_refuses_non_loopback_api_url() {
    within_timeout(async {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        // An https URL is not accepted as a stand-in. It still points at this machine, and
        // the listener shows that no request (with the token) reached it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = DiscordConfig {
            token: Secret::new("unused-token"),
            api_url: Some(format!("https://127.0.0.1:{port}")),
            ..DiscordConfig::default()
        };
        let error = discord::start(&config, engine)
            .await
            .err()
            .expect("the bot does not start with a non-loopback stand-in");
        assert!(error.to_string().contains("not a loopback URL"), "{error}");
        let connection = listener.accept();
        assert!(
            matches!(&connection, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "no connection was made: {connection:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poster_classifies_failures() {
    use schaalwijzer::discord::poster::DiscordPoster;
    use schaalwijzer::engine::Message;
    use schaalwijzer::platform::{Destination, PostError, Poster};

    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let http = serenity::http::HttpBuilder::new(fake.token())
            .proxy(fake.rest_url())
            .ratelimiter_disabled(true)
            .build();
        let poster = DiscordPoster::new(Arc::new(http), common::content());
        let text = fake.text_channel_id();
        let to = Destination {
            place: place(&fake, text),
            trajectory: TrajectoryId(1),
            lang: schaalwijzer::i18n::Lang::Nl,
        };
        let message = Message::text("Check-in");
        let route = format!("/api/v10/channels/{text}/messages");
        let cases = [
            (404, 10003, "Unknown Channel", "gone"),
            (403, 50013, "Missing Permissions", "forbidden"),
            (403, 50001, "Missing Access", "forbidden"),
            (400, 50083, "Thread is archived", "forbidden"),
            (429, 0, "You are being rate limited.", "temporary"),
            (500, 0, "Internal Server Error", "temporary"),
        ];
        for (status, code, text, expected) in cases {
            let body = json!({"message": text, "code": code, "retry_after": 0.01, "global": false});
            fake.fail_next("POST", &route, status, body);
            let class = match poster.post(&to, &message).await {
                Err(PostError::Gone(_)) => "gone",
                Err(PostError::Forbidden(_)) => "forbidden",
                Err(PostError::Temporary(_)) => "temporary",
                Ok(()) => "sent",
            };
            assert_eq!(class, expected, "{status} with code {code}");
        }
        assert!(poster.post(&to, &message).await.is_ok(), "then it posts");
        let posts = count(&fake, is_post(text));
        let sent = wait_nth(&fake, posts, is_post(text)).await;
        assert_eq!(sent.status, 200);
        assert_no_pings(sent.payload().unwrap());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkin_button_opens_private_walk() {
    use schaalwijzer::discord::poster::DiscordPoster;
    use schaalwijzer::engine::checkin::{checkin_message, CheckinPolicy};
    use schaalwijzer::platform::{Destination, Poster};

    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let (thread, _) = start_in_thread(&fake).await;
        let trajectory = trajectory_in(&engine, &place(&fake, thread));
        let state = engine.state(trajectory).await.unwrap().unwrap();
        let (message, _) = checkin_message(common::content(), &state, &CheckinPolicy::default());
        let http = serenity::http::HttpBuilder::new(fake.token())
            .proxy(fake.rest_url())
            .ratelimiter_disabled(true)
            .build();
        let poster = DiscordPoster::new(Arc::new(http), common::content());
        let to = Destination {
            place: place(&fake, thread),
            trajectory,
            lang: state.trajectory.lang,
        };
        poster.post(&to, &message).await.unwrap();
        let checkin = wait_nth(&fake, 2, is_post(thread)).await;
        let checkin = checkin.response.unwrap();
        let button = find_id(&checkin, ":private");
        assert_eq!(
            button,
            format!("sw1:{}:private", trajectory.0),
            "the button names the trajectory"
        );

        let (id, token) = press(&fake, &checkin, &button, member_b()).await;
        let callback = wait_nth(&fake, 1, is_callback(id)).await;
        assert_eq!(callback.payload().unwrap()["data"]["flags"], 64);
        let walk = wait_nth(&fake, 1, is_webhook(token)).await;
        let embeds = walk.payload().unwrap()["embeds"].to_string();
        assert!(
            embeds.contains("I1"),
            "the private walk starts at I1: {embeds}"
        );
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_asks_and_cancel_keeps() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let (thread, _) = start_in_thread(&fake).await;

        let (ask, token) = slash(&fake, thread, fake.test_user(), "delete", vec![]).await;
        let deferred = wait_nth(&fake, 1, is_callback(ask)).await;
        assert_eq!(
            deferred.payload().unwrap()["data"]["flags"],
            64,
            "only the facilitator sees it"
        );
        let question = wait_nth(&fake, 1, is_webhook(token)).await;
        let dialogue = question.response.clone().expect("the edited response");
        let ids = custom_ids(&dialogue);
        assert!(
            ids.iter().any(|id| id.ends_with(":delete")),
            "a confirm button: {ids:?}"
        );
        let cancel = find_id(&dialogue, ":keep");

        let (press_id, _) = press(&fake, &dialogue, &cancel, fake.test_user()).await;
        let update = wait_nth(&fake, 1, is_callback(press_id)).await;
        let update = update.payload().unwrap();
        assert_eq!(update["type"], 7, "the dialogue is replaced");
        let text = update["data"]["content"].as_str().unwrap_or_default();
        assert!(text.contains("Niets verwijderd"), "{text}");
        assert_eq!(
            update["data"]["components"],
            json!([]),
            "its buttons are gone"
        );
        let trajectory = trajectory_in(&engine, &place(&fake, thread));
        assert!(
            engine.state(trajectory).await.unwrap().is_some(),
            "the trajectory is kept"
        );
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_walk_takes_scale_and_menu() {
    use schaalwijzer::discord::custom_id::{encode, ComponentId};
    use schaalwijzer::engine::Walk;

    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let (thread, first) = start_in_thread(&fake).await;
        let trajectory = trajectory_in(&engine, &place(&fake, thread));
        answer(&fake, &first, member_b(), 1).await;

        let (id, token) = slash(&fake, thread, member_b(), "private", vec![]).await;
        let deferred = wait_nth(&fake, 1, is_callback(id)).await;
        assert_eq!(
            deferred.payload().unwrap()["data"]["flags"],
            64,
            "the private walk is ephemeral"
        );
        let walk = wait_nth(&fake, 1, is_webhook(token)).await;
        let walk = walk.response.clone().expect("the edited response");
        let embeds = walk["embeds"].to_string();
        assert!(embeds.contains("I2"), "member B goes on at I2: {embeds}");

        let scale = ComponentId::Answer {
            walk: Walk::Private,
            question: "R2".into(),
            value: "4".into(),
        };
        let scale = encode(Some(trajectory), &scale);
        let (id, token) = press(&fake, &walk, &scale, member_b()).await;
        let deferred = wait_nth(&fake, 1, is_callback(id)).await;
        assert_eq!(deferred.payload().unwrap()["data"]["flags"], 64);
        wait_nth(&fake, 1, is_webhook(token)).await;

        let menu = ComponentId::Select {
            walk: Walk::Private,
            question: "C4".into(),
        };
        let menu = encode(Some(trajectory), &menu);
        let values = ["specific-parts", "from-start"];
        let select = fake
            .select_menu(&walk, &menu, &values)
            .channel(fake.channel(thread).unwrap())
            .user(member_b());
        let (id, token) = (select.id(), select.token().to_string());
        fake.dispatch("INTERACTION_CREATE", select.build()).await;
        let deferred = wait_nth(&fake, 1, is_callback(id)).await;
        assert_eq!(deferred.payload().unwrap()["data"]["flags"], 64);
        wait_nth(&fake, 1, is_webhook(token)).await;

        let state = engine.state(trajectory).await.unwrap().unwrap();
        let b = MEMBER_B.to_string();
        assert_eq!(
            state.answer("R2", &b).unwrap().value,
            Some(AnswerValue::Scale(4))
        );
        let chosen = values.iter().map(|v| v.to_string()).collect();
        assert_eq!(
            state.answer("C4", &b).unwrap().value,
            Some(AnswerValue::Choices(chosen))
        );
        bot.stop().await;
    })
    .await;
}

/// Presses a note button whose custom id carries trajectory id 0 in `channel`, and returns
/// the custom id of the modal it opens.
async fn open_unbound_note(fake: &FakeDiscord, channel: u64, walk: &str) -> String {
    let note_button = format!("sw1:0:n:{walk}:I1");
    let row = payloads::action_row(vec![payloads::button(&note_button, "Notitie")]);
    let mut message = fake.bot_message("Check-in", vec![row]);
    message["channel_id"] = json!(channel.to_string());
    let (open, _) = press(fake, &message, &note_button, member_b()).await;
    let modal = wait_nth(fake, 1, is_callback(open)).await;
    let modal = modal.payload().unwrap();
    assert_eq!(modal["type"], 9, "the note button opens a modal");
    modal["data"]["custom_id"].as_str().unwrap().to_string()
}

/// Submits the note modal `modal_id` in `channel` as member B and returns the reply.
async fn submit_note(fake: &FakeDiscord, channel: u64, modal_id: &str, text: &str) -> Value {
    let submit = fake
        .modal_submit(modal_id, &[("note", text)])
        .channel(fake.channel(channel).unwrap())
        .user(member_b());
    let token = submit.token().to_string();
    fake.dispatch("INTERACTION_CREATE", submit.build()).await;
    let reply = wait_nth(fake, 1, is_webhook(token)).await;
    reply.payload().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn note_button_id_zero_uses_channel() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let (thread, _) = start_in_thread(&fake).await;
        let trajectory = trajectory_in(&engine, &place(&fake, thread));

        let modal_id = open_unbound_note(&fake, thread, "p").await;
        assert_eq!(
            modal_id,
            format!("sw1:{trajectory}:N:p:I1"),
            "the modal names the channel's trajectory"
        );
        submit_note(&fake, thread, &modal_id, "Vanuit de check-in").await;

        let state = engine.state(trajectory).await.unwrap().unwrap();
        let note = &state.answer("I1", &MEMBER_B.to_string()).unwrap().note;
        assert_eq!(note.as_deref(), Some("Vanuit de check-in"));
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn note_button_in_unbound_channel() {
    within_timeout(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_at(&dir.path().join("db")).await;
        let bot = connect(&fake, &config(&fake), engine.clone()).await;
        let text = fake.text_channel_id();

        let modal_id = open_unbound_note(&fake, text, "c").await;
        assert_eq!(modal_id, "sw1:0:N:c:I1", "no trajectory to name");
        let reply = submit_note(&fake, text, &modal_id, "Zonder traject").await;
        let content = reply["content"].as_str().unwrap_or_default();
        assert!(
            content.contains("Hier loopt nog geen opschalingstraject"),
            "the member hears that no trajectory runs here: {content}"
        );
        assert!(
            engine
                .store()
                .binding(&place(&fake, text))
                .unwrap()
                .is_none(),
            "the note starts no trajectory"
        );
        bot.stop().await;
    })
    .await;
}
