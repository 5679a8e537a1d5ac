//! Every frame survives a round trip, and every kind of bad input is a clear error.

use hanmadi_protocol::http::Settings;
use hanmadi_protocol::*;

fn key(k: &str) -> ActionKey {
    ActionKey::new(k).unwrap()
}

fn all_actions() -> Vec<Action> {
    let room = RoomId(3);
    vec![
        Action::CreateRoom { name: "일반".into(), private: false },
        Action::CreateRoom { name: "비밀".into(), private: true },
        Action::JoinRoom { room },
        Action::JoinWithInvite { invite: "0f".repeat(32) },
        Action::OpenDirect { with: UserId(2) },
        Action::LeaveRoom { room },
        Action::RenameRoom { room, name: "random".into() },
        Action::SendMessage { room, text: "hi\nthere".into(), reply_to: None, attachments: Vec::new() },
        Action::SendMessage { room, text: "yes".into(), reply_to: Some(MessageId(5)), attachments: Vec::new() },
        Action::SendMessage { room, text: String::new(), reply_to: None, attachments: vec![AttachmentId(1)] },
        Action::EditMessage { room, message: MessageId(9), text: "fixed".into() },
        Action::DeleteMessage { room, message: MessageId(9) },
        Action::AddReaction { room, message: MessageId(9), emoji: "👍".into() },
        Action::RemoveReaction { room, message: MessageId(9), emoji: "❤️".into() },
    ]
}

fn all_client_frames() -> Vec<ClientFrame> {
    let mut frames = vec![
        ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: None },
        ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some("t0k.en".into()) },
        ClientFrame::Ping { nonce: u64::MAX },
        ClientFrame::Resume { cursors: vec![Cursor { room: RoomId(1), after: Seq(41) }] },
        ClientFrame::Typing { room: RoomId(1) },
    ];
    frames.extend(all_actions().into_iter().map(|action| ClientFrame::Action { key: key("k-1_a"), action }));
    frames
}

fn all_room_events() -> Vec<RoomEvent> {
    vec![
        RoomEvent::Created { name: "general".into(), by: UserId(1) },
        RoomEvent::Joined { user: UserId(2), name: "Mina".into() },
        RoomEvent::Left { user: UserId(2), name: Some("Mina".into()) },
        RoomEvent::Left { user: UserId(2), name: None },
        RoomEvent::Renamed { name: "일반".into(), by: UserId(1) },
        RoomEvent::Message {
            id: MessageId(5),
            author: UserId(2),
            author_name: "Jun".into(),
            text: "안녕".into(),
            reply_to: None,
            attachments: Vec::new(),
        },
        RoomEvent::Message {
            id: MessageId(6),
            author: UserId(1),
            author_name: "Mina".into(),
            text: "반가워".into(),
            reply_to: Some(ReplyTo { id: MessageId(5), seq: Seq(9) }),
            attachments: Vec::new(),
        },
        RoomEvent::Message {
            id: MessageId(7),
            author: UserId(1),
            author_name: "Mina".into(),
            text: String::new(),
            reply_to: None,
            attachments: vec![attachments::Attachment {
                id: AttachmentId(1),
                name: "점심.jpg".into(),
                size: 1234,
                mime: "image/jpeg".into(),
                width: Some(4032),
                height: Some(3024),
            }],
        },
        RoomEvent::Edited { id: MessageId(5), text: "안녕하세요".into() },
        RoomEvent::Deleted { id: MessageId(5) },
        RoomEvent::Reacted { id: MessageId(5), user: UserId(2), emoji: "😂".into() },
        RoomEvent::Unreacted { id: MessageId(5), user: UserId(2), emoji: "😂".into() },
    ]
}

fn all_presence_changes() -> Vec<PresenceChange> {
    vec![
        PresenceChange::Joined { user: UserId(3), name: "Jun".into() },
        PresenceChange::Renamed { user: UserId(3), name: "준".into() },
        PresenceChange::Left { user: UserId(3) },
    ]
}

fn all_server_frames() -> Vec<ServerFrame> {
    let room = RoomId(1);
    let mut frames = vec![
        ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: None },
        ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(UserId(4)) },
        ServerFrame::Pong { nonce: 7 },
        ServerFrame::Error { code: ErrorCode::Malformed, message: "bad \"quote\" 한마디".into() },
        ServerFrame::Ack {
            key: key("a"),
            outcome: Outcome::Applied { room, seq: Some(Seq(8)), message: Some(MessageId(2)) },
        },
        ServerFrame::Ack { key: key("b"), outcome: Outcome::Applied { room, seq: None, message: None } },
        ServerFrame::Ack {
            key: key("c"),
            outcome: Outcome::Rejected { code: RejectCode::NotFound, message: "no room 1".into(), problem: None },
        },
        ServerFrame::Ack { key: key("d"), outcome: refused_room_name() },
        ServerFrame::CaughtUp { room, head: Seq(8) },
        ServerFrame::NotMember { room },
        ServerFrame::Resync { room },
        ServerFrame::Ticker {
            updates: vec![TickerUpdate { symbol: "HNMD".into(), version: Version(12), price: 101.25 }],
        },
        ServerFrame::Presence {
            room,
            version: Version(3),
            members: vec![Member { user: UserId(2), name: "Mina".into() }],
        },
        ServerFrame::Presence { room, version: Version(1), members: vec![] },
        ServerFrame::Typing { room, user: UserId(2), name: "Mina".into() },
        ServerFrame::RoomListed { room, name: "점심 \"모임\"".into() },
        ServerFrame::RoomListStale {},
        ServerFrame::Reset { room, head: Seq(0) },
        ServerFrame::ReadUpTo { room, seq: Seq(8) },
        ServerFrame::Seen { room, seq: Seq(9) },
        ServerFrame::YouChanged { name: Some("미나".into()), settings: None },
        ServerFrame::YouChanged { name: None, settings: Some(Settings { shares_seen: false }) },
    ];
    frames.extend(all_presence_changes().into_iter().enumerate().map(|(i, change)| ServerFrame::PresenceChanged {
        room,
        version: Version(i as u64 + 4),
        change,
    }));
    frames.extend(all_room_events().into_iter().enumerate().map(|(i, event)| ServerFrame::Event {
        room,
        seq: Seq(i as u64 + 1),
        at: 1_790_000_000_000,
        event,
    }));
    frames
}

/// A room name refused by the shared check, as the server answers it.
fn refused_room_name() -> Outcome {
    let problem = limits::check_room_name("evil\u{202E}cod.exe").unwrap_err();
    Outcome::Rejected { code: RejectCode::Invalid, message: problem.to_string(), problem: Some(problem) }
}

#[test]
fn every_client_frame_round_trips() {
    for frame in all_client_frames() {
        assert_eq!(decode_client(encode(&frame)), Ok(frame));
    }
}

#[test]
fn every_server_frame_round_trips() {
    for frame in all_server_frames() {
        assert_eq!(decode_server(encode(&frame)), Ok(frame));
    }
}

/// The app reads server frames with its own reader, not serde: every variant
/// must be in `all_server_frames` (a new one fails to compile here first).
#[test]
fn every_server_frame_variant_is_checked() {
    fn variant(frame: &ServerFrame) -> usize {
        match frame {
            ServerFrame::Welcome { .. } => 0,
            ServerFrame::Pong { .. } => 1,
            ServerFrame::Error { .. } => 2,
            ServerFrame::Ack { .. } => 3,
            ServerFrame::Event { .. } => 4,
            ServerFrame::CaughtUp { .. } => 5,
            ServerFrame::Reset { .. } => 6,
            ServerFrame::Resync { .. } => 7,
            ServerFrame::Ticker { .. } => 8,
            ServerFrame::Presence { .. } => 9,
            ServerFrame::PresenceChanged { .. } => 10,
            ServerFrame::Typing { .. } => 11,
            ServerFrame::RoomListed { .. } => 12,
            ServerFrame::RoomListStale {} => 13,
            ServerFrame::ReadUpTo { .. } => 14,
            ServerFrame::Seen { .. } => 15,
            ServerFrame::NotMember { .. } => 16,
            ServerFrame::YouChanged { .. } => 17,
        }
    }
    let mut seen = [false; 18];
    for frame in all_server_frames() {
        seen[variant(&frame)] = true;
    }
    assert!(seen.iter().all(|&seen| seen), "{seen:?}");
}

#[test]
fn a_refusal_says_what_was_wrong_with_a_name_as_a_code_and_older_refusals_still_read() {
    let frame = ServerFrame::Ack { key: key("k"), outcome: refused_room_name() };
    assert_eq!(
        encode(&frame),
        r#"{"type":"ack","key":"k","outcome":{"status":"rejected","code":"invalid","#.to_owned()
            + r#""message":"the room name contains a text-direction control (U+202E)","#
            + r#""problem":{"field":"room_name","kind":"direction_control","code_point":8238}}}"#
    );
    // Without a problem, no field: what servers before it sent, and stored.
    let old = r#"{"type":"ack","key":"k","outcome":{"status":"rejected","code":"not_found","message":"gone"}}"#;
    let outcome = Outcome::Rejected { code: RejectCode::NotFound, message: "gone".into(), problem: None };
    let decoded = decode_server(old).unwrap();
    assert_eq!(decoded, ServerFrame::Ack { key: key("k"), outcome });
    assert_eq!(encode(&decoded), old);
}

#[test]
fn a_room_made_before_private_rooms_existed_is_still_a_public_one() {
    // What an older app sends, and what every outbox saved before protocol 7 holds.
    let old = r#"{"type":"action","key":"k","action":{"kind":"create_room","name":"일반"}}"#;
    let decoded = decode_client(old).unwrap();
    let public = Action::CreateRoom { name: "일반".into(), private: false };
    assert_eq!(decoded, ClientFrame::Action { key: key("k"), action: public });
    assert_eq!(encode(&decoded), old, "a public room is written as it always was");
    let private = r#"{"type":"action","key":"k","action":{"kind":"create_room","name":"비밀","private":true}}"#;
    let ClientFrame::Action { action, .. } = decode_client(private).unwrap() else { panic!("an action") };
    assert_eq!(action, Action::CreateRoom { name: "비밀".into(), private: true });
}

#[test]
fn frames_are_tagged_by_type_in_snake_case() {
    assert_eq!(encode(&ClientFrame::Ping { nonce: 3 }), r#"{"type":"ping","nonce":3}"#);
}

#[test]
fn a_presence_change_nests_its_kind_under_change() {
    let change = PresenceChange::Left { user: UserId(3) };
    let frame = ServerFrame::PresenceChanged { room: RoomId(1), version: Version(7), change };
    assert_eq!(encode(&frame), r#"{"type":"presence_changed","room":1,"version":7,"change":{"kind":"left","user":3}}"#);
}

#[test]
fn a_room_list_delta_names_the_room_and_its_name_now() {
    let frame = ServerFrame::RoomListed { room: RoomId(7), name: "점심".into() };
    assert_eq!(encode(&frame), r#"{"type":"room_listed","room":7,"name":"점심"}"#);
    assert_eq!(frame.class(), DeliveryClass::LatestWins);
    assert_eq!(encode(&ServerFrame::RoomListStale {}), r#"{"type":"room_list_stale"}"#);
    assert!(matches!(decode_server(r#"{"type":"room_listed","room":7}"#), Err(DecodeError::Malformed(_))));
}

#[test]
fn an_unknown_presence_change_is_malformed() {
    let frame = r#"{"type":"presence_changed","room":1,"version":7,"change":{"kind":"waved","user":3}}"#;
    assert!(matches!(decode_server(frame), Err(DecodeError::Malformed(_))));
}

#[test]
fn an_unknown_type_is_reported_as_such() {
    assert_eq!(decode_client(r#"{"type":"teleport","to":"mars"}"#), Err(DecodeError::UnknownType("teleport".into())));
}

#[test]
fn a_known_type_with_bad_fields_is_malformed_not_unknown() {
    for bad in [
        r#"{"type":"ping"}"#,
        r#"{"type":"ping","nonce":"seven"}"#,
        r#"{"type":"ping","nonce":-1}"#,
        r#"{"type":"ping","nonce":1,"extra":true}"#,
    ] {
        let err = decode_client(bad).unwrap_err();
        assert!(matches!(err, DecodeError::Malformed(_)), "{bad}: {err}");
    }
}

#[test]
fn non_json_and_non_objects_are_malformed() {
    for bad in ["", "{", "null", "[1,2]", "\"hello\"", r#"{"nonce":1}"#, r#"{"type":5}"#] {
        let err = decode_server(bad).unwrap_err();
        assert!(matches!(err, DecodeError::Malformed(_)), "{bad:?}: {err}");
    }
}

#[test]
fn invalid_utf8_is_rejected() {
    assert_eq!(decode_client(b"{\"type\":\"ping\",\xff}"), Err(DecodeError::InvalidUtf8));
}

#[test]
fn oversized_frames_are_rejected_before_parsing() {
    let huge = format!(r#"{{"type":"ping","nonce":1,"pad":"{}"}}"#, "x".repeat(MAX_FRAME_BYTES));
    let err = decode_client(&huge).unwrap_err();
    assert_eq!(err, DecodeError::TooLarge { len: huge.len(), max: MAX_FRAME_BYTES });
    assert!(err.to_string().contains("larger than the limit"));
}

#[test]
fn action_keys_are_checked_when_decoded() {
    let frame = |key: &str| format!(r#"{{"type":"action","key":"{key}","action":{{"kind":"join_room","room":1}}}}"#);
    assert!(decode_client(frame("ok-key_1")).is_ok());
    for bad in ["", "has space", "semi;colon", &"k".repeat(65)] {
        let err = decode_client(frame(bad)).unwrap_err();
        assert!(err.to_string().contains("action key"), "{bad:?}: {err}");
    }
}

#[test]
fn every_frame_type_is_known_to_the_decoder() {
    // A variant missing from the decoder's list of types would be misreported as
    // "unknown" when its fields are wrong.
    for frame in all_client_frames() {
        let json: serde_json::Value = serde_json::from_str(&encode(&frame)).unwrap();
        let bad = format!(r#"{{"type":{},"unexpected":1}}"#, json["type"]);
        assert!(matches!(decode_client(&bad), Err(DecodeError::Malformed(_))), "{bad}");
    }
    for frame in all_server_frames() {
        let json: serde_json::Value = serde_json::from_str(&encode(&frame)).unwrap();
        let bad = format!(r#"{{"type":{},"unexpected":1}}"#, json["type"]);
        assert!(matches!(decode_server(&bad), Err(DecodeError::Malformed(_))), "{bad}");
    }
}
