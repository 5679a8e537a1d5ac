//! [`FromJson`] for every type the app reads: the same JSON the serde derives
//! read (names, tags, defaults, `deny_unknown_fields`), checked against them
//! in `tests/json_reader.rs`.

use crate::http::{
    ApiError, EventsPage, HistoryEvent, Invite, InviteCreated, InvitePreview, LastMessage, MessageView, MessagesPage,
    Profile, Reaction, RoomKind, RoomSummary, Session, Settings,
};
use crate::json::{unknown_variant, Error, FromJson, Json};
use crate::limits::{ProblemKind, TextField, TextProblem};
use crate::{
    Action, ActionKey, AttachmentId, ErrorCode, Member, MessageId, Outcome, PresenceChange, RejectCode, ReplyTo,
    RoomEvent, RoomId, Seq, ServerFrame, TickerUpdate, UserId, Version,
};

macro_rules! numeric_ids {
    ($($id:ident),*) => {$(
        impl FromJson for $id {
            fn from_json(value: Json<'_>) -> Result<Self, Error> {
                value.as_u64().map($id)
            }
        }
    )*};
}
numeric_ids!(RoomId, MessageId, UserId, Seq, Version, AttachmentId);

impl FromJson for ActionKey {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        ActionKey::new(value.into_string()?)
    }
}

/// A unit-only enum written as its snake_case name.
macro_rules! named_enum {
    ($enum:ident { $($name:literal => $variant:ident),* $(,)? }) => {
        impl FromJson for $enum {
            fn from_json(value: Json<'_>) -> Result<Self, Error> {
                let name = value.into_string()?;
                match name.as_str() {
                    $($name => Ok($enum::$variant),)*
                    _ => Err(unknown_variant(&name)),
                }
            }
        }
    };
}

named_enum!(RejectCode {
    "invalid" => Invalid,
    "not_found" => NotFound,
    "forbidden" => Forbidden,
    "rate_limited" => RateLimited,
});

named_enum!(ErrorCode {
    "malformed" => Malformed,
    "unknown_type" => UnknownType,
    "too_large" => TooLarge,
    "binary_not_supported" => BinaryNotSupported,
    "handshake_required" => HandshakeRequired,
    "not_supported" => NotSupported,
    "rate_limited" => RateLimited,
    "forbidden" => Forbidden,
    "internal" => Internal,
});

named_enum!(RoomKind {
    "public" => Public,
    "private" => Private,
    "direct" => Direct,
});

named_enum!(TextField {
    "message" => Message,
    "room_name" => RoomName,
    "display_name" => DisplayName,
});

impl FromJson for TextProblem {
    /// `{"field":…,"kind":…, …the kind's parameters}` (`ProblemKind` is flattened
    /// in); other members are ignored, as serde ignores them.
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct TextProblem")?;
        let field = o.field("field")?;
        let kind = match o.tag("kind")?.as_str() {
            "empty" => ProblemKind::Empty,
            "too_long" => ProblemKind::TooLong { chars: o.field("chars")?, max: o.field("max")? },
            "control_character" => ProblemKind::ControlCharacter { code_point: o.field("code_point")? },
            "direction_control" => ProblemKind::DirectionControl { code_point: o.field("code_point")? },
            "invisible" => ProblemKind::Invisible,
            other => return Err(unknown_variant(other)),
        };
        Ok(TextProblem { field, kind })
    }
}

impl FromJson for Action {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("internally tagged enum Action")?;
        let action = match o.tag("kind")?.as_str() {
            "create_room" => Action::CreateRoom { name: o.field("name")?, private: o.defaulted("private")? },
            "join_room" => Action::JoinRoom { room: o.field("room")? },
            "join_with_invite" => Action::JoinWithInvite { invite: o.field("invite")? },
            "open_direct" => Action::OpenDirect { with: o.field("with")? },
            "leave_room" => Action::LeaveRoom { room: o.field("room")? },
            "rename_room" => Action::RenameRoom { room: o.field("room")?, name: o.field("name")? },
            "send_message" => Action::SendMessage {
                room: o.field("room")?,
                text: o.field("text")?,
                reply_to: o.optional("reply_to")?,
                attachments: o.defaulted("attachments")?,
            },
            "edit_message" => {
                Action::EditMessage { room: o.field("room")?, message: o.field("message")?, text: o.field("text")? }
            }
            "delete_message" => Action::DeleteMessage { room: o.field("room")?, message: o.field("message")? },
            "add_reaction" => {
                Action::AddReaction { room: o.field("room")?, message: o.field("message")?, emoji: o.field("emoji")? }
            }
            "remove_reaction" => Action::RemoveReaction {
                room: o.field("room")?,
                message: o.field("message")?,
                emoji: o.field("emoji")?,
            },
            other => return Err(unknown_variant(other)),
        };
        o.deny_unknown()?;
        Ok(action)
    }
}

impl FromJson for Outcome {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("internally tagged enum Outcome")?;
        let outcome = match o.tag("status")?.as_str() {
            "applied" => {
                Outcome::Applied { room: o.field("room")?, seq: o.optional("seq")?, message: o.optional("message")? }
            }
            "rejected" => Outcome::Rejected {
                code: o.field("code")?,
                message: o.field("message")?,
                problem: o.optional("problem")?,
            },
            other => return Err(unknown_variant(other)),
        };
        o.deny_unknown()?;
        Ok(outcome)
    }
}

impl FromJson for RoomEvent {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("internally tagged enum RoomEvent")?;
        let event = match o.tag("kind")?.as_str() {
            "created" => RoomEvent::Created { name: o.field("name")?, by: o.field("by")? },
            "joined" => RoomEvent::Joined { user: o.field("user")?, name: o.field("name")? },
            "left" => RoomEvent::Left { user: o.field("user")?, name: o.optional("name")? },
            "renamed" => RoomEvent::Renamed { name: o.field("name")?, by: o.field("by")? },
            "message" => RoomEvent::Message {
                id: o.field("id")?,
                author: o.field("author")?,
                author_name: o.field("author_name")?,
                text: o.field("text")?,
                reply_to: o.optional("reply_to")?,
                attachments: o.defaulted("attachments")?,
            },
            "edited" => RoomEvent::Edited { id: o.field("id")?, text: o.field("text")? },
            "deleted" => RoomEvent::Deleted { id: o.field("id")? },
            "reacted" => RoomEvent::Reacted { id: o.field("id")?, user: o.field("user")?, emoji: o.field("emoji")? },
            "unreacted" => {
                RoomEvent::Unreacted { id: o.field("id")?, user: o.field("user")?, emoji: o.field("emoji")? }
            }
            other => return Err(unknown_variant(other)),
        };
        o.deny_unknown()?;
        Ok(event)
    }
}

impl FromJson for ReplyTo {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct ReplyTo")?;
        let reply_to = ReplyTo { id: o.field("id")?, seq: o.field("seq")? };
        o.deny_unknown()?;
        Ok(reply_to)
    }
}

impl FromJson for PresenceChange {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("internally tagged enum PresenceChange")?;
        let change = match o.tag("kind")?.as_str() {
            "joined" => PresenceChange::Joined { user: o.field("user")?, name: o.field("name")? },
            "left" => PresenceChange::Left { user: o.field("user")? },
            "renamed" => PresenceChange::Renamed { user: o.field("user")?, name: o.field("name")? },
            other => return Err(unknown_variant(other)),
        };
        o.deny_unknown()?;
        Ok(change)
    }
}

impl FromJson for TickerUpdate {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct TickerUpdate")?;
        let update =
            TickerUpdate { symbol: o.field("symbol")?, version: o.field("version")?, price: o.field("price")? };
        o.deny_unknown()?;
        Ok(update)
    }
}

impl FromJson for Member {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Member")?;
        let member = Member { user: o.field("user")?, name: o.field("name")? };
        o.deny_unknown()?;
        Ok(member)
    }
}

impl FromJson for ServerFrame {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("internally tagged enum ServerFrame")?;
        let frame = match o.tag("type")?.as_str() {
            "welcome" => ServerFrame::Welcome { protocol: o.field("protocol")?, user: o.optional("user")? },
            "pong" => ServerFrame::Pong { nonce: o.field("nonce")? },
            "error" => ServerFrame::Error { code: o.field("code")?, message: o.field("message")? },
            "ack" => ServerFrame::Ack { key: o.field("key")?, outcome: o.field("outcome")? },
            "event" => ServerFrame::Event {
                room: o.field("room")?,
                seq: o.field("seq")?,
                at: o.field("at")?,
                event: o.field("event")?,
            },
            "caught_up" => ServerFrame::CaughtUp { room: o.field("room")?, head: o.field("head")? },
            "not_member" => ServerFrame::NotMember { room: o.field("room")? },
            "reset" => ServerFrame::Reset { room: o.field("room")?, head: o.field("head")? },
            "resync" => ServerFrame::Resync { room: o.field("room")? },
            "ticker" => ServerFrame::Ticker { updates: o.field("updates")? },
            "presence" => ServerFrame::Presence {
                room: o.field("room")?,
                version: o.field("version")?,
                members: o.field("members")?,
            },
            "presence_changed" => ServerFrame::PresenceChanged {
                room: o.field("room")?,
                version: o.field("version")?,
                change: o.field("change")?,
            },
            "typing" => ServerFrame::Typing { room: o.field("room")?, user: o.field("user")?, name: o.field("name")? },
            "room_listed" => ServerFrame::RoomListed { room: o.field("room")?, name: o.field("name")? },
            "room_list_stale" => ServerFrame::RoomListStale {},
            "read_up_to" => ServerFrame::ReadUpTo { room: o.field("room")?, seq: o.field("seq")? },
            "seen" => ServerFrame::Seen { room: o.field("room")?, seq: o.field("seq")? },
            "you_changed" => ServerFrame::YouChanged { name: o.optional("name")?, settings: o.optional("settings")? },
            other => return Err(unknown_variant(other)),
        };
        o.deny_unknown()?;
        Ok(frame)
    }
}

// The HTTP bodies: plain structs, other members ignored.

impl FromJson for Session {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Session")?;
        Ok(Session {
            token: o.field("token")?,
            expires_at: o.field("expires_at")?,
            user: o.field("user")?,
            settings: o.defaulted("settings")?,
        })
    }
}

impl FromJson for Settings {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Settings")?;
        Ok(Settings { shares_seen: o.field("shares_seen")? })
    }
}

impl FromJson for Profile {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Profile")?;
        Ok(Profile { id: o.field("id")?, name: o.field("name")? })
    }
}

impl FromJson for RoomSummary {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct RoomSummary")?;
        Ok(RoomSummary {
            id: o.field("id")?,
            name: o.field("name")?,
            head: o.field("head")?,
            members: o.field("members")?,
            member: o.field("member")?,
            read: o.defaulted("read")?,
            unread: o.defaulted("unread")?,
            mentions: o.defaulted("mentions")?,
            kind: o.defaulted("kind")?,
            with: o.optional("with")?,
            last: o.optional("last")?,
            seen: o.defaulted("seen")?,
        })
    }
}

impl FromJson for LastMessage {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct LastMessage")?;
        Ok(LastMessage {
            id: o.field("id")?,
            seq: o.field("seq")?,
            at: o.defaulted("at")?,
            author: o.field("author")?,
            author_name: o.defaulted("author_name")?,
            text: o.field("text")?,
            files: o.defaulted("files")?,
            first_file: o.optional("first_file")?,
        })
    }
}

impl FromJson for InvitePreview {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct InvitePreview")?;
        Ok(InvitePreview { room_name: o.field("room_name")?, invited_by: o.field("invited_by")? })
    }
}

impl FromJson for InviteCreated {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct InviteCreated")?;
        Ok(InviteCreated { id: o.field("id")?, room: o.field("room")?, token: o.field("token")? })
    }
}

impl FromJson for Invite {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Invite")?;
        Ok(Invite { id: o.field("id")?, created_by: o.field("created_by")?, created_at: o.field("created_at")? })
    }
}

impl FromJson for MessageView {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct MessageView")?;
        Ok(MessageView {
            id: o.field("id")?,
            seq: o.field("seq")?,
            author: o.field("author")?,
            author_name: o.field("author_name")?,
            text: o.field("text")?,
            at: o.field("at")?,
            edited: o.field("edited")?,
            deleted: o.field("deleted")?,
            reply_to: o.optional("reply_to")?,
            // `#[serde(default)]` without `Option`: absent is empty, `null` is an error.
            reactions: o.defaulted("reactions")?,
            attachments: o.defaulted("attachments")?,
        })
    }
}

impl FromJson for Reaction {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Reaction")?;
        Ok(Reaction { emoji: o.field("emoji")?, users: o.field("users")? })
    }
}

impl FromJson for MessagesPage {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct MessagesPage")?;
        Ok(MessagesPage {
            head: o.field("head")?,
            messages: o.field("messages")?,
            notices: o.defaulted("notices")?,
            complete: o.defaulted("complete")?,
        })
    }
}

impl FromJson for HistoryEvent {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct HistoryEvent")?;
        Ok(HistoryEvent { seq: o.field("seq")?, at: o.field("at")?, event: o.field("event")? })
    }
}

impl FromJson for EventsPage {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct EventsPage")?;
        Ok(EventsPage { head: o.field("head")?, events: o.field("events")? })
    }
}

impl FromJson for ApiError {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct ApiError")?;
        Ok(ApiError { error: o.field("error")?, problem: o.optional("problem")?, upload: o.optional("upload")? })
    }
}

// Search (`GET /api/search`), kept together at the end.

use crate::http::{Highlight, SearchHit, SearchResults};

impl FromJson for SearchHit {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct SearchHit")?;
        Ok(SearchHit {
            room: o.field("room")?,
            room_name: o.field("room_name")?,
            message: o.field("message")?,
            seq: o.field("seq")?,
            author: o.field("author")?,
            author_name: o.field("author_name")?,
            text: o.field("text")?,
            at: o.field("at")?,
            // `#[serde(default)]` without `Option`: absent is empty, `null` is an error.
            highlights: o.defaulted("highlights")?,
        })
    }
}

impl FromJson for Highlight {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Highlight")?;
        Ok(Highlight { start: o.field("start")?, end: o.field("end")? })
    }
}

impl FromJson for SearchResults {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct SearchResults")?;
        Ok(SearchResults { hits: o.field("hits")?, more: o.field("more")? })
    }
}
