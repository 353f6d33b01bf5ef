//! Parses a console line into an engine command or a console action.

use crate::engine::{CheckinCommand, Command, Walk};
use crate::i18n::Lang;

/// What a console line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// Switch to another member, creating them on first use.
    As(String),
    /// Answer in the channel walk (`/channel`) or the member's private walk (`/private`).
    Mode(Walk),
    Engine(Command),
    Help,
    Quit,
    /// The answer to a confirmation question was no.
    Cancelled,
    Nothing,
}

/// An unknown or malformed console command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}; type /help for the commands")]
pub struct ParseError(String);

pub const HELP_NL: &str = "\
Commando's. Tekst zonder schuine streep beantwoordt de huidige vraag: een nummer, een
optie-id, nummers met komma's bij een meerkeuzevraag, of - voor geen enkele optie.
  /as NAAM              speel deelnemer NAAM (bij het eerste gebruik aangemaakt)
  /start NAAM [| OMSCHRIJVING]   start een traject; jij wordt facilitator
  /join                 doe mee aan het traject
  /show                 toon de huidige vraag
  /private  /channel    beantwoord de vragen in je eigen tempo, of samen in het kanaal
  /note TEKST           voeg een toelichting toe aan de huidige vraag
  /next /back /skip     ga door de vragen (in het kanaal: alleen facilitators)
  /goto ID              ga naar vraag ID (bijvoorbeeld R3)
  /status  /result  /mine   voortgang, het advies, je eigen antwoorden
  /agree ID WAARDE      leg het afgesproken antwoord vast (facilitators)
  /facilitator NAAM     maak NAAM facilitator (facilitators)
  /close  /reopen  /delete [confirm]   (facilitators; /cancel zegt nee)
  /export               bewaar de antwoorden als Markdown- en JSON-bestand in de huidige
                        map, naast eerdere exports (facilitators)
  /checkin REGEL [ZONE] check-ins, bijvoorbeeld /checkin wekelijks ma,do 09:00 Europe/Amsterdam
                        (facilitators)
  /checkin show|pause|resume|remove
  /zone ZONE            de standaardtijdzone voor check-ins (facilitators)
  /lang nl|en           de taal van het traject
  /quit                 stoppen";

pub const HELP: &str = "\
Commands. Text without a slash answers the current question: a number, an option id,
numbers separated by commas for a multiple choice, or - for no option at all.
  /as NAME              act as member NAME (created on first use)
  /start NAME [| DESCRIPTION]   start a trajectory; you become facilitator
  /join                 join the trajectory
  /show                 show the current question
  /private  /channel    answer in your own private walk, or in the shared channel walk
  /note TEXT            add a note to the current question
  /next /back /skip     move through the questions (channel walk: facilitators)
  /goto ID              go to question ID (for example R3)
  /status  /result  /mine   progress, the advice, your own answers
  /agree ID VALUE       record the agreed answer (facilitators)
  /facilitator NAME     make NAME a facilitator (facilitators)
  /close  /reopen  /delete [confirm]   (facilitators; /cancel answers no)
  /export               save the answers as Markdown and JSON files in the current
                        directory, next to earlier exports (facilitators)
  /checkin RULE [ZONE]  check-ins, e.g. /checkin weekly mon,thu 09:00 Europe/Amsterdam (facilitators)
  /checkin show|pause|resume|remove
  /zone ZONE            the server's default check-in time zone (facilitators)
  /lang nl|en           the language of the trajectory
  /quit                 leave";

/// Parses one line typed by the current member in the given walk.
///
/// # Errors
/// Returns a [`ParseError`] naming the unknown command or the missing argument.
pub fn parse(line: &str, walk: Walk) -> Result<Line, ParseError> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(Line::Nothing);
    }
    let Some(rest) = line.strip_prefix('/') else {
        return Ok(Line::Engine(Command::AnswerText {
            question: None,
            text: line.to_string(),
            walk,
        }));
    };
    let (word, argument) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(w, a)| (w, a.trim()));
    let required = |what: &str| {
        if argument.is_empty() {
            Err(ParseError(format!("/{word} needs {what}")))
        } else {
            Ok(argument.to_string())
        }
    };
    let command = match word.to_ascii_lowercase().as_str() {
        "as" => return Ok(Line::As(required("a member name")?)),
        "private" => return Ok(Line::Mode(Walk::Private)),
        "channel" => return Ok(Line::Mode(Walk::Channel)),
        "help" => return Ok(Line::Help),
        "quit" | "exit" => return Ok(Line::Quit),
        "cancel" => return Ok(Line::Cancelled),
        "start" => start(&required("the name of the AI application")?),
        "join" => Command::Join,
        "show" => Command::Show { walk },
        "note" => Command::Note {
            question: None,
            text: required("the note text")?,
            walk,
        },
        "next" => Command::Next { walk },
        "back" => Command::Back { walk },
        "skip" => Command::Skip { walk },
        "goto" => Command::Goto {
            question: required("a question id such as R3")?.to_ascii_uppercase(),
            walk,
        },
        "status" => Command::Status,
        "result" => Command::Result,
        "mine" => Command::MyAnswers,
        "close" => Command::Close,
        "reopen" => Command::Reopen,
        "export" => Command::Export,
        "delete" => Command::Delete {
            confirmed: argument == "confirm",
        },
        "agree" => agree(&required(
            "a question id and a value, for example: /agree R4 2",
        )?)?,
        "facilitator" => {
            let name = required("a member name")?;
            Command::AddFacilitator {
                member: member_id(&name),
                name,
            }
        }
        "checkin" => checkin(argument),
        "zone" => Command::ServerZone(required("an IANA time zone such as Europe/Amsterdam")?),
        "lang" => Command::Language(
            required("nl or en")?
                .parse()
                .map_err(|e: crate::i18n::UnknownLang| ParseError(e.to_string()))?,
        ),
        other => return Err(ParseError(format!("unknown command /{other}"))),
    };
    Ok(Line::Engine(command))
}

fn start(argument: &str) -> Command {
    let (name, description) = argument
        .split_once('|')
        .map_or((argument, ""), |(n, d)| (n.trim(), d.trim()));
    Command::Start {
        name: name.to_string(),
        description: description.to_string(),
        lang: None::<Lang>,
    }
}

/// Parses `/checkin RULE [tz=ZONE]`, `/checkin pause|resume|remove`, or a bare `/checkin`.
fn checkin(argument: &str) -> Command {
    let (rule, zone) = split_zone(argument);
    let command = CheckinCommand::from_argument(rule, zone);
    Command::Checkin(command)
}

/// Splits a trailing time zone off a rule: `tz=ZONE`, or a last word that contains a slash
/// or names a zone in the time zone database (`Europe/Amsterdam`, `UTC`, `CET`). A rule
/// itself ends in a time, which is never a zone name.
fn split_zone(argument: &str) -> (&str, Option<String>) {
    if let Some((rule, zone)) = argument.rsplit_once(" tz=") {
        return (rule.trim(), Some(zone.trim().to_string()));
    }
    match argument.trim().rsplit_once(' ') {
        Some((rule, last)) if last.contains('/') || jiff::tz::TimeZone::get(last).is_ok() => {
            (rule.trim(), Some(last.to_string()))
        }
        _ => (argument, None),
    }
}

fn agree(argument: &str) -> Result<Command, ParseError> {
    let Some((question, value)) = argument.split_once(char::is_whitespace) else {
        return Err(ParseError(
            "/agree needs a question id and a value, for example: /agree R4 2".to_string(),
        ));
    };
    Ok(Command::AgreeText {
        question: question.to_ascii_uppercase(),
        text: value.trim().to_string(),
    })
}

/// Returns the member id the console uses for a display name.
pub fn member_id(name: &str) -> String {
    format!("console:{}", name.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::split_zone;

    #[test]
    fn trailing_zone_split_off() {
        assert_eq!(
            split_zone("weekly mon 09:00 GMT"),
            ("weekly mon 09:00", Some("GMT".to_string()))
        );
        assert_eq!(
            split_zone("weekly mon,thu 09:00 europe/amsterdam"),
            ("weekly mon,thu 09:00", Some("europe/amsterdam".to_string()))
        );
        assert_eq!(
            split_zone("every 14 days 09:30 tz=UTC"),
            ("every 14 days 09:30", Some("UTC".to_string()))
        );
    }

    #[test]
    fn rule_without_zone_kept_whole() {
        assert_eq!(split_zone("weekly mon 09:00"), ("weekly mon 09:00", None));
        assert_eq!(split_zone("weekly mon"), ("weekly mon", None));
    }
}
