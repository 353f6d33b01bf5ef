//! Configuration: the example file, layering, validation and the redacted token.

use std::path::Path;

use schaalwijzer::config::{is_loopback_url, Config, ConfigError, Secret};

#[test]
fn example_file_parses_to_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let config = Config::parse(&path, &text).expect("the example parses");
    assert_eq!(config, Config::default());
    config.validate().expect("the defaults are valid");
}

#[test]
fn unknown_key_names_line() {
    let text = "[discord]\nguilds = []\ntokn = \"x\"\n";
    let error = Config::parse(Path::new("bad.toml"), text)
        .unwrap_err()
        .to_string();
    assert!(error.contains("bad.toml"), "{error}");
    assert!(error.contains("line 3"), "{error}");
    assert!(error.contains("tokn"), "{error}");
}

#[test]
fn wrong_type_explained_in_words() {
    let text = "[checkins]\ncatch_up_minutes = \"two hours\"\n";
    let error = Config::parse(Path::new("bad.toml"), text)
        .unwrap_err()
        .to_string();
    assert!(error.contains("line 2"), "{error}");
    assert!(error.contains("a whole number"), "{error}");
    assert!(!error.contains("u32"), "{error}");
}

#[test]
fn invalid_timezone_names_setting() {
    let config = Config::parse(
        Path::new("c.toml"),
        "[checkins]\ntimezone = \"Mars/Olympus\"\n",
    )
    .unwrap();
    let error = config.validate().unwrap_err();
    assert!(matches!(
        error,
        ConfigError::Invalid {
            key: "checkins.timezone",
            ..
        }
    ));
    assert!(error.to_string().contains("Mars/Olympus"));
}

#[test]
fn api_url_must_be_loopback() {
    for url in [
        "https://discord.com",
        "http://10.0.0.5:80",
        "http://example.org:8080",
        "http://169.254.169.254",
    ] {
        assert!(!is_loopback_url(url), "{url} is not loopback");
        let config = Config::parse(
            Path::new("c.toml"),
            &format!("[discord]\napi_url = \"{url}\"\n"),
        )
        .unwrap();
        assert!(config.validate().is_err(), "{url} is rejected");
    }
    for url in [
        "http://127.0.0.1:8080",
        "http://localhost:1234",
        "http://[::1]:99",
        "http://127.0.0.1",
    ] {
        assert!(is_loopback_url(url), "{url} is loopback");
    }
}

#[test]
fn environment_overrides_file() {
    let mut config =
        Config::parse(Path::new("c.toml"), "[discord]\ntoken = \"from-file\"\n").unwrap();
    config.apply_env(|name| match name {
        "DISCORD_TOKEN" => Some("from-env".into()),
        "SCHAALWIJZER_DB" => Some("/tmp/sw-db".into()),
        _ => None,
    });
    assert_eq!(config.discord.token.expose(), "from-env");
    assert_eq!(config.storage.db.as_deref(), Some(Path::new("/tmp/sw-db")));
}

#[test]
fn token_is_redacted_in_debug_and_display() {
    let mut config = Config::default();
    config.discord.token = Secret::new("very-secret-token");
    let debug = format!("{config:?}");
    assert!(!debug.contains("very-secret-token"), "{debug}");
    assert!(debug.contains("[redacted]"));
    assert_eq!(config.discord.token.to_string(), "[redacted]");
}
