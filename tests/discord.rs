//! The real serenity client against a fake Discord on 127.0.0.1: start, walks with buttons,
//! a select menu and a note modal, the result within Discord's limits, a restart with old
//! buttons, redelivered events, mentions and failing calls.

mod common;
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use schaalwijzer::config::{DiscordConfig, Secret};
use schaalwijzer::discord::{self, RunningBot};
use schaalwijzer::engine::{Engine, Place};
use serde_json::{json, Value};
use support::fake_discord::{self as fake, FakeDiscord, Handshake, Recorded};

const TOKEN: &str = "fake-token-for-tests";

fn config(fake: &FakeDiscord) -> DiscordConfig {
    DiscordConfig {
        token: Secret::new(TOKEN),
        guilds: vec![fake::GUILD_ID],
        api_url: Some(fake.rest_url()),
        ..DiscordConfig::default()
    }
}

/// Opens the engine on `path`, retrying while a stopped bot still releases the database.
async fn engine_at(path: &Path) -> Arc<Engine> {
    for _ in 0..100 {
        if let Ok(store) = schaalwijzer::storage::Store::open(path) {
            return Arc::new(Engine::new(common::content(), store));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the database at {} stays locked", path.display());
}

async fn connect(fake: &FakeDiscord, engine: Arc<Engine>, sessions: usize) -> RunningBot {
    let bot = discord::start(&config(fake), engine)
        .await
        .expect("the bot starts");
    fake.wait_for_handshakes(sessions).await;
    fake.wait_for_nth("command registration", sessions, |r| {
        r.method == "PUT" && r.path.ends_with("/commands")
    })
    .await;
    bot
}

fn is_callback(id: u64) -> impl Fn(&Recorded) -> bool {
    move |r| {
        r.method == "POST" && r.path == format!("/api/v10/interactions/{id}/token-{id}/callback")
    }
}

fn is_channel_message(channel: &str) -> impl Fn(&Recorded) -> bool + '_ {
    move |r| r.method == "POST" && r.path == format!("/api/v10/channels/{channel}/messages")
}

fn is_webhook(id: u64) -> impl Fn(&Recorded) -> bool {
    move |r| {
        r.path.starts_with(&format!(
            "/api/v10/webhooks/{}/token-{id}",
            fake::APPLICATION_ID
        ))
    }
}

/// Returns every custom id in a message body's components.
fn custom_ids(body: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    for row in body["components"].as_array().into_iter().flatten() {
        for component in row["components"].as_array().into_iter().flatten() {
            if let Some(id) = component["custom_id"].as_str() {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

fn find_id(ids: &[String], part: &str) -> String {
    ids.iter()
        .find(|id| id.contains(part))
        .cloned()
        .unwrap_or_else(|| panic!("no custom id with {part} in {ids:?}"))
}

fn assert_no_mentions(body: &Value) {
    let mentions = &body["allowed_mentions"];
    assert_eq!(mentions["parse"], json!([]), "nobody is pinged: {mentions}");
    assert_eq!(
        mentions["users"],
        json!([]),
        "no users are pinged: {mentions}"
    );
    assert_eq!(
        mentions["roles"],
        json!([]),
        "no roles are pinged: {mentions}"
    );
}

/// Starts a trajectory in a new thread and returns the thread id and the first question post.
async fn start_trajectory(fake: &FakeDiscord, user: u64) -> (String, Recorded) {
    let id = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::command(
            id,
            fake::CHANNEL_ID,
            user,
            "start",
            json!([{"name": "name", "type": 3, "value": "Testapp"}]),
        ),
    );
    let callback = fake.wait_for("the deferred start", is_callback(id)).await;
    assert_eq!(
        callback.json.as_ref().unwrap()["type"],
        5,
        "a slash command is deferred first"
    );
    let thread = fake
        .wait_for("the thread", |r| {
            r.method == "POST" && r.path.ends_with("/threads")
        })
        .await;
    assert!(thread.path.contains(&fake::CHANNEL_ID.to_string()));
    let thread_id = fake
        .wait_for("the first question", |r| {
            r.method == "POST"
                && r.path.starts_with("/api/v10/channels/")
                && r.path.ends_with("/messages")
        })
        .await;
    let channel = thread_id
        .path
        .trim_start_matches("/api/v10/channels/")
        .trim_end_matches("/messages")
        .to_string();
    (channel, thread_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_identifies_registers_and_posts_first_question() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(&dir.path().join("db")).await;
    let bot = connect(&fake, engine.clone(), 1).await;

    let handshakes = fake.handshakes();
    assert_eq!(
        handshakes[0],
        Handshake::Identify {
            token: format!("Bot {TOKEN}"),
            intents: 1
        },
        "GUILDS intent only"
    );
    let registration = fake.wait_for("registration", |r| r.method == "PUT").await;
    assert!(registration
        .path
        .contains(&format!("/guilds/{}/commands", fake::GUILD_ID)));
    assert_eq!(
        registration.authorization.as_deref(),
        Some(format!("Bot {TOKEN}").as_str())
    );
    let command = &registration.json.as_ref().unwrap()[0];
    assert_eq!(command["name"], "schaalwijzer");
    assert_eq!(command["name_localizations"]["nl"], "schaalwijzer");
    let subs: Vec<&str> = command["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    for sub in [
        "start", "question", "next", "back", "mine", "private", "status", "result", "close",
        "reopen", "export", "delete", "language",
    ] {
        assert!(subs.contains(&sub), "subcommand {sub} is registered");
    }

    let (thread, post) = start_trajectory(&fake, 11).await;
    let body = post.json.as_ref().unwrap();
    assert!(
        body["embeds"].to_string().contains("I1"),
        "the first question is an embed: {body}"
    );
    let ids = custom_ids(body);
    assert!(
        ids.iter().any(|id| id.contains(":a:c:I1:initiating")),
        "answer buttons: {ids:?}"
    );
    assert!(ids.iter().all(|id| id.len() <= 100));
    assert_no_mentions(body);
    let place = Place {
        platform: "discord".into(),
        scope: fake::GUILD_ID.to_string(),
        channel: thread,
    };
    assert!(
        engine.store().binding(&place).unwrap().is_some(),
        "the trajectory is bound to its thread"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_walk_with_buttons_menu_and_note() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(&dir.path().join("db")).await;
    let bot = connect(&fake, engine.clone(), 1).await;
    let (thread, post) = start_trajectory(&fake, 11).await;
    let thread_id: u64 = thread.parse().unwrap();
    let place = Place {
        platform: "discord".into(),
        scope: fake::GUILD_ID.to_string(),
        channel: thread.clone(),
    };
    let trajectory = engine.store().binding(&place).unwrap().unwrap();

    // Both members press a single-choice button on the first question.
    let ids = custom_ids(post.json.as_ref().unwrap());
    let joint = find_id(&ids, ":a:c:I1:joint");
    for user in [11, 12] {
        let id = fake.next_id();
        fake.dispatch(
            "INTERACTION_CREATE",
            fake::component(id, thread_id, user, &joint, None),
        );
        let callback = fake
            .wait_for("the button acknowledgement", is_callback(id))
            .await;
        assert_eq!(
            callback.json.as_ref().unwrap()["type"],
            6,
            "a channel answer is a deferred update"
        );
        let confirmation = fake
            .wait_for("the private confirmation", is_webhook(id))
            .await;
        assert_eq!(
            confirmation.json.as_ref().unwrap()["flags"],
            64,
            "the confirmation is ephemeral"
        );
    }
    // Once both answered, the bot posts the next question.
    let next = fake
        .wait_for_nth("the second question", 2, is_channel_message(&thread))
        .await;
    assert!(next.json.as_ref().unwrap()["embeds"]
        .to_string()
        .contains("I2"));

    // A scale button, a select menu for a multiple choice, and a note modal, in the private walk.
    let private = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::command(private, thread_id, 12, "private", json!([])),
    );
    let walk = fake.wait_for("the private walk", is_webhook(private)).await;
    assert!(
        walk.json.as_ref().unwrap()["embeds"]
            .to_string()
            .contains("I2"),
        "member 12 continues at I2"
    );
    let scale_id = schaalwijzer::discord::custom_id::encode(
        trajectory,
        &schaalwijzer::discord::custom_id::ComponentId::Answer {
            walk: schaalwijzer::engine::Walk::Private,
            question: "R2".into(),
            value: "4".into(),
        },
    );
    let press = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::component(press, thread_id, 12, &scale_id, None),
    );
    fake.wait_for("the scale answer reply", is_webhook(press))
        .await;

    let menu_id = schaalwijzer::discord::custom_id::encode(
        trajectory,
        &schaalwijzer::discord::custom_id::ComponentId::Select {
            walk: schaalwijzer::engine::Walk::Private,
            question: "C4".into(),
        },
    );
    let select = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::component(
            select,
            thread_id,
            12,
            &menu_id,
            Some(vec!["specific-parts", "from-start"]),
        ),
    );
    fake.wait_for("the select answer reply", is_webhook(select))
        .await;

    let note_button = find_id(&custom_ids(post.json.as_ref().unwrap()), ":n:c:I1");
    let open = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::component(open, thread_id, 12, &note_button, None),
    );
    let modal = fake.wait_for("the note modal", is_callback(open)).await;
    let modal = modal.json.unwrap();
    assert_eq!(modal["type"], 9, "the note button opens a modal");
    let input = &modal["data"]["components"][0]["components"][0];
    assert_eq!(
        input["max_length"], 1000,
        "the modal allows what the bot stores"
    );
    let modal_id = modal["data"]["custom_id"].as_str().unwrap().to_string();
    let submit = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::modal(
            submit,
            thread_id,
            12,
            &modal_id,
            "Ping @everyone about this",
        ),
    );
    fake.wait_for("the note confirmation", is_webhook(submit))
        .await;

    let state = engine.state(trajectory).await.unwrap().unwrap();
    assert!(state.has_value("I1", "11"));
    assert!(state.has_value("I1", "12"));
    assert_eq!(
        state.answer("R2", "12").unwrap().value,
        Some(schaalwijzer::answer::AnswerValue::Scale(4))
    );
    assert_eq!(
        state.answer("C4", "12").unwrap().value,
        Some(schaalwijzer::answer::AnswerValue::Choices(vec![
            "specific-parts".into(),
            "from-start".into()
        ]))
    );
    assert_eq!(
        state.answer("I1", "12").unwrap().note.as_deref(),
        Some("Ping @everyone about this")
    );

    // The note shows in "my answers", and nobody is pinged by it.
    let mine = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::command(mine, thread_id, 12, "mine", json!([])),
    );
    let reply = fake.wait_for("my answers", is_webhook(mine)).await;
    let body = reply.json.unwrap();
    assert!(body["content"]
        .as_str()
        .unwrap_or_default()
        .contains("@everyone"));
    assert_no_mentions(&body);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn result_is_split_within_limits_with_report() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(&dir.path().join("db")).await;
    let bot = connect(&fake, engine.clone(), 1).await;
    let (thread, _) = start_trajectory(&fake, 11).await;
    let thread_id: u64 = thread.parse().unwrap();
    // Fill the trajectory with the OmgevingsChat answers, through the engine.
    let case = schaalwijzer::case::load(
        &common::shared_cases().join("omgevingschat.toml"),
        common::content(),
    )
    .unwrap();
    let place = Place {
        platform: "discord".into(),
        scope: fake::GUILD_ID.to_string(),
        channel: thread.clone(),
    };
    for (i, answer) in case.answers.iter().enumerate() {
        let command = schaalwijzer::engine::Command::Answer {
            question: Some(answer.question.clone()),
            value: answer.value.clone(),
            walk: schaalwijzer::engine::Walk::Private,
        };
        let input = schaalwijzer::engine::Input {
            place: place.clone(),
            ..common::input("unused", &answer.member, command)
        };
        let input = schaalwijzer::engine::Input {
            event_id: format!("fill-{i}"),
            ..input
        };
        engine.handle(input).await.unwrap();
    }

    let id = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::command(id, thread_id, 11, "result", json!([])),
    );
    fake.wait_for("the deferred result", is_callback(id)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let replies: Vec<Recorded> = fake
        .requests()
        .into_iter()
        .filter(|r| is_webhook(id)(r) && r.method != "DELETE")
        .collect();
    assert!(!replies.is_empty(), "the result is posted");
    let mut embeds_seen = 0;
    for reply in &replies {
        let body = reply.json.as_ref().expect("a JSON body");
        assert_no_mentions(body);
        let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
        assert!(embeds.len() <= 10, "at most 10 embeds per message");
        let mut total = 0;
        for embed in &embeds {
            let fields = embed["fields"].as_array().cloned().unwrap_or_default();
            assert!(fields.len() <= 25);
            for field in &fields {
                let value = field["value"].as_str().unwrap();
                assert!(value.chars().count() <= 1024, "field value within 1024");
                total += value.chars().count() + field["name"].as_str().unwrap().chars().count();
            }
            for key in ["title", "description"] {
                total += embed[key].as_str().map_or(0, |t| t.chars().count());
            }
            total += embed["footer"]["text"]
                .as_str()
                .map_or(0, |t| t.chars().count());
        }
        assert!(
            total <= 6000,
            "at most 6000 characters of embeds per message, saw {total}"
        );
        embeds_seen += embeds.len();
    }
    assert!(embeds_seen >= 5, "the advice has several sections");
    let report = replies
        .iter()
        .flat_map(|r| r.files.iter())
        .find(|(name, _)| name.ends_with(".md"));
    let (_, bytes) = report.expect("the full report is attached");
    assert!(String::from_utf8_lossy(bytes).contains("Scaling together"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_buttons_work_after_restart() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let engine = engine_at(&path).await;
    let bot = connect(&fake, engine.clone(), 1).await;
    let (thread, post) = start_trajectory(&fake, 11).await;
    let thread_id: u64 = thread.parse().unwrap();
    let button = find_id(&custom_ids(post.json.as_ref().unwrap()), ":a:c:I1:adopting");
    bot.stop().await;
    drop(engine);

    let engine = engine_at(&path).await;
    let bot = connect(&fake, engine.clone(), 2).await;
    let id = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::component(id, thread_id, 11, &button, None),
    );
    fake.wait_for("the answer after the restart", is_webhook(id))
        .await;
    let place = Place {
        platform: "discord".into(),
        scope: fake::GUILD_ID.to_string(),
        channel: thread,
    };
    let trajectory = engine.store().binding(&place).unwrap().unwrap();
    let state = engine.state(trajectory).await.unwrap().unwrap();
    assert_eq!(
        state.answer("I1", "11").unwrap().value,
        Some(schaalwijzer::answer::AnswerValue::Choice("adopting".into()))
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redelivered_interaction_recorded_once() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(&dir.path().join("db")).await;
    let bot = connect(&fake, engine.clone(), 1).await;
    let (thread, post) = start_trajectory(&fake, 11).await;
    let thread_id: u64 = thread.parse().unwrap();
    let button = find_id(&custom_ids(post.json.as_ref().unwrap()), ":a:c:I1:joint");
    let id = fake.next_id();
    let event = fake::component(id, thread_id, 12, &button, None);
    fake.dispatch("INTERACTION_CREATE", event.clone());
    fake.wait_for("the first delivery", is_webhook(id)).await;
    fake.dispatch("INTERACTION_CREATE", event);
    fake.wait_for_nth("the second acknowledgement", 2, is_callback(id))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let place = Place {
        platform: "discord".into(),
        scope: fake::GUILD_ID.to_string(),
        channel: thread,
    };
    let trajectory = engine.store().binding(&place).unwrap().unwrap();
    assert_eq!(
        engine.store().history(trajectory).unwrap().len(),
        1,
        "one answer in the history"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_resumes_and_keeps_serving() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(&dir.path().join("db")).await;
    let bot = connect(&fake, engine.clone(), 1).await;
    fake.force_reconnect();
    let handshakes = fake.wait_for_handshakes(2).await;
    match &handshakes[1] {
        Handshake::Resume {
            token, session_id, ..
        } => {
            assert_eq!(token, &format!("Bot {TOKEN}"));
            assert_eq!(session_id, "fake-session-1");
        }
        other => panic!("expected RESUME after op 7, got {other:?}"),
    }
    let (thread, _) = start_trajectory(&fake, 11).await;
    assert!(
        !thread.is_empty(),
        "a command after the reconnect is served"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_post_does_not_stop_the_bot() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(&dir.path().join("db")).await;
    let bot = connect(&fake, engine.clone(), 1).await;
    // The first question cannot be posted in the new thread.
    fake.fail_next(
        "POST",
        "/api/v10/channels/",
        403,
        json!({"message": "Missing Permissions", "code": 50013}),
    );
    let id = fake.next_id();
    fake.dispatch("INTERACTION_CREATE", fake::command(id, fake::CHANNEL_ID, 11, "start", json!([{"name": "name", "type": 3, "value": "A"}, {"name": "here", "type": 5, "value": true}])));
    fake.wait_for("the failed post", |r| {
        r.method == "POST" && r.path.ends_with("/messages")
    })
    .await;
    let notice = fake
        .wait_for("the private notice", |r| {
            is_webhook(id)(r) && r.json.as_ref().is_some_and(|j| j["flags"] == 64)
        })
        .await;
    let notice = notice.json.unwrap();
    assert!(
        notice["content"]
            .as_str()
            .unwrap_or_default()
            .contains("could not post"),
        "{notice}"
    );
    // Another channel is still served.
    let other = fake.next_id();
    fake.dispatch("INTERACTION_CREATE", fake::command(other, fake::OTHER_CHANNEL_ID, 12, "start", json!([{"name": "name", "type": 3, "value": "B"}, {"name": "here", "type": 5, "value": true}])));
    let posted = fake
        .wait_for(
            "a post in the other channel",
            is_channel_message(&fake::OTHER_CHANNEL_ID.to_string()),
        )
        .await;
    assert!(posted.json.unwrap()["embeds"].to_string().contains("I1"));
    bot.stop().await;
}

#[test]
fn payloads_deserialize_into_serenity_models() {
    use serenity::all::Interaction;
    let payloads = [
        (
            "command",
            fake::command(
                1,
                fake::CHANNEL_ID,
                11,
                "start",
                json!([{"name": "name", "type": 3, "value": "X"}]),
            ),
        ),
        (
            "button",
            fake::component(2, fake::CHANNEL_ID, 11, "sw1:1:a:c:I1:joint", None),
        ),
        (
            "select",
            fake::component(3, fake::CHANNEL_ID, 11, "sw1:1:m:p:C4", Some(vec!["none"])),
        ),
        (
            "modal",
            fake::modal(4, fake::CHANNEL_ID, 11, "sw1:1:N:p:R1", "note"),
        ),
    ];
    for (name, payload) in payloads {
        let parsed: Result<Interaction, _> = serde_json::from_value(payload);
        assert!(parsed.is_ok(), "{name}: {:?}", parsed.err());
    }
    let message: Result<serenity::all::Message, _> =
        serde_json::from_value(fake::message_object(5, fake::CHANNEL_ID, "hi"));
    assert!(message.is_ok(), "message: {:?}", message.err());
}

#[tokio::test]
async fn unreachable_stand_in_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(&dir.path().join("db")).await;
    // Nothing listens on this freshly closed port, so the gateway request is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = DiscordConfig {
        token: Secret::new(TOKEN),
        api_url: Some(format!("http://127.0.0.1:{port}")),
        ..DiscordConfig::default()
    };
    let result = discord::start(&config, engine).await;
    let error = result
        .err()
        .expect("the bot does not start without its stand-in");
    assert!(
        matches!(error, discord::DiscordError::StandIn { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("api_url"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_asks_and_cancel_keeps() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(&dir.path().join("db")).await;
    let bot = connect(&fake, engine.clone(), 1).await;
    let (thread, _) = start_trajectory(&fake, 11).await;
    let thread_id: u64 = thread.parse().unwrap();

    let ask = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::command(ask, thread_id, 11, "delete", json!([])),
    );
    let question = fake
        .wait_for("the confirmation question", is_webhook(ask))
        .await;
    let body = question.json.unwrap();
    let ids = custom_ids(&body);
    let cancel = find_id(&ids, ":keep");
    assert!(
        ids.iter().any(|id| id.ends_with(":delete")),
        "a confirm button: {ids:?}"
    );

    let press = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::component(press, thread_id, 11, &cancel, None),
    );
    let reply = fake.wait_for("the cancel reply", is_webhook(press)).await;
    let reply = reply.json.unwrap().to_string();
    assert!(
        reply.contains("Niets verwijderd") || reply.contains("Nothing was deleted"),
        "{reply}"
    );
    let place = Place {
        platform: "discord".into(),
        scope: fake::GUILD_ID.to_string(),
        channel: thread,
    };
    let id = engine
        .store()
        .binding(&place)
        .unwrap()
        .expect("the trajectory is kept");
    assert!(engine.state(id).await.unwrap().is_some());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkin_buttons_work() {
    use schaalwijzer::platform::Poster;
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(&dir.path().join("db")).await;
    let bot = connect(&fake, engine.clone(), 1).await;
    let (thread, _) = start_trajectory(&fake, 11).await;
    let thread_id: u64 = thread.parse().unwrap();
    let place = Place {
        platform: "discord".into(),
        scope: fake::GUILD_ID.to_string(),
        channel: thread.clone(),
    };
    let id = engine.store().binding(&place).unwrap().unwrap();
    let state = engine.state(id).await.unwrap().unwrap();

    // Post a check-in the way the scheduler does, through the REST API of the stand-in.
    let http = serenity::http::HttpBuilder::new(TOKEN)
        .proxy(fake.rest_url())
        .ratelimiter_disabled(true)
        .build();
    let poster =
        schaalwijzer::discord::poster::DiscordPoster::new(Arc::new(http), common::content());
    let policy = schaalwijzer::engine::checkin::CheckinPolicy::default();
    let (message, _) =
        schaalwijzer::engine::checkin::checkin_message(common::content(), &state, &policy);
    let before = fake.requests().len();
    poster
        .post(&place, &message)
        .await
        .expect("the check-in is posted");
    let posted = fake.requests()[before..]
        .iter()
        .rev()
        .find(|r| is_channel_message(&thread)(r))
        .cloned()
        .expect("the check-in reached the channel");
    let private = find_id(&custom_ids(posted.json.as_ref().unwrap()), ":private");

    let press = fake.next_id();
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::component(press, thread_id, 12, &private, None),
    );
    let reply = fake
        .wait_for("the private walk from a check-in", |r| {
            is_webhook(press)(r) && r.method == "PATCH"
        })
        .await;
    assert!(
        reply.json.unwrap()["embeds"].to_string().contains("I1"),
        "the member's private walk starts"
    );
    bot.stop().await;
}
