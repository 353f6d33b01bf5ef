//! Team aggregation: medians, majorities, disputes and agreed answers.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use schaalwijzer::aggregate::{aggregate, Effective, MemberAnswer, Summary, TeamAnswers};
use schaalwijzer::answer::AnswerValue;

fn answer(member: &str, question: &str, value: AnswerValue) -> MemberAnswer {
    MemberAnswer {
        member: member.into(),
        question: question.into(),
        value,
        note: None,
    }
}

fn choice(id: &str) -> AnswerValue {
    AnswerValue::Choice(id.into())
}

fn choices(ids: &[&str]) -> AnswerValue {
    AnswerValue::Choices(ids.iter().map(|s| s.to_string()).collect())
}

fn team(answers: &[MemberAnswer]) -> TeamAnswers {
    aggregate(&common::content().questionnaire, answers, &BTreeMap::new())
}

#[test]
fn single_member_is_never_disputed() {
    let team = team(&[
        answer("a", "R2", AnswerValue::Scale(4)),
        answer("a", "T2", choice("pilot")),
    ]);
    assert_eq!(team.effective("R2"), Some(&Effective::Scale(4.0)));
    assert_eq!(
        team.effective("T2"),
        Some(&Effective::Choice("pilot".into()))
    );
    assert!(!team.get("R2").unwrap().disputed);
    assert!(!team.get("T2").unwrap().disputed);
}

#[test]
fn scale_median_and_spread() {
    let close = team(&[
        answer("a", "R2", AnswerValue::Scale(2)),
        answer("b", "R2", AnswerValue::Scale(3)),
    ]);
    assert_eq!(close.effective("R2"), Some(&Effective::Scale(2.5)));
    assert!(
        !close.get("R2").unwrap().disputed,
        "a spread of one step is no dispute"
    );

    let apart = team(&[
        answer("a", "R2", AnswerValue::Scale(1)),
        answer("b", "R2", AnswerValue::Scale(3)),
    ]);
    assert!(
        apart.get("R2").unwrap().disputed,
        "a spread of two steps is a dispute"
    );

    let odd = team(&[
        answer("a", "R4", AnswerValue::Scale(2)),
        answer("b", "R4", AnswerValue::Scale(4)),
        answer("c", "R4", AnswerValue::Scale(1)),
        answer("d", "R4", AnswerValue::Scale(2)),
        answer("e", "R4", AnswerValue::Scale(5)),
    ]);
    assert_eq!(odd.effective("R4"), Some(&Effective::Scale(2.0)));
}

#[test]
fn single_choice_majority_wins() {
    let team = team(&[
        answer("a", "T2", choice("pilot")),
        answer("b", "T2", choice("pilot")),
        answer("c", "T2", choice("in-use")),
    ]);
    assert_eq!(
        team.effective("T2"),
        Some(&Effective::Choice("pilot".into()))
    );
    assert!(!team.get("T2").unwrap().disputed);
}

#[test]
fn single_choice_tie_has_no_answer() {
    let two = team(&[
        answer("a", "T2", choice("pilot")),
        answer("b", "T2", choice("in-use")),
    ]);
    assert!(two.get("T2").unwrap().disputed);
    assert_eq!(two.effective("T2"), None);

    let four = team(&[
        answer("a", "T2", choice("pilot")),
        answer("b", "T2", choice("in-use")),
        answer("c", "T2", choice("pilot")),
        answer("d", "T2", choice("in-use")),
    ]);
    assert!(four.get("T2").unwrap().disputed);
    assert_eq!(four.effective("T2"), None);
}

#[test]
fn every_member_different_is_disputed() {
    let team = team(&[
        answer("a", "T2", choice("pilot")),
        answer("b", "T2", choice("in-use")),
        answer("c", "T2", choice("development")),
    ]);
    assert!(team.get("T2").unwrap().disputed);
    assert_eq!(team.effective("T2"), None);
}

#[test]
fn plurality_without_majority_is_disputed() {
    let team = team(&[
        answer("a", "C3", choice("core-group")),
        answer("b", "C3", choice("core-group")),
        answer("c", "C3", choice("community")),
        answer("d", "C3", choice("one-to-one")),
    ]);
    assert!(team.get("C3").unwrap().disputed);
    assert_eq!(
        team.effective("C3"),
        Some(&Effective::Choice("core-group".into()))
    );
}

#[test]
fn empty_multiple_choice() {
    let alone = team(&[answer("a", "F4", choices(&[]))]);
    assert_eq!(
        alone.effective("F4"),
        Some(&Effective::Choices(BTreeSet::new()))
    );
    assert!(!alone.get("F4").unwrap().disputed);

    let both_empty = team(&[
        answer("a", "F4", choices(&[])),
        answer("b", "F4", choices(&[])),
    ]);
    assert!(
        !both_empty.get("F4").unwrap().disputed,
        "two empty selections agree"
    );

    let against = team(&[
        answer("a", "F4", choices(&[])),
        answer("b", "F4", choices(&["central-party"])),
    ]);
    assert!(
        against.get("F4").unwrap().disputed,
        "nobody versus somebody is a dispute"
    );
    match &against.get("F4").unwrap().summary {
        Summary::Choices { empty, counts, .. } => {
            assert_eq!(*empty, 1, "one member chose no option");
            assert_eq!(counts.get("central-party"), Some(&1));
        }
        other => panic!("F4 is a multiple choice, got {other:?}"),
    }
}

#[test]
fn dispute_line_counts_empty_selections() {
    let content = common::content();
    let team = team(&[
        answer("a", "F4", choices(&[])),
        answer("b", "F4", choices(&["central-party"])),
    ]);
    let advice = schaalwijzer::advice::advise(content, &team);
    let members = BTreeMap::new();
    let view = schaalwijzer::advice::AdviceView {
        content,
        advice: &advice,
        team: &team,
        name: "Test",
        description: "",
        members: &members,
        lang: schaalwijzer::i18n::Lang::En,
    };
    let line = view.spread_summary(team.get("F4").unwrap());
    assert!(line.contains("no option at all × 1"), "{line}");
    assert!(line.contains("Choices of 2 members"), "{line}");
}

#[test]
fn multiple_choice_keeps_majority_options() {
    let team = team(&[
        answer("a", "F2", choices(&["early-adopters"])),
        answer("b", "F2", choices(&["early-adopters", "developing-party"])),
    ]);
    let expected: BTreeSet<String> = ["early-adopters".to_string()].into();
    assert_eq!(team.effective("F2"), Some(&Effective::Choices(expected)));
    assert!(
        !team.get("F2").unwrap().disputed,
        "overlapping selections agree"
    );
}

#[test]
fn agreed_answer_overrides_and_clears_dispute() {
    let answers = [
        answer("a", "R4", AnswerValue::Scale(1)),
        answer("b", "R4", AnswerValue::Scale(5)),
    ];
    let agreed = BTreeMap::from([("R4".to_string(), AnswerValue::Scale(2))]);
    let team = aggregate(&common::content().questionnaire, &answers, &agreed);
    let result = team.get("R4").unwrap();
    assert!(!result.disputed);
    assert_eq!(result.effective, Some(Effective::Scale(2.0)));
    assert_eq!(result.agreed, Some(AnswerValue::Scale(2)));
}

#[test]
fn answer_order_does_not_matter() {
    let mut answers = vec![
        answer("a", "R4", AnswerValue::Scale(2)),
        answer("b", "R4", AnswerValue::Scale(4)),
        answer("c", "T2", choice("pilot")),
        answer("d", "T2", choice("in-use")),
        answer("a", "F2", choices(&["early-adopters"])),
        answer("b", "F2", choices(&["late-adopters"])),
    ];
    let expected = team(&answers);
    for shift in 1..answers.len() {
        answers.rotate_left(shift);
        assert_eq!(team(&answers), expected, "rotation by {shift}");
    }
    answers.reverse();
    assert_eq!(team(&answers), expected, "reversed");
}
