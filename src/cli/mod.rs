//! The command line: argument definitions and one function per subcommand.

mod advise;
mod bot;
mod chat;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::case::CaseError;
use crate::content::{Content, ContentError};
use crate::i18n::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "schaalwijzer",
    version,
    about = "Scaling strategies for AI in Dutch government, as a chat bot"
)]
pub struct Args {
    /// Load the questionnaire and advice data from this directory (with prompts/ and data/)
    /// instead of the built-in copy.
    #[arg(long, global = true, value_name = "DIR")]
    pub content: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the advice for a case file.
    Advise {
        /// The case file (TOML).
        case: PathBuf,
        /// Language of the output; defaults to the case file's language.
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
        /// Output format.
        #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Markdown)]
        format: Format,
    },
    /// Chat with the bot in the terminal; `/as NAME` switches the member.
    Console {
        /// The sled database directory [default: schaalwijzer/db in the user's data directory].
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// The channel name, so one database can hold several console trajectories.
        #[arg(long, default_value = "main")]
        channel: String,
    },
    /// Drive a case file through the engine as chat events and print the bot's posts.
    Replay {
        /// The case file (TOML).
        case: PathBuf,
        /// Store in this database directory instead of a temporary one.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Language of the trajectory; defaults to the case file's language.
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
    },
    /// Play a built-in team trajectory through the engine and a temporary database.
    Demo,
    /// Run the Discord bot until Ctrl-C or SIGTERM.
    Run {
        /// The configuration file (see config.example.toml); without it, defaults and the
        /// environment (DISCORD_TOKEN) are used.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Measure answer throughput, advice time, start-up and scheduler ticks (see BENCHMARKS.md).
    Bench {
        /// Smaller sizes, finishing within about a minute.
        #[arg(long)]
        quick: bool,
        /// Directory for the benchmark databases [default: a temporary directory].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Open a database and report readiness and memory; used by `bench` to time start-up.
    #[command(hide = true)]
    BenchStartup {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
    /// Print the next check-in times of a rule, one RFC 3339 time per line.
    Schedule {
        /// The rule, for example "weekly mon,thu 09:00" or "every 14 days 09:30".
        rule: String,
        /// The IANA time zone of the rule's times.
        #[arg(long, default_value = "Europe/Amsterdam")]
        tz: String,
        /// Start after this instant (RFC 3339 with offset) [default: now].
        #[arg(long)]
        from: Option<String>,
        /// How many times to print, 1 to 1000.
        #[arg(long, default_value_t = 5)]
        count: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "lower")]
pub enum Format {
    Markdown,
    Json,
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    text.parse()
        .map_err(|e: crate::i18n::UnknownLang| e.to_string())
}

/// A failed command. Invalid input exits with 2, other failures with 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Case(_) | CliError::Invalid(_) | CliError::Content(_) => 2,
            CliError::Failed(_) => 1,
        }
    }
}

fn bench(content: &'static Content, quick: bool, dir: Option<PathBuf>) -> Result<(), CliError> {
    let sizes = if quick {
        crate::bench::Sizes::quick()
    } else {
        crate::bench::Sizes::full()
    };
    let temporary = tempfile::tempdir()
        .map_err(|e| CliError::Failed(format!("cannot create a temporary directory: {e}")))?;
    let dir = dir.unwrap_or_else(|| temporary.path().to_path_buf());
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dir.display())))?;
    let exe = std::env::current_exe()
        .map_err(|e| CliError::Failed(format!("cannot find this program's path: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(crate::bench::run(content, &sizes, &dir, &exe))
        .map_err(CliError::Failed)
}

fn schedule(rule: &str, zone: &str, from: Option<&str>, count: usize) -> Result<(), CliError> {
    let lines = crate::schedule::upcoming_lines(rule, zone, from, count)
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    if lines.is_empty() {
        return Err(CliError::Invalid(
            "no check-in times fall after --from within the supported calendar (up to the year 9999)".into(),
        ));
    }
    let found = lines.len();
    for line in lines {
        println!("{line}");
    }
    if found < count {
        eprintln!(
            "note: only {found} of the {count} check-in times fall within the supported calendar (up to 9999-12-30)"
        );
    }
    Ok(())
}

impl Args {
    /// Returns the log level when `RUST_LOG` is unset: warnings only for the offline commands,
    /// whose output is for people, and info for the long-running bot.
    pub fn default_log_level(&self) -> &'static str {
        match self.command {
            Command::Advise { .. }
            | Command::Console { .. }
            | Command::Replay { .. }
            | Command::Demo
            | Command::Schedule { .. } => "warn",
            Command::Run { .. } => "info",
            Command::Bench { .. } | Command::BenchStartup { .. } => "warn",
        }
    }
}

/// Log targets capped below trace level whatever `RUST_LOG` sets, because tungstenite logs
/// every WebSocket frame it sends at trace level and the gateway IDENTIFY frame carries the token.
const SECRET_BEARING_TARGETS: &[&str] = &["tungstenite::protocol=debug"];

/// Returns the log filter from `RUST_LOG` (default: `default_level`), with the targets that
/// would log the token capped.
pub fn log_filter(default_level: &str) -> tracing_subscriber::EnvFilter {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    for directive in SECRET_BEARING_TARGETS {
        if let Ok(directive) = directive.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Sets up logging to standard error, filtered by [`log_filter`]. Colours are used only
/// when standard error is a terminal, so log files stay plain text.
pub fn init_logging(default_level: &str) {
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(log_filter(default_level))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Runs one command.
///
/// # Errors
/// Returns a [`CliError`] whose message says what to fix.
pub fn run(args: Args) -> Result<(), CliError> {
    let content = match &args.content {
        Some(dir) => Content::init_from_dir(dir)?,
        None => Content::global()?,
    };
    match args.command {
        Command::Advise { case, lang, format } => advise::run(content, &case, lang, format),
        Command::Console { db, channel } => chat::console(content, db.as_deref(), &channel),
        Command::Replay { case, db, lang } => chat::replay(content, &case, db.as_deref(), lang),
        Command::Demo => chat::demo(content),
        Command::Run { config } => bot::run(content, config.as_deref()),
        Command::Bench { quick, dir } => bench(content, quick, dir),
        Command::BenchStartup { db } => {
            crate::bench::ready_probe(content, &db).map_err(CliError::Failed)
        }
        Command::Schedule {
            rule,
            tz,
            from,
            count,
        } => schedule(&rule, &tz, from.as_deref(), count),
    }
}
