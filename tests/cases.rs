//! Every case file gives the result its `[expect]` table names, through `advise` and through
//! a replay on the real engine and storage.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use schaalwijzer::advice::{self, AdviceView};
use schaalwijzer::aggregate;
use schaalwijzer::case::{self, Case};
use schaalwijzer::engine::{step, Engine};
use schaalwijzer::storage::Store;

fn advise_case(case: &Case) -> (advice::Advice, String) {
    let content = common::content();
    let team = aggregate::aggregate(&content.questionnaire, &case.answers, &Default::default());
    let advice = advice::advise(content, &team);
    let members = case.member_names();
    let view = AdviceView {
        content,
        advice: &advice,
        team: &team,
        name: &case.name,
        description: &case.description,
        members: &members,
        lang: case.language,
    };
    let markdown = advice::markdown::render(&view);
    (advice, markdown)
}

fn check_expectations(path: &Path) {
    let case = case::load(path, common::content()).unwrap_or_else(|e| panic!("{e}"));
    let expect = case
        .expect
        .clone()
        .unwrap_or_else(|| panic!("{} has no [expect] table", path.display()));
    let (advice, _) = advise_case(&case);
    let name = path.display();

    assert_eq!(
        advice.leading.as_deref(),
        Some(expect.leading.as_str()),
        "{name}: leading strategy"
    );
    for also in &expect.also {
        assert!(
            advice.related.contains(also),
            "{name}: {also} should be related, related are {:?}",
            advice.related
        );
    }
    let disputed: BTreeSet<&String> = advice.disputed.iter().collect();
    assert_eq!(
        disputed,
        expect.disputed.iter().collect(),
        "{name}: disputed questions"
    );
    let flags: BTreeSet<String> = advice.flags.iter().map(|f| f.flag.clone()).collect();
    assert_eq!(
        flags,
        expect.flags.iter().cloned().collect(),
        "{name}: flags"
    );
    assert!(
        advice.complete,
        "{name}: every question is answered, missing {:?}",
        advice.missing
    );
}

#[test]
fn shared_cases_meet_expectations() {
    let files = common::case_files(&common::shared_cases());
    assert!(
        files.len() >= 2,
        "expected the report's cases in {}",
        common::shared_cases().display()
    );
    for file in files {
        check_expectations(&file);
    }
}

#[test]
fn own_cases_meet_expectations() {
    let files = common::case_files(&common::own_cases());
    assert!(files.len() >= 3, "expected at least three own case files");
    for file in files {
        check_expectations(&file);
    }
}

#[test]
fn own_cases_lead_to_distinct_strategies() {
    let leading: BTreeSet<String> = common::case_files(&common::own_cases())
        .iter()
        .map(|path| {
            case::load(path, common::content())
                .expect("case loads")
                .expect
                .expect("expect table")
                .leading
        })
        .collect();
    for strategy in ["in", "beyond", "down"] {
        assert!(
            leading.contains(strategy),
            "an own case should lead to {strategy}, found {leading:?}"
        );
    }
}

#[tokio::test]
async fn replay_gives_same_advice_as_advise() {
    let mut files = common::case_files(&common::shared_cases());
    files.extend(common::case_files(&common::own_cases()));
    for path in files {
        let case = case::load(&path, common::content()).expect("case loads");
        let (_, expected) = advise_case(&case);
        let dir = tempfile::tempdir().expect("temporary directory");
        let engine = Engine::new(
            common::content(),
            Store::open(&dir.path().join("db")).expect("db opens"),
        );
        let mut output = Vec::new();
        let place = common::place(&case.name);
        let state = schaalwijzer::replay::replay_case(&engine, &case, place, &mut output)
            .await
            .expect("replay runs")
            .expect("the trajectory exists");
        let document = step::result_document(common::content(), &state);
        let replayed = advice::document::to_markdown(&document);
        assert_eq!(
            replayed,
            expected,
            "{}: replay and advise differ",
            path.display()
        );
        let printed = String::from_utf8(output).expect("utf-8 output");
        assert!(
            printed.contains(&expected.lines().next().unwrap_or_default().to_string()),
            "{}: the result is printed",
            path.display()
        );
    }
}

#[test]
fn shuffled_answers_give_same_advice() {
    let path = common::shared_cases().join("omgevingschat.toml");
    let mut case = case::load(&path, common::content()).expect("case loads");
    let (original, _) = advise_case(&case);
    case.answers.reverse();
    let (reversed, _) = advise_case(&case);
    assert_eq!(original, reversed);
    // A fixed rotation gives a third order.
    case.answers.rotate_left(7);
    let (rotated, _) = advise_case(&case);
    assert_eq!(original, rotated);
}

#[test]
fn user_text_escaped_in_markdown() {
    let text = r#"
[trajectory]
name = "Inj **bold**"
description = ""
language = "en"

[[participant]]
id = "a"
name = "Ann #1"

[[participant]]
id = "b"
name = "Bob"

[[answer]]
participant = "a"
question = "R2"
value = 1
note = "look\n## Fake section\n- injected"

[[answer]]
participant = "b"
question = "R2"
value = 5
"#;
    let case = case::parse("inline.toml", text, common::content()).unwrap();
    let (advice, markdown) = advise_case(&case);
    assert!(advice.disputed.iter().any(|id| id == "R2"), "{markdown}");
    assert!(markdown.contains("Inj \\*\\*bold\\*\\*"), "{markdown}");
    assert!(
        !markdown.lines().any(|line| line.starts_with("## Fake")),
        "{markdown}"
    );
    assert!(
        markdown.contains("> Ann \\#1: look\n> \\#\\# Fake section\n> - injected"),
        "{markdown}"
    );
}
