//! The app's small JSON reader (`hanmadi_protocol::json`) reads what serde reads:
//! the same values from the same text, and it refuses what serde refuses.

use hanmadi_protocol::attachments::{Attachment, UploadProblem};
use hanmadi_protocol::http::{
    ApiError, EventsPage, HistoryEvent, Invite, InviteCreated, InvitePreview, LastMessage, MessageView, MessagesPage,
    Profile, Reaction, RoomKind, RoomSummary, Session, Settings,
};
use hanmadi_protocol::json::{self, FromJson};
use hanmadi_protocol::*;
use proptest::prelude::*;
use serde::de::DeserializeOwned;

/// Both readers on `text`: equal values, or both an error.
fn agree<T: FromJson + DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) -> Result<(), String> {
    let ours = json::from_str::<T>(text);
    let serde = serde_json::from_str::<T>(text);
    match (ours, serde) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (Err(_), Err(_)) => Ok(()),
        (ours, serde) => Err(format!("{text}\n  ours:  {ours:?}\n  serde: {serde:?}")),
    }
}

fn key(k: &str) -> ActionKey {
    ActionKey::new(k).unwrap()
}

#[test]
fn frames_read_the_same() {
    let frames = [
        r#"{"type":"welcome","protocol":3}"#,
        r#"{"type":"welcome","protocol":3,"user":null}"#,
        r#"{"type":"welcome","protocol":3,"user":9}"#,
        r#"{"type":"welcome","protocol":4294967296}"#,
        r#"{"type":"pong","nonce":18446744073709551615}"#,
        r#"{"type":"pong","nonce":18446744073709551616}"#,
        r#"{"type":"pong","nonce":1.0}"#,
        r#"{"type":"pong","nonce":1e3}"#,
        r#"{"type":"pong","nonce":-1}"#,
        r#"{"type":"pong","nonce":01}"#,
        r#"{"type":"pong","nonce":1,"nonce":2}"#,
        r#"{"type":"pong","type":"pong","nonce":1}"#,
        r#"{"nonce":1,"type":"pong"}"#,
        r#" { "type" : "pong" , "nonce" : 1 } "#,
        r#"{"type":"pong","nonce":1} x"#,
        r#"{"type":"pong","nonce":1,}"#,
        r#"{"type":"error","code":"rate_limited","message":"slow down \u00e9 \ud55c \ud83d\ude00 \n\t\"\\\/"}"#,
        r#"{"type":"error","code":"no_such_code","message":""}"#,
        r#"{"type":"error","code":"internal","message":"lone \ud800"}"#,
        "{\"type\":\"error\",\"code\":\"internal\",\"message\":\"raw \u{1} control\"}",
        r#"{"type":"ack","key":"k-1","outcome":{"status":"applied","room":1,"seq":2,"message":3}}"#,
        r#"{"type":"ack","key":"k-1","outcome":{"status":"applied","room":1,"seq":null}}"#,
        r#"{"type":"ack","key":"k 1","outcome":{"status":"applied","room":1}}"#,
        r#"{"type":"ack","key":"k","outcome":{"status":"applied","room":1,"extra":1}}"#,
        r#"{"type":"ack","key":"k","outcome":{"status":"rejected","code":"invalid","message":"m","problem":{"field":"message","kind":"too_long","chars":4001,"max":4000}}}"#,
        r#"{"type":"ack","key":"k","outcome":{"status":"rejected","code":"invalid","message":"m","problem":{"kind":"empty","field":"room_name","ignored":true}}}"#,
        r#"{"type":"ack","key":"k","outcome":{"status":"rejected","code":"invalid","message":"m","problem":{"field":"room_name","kind":"wavy"}}}"#,
        r#"{"type":"event","room":1,"seq":5,"at":1790000000000,"event":{"kind":"message","id":5,"author":2,"author_name":"준","text":"안녕"}}"#,
        r#"{"type":"event","room":1,"seq":5,"at":1,"event":{"kind":"deleted","id":5,"text":"x"}}"#,
        r#"{"type":"event","room":1,"seq":6,"at":1,"event":{"kind":"left","user":2,"name":"준"}}"#,
        r#"{"type":"event","room":1,"seq":6,"at":1,"event":{"kind":"left","user":2}}"#,
        r#"{"type":"event","room":1,"seq":6,"at":1,"event":{"kind":"left","user":2,"name":null}}"#,
        r#"{"type":"event","room":1,"seq":5,"at":1,"event":{"kind":"reacted","id":5,"user":2,"emoji":"👍"}}"#,
        r#"{"type":"caught_up","room":1,"head":8}"#,
        r#"{"type":"reset","room":1,"head":0}"#,
        r#"{"type":"resync","room":1}"#,
        r#"{"type":"ticker","updates":[{"symbol":"HNMD","version":12,"price":101.25},{"symbol":"X","version":1,"price":-3e-7},{"symbol":"Y","version":2,"price":7}]}"#,
        r#"{"type":"ticker","updates":[{"symbol":"HNMD","version":12,"price":1e400}]}"#,
        r#"{"type":"ticker","updates":{}}"#,
        r#"{"type":"presence","room":1,"version":3,"members":[{"user":2,"name":"Mina"},{"user":3,"name":"Jun"}]}"#,
        r#"{"type":"presence","room":1,"version":3,"members":[{"user":2,"name":"Mina","x":0}]}"#,
        r#"{"type":"presence_changed","room":1,"version":7,"change":{"kind":"left","user":3}}"#,
        r#"{"type":"presence_changed","room":1,"version":7,"change":{"kind":"renamed","user":3,"name":"준"}}"#,
        r#"{"type":"typing","room":1,"user":2,"name":"Mina"}"#,
        r#"{"type":"room_listed","room":7,"name":"점심"}"#,
        r#"{"type":"room_list_stale"}"#,
        r#"{"type":"room_list_stale","x":1}"#,
        r#"{"type":"read_up_to","room":7,"seq":42}"#,
        r#"{"type":"read_up_to","room":7}"#,
        r#"{"type":"read_up_to","room":7,"seq":null}"#,
        r#"{"type":"read_up_to","room":7,"seq":1,"x":0}"#,
        r#"{"type":"seen","room":7,"seq":42}"#,
        r#"{"type":"seen","room":7}"#,
        r#"{"type":"seen","room":7,"seq":1,"x":0}"#,
        r#"{"type":"you_changed","name":"미나"}"#,
        r#"{"type":"you_changed","settings":{"shares_seen":false}}"#,
        r#"{"type":"you_changed","name":null,"settings":{"shares_seen":true}}"#,
        r#"{"type":"you_changed"}"#,
        r#"{"type":"you_changed","settings":{"shares_seen":"no"}}"#,
        r#"{"type":"you_changed","name":"Mina","x":0}"#,
        r#"{"type":"teleport"}"#,
        r#"{"type":5}"#,
        r#"{}"#,
        r#"[]"#,
        r#"null"#,
        r#""#,
        r#"{"type":"pong","nonce":1"#,
        r#"{"type":"pong","nonce":tru}"#,
    ];
    for text in frames {
        agree::<ServerFrame>(text).unwrap();
    }
}

#[test]
fn http_bodies_and_the_outbox_read_the_same() {
    let session = Session {
        token: "t.o.k".into(),
        expires_at: 1_790_000_000,
        user: Profile { id: UserId(3), name: "미나".into() },
        settings: Settings { shares_seen: false },
    };
    let message = |reactions, reply_to| MessageView {
        id: MessageId(1),
        seq: Seq(2),
        author: UserId(3),
        author_name: "Mina".into(),
        text: "hi".into(),
        at: 4,
        edited: true,
        deleted: false,
        reply_to,
        reactions,
        attachments: Vec::new(),
    };
    let check = |text: String| {
        agree::<Session>(&text).unwrap();
        agree::<Settings>(&text).unwrap();
        agree::<Vec<RoomSummary>>(&text).unwrap();
        agree::<MessagesPage>(&text).unwrap();
        agree::<EventsPage>(&text).unwrap();
        agree::<Vec<Member>>(&text).unwrap();
        agree::<ApiError>(&text).unwrap();
    };
    check(serde_json::to_string(&session).unwrap());
    // A session kept from before there were settings has the defaults.
    check(r#"{"token":"t","expires_at":1,"user":{"id":3,"name":"Mina"}}"#.into());
    check(r#"{"shares_seen":false}"#.into());
    check(
        serde_json::to_string(&vec![RoomSummary {
            id: RoomId(1),
            name: "a".into(),
            head: Seq(2),
            members: 3,
            member: true,
            read: Seq(2),
            unread: 4,
            mentions: 1,
            kind: RoomKind::Public,
            with: None,
            last: None,
            seen: Seq::ZERO,
        }])
        .unwrap(),
    );
    check(
        serde_json::to_string(&vec![RoomSummary {
            id: RoomId(2),
            name: "Jun".into(),
            head: Seq(3),
            members: 2,
            member: true,
            read: Seq(3),
            unread: 0,
            mentions: 0,
            kind: RoomKind::Direct,
            with: Some(Profile { id: UserId(4), name: "Jun".into() }),
            last: Some(LastMessage {
                id: MessageId(5),
                seq: Seq(3),
                at: 1_764_900_000_000,
                author: UserId(4),
                author_name: "Jun".into(),
                text: "사진 \"두\" 장".into(),
                files: 2,
                first_file: Some("숲.jpg".into()),
            }),
            seen: Seq(2),
        }])
        .unwrap(),
    );
    check(r#"[{"id":1,"name":"a","head":2,"members":1,"member":true,"kind":"private"}]"#.into());
    check(
        r#"[{"id":1,"name":"a","head":2,"members":2,"member":true,"last":{"id":1,"seq":2,"at":9,"author":3,"text":"hi"}}]"#
            .into(),
    );
    let invite = InviteCreated { id: 1, room: RoomId(2), token: "ab".repeat(32) };
    agree::<InviteCreated>(&serde_json::to_string(&invite).unwrap()).unwrap();
    let preview = InvitePreview { room_name: "비밀 \"plans\"".into(), invited_by: "Mina".into() };
    agree::<InvitePreview>(&serde_json::to_string(&preview).unwrap()).unwrap();
    let invites = vec![Invite { id: 1, created_by: UserId(3), created_at: 4 }];
    agree::<Vec<Invite>>(&serde_json::to_string(&invites).unwrap()).unwrap();
    check(
        serde_json::to_string(&MessagesPage {
            head: Seq(9),
            messages: vec![
                message(vec![], None),
                message(
                    vec![Reaction { emoji: "👍".into(), users: vec![UserId(1), UserId(2)] }],
                    Some(ReplyTo { id: MessageId(7), seq: Seq(1) }),
                ),
                MessageView { attachments: attachments(), ..message(vec![], None) },
            ],
            notices: vec![HistoryEvent {
                seq: Seq(2),
                at: 5,
                event: RoomEvent::Joined { user: UserId(3), name: "준".into() },
            }],
            complete: true,
        })
        .unwrap(),
    );
    // From a server that sends no notices.
    check(r#"{"head":0,"messages":[]}"#.into());
    check(
        serde_json::to_string(&EventsPage {
            head: Seq(9),
            events: vec![HistoryEvent { seq: Seq(3), at: 5, event: RoomEvent::Left { user: UserId(1), name: None } }],
        })
        .unwrap(),
    );
    check(serde_json::to_string(&ApiError::from(limits::check_display_name("").unwrap_err())).unwrap());
    for refused in [
        UploadProblem::FileTooLarge { max: 10 << 20 },
        UploadProblem::QuotaExceeded { used: 5, max: 9 },
        UploadProblem::TooManyUploads { per_minute: 30, retry_after: 2 },
    ] {
        check(serde_json::to_string(&ApiError::from(refused)).unwrap());
    }
    // `read` and `unread` default when absent (a summary for a non-member).
    check(r#"[{"id":1,"name":"a","head":2,"members":3,"member":false}]"#.into());
    check(r#"[{"id":1,"name":"a","head":2,"members":3,"member":true,"read":null,"unread":1}]"#.into());
    check(r#"[{"id":1,"name":"a","head":2,"members":3,"member":true,"read":1,"unread":4294967296}]"#.into());
    check(r#"{"error":"nope","problem":null,"extra":[1,{"a":null}]}"#.into());
    check(r#"{"token":"t","expires_at":1,"user":{"id":1,"name":"n","more":1},"more":true}"#.into());
    check(r#"{"head":1,"messages":[{"id":1,"seq":2,"author":3,"author_name":"a","text":"t","at":4,"edited":false,"deleted":false,"reactions":null}]}"#.into());
    for action in [
        Action::CreateRoom { name: "일반".into(), private: false },
        Action::CreateRoom { name: "비밀".into(), private: true },
        Action::JoinWithInvite { invite: "ab".repeat(32) },
        Action::OpenDirect { with: UserId(4) },
        Action::SendMessage { room: RoomId(1), text: "hi\nthere".into(), reply_to: None, attachments: Vec::new() },
        Action::SendMessage {
            room: RoomId(1),
            text: "yes".into(),
            reply_to: Some(MessageId(7)),
            attachments: Vec::new(),
        },
        Action::SendMessage {
            room: RoomId(1),
            text: String::new(),
            reply_to: None,
            attachments: vec![AttachmentId(3), AttachmentId(4)],
        },
        Action::EditMessage { room: RoomId(1), message: MessageId(9), text: "fixed".into() },
        Action::AddReaction { room: RoomId(1), message: MessageId(9), emoji: "👍".into() },
    ] {
        let text = serde_json::to_string(&action).unwrap();
        agree::<Action>(&text).unwrap();
        let frame =
            ServerFrame::Ack { key: key("k"), outcome: Outcome::Applied { room: RoomId(1), seq: None, message: None } };
        assert_eq!(decode_server(encode(&frame)), Ok(frame));
    }
}

#[test]
fn search_results_read_the_same() {
    use hanmadi_protocol::http::{Highlight, SearchHit, SearchResults};
    let hit = |highlights| SearchHit {
        room: RoomId(1),
        room_name: "점심 모임".into(),
        message: MessageId(7),
        seq: Seq(12),
        author: UserId(3),
        author_name: "미나".into(),
        text: "점심 먹자".into(),
        at: 1_790_000_000_000,
        highlights,
    };
    let check = |text: &str| agree::<SearchResults>(text).unwrap();
    check(&serde_json::to_string(&SearchResults { hits: vec![], more: false }).unwrap());
    check(
        &serde_json::to_string(&SearchResults {
            hits: vec![hit(vec![Highlight { start: 0, end: 6 }]), hit(vec![])],
            more: true,
        })
        .unwrap(),
    );
    // `highlights` defaults when absent; `null` is refused by both.
    let plain = r#"{"room":1,"room_name":"r","message":2,"seq":3,"author":4,"author_name":"a","text":"t","at":5"#;
    check(&format!(r#"{{"hits":[{plain}}}],"more":false}}"#));
    check(&format!(r#"{{"hits":[{plain},"highlights":null}}],"more":false}}"#));
    check(&format!(r#"{{"hits":[{plain},"highlights":[{{"start":0,"end":4294967296}}]}}],"more":false}}"#));
    check(&format!(r#"{{"hits":[{plain},"extra":[1]}}],"more":true,"next":9}}"#));
    check(r#"{"hits":[],"more":null}"#);
    check(r#"{"hits":[]}"#);
}

proptest! {
    /// Text made of the protocol's own words, so that most of it gets past the
    /// JSON parser and into the frame types.
    #[test]
    fn any_text_reads_the_same(tokens in proptest::collection::vec(prop_oneof![
        Just("{"), Just("}"), Just("["), Just("]"), Just(","), Just(":"), Just("\"type\""), Just("\"kind\""),
        Just("\"pong\""), Just("\"nonce\""), Just("\"ticker\""), Just("\"updates\""), Just("\"symbol\""),
        Just("\"version\""), Just("\"price\""), Just("\"room\""), Just("\"resync\""), Just("\"user\""),
        Just("\"welcome\""), Just("\"protocol\""), Just("\"read_up_to\""), Just("\"seq\""), Just("null"), Just("true"), Just("1"), Just("-2"), Just("2.5"),
        Just("1e2"), Just("\"a\\u00e9\""), Just(" "),
    ], 0..30)) {
        let text = tokens.concat();
        // serde also reads an internally tagged enum from an array (`["pong", 1]`);
        // no peer sends one, and the reader reads objects only.
        if text.trim_start().starts_with('[') {
            return Ok(());
        }
        agree::<ServerFrame>(&text).map_err(TestCaseError::fail)?;
    }

    /// Floats are read correctly rounded, so every price survives the round trip
    /// exactly (serde_json's default float parser can be one unit off in the
    /// last place, so the two are not compared here).
    #[test]
    fn any_ticker_price_round_trips_exactly(price in any::<f64>().prop_filter("finite", |p| p.is_finite())) {
        let frame = ServerFrame::Ticker { updates: vec![TickerUpdate { symbol: "S".into(), version: Version(1), price }] };
        prop_assert_eq!(decode_server(encode(&frame)), Ok(frame));
    }
}

/// An image and a file, as a message carries them.
fn attachments() -> Vec<Attachment> {
    vec![
        Attachment {
            id: AttachmentId(3),
            name: "고양이.png".into(),
            size: 2048,
            mime: "image/png".into(),
            width: Some(640),
            height: Some(480),
        },
        Attachment {
            id: AttachmentId(4),
            name: "notes.html".into(),
            size: 12,
            mime: "application/octet-stream".into(),
            width: None,
            height: None,
        },
    ]
}
