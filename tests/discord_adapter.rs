//! The Discord adapter without a network: Discord API v10 payloads deserialize into serenity's
//! models and map to the expected engine inputs, and the bot's responses serialize to the JSON
//! Discord expects.

mod common;

use std::collections::BTreeSet;

use schaalwijzer::answer::AnswerValue;
use schaalwijzer::discord::components::{self, NoteForm};
use schaalwijzer::discord::custom_id::{self, ComponentId, Decoded};
use schaalwijzer::discord::map::{self, Origin};
use schaalwijzer::discord::render::{self, Outgoing};
use schaalwijzer::discord::reply;
use schaalwijzer::discord::split::limit;
use schaalwijzer::engine::message::{ActionKind, Message};
use schaalwijzer::engine::{
    views, Actor, Command, Effect, Engine, Place, TrajectoryId, Visibility, Walk,
};
use schaalwijzer::i18n::Lang;
use serde_json::{json, Value};
use serenity::all::{CreateInteractionResponse, Interaction};

const GUILD: u64 = 81_384_788_765_712_384;
const CHANNEL: u64 = 41_771_983_423_143_937;
const USER: u64 = 80_351_110_224_678_912;
/// An interaction id whose snowflake time is 2016-04-30T11:18:25.796Z.
const INTERACTION: u64 = 175_928_847_299_117_063;

fn user(id: u64, name: &str, global_name: Option<&str>, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": global_name,
        "avatar": null,
        "bot": bot,
    })
}

fn member(user: Value, nick: Option<&str>) -> Value {
    json!({
        "user": user,
        "nick": nick,
        "avatar": null,
        "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "permissions": "2147483647",
    })
}

fn message(id: u64, author: Value, content: &str) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": CHANNEL.to_string(),
        "author": author,
        "content": content,
        "timestamp": "2024-05-01T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
    })
}

/// Builds an interaction of `kind` (2 command, 3 component, 5 modal submit) in the test guild.
fn interaction(kind: u8, data: Value, locale: &str, nick: Option<&str>) -> Value {
    let mut payload = json!({
        "id": INTERACTION.to_string(),
        "application_id": "900000000000000001",
        "type": kind,
        "data": data,
        "guild_id": GUILD.to_string(),
        "channel": {"id": CHANNEL.to_string(), "type": 0},
        "channel_id": CHANNEL.to_string(),
        "member": member(user(USER, "jdevries", Some("Jan de Vries"), false), nick),
        "token": "interaction-token",
        "version": 1,
        "app_permissions": "2147483647",
        "locale": locale,
        "guild_locale": "nl",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD.to_string()},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    });
    if kind == 3 {
        let bot = user(900_000_000_000_000_002, "Schaalwijzer", None, true);
        payload["message"] = message(INTERACTION - 1000, bot, "");
    }
    payload
}

fn parse_interaction(payload: Value) -> Interaction {
    serde_json::from_value(payload).expect("a v10 interaction deserializes")
}

fn place() -> Place {
    Place {
        platform: "discord".into(),
        scope: GUILD.to_string(),
        channel: CHANNEL.to_string(),
    }
}

fn expected_actor(name: &str, locale: Option<Lang>) -> Actor {
    Actor {
        id: USER.to_string(),
        name: name.into(),
        locale,
    }
}

#[test]
fn slash_command_maps_to_start() {
    let data = json!({
        "id": "900000000000000003",
        "name": "schaalwijzer",
        "type": 1,
        "guild_id": GUILD.to_string(),
        "options": [{
            "type": 1,
            "name": "start",
            "options": [
                {"type": 3, "name": "name", "value": "Omgevingschat"},
                {"type": 5, "name": "here", "value": true},
            ],
        }],
    });
    let Interaction::Command(command) = parse_interaction(interaction(2, data, "nl", None)) else {
        panic!("an APPLICATION_COMMAND is a command interaction");
    };
    let origin = Origin::of_command(&command);
    let invocation = map::invocation(&command, true).expect("the options parse");
    assert!(!invocation.new_thread, "here:true starts in the channel");
    assert!(!invocation.private);

    let input = origin.input(None, invocation.command);
    assert_eq!(input.event_id, format!("discord-i-{INTERACTION}"));
    assert_eq!(input.actor, expected_actor("Jan de Vries", Some(Lang::Nl)));
    assert_eq!(input.place, place());
    assert_eq!(input.trajectory, None, "the engine resolves the channel");
    assert_eq!(input.at.to_string(), "2016-04-30T11:18:25.796Z");
    assert_eq!(
        input.command,
        Command::Start {
            name: "Omgevingschat".into(),
            description: String::new(),
            lang: None,
        }
    );
}

#[test]
fn start_without_here_follows_config() {
    let data = json!({
        "id": "900000000000000003",
        "name": "schaalwijzer",
        "type": 1,
        "options": [{"type": 1, "name": "start", "options": [
            {"type": 3, "name": "name", "value": "X"},
        ]}],
    });
    let Interaction::Command(command) = parse_interaction(interaction(2, data, "nl", None)) else {
        panic!("a command interaction");
    };
    assert!(map::invocation(&command, true).unwrap().new_thread);
    assert!(!map::invocation(&command, false).unwrap().new_thread);
}

#[test]
fn private_subcommands_are_ephemeral() {
    for (sub, private) in [("mine", true), ("private", true), ("status", false)] {
        let data = json!({
            "id": "900000000000000003",
            "name": "schaalwijzer",
            "type": 1,
            "options": [{"type": 1, "name": sub, "options": []}],
        });
        let Interaction::Command(command) = parse_interaction(interaction(2, data, "nl", None))
        else {
            panic!("a command interaction");
        };
        assert_eq!(
            map::invocation(&command, true).unwrap().private,
            private,
            "{sub}"
        );
    }
}

#[test]
fn locale_and_nick_shape_actor() {
    let data = json!({"custom_id": "sw1:7:status", "component_type": 2});
    let Interaction::Component(component) =
        parse_interaction(interaction(3, data, "en-GB", Some("Jan (PO)")))
    else {
        panic!("a MESSAGE_COMPONENT is a component interaction");
    };
    let origin = Origin::of_component(&component);
    assert_eq!(origin.actor, expected_actor("Jan (PO)", Some(Lang::En)));
    for (locale, lang) in [
        ("nl", Some(Lang::Nl)),
        ("en-US", Some(Lang::En)),
        ("de", None),
    ] {
        assert_eq!(map::lang_of_locale(locale), lang, "{locale}");
    }
}

fn component_input(data: Value) -> (Option<TrajectoryId>, Command) {
    let Interaction::Component(component) = parse_interaction(interaction(3, data, "nl", None))
    else {
        panic!("a component interaction");
    };
    let Decoded {
        trajectory,
        component: kind,
    } = map::decode_component(&component).expect("the bot's custom id");
    let command = map::component_command(common::content(), &kind, &component.data.kind)
        .expect("a press with engine work");
    let input = Origin::of_component(&component).input(trajectory, command);
    assert_eq!(input.event_id, format!("discord-i-{INTERACTION}"));
    (input.trajectory, input.command)
}

#[test]
fn scale_button_maps_to_answer() {
    let data = json!({"custom_id": "sw1:7:a:c:R2:4", "component_type": 2});
    let (trajectory, command) = component_input(data);
    assert_eq!(trajectory, Some(TrajectoryId(7)));
    assert_eq!(
        command,
        Command::Answer {
            question: Some("R2".into()),
            value: AnswerValue::Scale(4),
            walk: Walk::Channel,
        }
    );
}

#[test]
fn choice_button_maps_to_answer() {
    let data = json!({"custom_id": "sw1:7:a:p:R1:2-10", "component_type": 2});
    let (_, command) = component_input(data);
    assert_eq!(
        command,
        Command::Answer {
            question: Some("R1".into()),
            value: AnswerValue::Choice("2-10".into()),
            walk: Walk::Private,
        }
    );
}

#[test]
fn string_select_maps_to_choices() {
    let data = json!({
        "custom_id": "sw1:7:m:p:C4",
        "component_type": 3,
        "values": ["specific-parts", "from-start"],
    });
    let (_, command) = component_input(data);
    assert_eq!(
        command,
        Command::Answer {
            question: Some("C4".into()),
            value: AnswerValue::Choices(vec!["specific-parts".into(), "from-start".into()]),
            walk: Walk::Private,
        }
    );
    let cleared = json!({"custom_id": "sw1:7:m:p:C4", "component_type": 3, "values": []});
    let (_, command) = component_input(cleared);
    assert_eq!(
        command,
        Command::Answer {
            question: Some("C4".into()),
            value: AnswerValue::Choices(Vec::new()),
            walk: Walk::Private,
        },
        "an empty selection clears the choices"
    );
}

#[test]
fn checkin_button_resolves_by_channel() {
    let data = json!({"custom_id": "sw1:0:private", "component_type": 2});
    let (trajectory, command) = component_input(data);
    assert_eq!(trajectory, None, "the engine resolves the channel binding");
    assert_eq!(
        command,
        Command::Show {
            walk: Walk::Private
        }
    );
}

#[test]
fn modal_submit_maps_to_note() {
    let data = json!({
        "custom_id": "sw1:7:N:c:I1",
        "components": [{"type": 1, "components": [
            {"type": 4, "custom_id": "note", "value": "Ping @everyone hierover"},
        ]}],
    });
    let Interaction::Modal(modal) = parse_interaction(interaction(5, data, "nl", None)) else {
        panic!("a MODAL_SUBMIT is a modal interaction");
    };
    let (trajectory, command) = map::modal_note(&modal).expect("the bot's modal");
    assert_eq!(trajectory, Some(TrajectoryId(7)));
    assert_eq!(
        command,
        Command::Note {
            question: Some("I1".into()),
            text: "Ping @everyone hierover".into(),
            walk: Walk::Channel,
        }
    );
    assert_eq!(
        Origin::of_modal(&modal).event_id,
        format!("discord-i-{INTERACTION}")
    );
}

#[test]
fn user_message_maps_bot_message_ignored() {
    let mut from_user = message(
        INTERACTION,
        user(USER, "jdevries", Some("Jan de Vries"), false),
        " 4 ",
    );
    from_user["guild_id"] = json!(GUILD.to_string());
    from_user["member"] = json!({
        "nick": "Jan",
        "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
    });
    let parsed: serenity::all::Message = serde_json::from_value(from_user).unwrap();
    assert_eq!(map::typed_text(&parsed), Some("4"));
    let origin = Origin::of_message(&parsed);
    assert_eq!(origin.event_id, format!("discord-m-{INTERACTION}"));
    assert_eq!(origin.actor, expected_actor("Jan", None));
    assert_eq!(origin.place(), place());

    let bot = user(900_000_000_000_000_002, "Schaalwijzer", None, true);
    let from_bot: serenity::all::Message =
        serde_json::from_value(message(INTERACTION + 1, bot, "4")).unwrap();
    assert_eq!(map::typed_text(&from_bot), None, "bots are ignored");
    let empty: serenity::all::Message = serde_json::from_value(message(
        INTERACTION + 2,
        user(USER, "jdevries", None, false),
        "",
    ))
    .unwrap();
    assert_eq!(map::typed_text(&empty), None, "empty content is no answer");
}

fn response_json(response: &CreateInteractionResponse) -> Value {
    serde_json::to_value(response).expect("responses serialize")
}

fn assert_no_pings(body: &Value) {
    let mentions = &body["allowed_mentions"];
    assert_eq!(mentions["parse"], json!([]), "{mentions}");
    assert_eq!(mentions["users"], json!([]), "{mentions}");
    assert_eq!(mentions["roles"], json!([]), "{mentions}");
    assert_eq!(mentions["replied_user"], json!(false), "{mentions}");
}

#[test]
fn defer_is_type_5_with_flags() {
    let private = response_json(&reply::defer_response(Visibility::Private));
    assert_eq!(private["type"], 5);
    assert_eq!(private["data"]["flags"], 64, "ephemeral from the start");
    let public = response_json(&reply::defer_response(Visibility::Public));
    assert_eq!(public["type"], 5);
    assert_ne!(public["data"]["flags"], 64);
}

#[test]
fn acknowledge_is_type_6() {
    let ack = response_json(&CreateInteractionResponse::Acknowledge);
    assert_eq!(ack["type"], 6);
}

#[test]
fn message_is_type_4_without_pings() {
    let outgoing = Outgoing::text("@everyone kijk hier");
    let body = response_json(&reply::message_response(&outgoing, Visibility::Private));
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(body["data"]["content"], "@everyone kijk hier");
    assert_no_pings(&body["data"]);
}

#[test]
fn update_is_type_7() {
    let body = response_json(&reply::update_response(&Outgoing::text(
        "Niets verwijderd.",
    )));
    assert_eq!(body["type"], 7);
    assert_eq!(body["data"]["content"], "Niets verwijderd.");
    assert_eq!(body["data"]["components"], json!([]), "the buttons go");
}

#[test]
fn follow_up_ephemeral_without_pings() {
    let outgoing = Outgoing::text("x");
    let body = serde_json::to_value(reply::follow_up(&outgoing, Visibility::Private)).unwrap();
    assert_eq!(body["flags"], 64);
    assert_no_pings(&body);
}

#[test]
fn note_modal_is_type_9_with_limit() {
    let modal = components::note_modal(&NoteForm {
        trajectory: Some(TrajectoryId(7)),
        walk: Walk::Private,
        question: "R1",
        title: "Toelichting bij R1",
        label: "Je toelichting",
        max_chars: schaalwijzer::answer::MAX_NOTE_CHARS,
        current: Some("eerdere toelichting"),
    });
    let body = response_json(&CreateInteractionResponse::Modal(modal));
    assert_eq!(body["type"], 9);
    let data = &body["data"];
    let modal_id = data["custom_id"].as_str().unwrap();
    assert_eq!(
        custom_id::decode(modal_id).map(|d| d.component),
        Some(ComponentId::NoteModal {
            walk: Walk::Private,
            question: "R1".into()
        })
    );
    let input = &data["components"][0]["components"][0];
    assert_eq!(input["type"], 4, "a text input");
    assert_eq!(input["style"], 2, "a paragraph");
    assert_eq!(input["max_length"], 1000);
    assert_eq!(input["value"], "eerdere toelichting");
}

/// Starts a trajectory on a fresh database and returns the engine and its id.
async fn started_engine(dir: &tempfile::TempDir) -> (Engine, TrajectoryId) {
    let engine = common::engine_at(&dir.path().join("db"));
    let id = common::start(&engine, "adapter", "11").await;
    (engine, id)
}

fn components_json(outgoing: &Outgoing) -> Vec<Value> {
    outgoing
        .components
        .iter()
        .map(|row| serde_json::to_value(row).unwrap())
        .collect()
}

#[tokio::test]
async fn question_renders_as_embed_and_buttons() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, id) = started_engine(&dir).await;
    let state = engine.state(id).await.unwrap().unwrap();
    let content = common::content();
    let questions = &content.questionnaire.questions;

    let scale = questions.iter().position(|q| q.id == "R2").unwrap();
    let message = views::question_message(
        content,
        &state.trajectory,
        &state.answers,
        scale,
        Walk::Channel,
        None,
    );
    let outgoing = render::render(content, Lang::Nl, Some(id), &message);
    let last = outgoing.last().unwrap();
    let embed = serde_json::to_value(&last.embeds()[0]).unwrap();
    assert!(
        embed["title"].as_str().unwrap().starts_with("R2"),
        "{embed}"
    );
    assert!(embed["description"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(embed["author"]["name"]
        .as_str()
        .is_some_and(|a| a.contains('/')));
    assert_eq!(embed["fields"][0]["name"], "Toelichting bij de vraag");
    let rows = components_json(last);
    let steps = rows[0]["components"].as_array().unwrap();
    assert_eq!(steps.len(), 5, "five scale steps");
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step["type"], 2, "a button");
        assert_eq!(step["custom_id"], format!("sw1:{id}:a:c:R2:{}", i + 1));
    }

    let multiple = questions.iter().position(|q| q.id == "C4").unwrap();
    let message = views::question_message(
        content,
        &state.trajectory,
        &state.answers,
        multiple,
        Walk::Private,
        Some("11"),
    );
    let outgoing = render::render(content, Lang::Nl, Some(id), &message);
    let rows = components_json(outgoing.last().unwrap());
    let menu = &rows[0]["components"][0];
    assert_eq!(menu["type"], 3, "a string select");
    assert_eq!(menu["custom_id"], format!("sw1:{id}:m:p:C4"));
    assert_eq!(menu["min_values"], 0);
    assert_eq!(menu["max_values"], 5);
    assert_eq!(menu["options"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn selected_options_are_menu_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, id) = started_engine(&dir).await;
    let choices = AnswerValue::Choices(vec!["specific-parts".into(), "from-start".into()]);
    let answer = Command::Answer {
        question: Some("C4".into()),
        value: choices,
        walk: Walk::Private,
    };
    common::send(&engine, "adapter", "11", answer).await;

    let state = engine.state(id).await.unwrap().unwrap();
    let content = common::content();
    let index = content
        .questionnaire
        .questions
        .iter()
        .position(|q| q.id == "C4")
        .unwrap();
    let message = views::question_message(
        content,
        &state.trajectory,
        &state.answers,
        index,
        Walk::Private,
        Some("11"),
    );
    let outgoing = render::render(content, Lang::Nl, Some(id), &message);
    let rows = components_json(outgoing.last().unwrap());
    let defaults: BTreeSet<String> = rows[0]["components"][0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["default"] == true)
        .map(|o| o["value"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = ["specific-parts", "from-start"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(defaults, expected);
}

/// Answers the ChatILT case file through the engine and returns the effects.
async fn fill_case(engine: &Engine) -> Vec<Effect> {
    let content = common::content();
    let case = schaalwijzer::case::load(&common::own_cases().join("chatilt.toml"), content)
        .expect("the ChatILT case loads");
    let mut effects = Vec::new();
    for answer in &case.answers {
        let command = Command::Answer {
            question: Some(answer.question.clone()),
            value: answer.value.clone(),
            walk: Walk::Private,
        };
        effects.extend(common::send(engine, "adapter", &answer.member, command).await);
    }
    effects
}

/// Collects the messages the engine produces in a whole trajectory: every question in both
/// walks, replies and posts of a scripted session, and a check-in.
async fn every_engine_message(engine: &Engine, id: TrajectoryId) -> Vec<Message> {
    let content = common::content();
    let mut messages = Vec::new();
    let mut effects = fill_case(engine).await;
    for command in [
        Command::Show {
            walk: Walk::Private,
        },
        Command::Show {
            walk: Walk::Channel,
        },
        Command::Next {
            walk: Walk::Channel,
        },
        Command::Status,
        Command::MyAnswers,
        Command::Result,
        Command::Export,
        Command::Delete { confirmed: false },
    ] {
        effects.extend(common::send(engine, "adapter", "11", command).await);
    }
    messages.extend(effects.iter().map(|e| e.message().clone()));
    let state = engine.state(id).await.unwrap().unwrap();
    for index in 0..=content.questionnaire.questions.len() {
        for walk in [Walk::Channel, Walk::Private] {
            messages.push(views::question_message(
                content,
                &state.trajectory,
                &state.answers,
                index,
                walk,
                Some("lab"),
            ));
        }
    }
    let policy = schaalwijzer::engine::checkin::CheckinPolicy {
        mention_members: true,
        ..Default::default()
    };
    messages.push(schaalwijzer::engine::checkin::checkin_message(content, &state, &policy).0);
    messages
}

fn assert_component_limits(rows: &[Value]) {
    assert!(rows.len() <= 5, "at most five rows: {}", rows.len());
    for row in rows {
        let components = row["components"].as_array().unwrap();
        assert!(components.len() <= 5, "at most five components in a row");
        for component in components {
            let id = component["custom_id"].as_str().unwrap();
            assert!(id.len() <= 100, "{id} is {} characters", id.len());
            assert!(custom_id::decode(id).is_some(), "{id} decodes");
            if let Some(label) = component["label"].as_str() {
                assert!(label.chars().count() <= 80, "{label}");
            }
        }
    }
}

fn assert_message_limits(outgoing: &Outgoing) {
    assert!(outgoing.content.chars().count() <= limit::CONTENT);
    assert!(outgoing.embeds.len() <= limit::EMBEDS);
    let total: usize = outgoing.embeds.iter().map(|e| e.size()).sum();
    assert!(total <= limit::EMBED_TOTAL, "{total} characters of embeds");
    for embed in &outgoing.embeds {
        assert!(embed.within_limits(), "{embed:?}");
    }
}

fn kind_name(component: &ComponentId) -> &'static str {
    match component {
        ComponentId::Answer { .. } => "answer",
        ComponentId::Select { .. } => "select",
        ComponentId::NoteButton { .. } => "note",
        ComponentId::NoteModal { .. } => "modal",
        ComponentId::Action(ActionKind::Next(_)) => "next",
        ComponentId::Action(ActionKind::PrivateWalk) => "private",
        ComponentId::Action(ActionKind::DeleteConfirm) => "delete",
        ComponentId::Action(_) => "other action",
    }
}

#[tokio::test]
async fn every_engine_block_fits_discord() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, id) = started_engine(&dir).await;
    let messages = every_engine_message(&engine, id).await;
    let content = common::content();
    let mut kinds = BTreeSet::new();
    let largest = Some(TrajectoryId(u64::MAX));
    for message in &messages {
        for lang in Lang::ALL {
            for outgoing in render::render(content, lang, largest, message) {
                assert_message_limits(&outgoing);
                let rows = components_json(&outgoing);
                assert_component_limits(&rows);
                for row in &rows {
                    for component in row["components"].as_array().unwrap() {
                        let id = component["custom_id"].as_str().unwrap();
                        let decoded = custom_id::decode(id).unwrap();
                        kinds.insert(kind_name(&decoded.component));
                    }
                }
            }
        }
    }
    for kind in ["answer", "select", "note", "next", "private", "delete"] {
        assert!(
            kinds.contains(kind),
            "the session produced a {kind} component: {kinds:?}"
        );
    }
}

#[tokio::test]
async fn result_attaches_markdown_report() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, id) = started_engine(&dir).await;
    fill_case(&engine).await;
    let effects = common::send(&engine, "adapter", "11", Command::Result).await;
    let content = common::content();
    let outgoing: Vec<Outgoing> = effects
        .iter()
        .flat_map(|e| render::render(content, Lang::Nl, Some(id), e.message()))
        .collect();
    assert!(outgoing.len() > 1, "the advice takes several messages");
    for message in &outgoing {
        assert_message_limits(message);
    }
    let report = format!("schaalwijzer-{id}.md");
    let files: Vec<&(String, Vec<u8>)> = outgoing.iter().flat_map(|o| &o.files).collect();
    assert_eq!(files.len(), 1, "one file: the report");
    assert_eq!(files[0].0, report);
    let markdown = String::from_utf8(files[0].1.clone()).unwrap();
    assert!(markdown.starts_with('#'), "a Markdown report");
    let last = outgoing.last().unwrap();
    assert!(
        !last.files.is_empty(),
        "the report comes with the last message"
    );
}

#[test]
fn mentions_ping_only_named_users() {
    let message = Message {
        blocks: vec![schaalwijzer::engine::message::Block::Mentions {
            members: vec![schaalwijzer::engine::message::Mention {
                member: USER.to_string(),
                name: "Jan".into(),
                open: 3,
            }],
            ping: true,
        }],
    };
    let outgoing = render::render(common::content(), Lang::Nl, None, &message);
    let mentions = serde_json::to_value(outgoing[0].allowed_mentions()).unwrap();
    assert_eq!(mentions["parse"], json!([]));
    assert_eq!(mentions["users"], json!([USER.to_string()]));
    assert_eq!(mentions["roles"], json!([]));
}

/// Checks a name against Discord's rule for chat input command and option names.
fn valid_name(name: &str) -> bool {
    let length = name.chars().count();
    (1..=32).contains(&length)
        && name
            .chars()
            .all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn assert_described(option: &Value) {
    let name = option["name"].as_str().unwrap();
    assert!(valid_name(name), "{name}");
    let nl_name = option["name_localizations"]["nl"].as_str().unwrap();
    assert!(valid_name(nl_name), "{nl_name}");
    let texts = [
        option["description"].as_str().unwrap(),
        option["description_localizations"]["nl"].as_str().unwrap(),
    ];
    for text in texts {
        let length = text.chars().count();
        assert!((1..=100).contains(&length), "{name}: {text:?}");
        assert!(
            !text.starts_with("discord."),
            "{name}: the key {text} is missing"
        );
    }
}

#[test]
fn command_definition_is_localized() {
    let content = common::content();
    for key in schaalwijzer::discord::commands::description_keys() {
        assert!(
            content.messages.contains(&key),
            "{key} is in prompts/messages.toml"
        );
    }

    let definition =
        serde_json::to_value(schaalwijzer::discord::commands::definition(content)).unwrap();
    assert_eq!(definition["name"], "schaalwijzer");
    assert_eq!(definition["dm_permission"], false);
    let subs = definition["options"].as_array().unwrap();
    let names: Vec<&str> = subs.iter().map(|s| s["name"].as_str().unwrap()).collect();
    for sub in [
        "start",
        "question",
        "next",
        "back",
        "mine",
        "private",
        "status",
        "result",
        "close",
        "reopen",
        "export",
        "delete",
        "language",
        "agree",
        "facilitator",
    ] {
        assert!(names.contains(&sub), "subcommand {sub}");
    }

    for sub in subs {
        assert_eq!(sub["type"], 1, "a subcommand");
        assert_described(sub);
        for option in sub["options"].as_array().into_iter().flatten() {
            assert_described(option);
        }
    }
    let start = &subs[names.iter().position(|n| *n == "start").unwrap()];
    let here = &start["options"][2];
    assert_eq!(here["name"], "here");
    assert_eq!(here["type"], 5, "a boolean");
    let language = &subs[names.iter().position(|n| *n == "language").unwrap()];
    let choices: Vec<&str> = language["options"][0]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(choices, ["nl", "en"]);
}
