//! Tests of the fake Discord's payload builders and REST behaviour, driven by serenity's models
//! and `Http` client, plus raw HTTP/1.1 requests for the transport details.

mod support;

use std::time::Duration;

use serde_json::json;
use serenity::all::{
    ChannelId, ChannelType, CommandDataOptionValue, ComponentInteractionDataKind, CreateMessage,
    CreateThread, GuildId, Http, HttpBuilder, Interaction, Message, MessageId,
};
use serenity::model::application::ActionRowComponent;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::fake_discord::{payloads, FakeDiscord};

/// Upper bound for one expected request.
const STEP: Duration = Duration::from_secs(5);

fn http_for(fake: &FakeDiscord) -> Http {
    HttpBuilder::new(fake.token())
        .proxy(fake.rest_url())
        .ratelimiter_disabled(true)
        .build()
}

/// Returns Discord's error code from a failed serenity HTTP call.
fn discord_error(error: serenity::Error) -> (u16, isize) {
    match error {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(response)) => {
            (response.status_code.as_u16(), response.error.code)
        }
        other => panic!("expected an unsuccessful request, got {other:?}"),
    }
}

#[tokio::test]
async fn slash_command_payload_parses_in_serenity() {
    let fake = FakeDiscord::start().await;
    let options = vec![payloads::subcommand_group(
        "traject",
        vec![payloads::subcommand(
            "start",
            vec![
                payloads::string_option("team", "Gemeente Utrecht"),
                payloads::integer_option("vraag", 7),
                payloads::boolean_option("besloten", true),
                payloads::number_option("gewicht", 0.5),
            ],
        )],
    )];
    let builder = fake.slash_command("schaal", options).locale("en-US");

    let parsed: Interaction = serde_json::from_value(builder.build()).expect("parses");
    let Interaction::Command(command) = parsed else {
        panic!("type 2 must parse as a command interaction");
    };
    assert_eq!(command.id.get(), builder.id());
    assert_eq!(command.token, builder.token());
    assert_eq!(command.application_id.get(), fake.application_id());
    assert_eq!(command.guild_id, Some(GuildId::new(fake.guild_id())));
    assert_eq!(command.channel_id.get(), fake.text_channel_id());
    assert_eq!(command.user.id.get(), fake.test_user_id());
    assert_eq!(command.locale, "en-US");
    assert_eq!(command.data.name, "schaal");

    let group = &command.data.options[0];
    assert_eq!(group.name, "traject");
    let CommandDataOptionValue::SubCommandGroup(subcommands) = &group.value else {
        panic!("the outer option must be a subcommand group");
    };
    let CommandDataOptionValue::SubCommand(values) = &subcommands[0].value else {
        panic!("the inner option must be a subcommand");
    };
    assert_eq!(
        values[0].value,
        CommandDataOptionValue::String("Gemeente Utrecht".into())
    );
    assert_eq!(values[1].value, CommandDataOptionValue::Integer(7));
    assert_eq!(values[2].value, CommandDataOptionValue::Boolean(true));
    assert_eq!(values[3].value, CommandDataOptionValue::Number(0.5));
}

#[tokio::test]
async fn dm_command_payload_parses_in_serenity() {
    let fake = FakeDiscord::start().await;
    let builder = fake.slash_command("schaal", Vec::new()).in_dm(42);

    let parsed: Interaction = serde_json::from_value(builder.build()).expect("parses");
    let Interaction::Command(command) = parsed else {
        panic!("type 2 must parse as a command interaction");
    };
    assert_eq!(command.guild_id, None);
    assert!(command.member.is_none());
    assert_eq!(command.user.id.get(), fake.test_user_id());
    assert_eq!(command.channel_id.get(), 42);
}

#[tokio::test]
async fn component_payloads_parse_in_serenity() {
    let fake = FakeDiscord::start().await;
    let select = payloads::string_select("strategie", &[("verbreden", "Verbreden")]);
    let message = fake.bot_message("Kies", vec![payloads::action_row(vec![select])]);

    let click = fake.button_click(&message, "volgende").build();
    let Interaction::Component(component) = serde_json::from_value(click).expect("parses") else {
        panic!("type 3 must parse as a component interaction");
    };
    assert_eq!(component.data.custom_id, "volgende");
    assert!(matches!(
        component.data.kind,
        ComponentInteractionDataKind::Button
    ));
    assert_eq!(component.message.content, "Kies");
    assert_eq!(component.message.components.len(), 1);

    let choice = fake
        .select_menu(&message, "strategie", &["verbreden"])
        .build();
    let Interaction::Component(component) = serde_json::from_value(choice).expect("parses") else {
        panic!("type 3 must parse as a component interaction");
    };
    let ComponentInteractionDataKind::StringSelect { values } = &component.data.kind else {
        panic!("component_type 3 must parse as a string select");
    };
    assert_eq!(values, &vec!["verbreden".to_string()]);
}

#[tokio::test]
async fn modal_payload_parses_in_serenity() {
    let fake = FakeDiscord::start().await;
    let submit = fake
        .modal_submit("intake", &[("team", "Gemeente Utrecht")])
        .build();

    let Interaction::Modal(modal) = serde_json::from_value(submit).expect("parses") else {
        panic!("type 5 must parse as a modal interaction");
    };
    assert_eq!(modal.data.custom_id, "intake");
    let ActionRowComponent::InputText(input) = &modal.data.components[0].components[0] else {
        panic!("the modal row must hold a text input");
    };
    assert_eq!(input.custom_id, "team");
    assert_eq!(input.value.as_deref(), Some("Gemeente Utrecht"));
}

#[tokio::test]
async fn message_payload_parses_in_serenity() {
    let fake = FakeDiscord::start().await;
    let builder = fake.user_message("Hallo");

    let message: Message = serde_json::from_value(builder.build()).expect("parses");
    assert_eq!(message.id.get(), builder.id());
    assert_eq!(message.content, "Hallo");
    assert!(!message.author.bot);
    assert_eq!(message.guild_id, Some(GuildId::new(fake.guild_id())));

    let from_bot = builder
        .clone()
        .author(payloads::user(
            fake.bot_user_id(),
            "Schaalwijzer Test",
            true,
        ))
        .in_dm()
        .build();
    let message: Message = serde_json::from_value(from_bot).expect("parses");
    assert!(message.author.bot);
    assert_eq!(message.guild_id, None);
}

#[tokio::test]
async fn unknown_route_is_recorded_as_404() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);

    let error = http
        .get_guild_roles(GuildId::new(fake.guild_id()))
        .await
        .expect_err("the fake has no roles route");
    assert_eq!(discord_error(error), (404, 0));
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].path,
        format!("/api/v10/guilds/{}/roles", fake.guild_id())
    );
    assert!(!requests[0].route_known);
}

#[tokio::test]
async fn wrong_bot_token_gets_401() {
    let fake = FakeDiscord::start().await;
    let http = HttpBuilder::new("not-the-fake-token")
        .proxy(fake.rest_url())
        .ratelimiter_disabled(true)
        .build();

    let error = http
        .get_current_user()
        .await
        .expect_err("the token is wrong");
    assert_eq!(discord_error(error), (401, 0));
    let current_user = http_for(&fake)
        .get_current_user()
        .await
        .expect("right token");
    assert_eq!(current_user.id.get(), fake.bot_user_id());
    assert!(current_user.bot);
}

#[tokio::test]
async fn application_info_parses_in_serenity() {
    let fake = FakeDiscord::start().await;
    let info = http_for(&fake)
        .get_current_application_info()
        .await
        .expect("GET /oauth2/applications/@me succeeds");
    assert_eq!(info.id.get(), fake.application_id());
    let request = fake.requests().pop().expect("the request was recorded");
    assert!(request.route_known);
}

#[tokio::test]
async fn injected_429_reaches_caller() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let channel = ChannelId::new(fake.text_channel_id());
    let body = json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false, "code": 0});
    fake.fail_next("GET", "/api/v10/channels/*", 429, body);

    let error = channel
        .to_channel(&http)
        .await
        .expect_err("the 429 was injected");
    assert_eq!(discord_error(error), (429, 0));
    channel
        .to_channel(&http)
        .await
        .expect("only the next request fails");
    let statuses: Vec<u16> = fake
        .requests()
        .iter()
        .map(|request| request.status)
        .collect();
    assert_eq!(statuses, vec![429, 200]);
}

#[tokio::test]
async fn injected_429_has_rate_limit_headers() {
    let fake = FakeDiscord::start().await;
    let body =
        json!({"message": "You are being rate limited.", "retry_after": 1.5, "global": true});
    fake.fail_next("GET", "/api/v10/users/@me", 429, body);
    let address = fake.rest_url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&address)
        .await
        .expect("connecting succeeds");
    let request = format!(
        "GET /api/v10/users/@me HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bot {}\r\n\r\n",
        fake.token()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("writing succeeds");

    let (status, head, body) = read_response(&mut stream).await;
    assert_eq!(status, 429);
    let head = head.to_ascii_lowercase();
    assert!(
        head.contains("\r\nretry-after: 2\r\n"),
        "Retry-After rounds up: {head}"
    );
    assert!(head.contains("\r\nx-ratelimit-remaining: 0\r\n"));
    assert!(head.contains("\r\nx-ratelimit-reset-after: 1.500\r\n"));
    assert!(head.contains("\r\nx-ratelimit-scope: global\r\n"));
    assert!(head.contains("\r\nx-ratelimit-global: true\r\n"));
    let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(body["retry_after"], 1.5);
}

#[tokio::test]
async fn injected_error_reaches_caller_once() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let channel = ChannelId::new(fake.text_channel_id());
    let body = json!({"message": "Unknown Channel", "code": 10003});
    fake.fail_next("GET", "/api/v10/channels/*", 404, body);

    let error = channel
        .to_channel(&http)
        .await
        .expect_err("the failure was injected");
    assert_eq!(discord_error(error), (404, 10003));
    channel
        .to_channel(&http)
        .await
        .expect("only the next request fails");
}

#[tokio::test]
async fn threads_are_created_like_discord() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let channel = ChannelId::new(fake.text_channel_id());

    let thread = channel
        .create_thread(
            &http,
            CreateThread::new("Traject Utrecht").kind(ChannelType::PublicThread),
        )
        .await
        .expect("creating a thread succeeds");
    assert_eq!(thread.kind, ChannelType::PublicThread);
    assert_eq!(thread.parent_id, Some(channel));
    assert_eq!(thread.name, "Traject Utrecht");
    let fetched = thread
        .id
        .to_channel(&http)
        .await
        .expect("the thread is a known channel");
    assert_eq!(fetched.id(), thread.id);

    let private = channel
        .create_thread(&http, CreateThread::new("Zonder type"))
        .await
        .expect("creating a thread without a type succeeds");
    assert_eq!(private.kind, ChannelType::PrivateThread);

    let starter = channel
        .say(&http, "Start van het traject")
        .await
        .expect("posting succeeds");
    let from_message = channel
        .create_thread_from_message(&http, starter.id, CreateThread::new("Vragen"))
        .await
        .expect("creating a thread from a message succeeds");
    assert_eq!(
        from_message.id.get(),
        starter.id.get(),
        "Discord reuses the message id"
    );
    assert_eq!(from_message.kind, ChannelType::PublicThread);
    let again = channel
        .create_thread_from_message(&http, starter.id, CreateThread::new("Nog eens"))
        .await
        .expect_err("a message holds one thread");
    assert_eq!(discord_error(again), (400, 160004));

    let reply = from_message
        .id
        .say(&http, "In de thread")
        .await
        .expect("posting in the thread succeeds");
    assert_eq!(reply.channel_id, from_message.id);
}

#[tokio::test]
async fn message_edit_and_delete_follow_discord_rules() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let channel = ChannelId::new(fake.text_channel_id());

    let empty = channel
        .send_message(&http, CreateMessage::new())
        .await
        .expect_err("empty");
    assert_eq!(discord_error(empty), (400, 50006));
    // Serenity checks the length itself, so the raw payload goes through `Http` directly.
    let long = json!({"content": "x".repeat(2001)});
    let too_long = http
        .send_message(channel, Vec::new(), &long)
        .await
        .expect_err("too long");
    assert_eq!(discord_error(too_long), (400, 50035));
    let missing = ChannelId::new(1)
        .say(&http, "Hallo")
        .await
        .expect_err("unknown channel");
    assert_eq!(discord_error(missing), (404, 10003));

    let sent = channel
        .say(&http, "Versie 1")
        .await
        .expect("posting succeeds");
    let edit = serenity::all::EditMessage::new().content("Versie 2");
    let edited = channel
        .edit_message(&http, sent.id, edit)
        .await
        .expect("editing succeeds");
    assert_eq!(edited.content, "Versie 2");
    assert!(edited.edited_timestamp.is_some());
    assert_eq!(
        fake.message(sent.id.get()).map(|m| m["content"].clone()),
        Some(json!("Versie 2"))
    );

    channel
        .delete_message(&http, sent.id)
        .await
        .expect("deleting succeeds");
    let gone = channel
        .message(&http, sent.id)
        .await
        .expect_err("the message was deleted");
    assert_eq!(discord_error(gone), (404, 10008));
    let unknown = channel
        .delete_message(&http, MessageId::new(7))
        .await
        .expect_err("unknown");
    assert_eq!(discord_error(unknown), (404, 10008));
}

#[tokio::test]
async fn invalid_command_description_is_rejected() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    http.set_application_id(fake.application_id().into());
    let command = serenity::all::CreateCommand::new("schaal").description("d".repeat(101));

    let error = GuildId::new(fake.guild_id())
        .set_commands(&http, vec![command])
        .await
        .expect_err("a description over 100 characters is invalid");
    assert_eq!(discord_error(error), (400, 50035));
    let request = fake.requests().pop().expect("the request was recorded");
    let field_errors = &request.response.expect("an error body")["errors"]["0"]["description"];
    assert_eq!(field_errors["_errors"][0]["code"], "BASE_TYPE_BAD_LENGTH");
}

/// Reads one HTTP/1.1 response with a Content-Length body; returns the status, the head and
/// the body.
async fn read_response(stream: &mut TcpStream) -> (u16, String, Vec<u8>) {
    let mut received = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        if let Some(head_end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..head_end]).to_string();
            let status = head[9..12].parse().expect("a status code");
            let length: usize = head
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_string())
                })
                .map_or(0, |value| value.parse().expect("a length"));
            while received.len() < head_end + 4 + length {
                let read = stream.read(&mut chunk).await.expect("reading succeeds");
                assert!(read > 0, "the connection closed inside a body");
                received.extend_from_slice(&chunk[..read]);
            }
            let body = received[head_end + 4..head_end + 4 + length].to_vec();
            return (status, head, body);
        }
        let read = stream.read(&mut chunk).await.expect("reading succeeds");
        assert!(read > 0, "the connection closed before a response");
        received.extend_from_slice(&chunk[..read]);
    }
}

#[tokio::test]
async fn chunked_body_and_keep_alive_work() {
    let fake = FakeDiscord::start().await;
    let address = fake.rest_url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&address)
        .await
        .expect("connecting succeeds");
    let body = br#"{"content":"In stukken"}"#;
    let (first, second) = body.split_at(10);
    let request = format!(
        "POST /api/v10/channels/{}/messages HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bot {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        fake.text_channel_id(),
        fake.token()
    );
    let mut bytes = request.into_bytes();
    for part in [first, second] {
        bytes.extend(format!("{:x}\r\n", part.len()).as_bytes());
        bytes.extend(part);
        bytes.extend(b"\r\n");
    }
    bytes.extend(b"0\r\n\r\n");
    stream.write_all(&bytes).await.expect("writing succeeds");

    let (status, _, response) = read_response(&mut stream).await;
    assert_eq!(status, 200);
    let message: serde_json::Value = serde_json::from_slice(&response).expect("JSON");
    assert_eq!(message["content"], "In stukken");

    let second_request = format!("GET /api/v10/gateway HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream
        .write_all(second_request.as_bytes())
        .await
        .expect("writing succeeds");
    let (status, _, response) = read_response(&mut stream).await;
    assert_eq!(
        status, 200,
        "the connection stayed open for a second request"
    );
    let gateway: serde_json::Value = serde_json::from_slice(&response).expect("JSON");
    assert_eq!(gateway["url"], fake.gateway_url());

    let recorded = fake
        .wait_for(
            |request| request.is("POST", "/api/v10/channels/*/messages"),
            STEP,
        )
        .await
        .expect("the chunked request was recorded");
    assert_eq!(recorded.json, Some(json!({"content": "In stukken"})));
}
