//! The `/schaalwijzer` slash command: its definition with Dutch localizations, and parsing an
//! invocation into an engine command.

use serenity::all::{
    CommandDataOption, CommandDataOptionValue, CommandOptionType, CreateCommand,
    CreateCommandOption,
};

use crate::content::Content;
use crate::engine::{CheckinCommand, Command, Walk};
use crate::i18n::Lang;

pub const NAME: &str = "schaalwijzer";

/// A subcommand by its name and Dutch name. Its descriptions are the message
/// `discord.sub.<name>`.
struct Sub {
    name: &'static str,
    nl: &'static str,
    options: &'static [Opt],
}

/// An option of a subcommand. Its descriptions are the message `discord.option.<sub>.<name>`.
struct Opt {
    name: &'static str,
    nl: &'static str,
    kind: CommandOptionType,
    required: bool,
    /// Maximum characters of a string option.
    max_length: Option<u16>,
}

const fn opt(name: &'static str, nl: &'static str, kind: CommandOptionType) -> Opt {
    Opt {
        name,
        nl,
        kind,
        required: false,
        max_length: None,
    }
}

const fn required(option: Opt) -> Opt {
    Opt {
        required: true,
        ..option
    }
}

const fn max_length(option: Opt, max: u16) -> Opt {
    Opt {
        max_length: Some(max),
        ..option
    }
}

const fn sub(name: &'static str, nl: &'static str, options: &'static [Opt]) -> Sub {
    Sub { name, nl, options }
}

const TEXT: CommandOptionType = CommandOptionType::String;
const ZONE: Opt = opt("timezone", "tijdzone", TEXT);

const SUBS: &[Sub] = &[
    sub(
        "start",
        "start",
        &[
            max_length(required(opt("name", "naam", TEXT)), 100),
            max_length(opt("description", "beschrijving", TEXT), 300),
            opt("here", "hier", CommandOptionType::Boolean),
        ],
    ),
    sub("question", "vraag", &[]),
    sub("next", "volgende", &[]),
    sub("back", "vorige", &[]),
    sub("mine", "mijn", &[]),
    sub("private", "prive", &[]),
    sub("status", "status", &[]),
    sub("result", "resultaat", &[]),
    sub("close", "sluiten", &[]),
    sub("reopen", "heropenen", &[]),
    sub("export", "export", &[]),
    sub("delete", "verwijderen", &[]),
    sub(
        "language",
        "taal",
        &[required(opt("language", "taal", TEXT))],
    ),
    sub(
        "agree",
        "eens",
        &[
            max_length(required(opt("question", "vraag", TEXT)), 3),
            required(opt("value", "waarde", TEXT)),
        ],
    ),
    sub(
        "facilitator",
        "facilitator",
        &[required(opt("member", "lid", CommandOptionType::User))],
    ),
    sub(
        "checkin",
        "checkin",
        &[required(opt("rule", "regel", TEXT)), ZONE],
    ),
    sub(
        "timezone",
        "tijdzone",
        &[required(opt("zone", "zone", TEXT))],
    ),
];

/// Builds the command with all subcommands and their options, described in English with
/// Dutch localizations.
pub fn definition(content: &Content) -> CreateCommand {
    let mut command = CreateCommand::new(NAME)
        .name_localized("nl", NAME)
        .description(content.msg(Lang::En, "discord.command"))
        .description_localized("nl", content.msg(Lang::Nl, "discord.command"))
        .dm_permission(false);
    for sub in SUBS {
        let key = format!("discord.sub.{}", sub.name);
        let mut created = CreateCommandOption::new(
            CommandOptionType::SubCommand,
            sub.name,
            content.msg(Lang::En, &key),
        )
        .name_localized("nl", sub.nl)
        .description_localized("nl", content.msg(Lang::Nl, &key));
        for option in sub.options {
            created = created.add_sub_option(sub_option(content, sub.name, option));
        }
        command = command.add_option(created);
    }
    command
}

fn sub_option(content: &Content, sub: &str, option: &Opt) -> CreateCommandOption {
    let key = format!("discord.option.{sub}.{}", option.name);
    let mut created =
        CreateCommandOption::new(option.kind, option.name, content.msg(Lang::En, &key))
            .name_localized("nl", option.nl)
            .description_localized("nl", content.msg(Lang::Nl, &key))
            .required(option.required);
    if let Some(max) = option.max_length {
        created = created.max_length(max);
    }
    if sub == "language" {
        for lang in Lang::ALL {
            let key = format!("discord.choice.{}", lang.code());
            created = created.add_string_choice_localized(
                content.msg(Lang::En, &key),
                lang.code(),
                [("nl", content.msg(Lang::Nl, &key))],
            );
        }
    }
    created
}

/// Returns the message keys of every description in the command, for checks on the texts.
pub fn description_keys() -> Vec<String> {
    let mut keys = vec!["discord.command".to_string()];
    for sub in SUBS {
        keys.push(format!("discord.sub.{}", sub.name));
        for option in sub.options {
            keys.push(format!("discord.option.{}.{}", sub.name, option.name));
        }
    }
    keys
}

/// A parsed invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub command: Command,
    /// For `start`: open a new thread for the trajectory.
    pub new_thread: bool,
    /// The reply is for the invoking member only.
    pub private: bool,
}

/// Parses the options of a `/schaalwijzer` invocation. `start_in_thread` is the configured
/// default for `start` without `here`.
///
/// # Errors
/// Returns the name of the unknown subcommand or missing option, for a reply.
pub fn parse(options: &[CommandDataOption], start_in_thread: bool) -> Result<Invocation, String> {
    let Some(sub) = options.first() else {
        return Err("missing subcommand".into());
    };
    let CommandDataOptionValue::SubCommand(args) = &sub.value else {
        return Err(format!("{} is not a subcommand", sub.name));
    };
    let text = |name: &str| {
        args.iter()
            .find(|o| o.name == name)
            .and_then(|o| o.value.as_str())
            .map(str::to_string)
    };
    let required = |name: &str| text(name).ok_or_else(|| format!("missing option {name}"));
    let plain = |command| {
        Ok(Invocation {
            command,
            new_thread: false,
            private: false,
        })
    };
    let private = |command| {
        Ok(Invocation {
            command,
            new_thread: false,
            private: true,
        })
    };
    match sub.name.as_str() {
        "start" => {
            let here = args
                .iter()
                .find(|o| o.name == "here")
                .and_then(|o| o.value.as_bool());
            let command = Command::Start {
                name: required("name")?,
                description: text("description").unwrap_or_default(),
                lang: None,
            };
            Ok(Invocation {
                command,
                new_thread: !here.unwrap_or(!start_in_thread),
                private: false,
            })
        }
        "question" => plain(Command::Show {
            walk: Walk::Channel,
        }),
        "next" => plain(Command::Next {
            walk: Walk::Channel,
        }),
        "back" => plain(Command::Back {
            walk: Walk::Channel,
        }),
        "mine" => private(Command::MyAnswers),
        "private" => private(Command::Show {
            walk: Walk::Private,
        }),
        "status" => plain(Command::Status),
        "result" => plain(Command::Result),
        "close" => plain(Command::Close),
        "reopen" => plain(Command::Reopen),
        "export" => private(Command::Export),
        "delete" => private(Command::Delete { confirmed: false }),
        "language" => {
            let lang: Lang = required("language")?
                .parse()
                .map_err(|e: crate::i18n::UnknownLang| e.to_string())?;
            plain(Command::Language(lang))
        }
        "agree" => plain(Command::AgreeText {
            question: required("question")?.to_uppercase(),
            text: required("value")?,
        }),
        "facilitator" => {
            let member = args
                .iter()
                .find(|o| o.name == "member")
                .and_then(|o| o.value.as_user_id());
            let member = member.ok_or("missing option member")?;
            plain(Command::AddFacilitator {
                member: member.to_string(),
                name: member.to_string(),
            })
        }
        "checkin" => plain(Command::Checkin(CheckinCommand::from_argument(
            &required("rule")?,
            text("timezone"),
        ))),
        "timezone" => plain(Command::ServerZone(required("zone")?)),
        other => Err(format!("unknown subcommand {other}")),
    }
}
