//! Micro-benchmarks under `cargo bench`: computing the advice, and one engine step. The
//! end-to-end figures (durable answers per second, start-up, ticks) come from
//! `schaalwijzer bench`; see BENCHMARKS.md.

use schaalwijzer::bench::answers::{state_with_members, value_for};
use schaalwijzer::content::Content;
use schaalwijzer::engine::{step, Actor, Command, Input, Walk};

fn main() {
    divan::main();
}

fn content() -> &'static Content {
    Content::global().expect("the built-in content loads")
}

#[divan::bench(args = [5, 50, 500])]
fn advice_result(bencher: divan::Bencher, members: usize) {
    let state = state_with_members(content(), members);
    bencher.bench(|| step::result_document(content(), divan::black_box(&state)));
}

#[divan::bench(args = [5, 50])]
fn answer_step(bencher: divan::Bencher, members: usize) {
    let content = content();
    let state = state_with_members(content, members);
    let question = &content.questionnaire.questions[5];
    let input = Input {
        event_id: "bench".into(),
        actor: Actor {
            id: "member-0".into(),
            name: "Member 0".into(),
            locale: None,
        },
        place: state.trajectory.place.clone(),
        trajectory: Some(state.trajectory.id),
        at: jiff::Timestamp::now(),
        command: Command::Answer {
            question: Some(question.id.clone()),
            value: value_for(question, 3),
            walk: Walk::Private,
        },
    };
    let extra = step::Extra::default();
    bencher.bench(|| step::step(content, Some(divan::black_box(&state)), &input, &extra));
}
