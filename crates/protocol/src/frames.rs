//! The frame types. Field names are the JSON names; `type` is the tag.

use serde::{Deserialize, Serialize};

use crate::attachments::Attachment;
use crate::http::Settings;
use crate::limits::TextProblem;
use crate::{ActionKey, AttachmentId, MessageId, RoomId, Seq, UserId, Version};

/// The protocol version this build speaks. Exchanged in the first frames of every
/// connection ([`ClientFrame::Hello`] / [`ServerFrame::Welcome`]) so that an old tab
/// talking to a new server is told to reload instead of misreading frames.
pub const PROTOCOL_VERSION: u32 = 9;

/// Milliseconds since the Unix epoch, as the server's clock saw it.
pub type Millis = u64;

/// How a frame behaves on a bad network; every frame type declares one (the
/// `class` methods are exhaustive matches, so a new frame cannot forget), and
/// both ends handle frames by it. docs/ARCHITECTURE.md has the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryClass {
    /// Housekeeping of one connection (hello, ping, errors, resume markers):
    /// meaningful only on the connection it was sent on, never queued.
    Control,
    /// Stored and sequenced by the server; resumed after any loss, never skipped.
    Reliable,
    /// A user's action: kept in the outbox under its key until acknowledged,
    /// applied exactly once.
    Action,
    /// Only the newest value matters: older ones are dropped, and a snapshot
    /// replaces everything after a reconnect.
    LatestWins,
    /// Worth something only now: dropped while offline or when late, expires
    /// on the receiver.
    Ephemeral,
}

/// Frames the browser sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Control. The first frame of every connection.
    Hello {
        protocol: u32,
        /// The guest session's token. The socket authenticates here, never in the
        /// URL, where it would end up in logs and browser history.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
    /// Control. Heartbeat probe; the server answers [`ServerFrame::Pong`] with the
    /// same nonce. Sent only when the connection has been idle.
    Ping { nonce: u64 },
    /// Reliable (control). Replay every event after each cursor, then go live; the
    /// server answers each room with [`ServerFrame::CaughtUp`], or with
    /// [`ServerFrame::NotMember`] for a room the person is not in.
    Resume { cursors: Vec<Cursor> },
    /// Action. Applied exactly once per key; answered by [`ServerFrame::Ack`].
    Action { key: ActionKey, action: Action },
    /// Ephemeral. "I am typing in this room"; sent at most every few seconds.
    Typing { room: RoomId },
    /// Latest-wins. The person has read the room up to `seq`, on this screen:
    /// kept by the server (it only moves forward) and told to their other
    /// connections as [`ServerFrame::ReadUpTo`]. Sent at most about once a
    /// second per room, and again after a reconnect if it may not have arrived.
    Read { room: RoomId, seq: Seq },
}

/// Where a client is in one room's event stream: it has every event up to `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub room: RoomId,
    pub after: Seq,
}

/// What a user can do. Each travels in a [`ClientFrame::Action`] with its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// A new room, with its creator in it. A `private` one is listed to and
    /// read by its members only, and joined with an invite
    /// ([`Action::JoinWithInvite`]).
    CreateRoom {
        name: String,
        #[serde(default, skip_serializing_if = "is_false")]
        private: bool,
    },
    /// Joins a public room (a private or direct room not yours is `not_found`,
    /// as a room that does not exist).
    JoinRoom {
        room: RoomId,
    },
    /// Joins the private room an invite link names, by the link's token;
    /// `applied` says which room. A revoked or unknown token is `not_found`;
    /// joining again changes nothing.
    JoinWithInvite {
        invite: String,
    },
    /// Opens the direct conversation between the sender and `with`: the one
    /// they already have, or a new one with both of them in it. Either way
    /// `applied` says which room; only a new one has a `seq`.
    OpenDirect {
        with: UserId,
    },
    LeaveRoom {
        room: RoomId,
    },
    RenameRoom {
        room: RoomId,
        name: String,
    },
    /// A new message; with `reply_to`, an answer to that earlier message of
    /// the same room (which may have been deleted since: the reply still goes).
    /// `attachments` are files the sender uploaded, at most
    /// [`crate::attachments::MAX_ATTACHMENTS`]; with any, `text` may be empty.
    SendMessage {
        room: RoomId,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<MessageId>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<AttachmentId>,
    },
    EditMessage {
        room: RoomId,
        message: MessageId,
        text: String,
    },
    DeleteMessage {
        room: RoomId,
        message: MessageId,
    },
    /// One of [`crate::limits::REACTIONS`] on a message; adding one already there
    /// changes nothing.
    AddReaction {
        room: RoomId,
        message: MessageId,
        emoji: String,
    },
    RemoveReaction {
        room: RoomId,
        message: MessageId,
        emoji: String,
    },
}

impl Action {
    /// The room the action is about, if it exists yet.
    pub fn room(&self) -> Option<RoomId> {
        match self {
            Action::CreateRoom { .. } | Action::JoinWithInvite { .. } | Action::OpenDirect { .. } => None,
            Action::JoinRoom { room }
            | Action::LeaveRoom { room }
            | Action::RenameRoom { room, .. }
            | Action::SendMessage { room, .. }
            | Action::EditMessage { room, .. }
            | Action::DeleteMessage { room, .. }
            | Action::AddReaction { room, .. }
            | Action::RemoveReaction { room, .. } => Some(*room),
        }
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl ClientFrame {
    pub fn class(&self) -> DeliveryClass {
        match self {
            ClientFrame::Hello { .. } | ClientFrame::Ping { .. } | ClientFrame::Resume { .. } => DeliveryClass::Control,
            ClientFrame::Action { .. } => DeliveryClass::Action,
            ClientFrame::Typing { .. } => DeliveryClass::Ephemeral,
            ClientFrame::Read { .. } => DeliveryClass::LatestWins,
        }
    }

    /// Every `type` tag a client frame may carry; lets the decoder tell an unknown
    /// frame type apart from a known one with bad fields.
    pub(crate) const TYPES: &'static [&'static str] = &["hello", "ping", "resume", "action", "typing", "read"];
}

/// Frames the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ServerFrame {
    /// Control. Answer to [`ClientFrame::Hello`]: the connection is ready.
    Welcome {
        protocol: u32,
        /// Who the token says we are; absent for a connection without a session.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<UserId>,
    },
    /// Control. Answer to [`ClientFrame::Ping`].
    Pong { nonce: u64 },
    /// Control. Something the client sent was refused; the connection stays open
    /// unless the server follows this with a close frame.
    Error { code: ErrorCode, message: String },
    /// Action. The outcome of the action with this key: the same answer every time
    /// the key is sent, however often and across server restarts.
    Ack { key: ActionKey, outcome: Outcome },
    /// Reliable. One event in a room's history, with its sequence number.
    Event { room: RoomId, seq: Seq, at: Millis, event: RoomEvent },
    /// Reliable (control). The replay asked for by [`ClientFrame::Resume`] is done
    /// for this room: every event up to `head` has been sent.
    CaughtUp { room: RoomId, head: Seq },
    /// Reliable (control). The answer to resuming a room the person is not in:
    /// left on another device while this one was away (its `left` event never
    /// came here), or never theirs. Nothing of it is sent on this connection;
    /// the client follows it no more either.
    NotMember { room: RoomId },
    /// Reliable (control). The client's cursor for this room is ahead of the
    /// room's log (the server's data was restored from an older backup): what
    /// the client holds of the room past `head` no longer exists, and seqs
    /// after it will be reused. Forget the room and load it again from `head`.
    Reset { room: RoomId, head: Seq },
    /// Reliable (control). The server could not keep up with this client and skipped
    /// live events in this room; the client fetches what it missed.
    Resync { room: RoomId },
    /// Latest-wins. New values for some ticker symbols.
    Ticker { updates: Vec<TickerUpdate> },
    /// Latest-wins (control). Who is in the room right now: the whole list, sent
    /// once per room after each resume. It replaces whatever the client held, and
    /// its `version` is the one later [`ServerFrame::PresenceChanged`] frames of
    /// this connection build on.
    Presence { room: RoomId, version: Version, members: Vec<Member> },
    /// Latest-wins. One person came, went or was renamed in a room's presence.
    /// Versions rise along one connection; a change whose version is not above the
    /// last snapshot's or change's is already part of what the client holds. A
    /// join costs each follower one small frame, whatever the room's size.
    PresenceChanged { room: RoomId, version: Version, change: PresenceChange },
    /// Ephemeral. Someone is typing; forget it a few seconds after the last one.
    Typing { room: RoomId, user: UserId, name: String },
    /// Latest-wins, per room. A room was created or renamed: this is its name in
    /// the rooms list now. Sent to every signed-in connection, members or not, so
    /// the list fetched once (`GET /api/rooms`) stays current without fetching it
    /// again; a later one for the same room replaces it. Only public rooms are
    /// listed this way: a change to a private or direct room reaches its
    /// members alone, as [`ServerFrame::RoomListStale`].
    RoomListed { room: RoomId, name: String },
    /// Latest-wins (control). Changes to the rooms list were dropped on their way
    /// to this connection (it fell too far behind, or its node lost the bus
    /// between nodes), or a private or direct room of this person's was made,
    /// joined, renamed or left: the list is worth fetching again.
    RoomListStale {},
    /// Latest-wins, per room. The person this connection is signed in as read
    /// the room up to `seq` on another tab or device: what is unread here
    /// follows.
    ReadUpTo { room: RoomId, seq: Seq },
    /// Latest-wins, per room. In a direct conversation of the person this
    /// connection is signed in as, the other person has read it up to `seq`
    /// (as their unread counts take it: the conversation was on their screen
    /// with it, as in other chat apps): what this person said up to there
    /// was seen.
    Seen { room: RoomId, seq: Seq },
    /// Latest-wins. The person this connection is signed in as: sent whole
    /// right after [`ServerFrame::Welcome`] (what changed while this device
    /// was away), then each time they change their name or their settings,
    /// in another tab, on another device or this one, whole as the server
    /// reads them after the change (so two changes made at once leave every
    /// device with the last), and whole again after a `room_list_stale` (one
    /// may have been dropped with the list's changes). Whatever shows them
    /// follows, without waiting for a new token. Either may be absent: a
    /// server of the last version said only what changed.
    YouChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        settings: Option<Settings>,
    },
}

impl ServerFrame {
    pub fn class(&self) -> DeliveryClass {
        match self {
            ServerFrame::Welcome { .. } | ServerFrame::Pong { .. } | ServerFrame::Error { .. } => {
                DeliveryClass::Control
            }
            ServerFrame::Ack { .. } => DeliveryClass::Action,
            ServerFrame::Event { .. }
            | ServerFrame::CaughtUp { .. }
            | ServerFrame::NotMember { .. }
            | ServerFrame::Reset { .. }
            | ServerFrame::Resync { .. } => DeliveryClass::Reliable,
            ServerFrame::Ticker { .. }
            | ServerFrame::Presence { .. }
            | ServerFrame::PresenceChanged { .. }
            | ServerFrame::RoomListed { .. }
            | ServerFrame::RoomListStale {}
            | ServerFrame::ReadUpTo { .. }
            | ServerFrame::Seen { .. }
            | ServerFrame::YouChanged { .. } => DeliveryClass::LatestWins,
            ServerFrame::Typing { .. } => DeliveryClass::Ephemeral,
        }
    }

    pub(crate) const TYPES: &'static [&'static str] = &[
        "welcome",
        "pong",
        "error",
        "ack",
        "event",
        "caught_up",
        "not_member",
        "reset",
        "resync",
        "ticker",
        "presence",
        "presence_changed",
        "typing",
        "room_listed",
        "room_list_stale",
        "read_up_to",
        "seen",
        "you_changed",
    ];
}

/// The outcome of an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    /// Done. `seq` is the room event it produced (if any), `message` the message it
    /// created or changed (if any).
    Applied {
        room: RoomId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seq: Option<Seq>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<MessageId>,
    },
    /// Refused, for a reason sending it again will not fix. `message` says why
    /// in English; a refused name or message text also says what was wrong
    /// with it as a code, for the app to word in its user's language.
    Rejected {
        code: RejectCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem: Option<TextProblem>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// The action's content is not acceptable (empty text, too long, control characters).
    Invalid,
    /// The room or message does not exist.
    NotFound,
    /// Not yours to change (someone else's message, a room you are not in).
    Forbidden,
    /// Too many actions too fast.
    RateLimited,
}

/// Something that happened in a room; stored, sequenced and resumable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RoomEvent {
    Created {
        name: String,
        by: UserId,
    },
    Joined {
        user: UserId,
        name: String,
    },
    Left {
        user: UserId,
        /// Their name as they left, for the notice ("Jun left"). Absent in
        /// leaves stored before protocol 8.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    Renamed {
        name: String,
        by: UserId,
    },
    Message {
        id: MessageId,
        author: UserId,
        author_name: String,
        text: String,
        /// The message this one answers. Only where it is: the quote shown
        /// above the reply is read from the original as it stands, so an edit
        /// shows and a deletion leaves no copy of its text behind.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<ReplyTo>,
        /// The files it carries, described so the app can lay them out before
        /// loading them. Emptied when the message is deleted.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<Attachment>,
    },
    Edited {
        id: MessageId,
        text: String,
    },
    Deleted {
        id: MessageId,
    },
    Reacted {
        id: MessageId,
        user: UserId,
        emoji: String,
    },
    Unreacted {
        id: MessageId,
        user: UserId,
        emoji: String,
    },
}

impl RoomEvent {
    /// Whether the event is a notice in the room's history (its creation, a
    /// join, a leave, a rename) rather than a message or a change to one:
    /// history pages carry notices beside their messages.
    pub fn is_notice(&self) -> bool {
        matches!(
            self,
            RoomEvent::Created { .. } | RoomEvent::Joined { .. } | RoomEvent::Left { .. } | RoomEvent::Renamed { .. }
        )
    }
}

/// The message a reply answers: its id, and the seq it was created at, which
/// is where the room opens to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyTo {
    pub id: MessageId,
    pub seq: Seq,
}

/// What one [`ServerFrame::PresenceChanged`] says about one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PresenceChange {
    /// Now present (their first connection following the room, on any node).
    Joined { user: UserId, name: String },
    /// No longer present anywhere.
    Left { user: UserId },
    /// Still present, under a new name.
    Renamed { user: UserId, name: String },
}

/// One ticker value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TickerUpdate {
    pub symbol: String,
    pub version: Version,
    pub price: f64,
}

/// Someone present in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub user: UserId,
    pub name: String,
}

/// Machine-readable reason in a [`ServerFrame::Error`]; the message is for humans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame could not be decoded (bad JSON, missing or mistyped fields).
    Malformed,
    /// The frame's `type` is not one this server knows.
    UnknownType,
    /// The frame was larger than [`crate::MAX_FRAME_BYTES`].
    TooLarge,
    /// A binary frame arrived where only text frames are spoken.
    BinaryNotSupported,
    /// A frame other than `hello` arrived before the handshake.
    HandshakeRequired,
    /// The frame is understood, but this server does not handle it.
    NotSupported,
    /// Too many frames too fast; slow down.
    RateLimited,
    /// Not allowed, e.g. reading a room one is not a member of.
    Forbidden,
    /// The server failed; nothing was changed. Try again.
    Internal,
}
