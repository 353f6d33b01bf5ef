//! The `/schaalwijzer` slash command: its definition with Dutch localizations, and parsing an
//! invocation into an engine command.

use serenity::all::{
    CommandDataOption, CommandDataOptionValue, CommandOptionType, CreateCommand,
    CreateCommandOption,
};

use crate::engine::{CheckinCommand, Command, Walk};
use crate::i18n::Lang;

pub const NAME: &str = "schaalwijzer";

/// A subcommand: name, Dutch name, English and Dutch description.
struct Sub {
    name: &'static str,
    nl: &'static str,
    en_text: &'static str,
    nl_text: &'static str,
}

const SUBS: &[Sub] = &[
    Sub {
        name: "start",
        nl: "start",
        en_text: "Start a scaling trajectory",
        nl_text: "Start een opschalingstraject",
    },
    Sub {
        name: "question",
        nl: "vraag",
        en_text: "Show the current question",
        nl_text: "Toon de huidige vraag",
    },
    Sub {
        name: "next",
        nl: "volgende",
        en_text: "Go to the next question (facilitators)",
        nl_text: "Naar de volgende vraag (facilitators)",
    },
    Sub {
        name: "back",
        nl: "vorige",
        en_text: "Go back one question (facilitators)",
        nl_text: "Eén vraag terug (facilitators)",
    },
    Sub {
        name: "mine",
        nl: "mijn",
        en_text: "Show my answers, only to me",
        nl_text: "Toon mijn antwoorden, alleen aan mij",
    },
    Sub {
        name: "private",
        nl: "prive",
        en_text: "Answer privately at my own pace",
        nl_text: "Vul privé in, in je eigen tempo",
    },
    Sub {
        name: "status",
        nl: "status",
        en_text: "Show the progress",
        nl_text: "Toon de voortgang",
    },
    Sub {
        name: "result",
        nl: "resultaat",
        en_text: "Post the advice",
        nl_text: "Plaats het advies",
    },
    Sub {
        name: "close",
        nl: "sluiten",
        en_text: "Close the trajectory (facilitators)",
        nl_text: "Sluit het traject (facilitators)",
    },
    Sub {
        name: "reopen",
        nl: "heropenen",
        en_text: "Reopen the trajectory (facilitators)",
        nl_text: "Heropen het traject (facilitators)",
    },
    Sub {
        name: "export",
        nl: "export",
        en_text: "Export the advice and answers (facilitators)",
        nl_text: "Exporteer advies en antwoorden (facilitators)",
    },
    Sub {
        name: "delete",
        nl: "verwijderen",
        en_text: "Delete the trajectory (facilitators)",
        nl_text: "Verwijder het traject (facilitators)",
    },
    Sub {
        name: "language",
        nl: "taal",
        en_text: "Set the language",
        nl_text: "Kies de taal",
    },
    Sub {
        name: "agree",
        nl: "eens",
        en_text: "Record the agreed answer (facilitators)",
        nl_text: "Leg het gezamenlijke antwoord vast (facilitators)",
    },
    Sub {
        name: "facilitator",
        nl: "facilitator",
        en_text: "Make a member facilitator (facilitators)",
        nl_text: "Maak iemand facilitator (facilitators)",
    },
    Sub {
        name: "checkin",
        nl: "checkin",
        en_text: "Set, pause, resume or remove check-ins",
        nl_text: "Check-ins instellen, pauzeren, hervatten of verwijderen",
    },
    Sub {
        name: "timezone",
        nl: "tijdzone",
        en_text: "Set this server's default check-in time zone (facilitators)",
        nl_text: "Stel de standaardtijdzone voor check-ins op deze server in (facilitators)",
    },
];

fn option(
    kind: CommandOptionType,
    name: &str,
    nl: &str,
    en_text: &str,
    nl_text: &str,
) -> CreateCommandOption {
    CreateCommandOption::new(kind, name, en_text)
        .name_localized("nl", nl)
        .description_localized("nl", nl_text)
}

/// Builds the command with all subcommands and their options.
pub fn definition() -> CreateCommand {
    let mut command = CreateCommand::new(NAME)
        .name_localized("nl", NAME)
        .description("Scale an AI application: the TNO conversation starter")
        .description_localized(
            "nl",
            "Opschalen van een AI-toepassing: de gespreksstarter van TNO",
        )
        .dm_permission(false);
    for sub in SUBS {
        let mut created = option(
            CommandOptionType::SubCommand,
            sub.name,
            sub.nl,
            sub.en_text,
            sub.nl_text,
        );
        for sub_option in sub_options(sub.name) {
            created = created.add_sub_option(sub_option);
        }
        command = command.add_option(created);
    }
    command
}

fn sub_options(name: &str) -> Vec<CreateCommandOption> {
    use CommandOptionType::{Boolean, String as Text, User};
    match name {
        "start" => vec![
            option(
                Text,
                "name",
                "naam",
                "Name of the AI application",
                "Naam van de AI-toepassing",
            )
            .required(true)
            .max_length(100),
            option(
                Text,
                "description",
                "beschrijving",
                "One line about the application",
                "Eén regel over de toepassing",
            )
            .max_length(300),
            option(
                Boolean,
                "here",
                "hier",
                "Start in this channel instead of a new thread",
                "Start in dit kanaal in plaats van een nieuwe thread",
            ),
        ],
        "language" => vec![option(Text, "language", "taal", "nl or en", "nl of en")
            .required(true)
            .add_string_choice_localized("Nederlands", "nl", [("nl", "Nederlands")])
            .add_string_choice_localized("English", "en", [("nl", "Engels")])],
        "agree" => vec![
            option(
                Text,
                "question",
                "vraag",
                "Question id, such as R4",
                "Vraagnummer, zoals R4",
            )
            .required(true)
            .max_length(3),
            option(
                Text,
                "value",
                "waarde",
                "The agreed answer: a step or option",
                "Het gezamenlijke antwoord: een stap of optie",
            )
            .required(true),
        ],
        "facilitator" => {
            vec![option(User, "member", "lid", "The member", "Het lid").required(true)]
        }
        "timezone" => vec![option(
            Text,
            "zone",
            "zone",
            "IANA time zone, such as Europe/Amsterdam",
            "IANA-tijdzone, zoals Europe/Amsterdam",
        )
        .required(true)],
        "checkin" => vec![
            option(
                Text,
                "rule",
                "regel",
                "weekly mon,thu 09:00 | every 14 days 09:30 | pause | resume | remove",
                "wekelijks ma,do 09:00 | elke 14 dagen 09:30 | pauze | hervat | verwijder",
            )
            .required(true),
            option(
                Text,
                "timezone",
                "tijdzone",
                "IANA time zone, such as Europe/Amsterdam",
                "IANA-tijdzone, zoals Europe/Amsterdam",
            ),
        ],
        _ => Vec::new(),
    }
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
