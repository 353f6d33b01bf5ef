//! The console binary with piped input: bad input lines and repeated exports.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `schaalwijzer console` in `dir` with `input` on stdin and returns stdout.
fn run_console(dir: &Path, input: &[u8]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schaalwijzer"))
        .args(["console", "--db"])
        .arg(dir.join("db"))
        .current_dir(dir)
        .env("USER", "anna")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .expect("the console reads its input");
    let output = child.wait_with_output().expect("the console ends");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("the console writes UTF-8")
}

#[test]
fn non_utf8_line_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_console(dir.path(), b"/start Test\n/as \xff\n/lang en\n/status\n");
    assert!(output.contains("Line 2 is not valid UTF-8"), "{output}");
    // The lines after the bad one still run.
    assert!(output.contains("0 of 1"), "{output}");
}

#[test]
fn second_export_keeps_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_console(dir.path(), b"/start Test\n/export\n/export\n");
    for name in [
        "schaalwijzer-1.md",
        "schaalwijzer-1.json",
        "schaalwijzer-1-2.md",
        "schaalwijzer-1-2.json",
    ] {
        assert!(dir.path().join(name).is_file(), "{name} missing:\n{output}");
    }
}

#[test]
fn help_follows_trajectory_language() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_console(dir.path(), b"/help\n/start Test\n/lang en\n/help\n");
    let dutch = output.find("Tekst zonder schuine streep").expect(&output);
    let english = output.find("Text without a slash").expect(&output);
    assert!(
        dutch < english,
        "Dutch before the switch, English after:\n{output}"
    );
}
