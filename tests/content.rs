//! The shipped content loads, and broken content files get precise errors.

mod common;

use std::path::{Path, PathBuf};

use schaalwijzer::content::{Content, FILES};

fn copy_content() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in FILES {
        let target = dir.path().join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(root.join(file), &target).unwrap();
    }
    dir
}

/// Applies `edit` to one file of a copy of the content and returns the load error.
fn error_after(file: &str, edit: impl Fn(&str) -> String) -> String {
    let dir = copy_content();
    let path: PathBuf = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit of {file} changed nothing");
    std::fs::write(&path, edited).unwrap();
    match Content::load_dir(dir.path()) {
        Ok(_) => panic!("broken {file} loaded without error"),
        Err(error) => error.to_string(),
    }
}

/// Replaces the first line that starts with `prefix` (after indentation).
fn replace_line(text: &str, prefix: &str, replacement: &str) -> String {
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if !done && line.trim_start().starts_with(prefix) {
                done = true;
                replacement.to_string()
            } else {
                line.to_string()
            }
        })
        .collect();
    lines.join("\n")
}

#[test]
fn shipped_content_loads() {
    let content = common::content();
    assert_eq!(content.questionnaire.topics.len(), 5);
    assert_eq!(content.questionnaire.questions.len(), 19);
    assert_eq!(content.aspects.len(), 8);
    assert_eq!(content.strategies.len(), 7);
    assert_eq!(content.strategies.iter().filter(|s| s.in_scope).count(), 5);
    let flags: Vec<&str> = content.flags.iter().map(|f| f.id.as_str()).collect();
    for id in [
        "commitment-gap",
        "no-structural-funder",
        "revalidate-new-domain",
        "market-procurement",
        "late-adopter-expectations",
    ] {
        assert!(flags.contains(&id), "flag {id} is defined");
    }
    for strategy in content.strategies.iter().filter(|s| s.in_scope) {
        assert!(
            content.attention.iter().any(|p| p.strategy == strategy.id),
            "{} has attention points",
            strategy.id
        );
        assert!(
            content.signals.iter().any(|s| s.strategy == strategy.id),
            "{} has signals",
            strategy.id
        );
    }
}

#[test]
fn shipped_content_loads_from_directory() {
    let content = Content::load_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .expect("the repository's files load");
    assert_eq!(
        content.questionnaire.questions.len(),
        common::content().questionnaire.questions.len()
    );
}

#[test]
fn uncovered_aspects_are_the_unasked_ones() {
    let uncovered: Vec<&str> = common::content()
        .uncovered_aspects()
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(
        uncovered,
        ["culture-support", "skills-literacy", "procurement-legal"]
    );
}

#[test]
fn unknown_key_is_named_with_line() {
    let error = error_after("data/aspects.toml", |text| {
        text.replacen("[[aspect]]", "[[aspect]]\ncolour = \"red\"", 1)
    });
    assert!(error.contains("data/aspects.toml"), "{error}");
    assert!(error.contains("colour"), "{error}");
    assert!(error.contains("line"), "{error}");
}

#[test]
fn missing_translation_is_named() {
    let error = error_after("data/strategies.toml", |text| {
        replace_line(text, "summary", "summary = { nl = \"Alleen Nederlands\" }")
    });
    assert!(error.contains("data/strategies.toml"), "{error}");
    assert!(error.contains("summary.en"), "{error}");
    assert!(error.contains("missing English text"), "{error}");
}

#[test]
fn dangling_reference_is_named() {
    let error = error_after("data/attention.toml", |text| {
        replace_line(text, "strategy =", "strategy = \"sideways\"")
    });
    assert!(error.contains("data/attention.toml"), "{error}");
    assert!(error.contains("point[0].strategy"), "{error}");
    assert!(error.contains("\"sideways\""), "{error}");
}

#[test]
fn condition_on_unknown_option_is_named() {
    let error = error_after("data/flags.toml", |text| {
        text.replacen("\"late-adopters\"", "\"later-adopters\"", 1)
    });
    assert!(error.contains("data/flags.toml"), "{error}");
    assert!(error.contains("later-adopters"), "{error}");
    assert!(error.contains("when"), "{error}");
}

#[test]
fn weight_out_of_range_is_named() {
    let error = error_after("data/signals.toml", |text| {
        replace_line(text, "weight", "weight = 9")
    });
    assert!(error.contains("signal[0]"), "{error}");
    assert!(error.contains("weight 9 is out of range"), "{error}");
}

#[test]
fn duplicate_id_is_named() {
    let error = error_after("data/aspects.toml", |text| {
        replace_line(
            text,
            "id = \"stakeholders-community\"",
            "id = \"strategy-scope\"",
        )
    });
    assert!(error.contains("duplicate id \"strategy-scope\""), "{error}");
}

#[test]
fn placeholder_mismatch_is_named() {
    let error = error_after("prompts/messages.toml", |text| {
        text.replacen("Schaalwijzer advice: {name}", "Schaalwijzer advice", 1)
    });
    assert!(error.contains("advice.title"), "{error}");
    assert!(error.contains("placeholders differ"), "{error}");
}

#[test]
fn placeholder_renamed_in_both_languages_is_named() {
    let error = error_after("prompts/messages.toml", |text| {
        text.replace(
            r#""advice.title" = { nl = "Schaalwijzer-advies: {name}", en = "Schaalwijzer advice: {name}" }"#,
            r#""advice.title" = { nl = "Schaalwijzer-advies: {naam}", en = "Schaalwijzer advice: {naam}" }"#,
        )
    });
    assert!(error.contains("advice.title"), "{error}");
    assert!(error.contains("{naam}"), "{error}");
    assert!(error.contains("the bot fills {name}"), "{error}");
}

/// Every message key the code names exists in prompts/messages.toml.
#[test]
fn message_keys_in_code_exist() {
    let prefixes = [
        "advice.",
        "walk.",
        "status.",
        "answers.",
        "answer.",
        "note.",
        "start.",
        "join.",
        "close.",
        "reopen.",
        "agree.",
        "facilitator.",
        "export.",
        "delete.",
        "language.",
        "error.",
        "checkin.",
        "discord.",
    ];
    let mut missing = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            // Configuration keys such as `discord.guilds` share the prefixes but are no messages.
            if path.ends_with("config.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let is_key = prefixes.iter().any(|p| literal.starts_with(p))
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                    && !literal.ends_with('.');
                if is_key && !schaalwijzer::content::MESSAGE_KEYS.contains(&literal) {
                    missing.push(format!("{}: {literal}", path.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "message keys missing from prompts/messages.toml:\n{}",
        missing.join("\n")
    );
}

#[test]
fn missing_message_key_is_named() {
    let error = error_after("prompts/messages.toml", |text| {
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("\"advice.nothing_chosen\""))
            .collect();
        lines.join("\n")
    });
    assert!(
        error.contains("prompts/messages.toml: advice.nothing_chosen"),
        "{error}"
    );
    assert!(error.contains("missing message"), "{error}");
}

#[test]
fn unknown_message_key_is_named() {
    let error = error_after("prompts/messages.toml", |text| {
        format!("{text}\n\"advice.bogus\" = {{ nl = \"x\", en = \"x\" }}\n")
    });
    assert!(error.contains("advice.bogus"), "{error}");
    assert!(error.contains("unknown message key"), "{error}");
}
