//! End-to-end tests of the real serenity 0.12.5 client against the fake Discord in
//! `tests/support/fake_discord`. The event handler here takes the place of the bot's Discord
//! adapter: it registers commands on READY, responds to interactions and reports each event to
//! the test.

mod support;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use serenity::all::{
    ChannelId, Client, ClientBuilder, CommandDataOptionValue, CommandInteraction,
    CommandOptionType, ComponentInteractionDataKind, Context, CreateAttachment, CreateCommand,
    CreateCommandOption, CreateInteractionResponse, CreateInteractionResponseMessage,
    CreateMessage, EventHandler, GatewayIntents, Guild, GuildId, Http, HttpBuilder, Interaction,
    Message, ModalInteraction, Ready, ResumedEvent, ShardManager,
};
use serenity::model::application::ActionRowComponent;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use support::fake_discord::{payloads, FakeDiscord, HandshakeKind, RecordedRequest};

/// Upper bound for a whole test, so a hang fails instead of blocking the suite.
const TEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Upper bound for one expected step (an event or a request).
const STEP: Duration = Duration::from_secs(5);

/// Intents the test bot requests.
fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT
}

/// What the test handler observed, sent to the test over a channel.
#[derive(Debug)]
enum Seen {
    Ready {
        application_id: u64,
        user_id: u64,
        session_id: String,
    },
    GuildCreate {
        guild_id: u64,
        channel_names: Vec<String>,
    },
    CommandsRegistered(Result<Vec<(String, u64)>, String>),
    Command {
        name: String,
        subcommand: Option<String>,
        team: Option<String>,
    },
    Component {
        custom_id: String,
        values: Vec<String>,
    },
    Modal {
        custom_id: String,
        inputs: Vec<(String, String)>,
    },
    Post(Result<(), (u16, isize)>),
    Responded(Result<(), String>),
    Message {
        content: String,
        author_is_bot: bool,
    },
    Resumed,
}

/// The bot's stand-in: a serenity event handler that reports to the test.
struct Recorder {
    seen: mpsc::UnboundedSender<Seen>,
}

impl Recorder {
    fn report(&self, seen: Seen) {
        // The receiver is gone only once the test has finished.
        let _ = self.seen.send(seen);
    }

    async fn register_commands(&self, ctx: &Context, guild_id: GuildId) {
        let start =
            CreateCommandOption::new(CommandOptionType::SubCommand, "start", "Start een traject")
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::String,
                        "team",
                        "Naam van het team",
                    )
                    .required(true),
                );
        let commands = vec![
            CreateCommand::new("schaal")
                .description("Gesprek over het opschalen van AI")
                .add_option(start),
            CreateCommand::new("post").description("Plaats een bericht in dit kanaal"),
        ];
        let result = guild_id.set_commands(&ctx.http, commands).await;
        let registered = result
            .map(|commands| {
                commands
                    .into_iter()
                    .map(|command| (command.name, command.id.get()))
                    .collect()
            })
            .map_err(|error| error.to_string());
        self.report(Seen::CommandsRegistered(registered));
    }

    async fn on_command(&self, ctx: &Context, command: CommandInteraction) {
        let (subcommand, team) = subcommand_and_team(&command);
        self.report(Seen::Command {
            name: command.data.name.clone(),
            subcommand: subcommand.clone(),
            team: team.clone(),
        });

        let content = if command.data.name == "post" {
            self.post_to_channel(ctx, command.channel_id).await
        } else {
            format!(
                "{}: {}",
                subcommand.unwrap_or_default(),
                team.unwrap_or_default()
            )
        };
        let response = CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new().content(content),
        );
        let result = command.create_response(&ctx.http, response).await;
        self.report(Seen::Responded(result.map_err(|error| error.to_string())));
    }

    /// Posts to the channel and reports the outcome; returns the reply text for the user.
    async fn post_to_channel(&self, ctx: &Context, channel_id: ChannelId) -> String {
        match channel_id.say(&ctx.http, "Het rapport volgt hier.").await {
            Ok(_) => {
                self.report(Seen::Post(Ok(())));
                "posted".to_string()
            }
            Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(
                response,
            ))) => {
                let status = response.status_code.as_u16();
                self.report(Seen::Post(Err((status, response.error.code))));
                format!("post failed: {}", response.error.message)
            }
            Err(other) => {
                self.report(Seen::Post(Err((0, 0))));
                format!("post failed: {other}")
            }
        }
    }

    async fn on_modal(&self, ctx: &Context, modal: ModalInteraction) {
        let inputs = modal
            .data
            .components
            .iter()
            .flat_map(|row| &row.components)
            .filter_map(|component| match component {
                ActionRowComponent::InputText(input) => Some((
                    input.custom_id.clone(),
                    input.value.clone().unwrap_or_default(),
                )),
                _ => None,
            })
            .collect();
        self.report(Seen::Modal {
            custom_id: modal.data.custom_id.clone(),
            inputs,
        });
        let result = modal
            .create_response(&ctx.http, CreateInteractionResponse::Acknowledge)
            .await;
        self.report(Seen::Responded(result.map_err(|error| error.to_string())));
    }
}

/// Reads `/schaal start team:<value>`: the subcommand name and its `team` option.
fn subcommand_and_team(command: &CommandInteraction) -> (Option<String>, Option<String>) {
    let Some(option) = command.data.options.first() else {
        return (None, None);
    };
    let CommandDataOptionValue::SubCommand(inner) = &option.value else {
        return (None, None);
    };
    let team = inner
        .iter()
        .find(|inner| inner.name == "team")
        .and_then(|inner| inner.value.as_str().map(str::to_string));
    (Some(option.name.clone()), team)
}

#[serenity::async_trait]
impl EventHandler for Recorder {
    async fn ready(&self, ctx: Context, ready: Ready) {
        self.report(Seen::Ready {
            application_id: ready.application.id.get(),
            user_id: ready.user.id.get(),
            session_id: ready.session_id.clone(),
        });
        if let Some(guild) = ready.guilds.first() {
            self.register_commands(&ctx, guild.id).await;
        }
    }

    async fn guild_create(&self, _ctx: Context, guild: Guild, _is_new: Option<bool>) {
        let channel_names = guild
            .channels
            .values()
            .map(|channel| channel.name.clone())
            .collect();
        self.report(Seen::GuildCreate {
            guild_id: guild.id.get(),
            channel_names,
        });
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(command) => self.on_command(&ctx, command).await,
            Interaction::Component(component) => {
                let values = match &component.data.kind {
                    ComponentInteractionDataKind::StringSelect { values } => values.clone(),
                    _ => Vec::new(),
                };
                self.report(Seen::Component {
                    custom_id: component.data.custom_id.clone(),
                    values,
                });
                let result = component
                    .create_response(&ctx.http, CreateInteractionResponse::Acknowledge)
                    .await;
                self.report(Seen::Responded(result.map_err(|error| error.to_string())));
            }
            Interaction::Modal(modal) => self.on_modal(&ctx, modal).await,
            _ => {}
        }
    }

    async fn message(&self, _ctx: Context, message: Message) {
        self.report(Seen::Message {
            content: message.content.clone(),
            author_is_bot: message.author.bot,
        });
    }

    async fn resume(&self, _ctx: Context, _event: ResumedEvent) {
        self.report(Seen::Resumed);
    }
}

/// A serenity client running against a fake, with the handler's reports.
struct Harness {
    fake: FakeDiscord,
    http: Arc<Http>,
    seen: mpsc::UnboundedReceiver<Seen>,
    shard_manager: Arc<ShardManager>,
    client_task: JoinHandle<serenity::Result<()>>,
}

impl Harness {
    async fn start(fake: FakeDiscord) -> Self {
        let token = fake.token().to_string();
        Self::start_with(fake, &token, intents()).await
    }

    async fn start_with(fake: FakeDiscord, token: &str, intents: GatewayIntents) -> Self {
        let http = HttpBuilder::new(token)
            .proxy(fake.rest_url())
            .ratelimiter_disabled(true)
            .build();
        let (sender, seen) = mpsc::unbounded_channel();
        let mut client: Client = ClientBuilder::new_with_http(http, intents)
            .event_handler(Recorder { seen: sender })
            .await
            .expect("building the serenity client failed");
        let shard_manager = Arc::clone(&client.shard_manager);
        let http = Arc::clone(&client.http);
        let client_task = tokio::spawn(async move { client.start().await });
        Self {
            fake,
            http,
            seen,
            shard_manager,
            client_task,
        }
    }

    /// Waits for the first report that `select` accepts, skipping the others.
    async fn expect<T>(&mut self, what: &str, select: impl Fn(Seen) -> Option<T>) -> T {
        let wait = async {
            while let Some(seen) = self.seen.recv().await {
                if let Some(found) = select(seen) {
                    return Some(found);
                }
            }
            None
        };
        match tokio::time::timeout(STEP, wait).await {
            Ok(Some(found)) => found,
            Ok(None) => panic!("the handler stopped before reporting {what}"),
            Err(_) => panic!("the handler did not report {what} within {STEP:?}"),
        }
    }

    async fn expect_ready(&mut self) -> (u64, u64, String) {
        self.expect("READY", |seen| match seen {
            Seen::Ready {
                application_id,
                user_id,
                session_id,
            } => Some((application_id, user_id, session_id)),
            _ => None,
        })
        .await
    }

    async fn expect_message(&mut self) -> (String, bool) {
        self.expect("a message", |seen| match seen {
            Seen::Message {
                content,
                author_is_bot,
            } => Some((content, author_is_bot)),
            _ => None,
        })
        .await
    }

    async fn expect_responded(&mut self) -> Result<(), String> {
        self.expect("an interaction response", |seen| match seen {
            Seen::Responded(result) => Some(result),
            _ => None,
        })
        .await
    }

    async fn wait_for(
        &self,
        what: &str,
        predicate: impl Fn(&RecordedRequest) -> bool,
    ) -> RecordedRequest {
        match self.fake.wait_for(predicate, STEP).await {
            Ok(request) => request,
            Err(timeout) => panic!("{what}: {timeout}"),
        }
    }

    /// Shuts the shard down and waits for the client to return.
    async fn shutdown(self) {
        self.shard_manager.shutdown_all().await;
        let finished = tokio::time::timeout(STEP, self.client_task).await;
        let joined = finished.expect("the client did not stop within 5 s after shutdown_all");
        let result = joined.expect("the client task panicked");
        assert!(
            result.is_ok(),
            "the client stopped with an error: {result:?}"
        );
    }
}

/// Runs a test body with the suite's time limit.
async fn within_limit(body: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_TIMEOUT, body)
        .await
        .expect("the test exceeded its 30 s limit");
}

fn is_callback(request: &RecordedRequest, interaction_id: u64) -> bool {
    request.method == "POST"
        && request
            .path
            .starts_with(&format!("/api/v10/interactions/{interaction_id}/"))
        && request.path.ends_with("/callback")
}

#[tokio::test]
async fn client_identifies_and_gets_ready() {
    within_limit(async {
        let fake = FakeDiscord::start().await;
        let expected_token = format!("Bot {}", fake.token());
        let mut harness = Harness::start(fake).await;

        let (application_id, user_id, _) = harness.expect_ready().await;
        assert_eq!(application_id, harness.fake.application_id());
        assert_eq!(user_id, harness.fake.bot_user_id());

        let (guild_id, channel_names) = harness
            .expect("GUILD_CREATE", |seen| match seen {
                Seen::GuildCreate {
                    guild_id,
                    channel_names,
                } => Some((guild_id, channel_names)),
                _ => None,
            })
            .await;
        assert_eq!(guild_id, harness.fake.guild_id());
        assert_eq!(channel_names, vec!["schaalwijzer-test".to_string()]);

        let handshake = harness
            .fake
            .last_handshake()
            .expect("a handshake was recorded");
        assert_eq!(handshake.kind, HandshakeKind::Identify);
        assert!(handshake.accepted);
        assert!(
            handshake.token == expected_token,
            "IDENTIFY carried a token other than `Bot <fake token>`"
        );
        assert_eq!(handshake.intents, Some(intents().bits()));
        assert_eq!(
            handshake.compress,
            Some(true),
            "serenity 0.12.5 asks for compression"
        );

        let gateway = harness
            .wait_for("gateway discovery", |request| {
                request.is("GET", "/api/v10/gateway")
            })
            .await;
        assert!(
            gateway.authorization() == Some(expected_token.as_str()),
            "GET /gateway carried an Authorization header other than `Bot <fake token>`"
        );
        assert_eq!(gateway.status, 200);
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn ready_registers_guild_commands() {
    within_limit(async {
        let mut harness = Harness::start(FakeDiscord::start().await).await;
        let path = format!(
            "/api/v10/applications/{}/guilds/{}/commands",
            harness.fake.application_id(),
            harness.fake.guild_id()
        );

        let request = harness
            .wait_for("command registration", |request| request.is("PUT", &path))
            .await;
        assert_eq!(request.status, 200);
        let submitted = request.payload().expect("the PUT has a JSON body");
        assert_eq!(submitted[0]["name"], "schaal");
        assert_eq!(submitted[0]["options"][0]["type"], 1);
        assert_eq!(submitted[0]["options"][0]["name"], "start");
        assert_eq!(submitted[0]["options"][0]["options"][0]["name"], "team");
        assert_eq!(submitted[0]["options"][0]["options"][0]["required"], true);
        assert_eq!(submitted[1]["name"], "post");

        let registered = harness
            .expect("the registration result", |seen| match seen {
                Seen::CommandsRegistered(result) => Some(result),
                _ => None,
            })
            .await
            .expect("set_commands succeeded");
        let stored = harness.fake.commands(Some(harness.fake.guild_id()));
        assert_eq!(registered.len(), 2);
        assert_eq!(stored.len(), 2);
        for ((name, id), command) in registered.iter().zip(&stored) {
            assert_eq!(command["name"], json!(name));
            assert_eq!(command["id"], json!(id.to_string()));
        }
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn slash_command_gets_message_response() {
    within_limit(async {
        let mut harness = Harness::start(FakeDiscord::start().await).await;
        harness.expect_ready().await;

        let options = vec![payloads::subcommand(
            "start",
            vec![payloads::string_option("team", "Gemeente Utrecht")],
        )];
        let interaction = harness.fake.slash_command("schaal", options);
        harness
            .fake
            .dispatch("INTERACTION_CREATE", interaction.build())
            .await;

        let (name, subcommand, team) = harness
            .expect("the slash command", |seen| match seen {
                Seen::Command {
                    name,
                    subcommand,
                    team,
                } => Some((name, subcommand, team)),
                _ => None,
            })
            .await;
        assert_eq!(name, "schaal");
        assert_eq!(subcommand.as_deref(), Some("start"));
        assert_eq!(team.as_deref(), Some("Gemeente Utrecht"));
        assert_eq!(harness.expect_responded().await, Ok(()));

        let callback = harness
            .wait_for("the callback", |request| {
                is_callback(request, interaction.id())
            })
            .await;
        assert!(callback.path.contains(interaction.token()));
        assert_eq!(callback.status, 204);
        let payload = callback.payload().expect("the callback has a JSON body");
        assert_eq!(payload["type"], 4);
        assert_eq!(payload["data"]["content"], "start: Gemeente Utrecht");
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn components_and_modal_get_deferred_update() {
    within_limit(async {
        let mut harness = Harness::start(FakeDiscord::start().await).await;
        harness.expect_ready().await;
        let row = payloads::action_row(vec![payloads::button("volgende", "Volgende vraag")]);
        let message = harness.fake.bot_message("Vraag 1 van 17", vec![row]);

        let click = harness.fake.button_click(&message, "volgende");
        harness
            .fake
            .dispatch("INTERACTION_CREATE", click.build())
            .await;
        let (custom_id, values) = harness
            .expect("the button click", |seen| match seen {
                Seen::Component { custom_id, values } => Some((custom_id, values)),
                _ => None,
            })
            .await;
        assert_eq!(custom_id, "volgende");
        assert!(values.is_empty());
        assert_eq!(harness.expect_responded().await, Ok(()));
        let callback = harness
            .wait_for("the button callback", |request| {
                is_callback(request, click.id())
            })
            .await;
        assert_eq!(
            callback.payload().map(|payload| payload["type"].clone()),
            Some(json!(6))
        );
        assert_eq!(callback.status, 204);

        let select = harness
            .fake
            .select_menu(&message, "strategie", &["verbreden"]);
        harness
            .fake
            .dispatch("INTERACTION_CREATE", select.build())
            .await;
        let (custom_id, values) = harness
            .expect("the select menu choice", |seen| match seen {
                Seen::Component { custom_id, values } => Some((custom_id, values)),
                _ => None,
            })
            .await;
        assert_eq!(custom_id, "strategie");
        assert_eq!(values, vec!["verbreden".to_string()]);
        assert_eq!(harness.expect_responded().await, Ok(()));

        let modal = harness
            .fake
            .modal_submit(
                "intake",
                &[
                    ("team", "Gemeente Utrecht"),
                    ("doel", "Chatbot voor burgers"),
                ],
            )
            .message(message.clone());
        harness
            .fake
            .dispatch("INTERACTION_CREATE", modal.build())
            .await;
        let (custom_id, inputs) = harness
            .expect("the modal submit", |seen| match seen {
                Seen::Modal { custom_id, inputs } => Some((custom_id, inputs)),
                _ => None,
            })
            .await;
        assert_eq!(custom_id, "intake");
        assert_eq!(
            inputs[0],
            ("team".to_string(), "Gemeente Utrecht".to_string())
        );
        assert_eq!(
            inputs[1],
            ("doel".to_string(), "Chatbot voor burgers".to_string())
        );
        assert_eq!(harness.expect_responded().await, Ok(()));
        let callback = harness
            .wait_for("the modal callback", |request| {
                is_callback(request, modal.id())
            })
            .await;
        assert_eq!(
            callback.payload().map(|payload| payload["type"].clone()),
            Some(json!(6))
        );
        assert_eq!(callback.status, 204);
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn attachment_arrives_as_multipart() {
    within_limit(async {
        let mut harness = Harness::start(FakeDiscord::start().await).await;
        harness.expect_ready().await;
        // Bytes that a naive multipart parser would split on: CRLF, dashes, NUL and non-UTF-8.
        let bytes: Vec<u8> = b"regel 1\r\n--grens\r\n\0\xff\xfe einde".to_vec();
        let channel = ChannelId::new(harness.fake.text_channel_id());

        let builder = CreateMessage::new()
            .content("Het verslag")
            .add_file(CreateAttachment::bytes(bytes.clone(), "verslag.txt"));
        let sent = channel
            .send_message(&harness.http, builder)
            .await
            .expect("send_message succeeded");
        assert_eq!(sent.content, "Het verslag");
        assert_eq!(sent.attachments.len(), 1);
        assert_eq!(sent.attachments[0].filename, "verslag.txt");
        assert_eq!(sent.attachments[0].size as usize, bytes.len());
        let downloaded = sent.attachments[0]
            .download()
            .await
            .expect("download succeeded");
        assert_eq!(downloaded, bytes);

        let path = format!("/api/v10/channels/{channel}/messages");
        let request = harness
            .wait_for("the upload", |request| request.is("POST", &path))
            .await;
        let content_type = request.header("content-type").unwrap_or_default();
        assert!(content_type.starts_with("multipart/form-data; boundary="));
        let body = request
            .multipart
            .as_ref()
            .expect("the body parsed as multipart");
        assert_eq!(
            body.payload_json
                .as_ref()
                .map(|json| json["content"].clone()),
            Some(json!("Het verslag"))
        );
        assert_eq!(body.files.len(), 1);
        assert_eq!(body.files[0].field, "files[0]");
        assert_eq!(body.files[0].filename, "verslag.txt");
        assert_eq!(body.files[0].content_type.as_deref(), Some("text/plain"));
        assert_eq!(body.files[0].bytes, bytes);
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn reconnect_resumes_and_replays() {
    within_limit(async {
        let mut harness = Harness::start(FakeDiscord::start().await).await;
        let (_, _, session_id) = harness.expect_ready().await;
        harness
            .fake
            .wait_for_handshakes(1, STEP)
            .await
            .expect("IDENTIFY arrived");

        assert!(harness.fake.force_reconnect(), "a client was connected");
        // Dispatched while the client reconnects: the fake keeps it for the replay.
        let interaction = harness.fake.slash_command("schaal", Vec::new());
        let seq = harness
            .fake
            .dispatch("INTERACTION_CREATE", interaction.build())
            .await;

        let name = harness
            .expect("the command after the reconnect", |seen| match seen {
                Seen::Command { name, .. } => Some(name),
                _ => None,
            })
            .await;
        assert_eq!(name, "schaal");
        harness
            .expect("RESUMED", |seen| {
                matches!(seen, Seen::Resumed).then_some(())
            })
            .await;

        let handshakes = harness.fake.handshakes();
        assert_eq!(handshakes.len(), 2);
        let resume = &handshakes[1];
        assert_eq!(
            resume.kind,
            HandshakeKind::Resume,
            "serenity 0.12.5 resumes after op 7"
        );
        assert!(resume.accepted);
        assert_eq!(resume.session_id.as_deref(), Some(session_id.as_str()));
        assert!(
            resume.seq.unwrap_or_default() >= 2,
            "the client had READY and GUILD_CREATE"
        );
        assert!(
            resume.seq < seq,
            "the dispatched event came after the client's last seq"
        );
        assert_eq!(
            resume.replayed, 1,
            "only the event dispatched during the reconnect is replayed"
        );
        assert_eq!(harness.fake.gateway_connections(), 2);
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn forbidden_post_is_reported_and_bot_keeps_serving() {
    within_limit(async {
        let mut harness = Harness::start(FakeDiscord::start().await).await;
        harness.expect_ready().await;
        let missing_permissions = json!({"message": "Missing Permissions", "code": 50013});
        harness.fake.fail_next(
            "POST",
            "/api/v10/channels/*/messages",
            403,
            missing_permissions,
        );

        let first = harness.fake.slash_command("post", Vec::new());
        harness
            .fake
            .dispatch("INTERACTION_CREATE", first.build())
            .await;
        let outcome = harness
            .expect("the failed post", |seen| match seen {
                Seen::Post(result) => Some(result),
                _ => None,
            })
            .await;
        assert_eq!(outcome, Err((403, 50013)));
        let callback = harness
            .wait_for("the first callback", |request| {
                is_callback(request, first.id())
            })
            .await;
        let content = callback
            .payload()
            .map(|payload| payload["data"]["content"].clone());
        assert_eq!(content, Some(json!("post failed: Missing Permissions")));

        let second = harness.fake.slash_command("post", Vec::new());
        harness
            .fake
            .dispatch("INTERACTION_CREATE", second.build())
            .await;
        let outcome = harness
            .expect("the second post", |seen| match seen {
                Seen::Post(result) => Some(result),
                _ => None,
            })
            .await;
        assert_eq!(outcome, Ok(()));
        let callback = harness
            .wait_for("the second callback", |request| {
                is_callback(request, second.id())
            })
            .await;
        assert_eq!(callback.status, 204);
        let injected: Vec<_> = harness
            .fake
            .requests()
            .into_iter()
            .filter(|r| r.injected)
            .collect();
        assert_eq!(injected.len(), 1);
        assert_eq!(injected[0].status, 403);
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn heartbeats_are_acknowledged() {
    within_limit(async {
        let fake = FakeDiscord::builder()
            .heartbeat_interval(Duration::from_millis(100))
            .start()
            .await;
        let mut harness = Harness::start(fake).await;
        harness.expect_ready().await;

        let heartbeats = harness
            .fake
            .wait_for_heartbeats(3, STEP)
            .await
            .expect("serenity heartbeats every 100 ms");
        // Serenity reconnects when a heartbeat goes unacknowledged; one connection means every
        // heartbeat got its ACK.
        assert_eq!(harness.fake.gateway_connections(), 1);
        assert_eq!(harness.fake.handshakes().len(), 1);
        assert!(heartbeats.iter().all(|seq| seq.unwrap_or_default() >= 2));
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn compressed_payloads_are_accepted() {
    within_limit(async {
        let fake = FakeDiscord::builder().compress_payloads(true).start().await;
        let mut harness = Harness::start(fake).await;
        let (application_id, _, _) = harness.expect_ready().await;
        assert_eq!(application_id, harness.fake.application_id());

        let interaction = harness.fake.slash_command("schaal", Vec::new());
        harness
            .fake
            .dispatch("INTERACTION_CREATE", interaction.build())
            .await;
        harness
            .expect("the command", |seen| {
                matches!(seen, Seen::Command { .. }).then_some(())
            })
            .await;
        assert_eq!(harness.expect_responded().await, Ok(()));
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn wrong_token_fails_identify() {
    within_limit(async {
        let fake = FakeDiscord::start().await;
        let harness = Harness::start_with(fake, "wrong-token", intents()).await;

        let outcome = tokio::time::timeout(STEP, harness.client_task)
            .await
            .expect("the client stops after close code 4004")
            .expect("the client task did not panic");
        assert!(
            matches!(
                outcome,
                Err(serenity::Error::Gateway(
                    serenity::gateway::GatewayError::InvalidAuthentication
                ))
            ),
            "expected InvalidAuthentication, got {outcome:?}"
        );
        let handshake = harness
            .fake
            .last_handshake()
            .expect("IDENTIFY was recorded");
        assert!(!handshake.accepted);
    })
    .await;
}

#[tokio::test]
async fn messages_reach_handler_and_bot_posts_echo() {
    within_limit(async {
        let mut harness = Harness::start(FakeDiscord::start().await).await;
        harness.expect_ready().await;

        let from_user = harness.fake.user_message("Hallo bot").build();
        let seq = harness.fake.dispatch("MESSAGE_CREATE", from_user).await;
        assert!(seq.is_some(), "GUILD_MESSAGES is among the intents");
        assert_eq!(
            harness.expect_message().await,
            ("Hallo bot".to_string(), false)
        );

        let channel = ChannelId::new(harness.fake.text_channel_id());
        channel
            .say(&harness.http, "Antwoord")
            .await
            .expect("posting succeeds");
        assert_eq!(
            harness.expect_message().await,
            ("Antwoord".to_string(), true)
        );
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn intents_filter_message_events() {
    within_limit(async {
        let fake = FakeDiscord::start().await;
        let token = fake.token().to_string();
        let without_content = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES;
        let mut harness = Harness::start_with(fake, &token, without_content).await;
        harness.expect_ready().await;

        let hidden = harness.fake.user_message("Geheime inhoud").build();
        harness.fake.dispatch("MESSAGE_CREATE", hidden).await;
        let (content, _) = harness.expect_message().await;
        assert_eq!(content, "", "without MESSAGE_CONTENT the content is empty");

        let mut mention = harness.fake.user_message("Hallo").build();
        let bot = payloads::user(harness.fake.bot_user_id(), "Schaalwijzer Test", true);
        mention["mentions"] = json!([bot]);
        harness.fake.dispatch("MESSAGE_CREATE", mention).await;
        assert_eq!(
            harness.expect_message().await.0,
            "Hallo",
            "a mention keeps the content"
        );
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn guild_messages_need_their_intent() {
    within_limit(async {
        let fake = FakeDiscord::start().await;
        let token = fake.token().to_string();
        let mut harness = Harness::start_with(fake, &token, GatewayIntents::GUILDS).await;
        harness.expect_ready().await;

        let message = harness.fake.user_message("Hallo").build();
        let seq = harness.fake.dispatch("MESSAGE_CREATE", message).await;
        assert_eq!(
            seq, None,
            "without GUILD_MESSAGES the event is not delivered"
        );
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn original_response_and_followups_work() {
    within_limit(async {
        let mut harness = Harness::start(FakeDiscord::start().await).await;
        harness.expect_ready().await;
        let builder = harness.fake.slash_command("schaal", Vec::new());
        harness
            .fake
            .dispatch("INTERACTION_CREATE", builder.build())
            .await;
        assert_eq!(harness.expect_responded().await, Ok(()));
        let command: CommandInteraction =
            serde_json::from_value(builder.build()).expect("the payload parses");
        let http = Arc::clone(&harness.http);

        let original = command.get_response(&http).await.expect("@original exists");
        assert_eq!(original.content, ": ");
        let edit = serenity::all::EditInteractionResponse::new().content("Bijgewerkt");
        let edited = command
            .edit_response(&http, edit)
            .await
            .expect("editing @original");
        assert_eq!(edited.id, original.id);
        assert_eq!(edited.content, "Bijgewerkt");

        let followup = serenity::all::CreateInteractionResponseFollowup::new().content("Vervolg");
        let sent = command
            .create_followup(&http, followup)
            .await
            .expect("a follow-up");
        assert_ne!(sent.id, original.id);
        assert_eq!(sent.content, "Vervolg");

        let again = CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new().content("Nog een keer"),
        );
        let error = command
            .create_response(&http, again)
            .await
            .expect_err("one response only");
        let serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(response)) = error
        else {
            panic!("expected an unsuccessful request, got {error:?}");
        };
        assert_eq!(response.status_code.as_u16(), 400);
        assert_eq!(response.error.code, 40060);
        harness.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn late_response_is_unknown_interaction() {
    within_limit(async {
        let fake = FakeDiscord::builder()
            .interaction_deadline(Duration::ZERO)
            .start()
            .await;
        let mut harness = Harness::start(fake).await;
        harness.expect_ready().await;

        let interaction = harness.fake.slash_command("schaal", Vec::new());
        harness
            .fake
            .dispatch("INTERACTION_CREATE", interaction.build())
            .await;
        let outcome = harness.expect_responded().await;
        let error = outcome.expect_err("the deadline had passed");
        assert!(
            error.contains("Unknown interaction"),
            "unexpected error: {error}"
        );
        let callback = harness
            .wait_for("the late callback", |request| {
                is_callback(request, interaction.id())
            })
            .await;
        assert_eq!(callback.status, 404);
        harness.shutdown().await;
    })
    .await;
}
