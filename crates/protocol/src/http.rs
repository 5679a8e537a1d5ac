//! The JSON bodies of the HTTP API (`/api/…`), shared by the server that writes
//! them and the app that reads them. See the README for the endpoints.

use serde::{Deserialize, Serialize};

use crate::attachments::{Attachment, UploadProblem};
use crate::limits::TextProblem;
use crate::{MessageId, Millis, ReplyTo, RoomEvent, RoomId, Seq, UserId};

/// `POST /api/session` and `PATCH /api/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameRequest {
    pub name: String,
}

/// A guest session: `POST /api/session` and `POST /api/session/refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    /// Unix seconds.
    pub expires_at: u64,
    pub user: Profile,
    /// What they chose for themselves (a session kept from before there was
    /// a choice has the defaults).
    #[serde(default)]
    pub settings: Settings,
}

/// What a person chose for themselves: every session issued carries it, and
/// `PUT /api/me/settings` changes it (and answers with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Whether their direct conversations say what was seen: the other
    /// person is told how far they have read, and they are told how far the
    /// other has. Off, neither way, as in most chat apps: who keeps what
    /// they read to themselves does not see what others read. What either
    /// reads while it is off is never told, even once it is on again. On by
    /// default.
    pub shares_seen: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { shares_seen: true }
    }
}

/// A user as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: UserId,
    pub name: String,
}

/// Rooms in one page of `GET /api/rooms?after=&limit=`: the default `limit`,
/// and the largest. Pages are ordered by room id; one with fewer rooms than
/// this is the last.
pub const ROOMS_PAGE: u32 = 500;

/// One entry of `GET /api/rooms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub id: RoomId,
    pub name: String,
    /// The room's latest sequence number.
    pub head: Seq,
    pub members: u64,
    /// Whether the asking user is a member.
    pub member: bool,
    /// For a member: where they have read up to (on any of their screens).
    #[serde(default)]
    pub read: Seq,
    /// For a member: the messages by others after `read` that are still there.
    #[serde(default)]
    pub unread: u32,
    /// For a member: how many of the unread messages mention them.
    #[serde(default)]
    pub mentions: u32,
    /// Public, private or direct. A private or direct room is listed only to
    /// its members.
    #[serde(default, skip_serializing_if = "RoomKind::is_public")]
    pub kind: RoomKind,
    /// For a direct room: the other person, whose name is also the room's
    /// `name` in this viewer's list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<Profile>,
    /// For a room of the asking user's: its newest message still there,
    /// which their list shows under the room's name (a direct room's, under
    /// the other person's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<LastMessage>,
    /// For a direct room of the asking user's: where the other person has
    /// read it up to, so that their list and the room say what was seen.
    #[serde(default, skip_serializing_if = "Seq::is_zero")]
    pub seen: Seq,
}

/// A room's newest message as the rooms list previews it: who wrote what,
/// and the files it carries, by the first one's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastMessage {
    pub id: MessageId,
    /// The seq of the event that created it: of two previews, the newer.
    pub seq: Seq,
    /// When it was said: the list shows the conversation heard from last
    /// first. (A list kept offline from before it was sent has none.)
    #[serde(default)]
    pub at: Millis,
    pub author: UserId,
    /// The author's name as they said it, as the room shows it, which a
    /// group room's list shows. (A list kept offline from before it was
    /// sent has none.)
    #[serde(default)]
    pub author_name: String,
    /// As it stands now (edits applied). In the rooms list, its start alone
    /// ([`crate::limits::LAST_MESSAGE_LISTED_CHARS`], see [`crate::markup::start_of`]).
    pub text: String,
    #[serde(default)]
    pub files: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_file: Option<String>,
}

/// Who may see and join a room.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    /// Listed to everyone, joined by anyone.
    #[default]
    Public,
    /// Listed to and read by its members only; joined with an invite.
    Private,
    /// Two people's conversation: no one else joins it, it has no invites
    /// and no name of its own.
    Direct,
}

impl RoomKind {
    pub fn is_public(&self) -> bool {
        *self == RoomKind::Public
    }

    /// As the database keeps it (`rooms.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            RoomKind::Public => "public",
            RoomKind::Private => "private",
            RoomKind::Direct => "direct",
        }
    }

    /// From [`RoomKind::as_str`]; anything else is `None`.
    pub fn parse(kind: &str) -> Option<Self> {
        [RoomKind::Public, RoomKind::Private, RoomKind::Direct].into_iter().find(|k| k.as_str() == kind)
    }
}

/// The characters of an invite token: 32 random bytes in lower-case hex.
/// Anything else is refused before it is looked up.
pub const INVITE_TOKEN_CHARS: usize = 64;

/// Live (not revoked) invites one private room may have at once.
pub const MAX_LIVE_INVITES: usize = 50;

/// `POST /api/rooms/{id}/invites`: a new invite to a private room. `token`
/// is shown this once (the server keeps only its hash); the link the app
/// copies carries it, and [`crate::Action::JoinWithInvite`] spends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteCreated {
    pub id: u64,
    pub room: RoomId,
    pub token: String,
}

/// `GET /api/invites/{token}`: what an invite link opens, for whoever holds
/// it, signed in or not (the sign-in screen names the room): the private
/// room's name as it is now, and who made the link, under their name now.
/// 404 once the link is revoked, or if it never was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePreview {
    pub room_name: String,
    pub invited_by: String,
}

/// One live invite of `GET /api/rooms/{id}/invites` (its token cannot be
/// shown again): who made it and when, and its id to revoke it with
/// `DELETE /api/rooms/{id}/invites/{invite}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub id: u64,
    pub created_by: UserId,
    pub created_at: Millis,
}

/// A message as it stands now (edits applied), for scroll-back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageView {
    pub id: MessageId,
    /// The seq of the event that created it: pages are cut by it.
    pub seq: Seq,
    pub author: UserId,
    pub author_name: String,
    pub text: String,
    pub at: Millis,
    pub edited: bool,
    pub deleted: bool,
    /// The message this one answers, if it is a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyTo>,
    /// Each emoji with who chose it, in the order they were first chosen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// The files it carries (none once it is deleted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// One emoji on a message and the people who chose it, earliest first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub users: Vec<UserId>,
}

impl Reaction {
    /// Adds `user` under `emoji` in a message's reactions (a new emoji goes
    /// last); someone already there changes nothing. The one grouping rule for
    /// the server's history pages and the app's live events.
    pub fn add(reactions: &mut Vec<Reaction>, emoji: &str, user: UserId) {
        match reactions.iter_mut().find(|r| r.emoji == emoji) {
            Some(reaction) if reaction.users.contains(&user) => {}
            Some(reaction) => reaction.users.push(user),
            None => reactions.push(Reaction { emoji: emoji.to_owned(), users: vec![user] }),
        }
    }

    /// Takes `user` from `emoji`; an emoji nobody has left goes away.
    pub fn remove(reactions: &mut Vec<Reaction>, emoji: &str, user: UserId) {
        for reaction in reactions.iter_mut().filter(|r| r.emoji == emoji) {
            reaction.users.retain(|u| *u != user);
        }
        reactions.retain(|r| !r.users.is_empty());
    }
}

/// Where a page of a room's history starts (`?before=` or `?after=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFrom {
    /// Scrolling back: the newest messages before this seq (none: of all).
    Before(Option<Seq>),
    /// Reading on from a stretch loaded far back: the oldest messages after
    /// this seq.
    After(Seq),
}

impl PageFrom {
    /// The page's start as the query asks for it, after its `?limit=`.
    pub fn query(self) -> String {
        match self {
            PageFrom::Before(None) => String::new(),
            PageFrom::Before(Some(seq)) => format!("&before={seq}"),
            PageFrom::After(seq) => format!("&after={seq}"),
        }
    }
}

/// `GET /api/rooms/{id}/messages?before=&after=&limit=`: oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagesPage {
    pub head: Seq,
    pub messages: Vec<MessageView>,
    /// The room's notices among these messages (`RoomEvent::is_notice`: its
    /// creation, joins, leaves, renames), oldest first. Scrolling back: from
    /// the oldest message on, or from the room's start when the page reaches
    /// it; a page with more notices than it may carry starts at the oldest of
    /// them. Reading on (`after`): up to the newest message, or to the head
    /// when the page reaches it; a page with more ends at the newest of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<HistoryEvent>,
    /// Whether nothing is left the way the page reads: nothing older than a
    /// scroll-back page (the room's start is reached), nothing newer than a
    /// page read on with `after` (the room's head is reached).
    #[serde(default)]
    pub complete: bool,
}

/// One event of a room's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub seq: Seq,
    pub at: Millis,
    pub event: RoomEvent,
}

/// `GET /api/rooms/{id}/events?after=&before=`: oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsPage {
    pub head: Seq,
    pub events: Vec<HistoryEvent>,
}

/// Every error: a sentence fit to show (in English), and for a refused name
/// what was wrong with it as a code, which the app words in its user's
/// language. Bodies without `problem` are still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<TextProblem>,
    /// For a refused upload: why, as a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<UploadProblem>,
}

impl From<String> for ApiError {
    fn from(error: String) -> Self {
        ApiError { error, problem: None, upload: None }
    }
}

impl From<&str> for ApiError {
    fn from(error: &str) -> Self {
        error.to_owned().into()
    }
}

impl From<UploadProblem> for ApiError {
    fn from(problem: UploadProblem) -> Self {
        ApiError { error: problem.to_string(), problem: None, upload: Some(problem) }
    }
}

impl From<TextProblem> for ApiError {
    fn from(problem: TextProblem) -> Self {
        ApiError { error: problem.to_string(), problem: Some(problem), upload: None }
    }
}

/// The longest search, in characters: a phrase someone remembers, not a
/// pasted message (and every extra character is work for the index).
pub const MAX_SEARCH_CHARS: usize = 200;

/// Hits in one page of `GET /api/search?q=&before=&limit=`: the default
/// `limit`, and the largest.
pub const SEARCH_PAGE: u32 = 20;
pub const MAX_SEARCH_PAGE: u32 = 50;

/// One message found by `GET /api/search`, as it stands now (the latest
/// edit's text; deleted messages are never found), with what the app needs to
/// show it in the results and to open its room at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub room: RoomId,
    /// The room's name now, to label the hit without a rooms-list lookup.
    pub room_name: String,
    pub message: MessageId,
    /// The seq of the event that created the message: where to open the room.
    pub seq: Seq,
    pub author: UserId,
    pub author_name: String,
    pub text: String,
    pub at: Millis,
    /// Where the search matched in `text`, to be shown highlighted: byte
    /// offsets (on character boundaries), in order, not overlapping. The
    /// server finds them with the same case folding it searched with, so the
    /// app needs no Unicode case tables. Empty if none could be placed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<Highlight>,
}

/// A matched part of a [`SearchHit`]'s text: `text[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlight {
    pub start: u32,
    pub end: u32,
}

/// `GET /api/search`: newest first. If `more`, the next page is asked for
/// with `before` set to the last hit's `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub more: bool,
}
