//! The engine driven through its commands, roles and walks on a real sled database.

mod common;

use common::{send, start, texts};
use schaalwijzer::answer::{AnswerValue, MAX_NOTE_CHARS};
use schaalwijzer::engine::message::{ActionKind, Block, Effect, Visibility};
use schaalwijzer::engine::{Command, Input, Walk};
use schaalwijzer::i18n::Lang;

fn answer(question: &str, value: AnswerValue, walk: Walk) -> Command {
    Command::Answer {
        question: Some(question.into()),
        value,
        walk,
    }
}

fn scale(step: u8) -> AnswerValue {
    AnswerValue::Scale(step)
}

fn is_private(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::Reply {
            visibility: Visibility::Private,
            ..
        }
    )
}

#[tokio::test]
async fn start_binds_and_posts_first_question() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let effects = send(
        &engine,
        "c1",
        "anna",
        Command::Start {
            name: "App".into(),
            description: String::new(),
            lang: None,
        },
    )
    .await;
    let id = engine
        .store()
        .binding(&common::place("c1"))
        .unwrap()
        .expect("bound");
    let state = engine.state(id).await.unwrap().expect("stored");
    assert!(state.trajectory.is_facilitator("anna"));
    let posted = effects
        .iter()
        .find(|e| matches!(e, Effect::Post { .. }))
        .expect("a post");
    let has_question = posted
        .message()
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Question(q) if q.id == "I1"));
    assert!(has_question, "the first question is posted");
}

#[tokio::test]
async fn second_start_in_same_channel_refused() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let first = start(&engine, "c1", "anna").await;
    let effects = send(
        &engine,
        "c1",
        "bram",
        Command::Start {
            name: "Other".into(),
            description: String::new(),
            lang: None,
        },
    )
    .await;
    assert!(effects.iter().all(is_private));
    assert_eq!(
        engine.store().binding(&common::place("c1")).unwrap(),
        Some(first)
    );
}

#[tokio::test]
async fn facilitator_commands_refused_for_members() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    let before = engine.state(id).await.unwrap();
    let commands = [
        Command::Next {
            walk: Walk::Channel,
        },
        Command::Back {
            walk: Walk::Channel,
        },
        Command::Close,
        Command::Reopen,
        Command::Agree {
            question: "R1".into(),
            value: AnswerValue::Choice("1".into()),
        },
        Command::Export,
        Command::Delete { confirmed: true },
        Command::AddFacilitator {
            member: "bram".into(),
            name: "Bram".into(),
        },
    ];
    for command in commands {
        let name = command.name();
        let effects = send(&engine, "c1", "bram", command).await;
        assert_eq!(effects.len(), 1, "{name}: one refusal");
        assert!(is_private(&effects[0]), "{name}: the refusal is private");
        assert!(
            texts(&effects).contains("Member anna"),
            "{name}: the refusal names the facilitator: {}",
            texts(&effects)
        );
        let key = format!("action.{name}");
        let action = common::content().msg(Lang::Nl, &key);
        assert!(
            texts(&effects).contains(&format!("Alleen een facilitator kan {action}.")),
            "{name}: the refusal describes the action in Dutch: {}",
            texts(&effects)
        );
    }
    let close = send(&engine, "c1", "bram", Command::Close).await;
    assert!(
        texts(&close).contains("Alleen een facilitator kan het traject afsluiten"),
        "{}",
        texts(&close)
    );
    assert_eq!(
        engine.state(id).await.unwrap(),
        before,
        "refusals change nothing"
    );
}

#[tokio::test]
async fn added_facilitator_may_advance() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    send(&engine, "c1", "bram", Command::Join).await;
    send(
        &engine,
        "c1",
        "anna",
        Command::AddFacilitator {
            member: "bram".into(),
            name: "Bram".into(),
        },
    )
    .await;
    send(
        &engine,
        "c1",
        "bram",
        Command::Next {
            walk: Walk::Channel,
        },
    )
    .await;
    let state = engine.state(id).await.unwrap().unwrap();
    assert!(state.trajectory.is_facilitator("bram"));
    assert_eq!(state.trajectory.channel_position, 1);
}

#[tokio::test]
async fn channel_walk_advances_when_everyone_answered() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    send(&engine, "c1", "bram", Command::Join).await;
    let choice = AnswerValue::Choice("joint".into());
    let first = send(
        &engine,
        "c1",
        "anna",
        answer("I1", choice.clone(), Walk::Channel),
    )
    .await;
    assert!(
        first.iter().all(is_private),
        "one of two answered: only a private confirmation"
    );
    assert_eq!(
        engine
            .state(id)
            .await
            .unwrap()
            .unwrap()
            .trajectory
            .channel_position,
        0
    );
    let second = send(&engine, "c1", "bram", answer("I1", choice, Walk::Channel)).await;
    let posted = second
        .iter()
        .find(|e| matches!(e, Effect::Post { .. }))
        .expect("the next question is posted");
    assert!(posted
        .message()
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Question(q) if q.id == "I2")));
    assert_eq!(
        engine
            .state(id)
            .await
            .unwrap()
            .unwrap()
            .trajectory
            .channel_position,
        1
    );
}

#[tokio::test]
async fn facilitator_moves_channel_walk() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    send(
        &engine,
        "c1",
        "anna",
        Command::Next {
            walk: Walk::Channel,
        },
    )
    .await;
    send(
        &engine,
        "c1",
        "anna",
        Command::Next {
            walk: Walk::Channel,
        },
    )
    .await;
    send(
        &engine,
        "c1",
        "anna",
        Command::Back {
            walk: Walk::Channel,
        },
    )
    .await;
    assert_eq!(
        engine
            .state(id)
            .await
            .unwrap()
            .unwrap()
            .trajectory
            .channel_position,
        1
    );
    send(
        &engine,
        "c1",
        "anna",
        Command::Goto {
            question: "F5".into(),
            walk: Walk::Channel,
        },
    )
    .await;
    assert_eq!(
        engine
            .state(id)
            .await
            .unwrap()
            .unwrap()
            .trajectory
            .channel_position,
        18
    );
}

#[tokio::test]
async fn private_walk_continues_where_left_off() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    start(&engine, "c1", "anna").await;
    let shown = send(
        &engine,
        "c1",
        "bram",
        Command::Show {
            walk: Walk::Private,
        },
    )
    .await;
    assert!(shown.iter().all(is_private));
    assert!(shown[0]
        .message()
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Question(q) if q.id == "I1")));
    send(
        &engine,
        "c1",
        "bram",
        Command::AnswerText {
            question: None,
            text: "adopting".into(),
            walk: Walk::Private,
        },
    )
    .await;
    send(
        &engine,
        "c1",
        "bram",
        Command::AnswerText {
            question: None,
            text: "2".into(),
            walk: Walk::Private,
        },
    )
    .await;
    let shown = send(
        &engine,
        "c1",
        "bram",
        Command::Show {
            walk: Walk::Private,
        },
    )
    .await;
    assert!(
        shown[0]
            .message()
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Question(q) if q.id == "R1")),
        "bram continues at R1"
    );
    let anna = send(
        &engine,
        "c1",
        "anna",
        Command::Show {
            walk: Walk::Private,
        },
    )
    .await;
    assert!(
        anna[0]
            .message()
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Question(q) if q.id == "I1")),
        "anna starts at I1"
    );
}

#[tokio::test]
async fn changed_answers_keep_history() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    send(&engine, "c1", "anna", answer("R2", scale(2), Walk::Private)).await;
    send(&engine, "c1", "anna", answer("R2", scale(4), Walk::Private)).await;
    send(
        &engine,
        "c1",
        "anna",
        Command::Note {
            question: Some("R2".into()),
            text: "Signed last week.".into(),
            walk: Walk::Private,
        },
    )
    .await;
    let state = engine.state(id).await.unwrap().unwrap();
    let record = state.answer("R2", "anna").expect("answer stored");
    assert_eq!(record.value, Some(scale(4)));
    assert_eq!(record.note.as_deref(), Some("Signed last week."));
    let history = engine.store().history(id).unwrap();
    assert_eq!(history.len(), 3);
    assert!(history
        .iter()
        .all(|h| h.member == "anna" && h.question == "R2"));
}

#[tokio::test]
async fn duplicate_event_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    let event = common::input("c1", "anna", answer("R2", scale(3), Walk::Private));
    let first = engine.handle(event.clone()).await.unwrap();
    let again = engine.handle(event).await.unwrap();
    assert!(!first.is_empty());
    assert!(again.is_empty(), "a redelivered event has no effect");
    assert_eq!(engine.store().history(id).unwrap().len(), 1);
}

#[tokio::test]
async fn answer_redelivered_after_restart_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let event = common::input("c1", "anna", answer("R2", scale(3), Walk::Private));
    let id = {
        let engine = common::engine_at(&path);
        let id = start(&engine, "c1", "anna").await;
        assert!(!engine.handle(event.clone()).await.unwrap().is_empty());
        id
    };
    let engine = common::engine_at(&path);
    let again = engine.handle(event).await.unwrap();
    assert!(again.is_empty(), "a redelivered answer has no effect");
    let history = engine.store().history(id).unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].event.is_some(), "the entry names its event");
}

#[tokio::test]
async fn start_after_close_keeps_old_trajectory() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let old = start(&engine, "c1", "anna").await;
    send(&engine, "c1", "anna", Command::Close).await;
    let new = start(&engine, "c1", "anna").await;
    assert_ne!(old, new);

    // A button from the closed trajectory's messages names the old id.
    let stale = Input {
        trajectory: Some(old),
        ..common::input("c1", "anna", answer("R2", scale(3), Walk::Private))
    };
    let effects = engine.handle(stale).await.unwrap();
    assert!(texts(&effects).contains("gesloten"), "{}", texts(&effects));
    let old_state = engine.state(old).await.unwrap().unwrap();
    assert_eq!(old_state.trajectory.id, old);
    assert!(old_state.trajectory.is_closed());
    let new_state = engine.state(new).await.unwrap().unwrap();
    assert!(
        new_state.answers.is_empty(),
        "the new trajectory got no answer"
    );
}

#[tokio::test]
async fn pruning_forgets_only_old_event_markers() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    let answered = common::input("c1", "anna", answer("R2", scale(3), Walk::Private));
    engine.handle(answered).await.unwrap();
    let english = schaalwijzer::i18n::Lang::En;
    let event = common::input("c1", "anna", Command::Language(english));
    engine.handle(event.clone()).await.unwrap();
    let store = engine.store();
    assert!(store.event_seen(&event.event_id).unwrap());

    let an_hour_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    assert_eq!(store.prune_events(an_hour_ago).unwrap(), 0);
    assert!(
        store.event_seen(&event.event_id).unwrap(),
        "a recent marker stays"
    );

    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1);
    assert_eq!(
        store.prune_events(later).unwrap(),
        2,
        "the start and the answer"
    );
    assert!(!store.event_seen(&event.event_id).unwrap());
    assert_eq!(
        store.history(id).unwrap().len(),
        1,
        "pruning markers leaves the answers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_answers_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let engine = std::sync::Arc::new(common::engine_at(&dir.path().join("db")));
    let id = start(&engine, "c1", "anna").await;
    let questions = ["R2", "R4", "T1", "T3", "T4", "C1", "C2", "F1", "F3", "F5"];
    let mut tasks = Vec::new();
    for member in 0..20 {
        for question in questions {
            let engine = engine.clone();
            tasks.push(tokio::spawn(async move {
                let command = answer(question, scale((member % 5 + 1) as u8), Walk::Private);
                send(&engine, "c1", &format!("m{member}"), command).await
            }));
        }
    }
    for task in tasks {
        task.await.expect("task finished");
    }
    let state = engine.state(id).await.unwrap().unwrap();
    assert_eq!(state.answers.len(), 200);
    assert_eq!(engine.store().history(id).unwrap().len(), 200);
    drop(state);
    let reopened = engine.store().load(id).unwrap().unwrap();
    assert_eq!(
        reopened.answers.len(),
        200,
        "every answer is in storage, not only in the cache"
    );
}

#[tokio::test]
async fn restart_mid_walk_continues() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let id = {
        let engine = common::engine_at(&path);
        let id = start(&engine, "c1", "anna").await;
        send(
            &engine,
            "c1",
            "anna",
            Command::Next {
                walk: Walk::Channel,
            },
        )
        .await;
        send(
            &engine,
            "c1",
            "bram",
            answer("I1", AnswerValue::Choice("adopting".into()), Walk::Private),
        )
        .await;
        id
    };
    let engine = common::engine_at(&path);
    let state = engine
        .state(id)
        .await
        .unwrap()
        .expect("the trajectory survives the restart");
    assert_eq!(state.trajectory.channel_position, 1);
    assert!(state.has_value("I1", "bram"));
    let shown = send(
        &engine,
        "c1",
        "bram",
        Command::Show {
            walk: Walk::Private,
        },
    )
    .await;
    assert!(shown[0]
        .message()
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Question(q) if q.id == "I2")));
}

#[tokio::test]
async fn invalid_input_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    let before = engine.store().load(id).unwrap();
    let long_note = "x".repeat(MAX_NOTE_CHARS + 1);
    let cases = [
        ("scale out of range", answer("R2", scale(7), Walk::Private)),
        (
            "unknown option",
            answer("R3", AnswerValue::Choice("elsewhere".into()), Walk::Private),
        ),
        (
            "wrong kind",
            answer("R2", AnswerValue::Choice("1".into()), Walk::Private),
        ),
        (
            "exclusive option with others",
            answer(
                "C4",
                AnswerValue::Choices(vec!["none".into(), "from-start".into()]),
                Walk::Private,
            ),
        ),
        ("unknown question", answer("Z9", scale(3), Walk::Private)),
        (
            "note over the limit",
            Command::Note {
                question: Some("R1".into()),
                text: long_note,
                walk: Walk::Private,
            },
        ),
        (
            "typed text that is no option",
            Command::AnswerText {
                question: Some("T2".into()),
                text: "soon".into(),
                walk: Walk::Private,
            },
        ),
    ];
    for (case, command) in cases {
        let effects = send(&engine, "c1", "anna", command).await;
        assert!(
            effects.iter().all(is_private),
            "{case}: only a private reply"
        );
        assert!(!texts(&effects).is_empty(), "{case}: the reply explains");
        assert_eq!(
            engine.store().load(id).unwrap(),
            before,
            "{case}: nothing stored"
        );
    }
    assert!(engine.store().history(id).unwrap().is_empty());
}

#[tokio::test]
async fn pasted_page_quoted_back_short() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    start(&engine, "c1", "anna").await;
    let pasted = "lorem ipsum ".repeat(10_000);
    let command = Command::AnswerText {
        question: Some("T2".into()),
        text: pasted,
        walk: Walk::Private,
    };
    let reply = texts(&send(&engine, "c1", "anna", command).await);
    assert!(reply.contains("lorem ipsum"), "{reply}");
    assert!(reply.contains('…'), "the quote is cut: {reply}");
    assert!(reply.len() < 2_000, "reply has {} bytes", reply.len());
}

#[tokio::test]
async fn closed_trajectory_rejects_answers() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    send(&engine, "c1", "anna", Command::Close).await;
    let effects = send(&engine, "c1", "bram", answer("R2", scale(3), Walk::Private)).await;
    assert!(effects.iter().all(is_private));
    assert!(
        texts(&effects).contains("Member anna"),
        "the refusal says who can reopen"
    );
    assert!(engine.store().history(id).unwrap().is_empty());
    let status = send(&engine, "c1", "bram", Command::Status).await;
    let offers_private_walk = status[0].message().blocks.iter().any(|block| {
        matches!(block, Block::Actions(actions)
            if actions.iter().any(|a| a.kind == ActionKind::PrivateWalk))
    });
    assert!(!offers_private_walk, "a closed trajectory offers no walk");
    send(&engine, "c1", "anna", Command::Reopen).await;
    send(&engine, "c1", "bram", answer("R2", scale(3), Walk::Private)).await;
    assert_eq!(engine.store().history(id).unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_trajectory_gets_explanation() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let effects = send(
        &engine,
        "nowhere",
        "anna",
        answer("R2", scale(3), Walk::Private),
    )
    .await;
    assert_eq!(effects.len(), 1);
    assert!(is_private(&effects[0]));
    assert_eq!(engine.store().trajectory_count(), 0);
}

#[tokio::test]
async fn agreed_answer_overrides_team() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    send(&engine, "c1", "anna", answer("R4", scale(1), Walk::Private)).await;
    send(&engine, "c1", "bram", answer("R4", scale(5), Walk::Private)).await;
    let state = engine.state(id).await.unwrap().unwrap();
    let (advice, _) = schaalwijzer::engine::step::advise(common::content(), &state);
    assert!(advice.disputed.contains(&"R4".to_string()));
    send(
        &engine,
        "c1",
        "anna",
        Command::AgreeText {
            question: "R4".into(),
            text: "2".into(),
        },
    )
    .await;
    let state = engine.state(id).await.unwrap().unwrap();
    let (advice, team) = schaalwijzer::engine::step::advise(common::content(), &state);
    assert!(!advice.disputed.contains(&"R4".to_string()));
    assert!(advice.agreed.contains(&"R4".to_string()));
    assert_eq!(
        team.effective("R4"),
        Some(&schaalwijzer::aggregate::Effective::Scale(2.0))
    );
}

#[tokio::test]
async fn export_attaches_markdown_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    start(&engine, "c1", "anna").await;
    send(&engine, "c1", "anna", answer("R2", scale(2), Walk::Private)).await;
    let effects = send(&engine, "c1", "anna", Command::Export).await;
    let files: Vec<&str> = effects[0]
        .message()
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Attachment(a) => Some(a.filename.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(files.len(), 2);
    assert!(files[0].ends_with(".md"));
    assert!(files[1].ends_with(".json"));
    let json = effects[0].message().blocks.iter().find_map(|b| match b {
        Block::Attachment(a) if a.filename.ends_with(".json") => Some(a.bytes.clone()),
        _ => None,
    });
    let value: serde_json::Value = serde_json::from_slice(&json.unwrap()).expect("valid JSON");
    assert_eq!(value["history"].as_array().map(Vec::len), Some(1));
    assert_eq!(value["advice"]["complete"], serde_json::json!(false));
}

#[tokio::test]
async fn delete_needs_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    send(&engine, "c1", "anna", answer("R2", scale(2), Walk::Private)).await;
    let ask = send(&engine, "c1", "anna", Command::Delete { confirmed: false }).await;
    assert!(
        ask[0]
            .message()
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Actions(_))),
        "a confirm button is offered"
    );
    assert!(
        engine.store().load(id).unwrap().is_some(),
        "nothing deleted before confirmation"
    );
    send(&engine, "c1", "anna", Command::Delete { confirmed: true }).await;
    assert!(engine.store().load(id).unwrap().is_none());
    assert!(engine.store().history(id).unwrap().is_empty());
    assert_eq!(engine.store().binding(&common::place("c1")).unwrap(), None);
    let restarted = send(
        &engine,
        "c1",
        "bram",
        Command::Start {
            name: "Next".into(),
            description: String::new(),
            lang: None,
        },
    )
    .await;
    assert!(
        restarted.iter().any(|e| matches!(e, Effect::Post { .. })),
        "the channel is free for a new trajectory"
    );
}

#[tokio::test]
async fn my_answers_and_language() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    send(
        &engine,
        "c1",
        "anna",
        answer("T2", AnswerValue::Choice("pilot".into()), Walk::Private),
    )
    .await;
    let mine = send(&engine, "c1", "anna", Command::MyAnswers).await;
    assert!(is_private(&mine[0]));
    assert!(
        texts(&mine).contains("Pilot") || texts(&mine).contains("pilot"),
        "the answer is listed: {}",
        texts(&mine)
    );
    send(
        &engine,
        "c1",
        "bram",
        Command::Language(schaalwijzer::i18n::Lang::En),
    )
    .await;
    let state = engine.state(id).await.unwrap().unwrap();
    assert_eq!(state.trajectory.lang, schaalwijzer::i18n::Lang::En);
}

#[tokio::test]
async fn result_reports_partial_advice() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    start(&engine, "c1", "anna").await;
    send(
        &engine,
        "c1",
        "anna",
        answer(
            "R3",
            AnswerValue::Choice("other-domain".into()),
            Walk::Private,
        ),
    )
    .await;
    let effects = send(&engine, "c1", "bram", Command::Result).await;
    let document = effects[0].message().blocks.iter().find_map(|b| match b {
        Block::Document(d) => Some(d.clone()),
        _ => None,
    });
    let document = document.expect("the result is a document");
    assert!(document.notice.is_some(), "a partial result says so");
}

#[tokio::test]
async fn unknown_member_cannot_become_facilitator() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::engine_at(&dir.path().join("db"));
    let id = start(&engine, "c1", "anna").await;
    let effects = send(
        &engine,
        "c1",
        "anna",
        Command::AddFacilitator {
            member: "nobody".into(),
            name: "Nobody".into(),
        },
    )
    .await;
    assert!(effects.iter().all(is_private), "a private refusal");
    let state = engine.state(id).await.unwrap().unwrap();
    assert!(!state.trajectory.is_facilitator("nobody"));
    assert!(
        !state.trajectory.members.contains_key("nobody"),
        "no phantom member is added"
    );
}
