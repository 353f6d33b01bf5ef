//! Durability across processes: a confirmed answer survives SIGKILL, and a second process
//! gets a clear error for a database in use. These run the real binary's console.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

fn console(db: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_schaalwijzer"))
        .args(["console", "--db"])
        .arg(db)
        .env("USER", "anna")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// Reads output lines until one contains `needle`; fails after 30 seconds.
fn read_until(reader: &mut BufReader<ChildStdout>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = String::new();
    while Instant::now() < deadline {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("stdout readable") == 0 {
            break;
        }
        seen.push_str(&line);
        if line.contains(needle) {
            return seen;
        }
    }
    panic!("did not see {needle:?} in the console output:\n{seen}");
}

#[test]
fn confirmed_answer_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut child = console(&db);
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    writeln!(stdin, "/start Kill test").unwrap();
    writeln!(stdin, "/lang en").unwrap();
    writeln!(stdin, "/private").unwrap();
    writeln!(stdin, "joint").unwrap();
    stdin.flush().unwrap();
    read_until(&mut stdout, "Saved: I1");
    // SIGKILL right after the confirmation: no destructor, no flush on exit.
    child.kill().expect("the child is killed");
    child.wait().unwrap();

    let engine = common::engine_at(&db);
    let place = schaalwijzer::engine::Place {
        platform: "console".into(),
        scope: String::new(),
        channel: "main".into(),
    };
    let id = engine
        .store()
        .binding(&place)
        .unwrap()
        .expect("the trajectory survived");
    let state = engine.store().load(id).unwrap().expect("state stored");
    assert!(
        state.has_value("I1", "console:anna"),
        "the confirmed answer is on disk"
    );
}

#[test]
fn second_process_gets_clear_lock_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut first = console(&db);
    let mut stdout = BufReader::new(first.stdout.take().unwrap());
    read_until(&mut stdout, "Schaalwijzer console");

    let second = Command::new(env!("CARGO_BIN_EXE_schaalwijzer"))
        .args(["console", "--db"])
        .arg(&db)
        .stdin(Stdio::null())
        .output()
        .expect("the second binary runs");
    first.kill().unwrap();
    first.wait().unwrap();

    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("in use by another process"),
        "stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
