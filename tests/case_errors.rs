//! Invalid case files are rejected with the file, the line and the value at fault, and the
//! command line exits with code 2.

mod common;

use std::process::Command;

use schaalwijzer::case;

const HEADER: &str =
    "[trajectory]\nname = \"Test\"\n\n[[participant]]\nid = \"a\"\nname = \"Ann\"\n";

fn error_for(text: &str) -> case::CaseError {
    case::parse("bad.toml", text, common::content()).expect_err("the case is invalid")
}

fn answer(question: &str, value: &str) -> String {
    format!(
        "{HEADER}\n[[answer]]\nparticipant = \"a\"\nquestion = \"{question}\"\nvalue = {value}\n"
    )
}

#[test]
fn bad_answers_name_line_and_value() {
    // The [[answer]] table starts on line 8, its question on line 10 and its value on line 11.
    let cases = [
        (answer("X9", "1"), 10, "unknown question \"X9\""),
        (answer("R2", "9"), 11, "R2"),
        (
            answer("R2", "\"high\""),
            11,
            "invalid value \"high\" for R2",
        ),
        (answer("R1", "\"lots\""), 11, "lots"),
        (answer("C4", "[\"nope\"]"), 11, "nope"),
    ];
    for (text, line, fragment) in cases {
        let error = error_for(&text);
        assert_eq!(error.line, Some(line), "{error}");
        assert!(error.message.contains(fragment), "{error}");
        assert!(error.to_string().starts_with("bad.toml:"), "{error}");
    }
}

#[test]
fn unknown_participant_lists_declared_ones() {
    let text =
        format!("{HEADER}\n[[answer]]\nparticipant = \"zed\"\nquestion = \"R2\"\nvalue = 3\n");
    let error = error_for(&text);
    assert_eq!(error.line, Some(9));
    assert!(error.message.contains("\"zed\""), "{error}");
    assert!(
        error.message.contains("declared participants: a"),
        "{error}"
    );
}

#[test]
fn duplicate_participant_rejected() {
    let text = format!("{HEADER}\n[[participant]]\nid = \"a\"\nname = \"Again\"\n");
    let error = error_for(&text);
    assert_eq!(error.line, Some(9));
    assert!(error.message.contains("used twice"), "{error}");
}

#[test]
fn case_without_participants_rejected() {
    let error = error_for("[trajectory]\nname = \"Test\"\n");
    assert!(error.message.contains("no participants"), "{error}");
}

#[test]
fn overlong_name_and_description_rejected() {
    let name = "n".repeat(101);
    let error = error_for(&format!("[trajectory]\nname = \"{name}\"\n"));
    assert_eq!(error.line, Some(2));
    assert!(
        error.message.contains("more than 100 characters"),
        "{error}"
    );

    let description = "d".repeat(301);
    let text = format!("[trajectory]\nname = \"Test\"\ndescription = \"{description}\"\n");
    let error = error_for(&text);
    assert_eq!(error.line, Some(3));
    assert!(error.message.contains("more than 300"), "{error}");
}

#[test]
fn participant_name_defaults_to_id() {
    let text = "[trajectory]\nname = \"Test\"\n\n[[participant]]\nid = \"a\"\n";
    let case = case::parse("ok.toml", text, common::content()).expect("the case is valid");
    assert_eq!(case.participants[0].name, "a");
}

#[test]
fn unknown_key_and_syntax_error_rejected() {
    let error = error_for("[trajectory]\nname = \"Test\"\ncolour = \"red\"\n");
    assert_eq!(error.line, Some(3));
    assert!(error.message.contains("colour"), "{error}");

    let error = error_for("[trajectory]\nname = \"Test\n");
    assert_eq!(error.line, Some(2));
}

#[test]
fn advise_exits_with_code_two() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, answer("R2", "9")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_schaalwijzer"))
        .arg("advise")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.toml:11"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
