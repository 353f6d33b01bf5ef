//! Configuration in layers: built-in defaults, then the TOML file, then environment
//! variables (`DISCORD_TOKEN`, `SCHAALWIJZER_DB`). Unknown keys in the file are errors, so a
//! misspelt setting is reported instead of ignored.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A secret such as a bot token. Debug and Display print `[redacted]`, so the value cannot
/// reach a log through formatting.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// Returns the secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub storage: StorageConfig,
    pub discord: DiscordConfig,
    pub checkins: CheckinConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// The sled database directory; None means `schaalwijzer/db` in the user's data directory.
    pub db: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordConfig {
    /// The bot token; `DISCORD_TOKEN` overrides it.
    pub token: Secret,
    /// Guilds (servers) to register the slash commands in at start.
    pub guilds: Vec<u64>,
    /// Also register the commands globally (they can take up to an hour to appear).
    pub register_globally: bool,
    /// Accept typed answers in the channel; needs the privileged message content intent.
    pub message_content: bool,
    /// Start trajectories in a new thread (true) or in the channel itself (false).
    pub start_in_thread: bool,
    /// For tests only: the base URL of a local stand-in for Discord's API, such as
    /// `http://127.0.0.1:8080`. Only loopback addresses are accepted.
    pub api_url: Option<String>,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        DiscordConfig {
            token: Secret::default(),
            guilds: Vec::new(),
            register_globally: false,
            message_content: false,
            start_in_thread: true,
            api_url: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckinConfig {
    /// The IANA time zone for check-in rules where a trajectory sets none.
    pub timezone: String,
    /// Mention members with open questions in a nudge (true) or only name them (false).
    pub mention_members: bool,
    /// A check-in missed by less than this many minutes (during downtime) is still sent.
    pub catch_up_minutes: u32,
}

impl Default for CheckinConfig {
    fn default() -> Self {
        CheckinConfig {
            timezone: "Europe/Amsterdam".into(),
            mention_members: false,
            catch_up_minutes: 120,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {}", read_hint(.source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid setting {key} = {value:?}: {fix}")]
    Invalid {
        key: &'static str,
        value: String,
        fix: String,
    },
}

fn read_hint(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::InvalidData => "it is not UTF-8 text; save it as UTF-8".to_string(),
        _ => format!("{error}; check the path given with --config"),
    }
}

impl Config {
    /// Loads the file (if given) over the defaults, applies the environment, and validates.
    ///
    /// # Errors
    /// Returns a [`ConfigError`] that names the file, line or setting and the fix.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = match path {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok());
        config.validate()?;
        Ok(config)
    }

    fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// Parses the text of a config file named `path`.
    ///
    /// # Errors
    /// Returns [`ConfigError::Parse`] with the line and the key at fault.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|error: toml::de::Error| {
            let line = error
                .span()
                .map(|span| text[..span.start].matches('\n').count() + 1);
            let detail = plain_type_names(error.message());
            let message = match line {
                Some(line) => format!("line {line}: {detail}"),
                None => detail,
            };
            ConfigError::Parse {
                path: path.to_path_buf(),
                message,
            }
        })
    }

    /// Applies environment variables over the file's settings.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) {
        if let Some(token) = var("DISCORD_TOKEN").filter(|t| !t.trim().is_empty()) {
            self.discord.token = Secret::new(token.trim());
        }
        if let Some(db) = var("SCHAALWIJZER_DB").filter(|d| !d.trim().is_empty()) {
            self.storage.db = Some(PathBuf::from(db));
        }
    }

    /// Checks values that parse but cannot work.
    ///
    /// # Errors
    /// Returns [`ConfigError::Invalid`] naming the setting, its value and the fix.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if jiff::tz::TimeZone::get(&self.checkins.timezone).is_err() {
            return Err(ConfigError::Invalid {
                key: "checkins.timezone",
                value: self.checkins.timezone.clone(),
                fix: "use an IANA time zone name such as \"Europe/Amsterdam\" or \"UTC\"".into(),
            });
        }
        if let Some(url) = &self.discord.api_url {
            if !is_loopback_url(url) {
                return Err(ConfigError::Invalid {
                    key: "discord.api_url",
                    value: url.clone(),
                    fix: "this test setting accepts only a loopback URL such as \"http://127.0.0.1:8080\"; remove it to use Discord".into(),
                });
            }
        }
        if self.discord.guilds.contains(&0) {
            return Err(ConfigError::Invalid {
                key: "discord.guilds",
                value: "0".into(),
                fix: "list guild ids as numbers, copied with Discord's developer mode (right-click the server, Copy Server ID)".into(),
            });
        }
        Ok(())
    }
}

/// Replaces Rust's integer type names in serde's messages ("expected u32") with words.
fn plain_type_names(message: &str) -> String {
    let mut plain = message.to_string();
    for (rust, words) in [
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected u32", "expected a whole number of 0 or more"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected i64", "expected a whole number"),
    ] {
        plain = plain.replace(rust, words);
    }
    plain
}

/// True for `http://127.x.x.x:PORT`, `http://localhost:PORT` and `http://[::1]:PORT` URLs.
pub fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok() => host,
        _ => host,
    };
    host == "localhost"
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}
