//! The reactive store: what the page shows, fed by the client engine's events.
//! Created once at the root and provided as context; components read the
//! narrowest signal they need (one room's timeline, one symbol's price).

mod access;
mod fetches;
mod landed;
pub mod navigation;
pub mod people;
pub mod reactions;
pub mod reading;
mod rooms_list;
pub mod snapshot;
mod stretches;
pub mod timeline;
mod up_arrow;
pub mod window;

use std::sync::{Arc, Mutex};

use hanmadi_client_core::sorted_map::SortedMap;
use hanmadi_client_core::{ActionState, Event, GapOutcome, PendingAction, SequencedEvent, TickerValue};
use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::http::{MessageView, RoomKind};
use hanmadi_protocol::limits::TextProblem;
use hanmadi_protocol::markup;
use hanmadi_protocol::{
    Action, ActionKey, AttachmentId, Member, MessageId, RejectCode, RoomEvent, RoomId, Seq, UserId,
};
use leptos::prelude::*;

use fetches::Fetches;
use people::MemberChange;
use reading::{Correction, Listed};
use rooms_list::{last_message, LastChange, RoomChange};
pub use rooms_list::{to_look_into, RoomInfo, RoomView, RoomsFetch};
use timeline::Timeline;

/// Everything the page shows about one room: read through the accessors
/// (`access.rs`), written by the store alone.
#[derive(Clone)]
pub struct RoomState {
    timeline: ArcRwSignal<Timeline>,
    typing: ArcRwSignal<Vec<String>>,
    /// Who of the members is online now (the socket's presence frames).
    presence: ArcRwSignal<Vec<Member>>,
    /// Everyone in the room, online or not: `None` until the list is fetched,
    /// then kept current by the room's joins and leaves.
    members: ArcRwSignal<Option<Vec<Member>>>,
    /// Fetches of the members on their way (see [`Store::begin_members_fetch`]).
    member_fetches: Arc<Mutex<Fetches<MemberChange>>>,
    /// Where reading had stopped when the room was opened with something
    /// unread: the message list draws its "New messages" line before the
    /// first message new to you after it (see [`Store::new_line_at`]). It
    /// stays while the room is open (so the line does not vanish under the
    /// reader) and is cleared when the room is left.
    new_line_after: ArcRwSignal<Option<Seq>>,
    /// Read up to here, as far as this tab knows (see `reading`).
    read: ArcRwSignal<Seq>,
    /// What the last rooms list said of it.
    listed: ArcRwSignal<Option<Listed>>,
    /// In a direct conversation, how far the other person has read, as far
    /// as the server told it (see `reading`): what you said up to there was
    /// seen.
    seen: ArcRwSignal<Seq>,
    /// A message to bring into view and highlight (a reply's quote or a link
    /// to it was opened): the message list loads history to it.
    reveal: ArcRwSignal<Option<Seq>>,
    /// Originals of replies older than the history held, fetched one by one
    /// for their quotes and kept current by the room's edits and deletions.
    quoted: ArcRwSignal<SortedMap<MessageId, MessageView>>,
    /// She left it since its messages were loaded: what the timeline holds
    /// went stale unseen, and goes when the room is loaded again
    /// ([`Store::loading_room`]).
    left: ArcRwSignal<bool>,
    /// Messages sent from this tab's composer: each takes the message list
    /// to the latest (one sent in another tab, or a parcel that goes later,
    /// does not pull the reader away from where she is).
    sent_here: ArcRwSignal<u32>,
}

impl RoomState {
    /// `direct`: whether the rooms list says the room is a direct conversation.
    fn new(direct: bool) -> Self {
        let timeline = if direct { Timeline::of_conversation() } else { Timeline::default() };
        Self {
            timeline: ArcRwSignal::new(timeline),
            typing: ArcRwSignal::new(Vec::new()),
            presence: ArcRwSignal::new(Vec::new()),
            members: ArcRwSignal::new(None),
            member_fetches: Arc::new(Mutex::new(Fetches::default())),
            new_line_after: ArcRwSignal::new(None),
            read: ArcRwSignal::new(Seq::ZERO),
            listed: ArcRwSignal::new(None),
            seen: ArcRwSignal::new(Seq::ZERO),
            reveal: ArcRwSignal::new(None),
            quoted: ArcRwSignal::new(SortedMap::new()),
            left: ArcRwSignal::new(false),
            sent_here: ArcRwSignal::new(0),
        }
    }
}

/// Private fields: components read through the accessors and change what
/// they may through named operations (`access.rs`); everything else is
/// written from the engine's events, here.
#[derive(Clone)]
pub struct Store {
    rooms: ArcRwSignal<Vec<RoomInfo>>,
    /// Whether a rooms list (fetched, or last seen) has been shown: until
    /// then a room missing from it may be anyone's (`Store::room_view`).
    rooms_listed: ArcRwSignal<bool>,
    /// The room on screen: its messages do not count as unread.
    current_room: ArcRwSignal<Option<RoomId>>,
    outbox: ArcRwSignal<Vec<PendingAction>>,
    /// Messages in the outbox that their room already shows (see `landed`).
    landed: ArcRwSignal<Vec<ActionKey>>,
    /// One signal per symbol, so a price change re-renders only its own item.
    ticker: ArcRwSignal<SortedMap<String, ArcRwSignal<TickerValue>>>,
    me: ArcRwSignal<Option<UserId>>,
    /// Whether the person shares what they read (`Settings::shares_seen`):
    /// while they do not, no "Seen" shows (`reading`).
    shares_seen: ArcRwSignal<bool>,
    /// The message tapped last, whose buttons show on screens without hover.
    selected: ArcRwSignal<Option<MessageId>>,
    /// Your message being edited, if any: one at a time.
    editing: ArcRwSignal<Option<MessageId>>,
    /// The message the composer's next message answers, if any.
    replying: ArcRwSignal<Option<Replying>>,
    /// An action of ours the server refused and nothing on the page shows,
    /// explained until dismissed ("Couldn't edit the message: …").
    refused: ArcRwSignal<Option<Refused>>,
    /// The latest message that mentioned us, for a desktop notification.
    last_mention: ArcRwSignal<Option<Mention>>,
    /// A room we just created or joined, to take us into (`OpenJoinedRoom`).
    joined_room: ArcRwSignal<Option<RoomId>>,
    /// What a session the server ended left unsent, as kept for the
    /// first-run prompt (`crate::unsent`), in every tab.
    unsent: ArcRwSignal<Option<String>>,
    room_states: Arc<Mutex<SortedMap<RoomId, RoomState>>>,
    list_fetches: Arc<Mutex<Fetches<RoomChange>>>,
    /// Edits and deletions heard while a rooms list was on its way, by room:
    /// made again on each list that comes, which the server may have read
    /// before them (see [`Store::listed_reads`]), and forgotten once none is
    /// on its way (`RoomsFetch`'s drop).
    corrections: Arc<Mutex<Vec<(RoomId, Correction)>>>,
    /// The direct conversations in the order the sidebar shows them, which
    /// holds still while it is pointed at or focused (`RoomsNav`): Alt+↑/↓
    /// follow it. Emptied when the sidebar goes (at signing out).
    conversations_shown: Arc<Mutex<Vec<RoomId>>>,
    /// What the server said of each file this tab uploaded: the outbox holds
    /// only a message's ids, and its row shows the files while it waits.
    uploaded: Arc<Mutex<SortedMap<AttachmentId, Attachment>>>,
    /// Your newest message, on its way, whose edit ↑ opens once the server
    /// has it (`Store::edit_newest`).
    up_arrow: Arc<Mutex<up_arrow::UpArrow>>,
}

/// An action the server refused, and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub action: Action,
    /// The server's code, which the notice words in the page's language;
    /// `None` when the app itself refused (a full outbox), `reason` then
    /// being in the page's language already.
    pub code: Option<RejectCode>,
    pub reason: String,
    /// What was wrong with a name or text, when that was the reason: the
    /// notice words it in the page's language instead of `reason`.
    pub problem: Option<TextProblem>,
}

/// The message being answered: the composer of its room says "Replying to
/// {author}" until the reply is sent or cancelled (or the message deleted).
/// Kept with the room's draft (`crate::drafts`, which reads it back), so a
/// reload does not forget it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Replying {
    pub room: RoomId,
    pub message: MessageId,
    pub author: String,
}

/// A message that mentions us, or says anything to us in a direct conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub room: RoomId,
    pub author: String,
    pub text: String,
    /// Said in a direct conversation: the notification is headed with the
    /// author's name, as a conversation with them is.
    pub direct: bool,
}

impl Store {
    pub fn new() -> Self {
        Self {
            rooms: ArcRwSignal::new(Vec::new()),
            rooms_listed: ArcRwSignal::new(false),
            current_room: ArcRwSignal::new(None),
            outbox: ArcRwSignal::new(Vec::new()),
            landed: ArcRwSignal::new(Vec::new()),
            ticker: ArcRwSignal::new(SortedMap::new()),
            me: ArcRwSignal::new(None),
            shares_seen: ArcRwSignal::new(true),
            selected: ArcRwSignal::new(None),
            editing: ArcRwSignal::new(None),
            replying: ArcRwSignal::new(None),
            refused: ArcRwSignal::new(None),
            last_mention: ArcRwSignal::new(None),
            joined_room: ArcRwSignal::new(None),
            unsent: ArcRwSignal::new(None),
            room_states: Arc::new(Mutex::new(SortedMap::new())),
            list_fetches: Arc::new(Mutex::new(Fetches::default())),
            corrections: Arc::new(Mutex::new(Vec::new())),
            conversations_shown: Arc::new(Mutex::new(Vec::new())),
            uploaded: Arc::new(Mutex::new(SortedMap::new())),
            up_arrow: Arc::new(Mutex::new(up_arrow::UpArrow::default())),
        }
    }

    /// A room's state, created empty the first time it is asked for.
    pub fn room(&self, room: RoomId) -> RoomState {
        self.room_states
            .lock()
            .expect("room states")
            .get_or_insert_with(room, || RoomState::new(self.is_direct(room)))
            .clone()
    }

    /// An action of ours was not done (the outbox had no room for it, or the
    /// server refused it for good): explained until dismissed.
    pub fn refuse(&self, action: Action, reason: String) {
        self.refused.set(Some(Refused { action, code: None, reason, problem: None }));
    }

    /// Applies what the engine reported.
    pub fn apply(&self, event: &Event, outbox: &[PendingAction]) {
        match event {
            Event::RoomEvents { room, events, .. } => {
                let (state, direct) = (self.room(*room), self.is_direct(*room));
                let mut listed = state.listed.get_untracked();
                let me = self.me.get_untracked();
                let list_on_its_way = self.list_fetches.lock().expect("list fetches").on_its_way();
                state.timeline.update(|timeline| {
                    for event in events {
                        if let Some(change) = Correction::of(me, event.seq, &event.event, timeline) {
                            if let Some(listed) = &mut listed {
                                listed.correct(&change);
                            }
                            if list_on_its_way {
                                self.corrections.lock().expect("corrections").push((*room, change));
                            }
                        }
                        timeline.apply(event.seq, event.at, &event.event);
                    }
                });
                if listed != state.listed.get_untracked() {
                    state.listed.set(listed);
                }
                self.landed_in(*room, events);
                for event in events {
                    self.room_event(*room, direct, event);
                }
                self.count_unread(*room);
            }
            Event::GapClosed { room, outcome: GapOutcome::Resynced { from } } => {
                self.room(*room).timeline.update(|timeline| timeline.mark_missing(*from))
            }
            // What was shown no longer exists on the server; the adapter loads
            // the room again.
            Event::RoomReset { room, .. } => {
                self.outbox.with_untracked(|outbox| {
                    self.landed.maybe_update(|landed| landed::forget_in(*room, landed, outbox))
                });
                self.room(*room).timeline.set(Timeline::default());
                // What they corrected is of a history that is gone.
                self.corrections.lock().expect("corrections").retain(|(of, _)| of != room);
                self.count_unread(*room);
            }
            Event::NoLongerIn { room } => self.no_longer_in(*room),
            Event::ReadElsewhere { room, seq } => self.read_up_to(*room, *seq),
            Event::Seen { room, seq } => self.seen_up_to(*room, *seq),
            Event::OutboxChanged => {
                self.landed.maybe_update(|landed| landed::forget_gone(landed, outbox));
                self.outbox.set(outbox.to_vec());
            }
            // Only public rooms are announced to all.
            Event::RoomListed { room, name } => {
                self.change_rooms(RoomChange::Listed { room: *room, name: name.clone(), kind: RoomKind::Public })
            }
            // A room created or joined is opened in the tab it was done in;
            // every tab lists it.
            Event::ActionApplied { action, room, here, seq, .. } => match action {
                // Ours whether the socket listed it before this ack or not.
                Action::CreateRoom { name, private } => {
                    let kind = if *private { RoomKind::Private } else { RoomKind::Public };
                    self.change_rooms(RoomChange::Listed { room: *room, name: name.clone(), kind });
                    self.change_rooms(RoomChange::Member { room: *room, member: true });
                    if *here {
                        self.joined_room.set(Some(*room));
                    }
                }
                // A room known by its id: a public one is listed already, a
                // private one or a conversation once the rooms list, fetched
                // again (the engine asks), names it. Read up to our joining
                // (`seq`; none if we were in it already, or the conversation
                // was there before).
                Action::JoinRoom { .. } | Action::JoinWithInvite { .. } | Action::OpenDirect { .. } => {
                    self.change_rooms(RoomChange::Member { room: *room, member: true });
                    if let Some(seq) = seq {
                        self.read_up_to(*room, *seq);
                    }
                    if *here {
                        self.joined_room.set(Some(*room));
                    }
                }
                Action::LeaveRoom { .. } => self.no_longer_in(*room),
                _ => {}
            },
            // A message that stays shows as "Not sent" (in every tab);
            // anything else has left the outbox, and is explained in the tab
            // it was done in.
            Event::ActionRejected { action, stays: false, here: true, code, reason, problem, .. } => {
                let refused =
                    Refused { action: action.clone(), code: Some(*code), reason: reason.clone(), problem: *problem };
                self.refused.set(Some(refused));
            }
            Event::Typing { room, names } => self.room(*room).typing.set(names.clone()),
            Event::Presence { room, members: online } => {
                let state = self.room(*room);
                state.presence.set(online.clone());
                state.members.maybe_update(|members| {
                    members.as_mut().is_some_and(|members| people::take_names_online(members, online))
                });
                self.name_conversation_as_now(*room, online);
            }
            Event::Status(_)
            | Event::CaughtUp { .. }
            | Event::ActionRejected { stays: true, .. }
            | Event::ActionRejected { here: false, .. }
            | Event::GapClosed { outcome: GapOutcome::Recovered | GapOutcome::Backfilled, .. }
            | Event::TickerChanged
            | Event::RoomListStale
            | Event::YouChanged { .. }
            | Event::SessionEnded { .. }
            | Event::ServerError { .. }
            | Event::BadFrame { .. } => {}
        }
        self.up_arrow_follows(event, outbox);
    }

    /// One animation frame's worth of ticker values: one write per symbol.
    pub fn paint_ticker(&self, values: Vec<TickerValue>) {
        for value in values {
            let existing = self.ticker.with_untracked(|ticker| ticker.get(&value.symbol).cloned());
            match existing {
                Some(signal) => signal.set(value),
                None => self.ticker.update(|ticker| {
                    ticker.insert(value.symbol.clone(), ArcRwSignal::new(value));
                }),
            }
        }
    }

    /// Whether `room` is a direct conversation.
    fn is_direct(&self, room: RoomId) -> bool {
        self.rooms.with_untracked(|rooms| rooms.iter().any(|info| info.id == room && navigation::is_direct(info)))
    }

    /// Your messages among `events` that were waiting in the outbox: the
    /// room shows them now, so their "Sending…" copies go (see `landed`).
    fn landed_in(&self, room: RoomId, events: &[SequencedEvent]) {
        let Some(me) = self.me.get_untracked() else { return };
        let mine: Vec<landed::Arrived> = events
            .iter()
            .filter_map(|event| match &event.event {
                RoomEvent::Message { author, text, reply_to, attachments, .. } if *author == me => {
                    Some(landed::Arrived { text, reply_to: *reply_to, attachments })
                }
                _ => None,
            })
            .collect();
        if mine.is_empty() {
            return;
        }
        let mut landed = self.landed.get_untracked();
        let before = landed.len();
        self.outbox.with_untracked(|outbox| {
            for arrived in &mine {
                if let Some(key) = landed::landed_as(room, arrived, outbox, &landed) {
                    landed.push(key);
                }
            }
        });
        if landed.len() != before {
            self.landed.set(landed);
        }
    }

    /// `direct`: whether `room` is a direct conversation (the caller knows).
    fn room_event(&self, room: RoomId, direct: bool, sequenced: &SequencedEvent) {
        self.newest_message_event(room, sequenced);
        let event = &sequenced.event;
        match event {
            RoomEvent::Message { author, author_name, text, .. } => {
                let me = self.me.get_untracked();
                if me.is_some_and(|me| me != *author && (direct || markup::mentions(text, me))) {
                    let author = author_name.clone();
                    self.last_mention.set(Some(Mention { room, author, text: text.clone(), direct }));
                }
            }
            // A quoted original not in the timeline changes as it would there.
            RoomEvent::Edited { id, .. } | RoomEvent::Deleted { id } => {
                let quoted = &self.room(room).quoted;
                if quoted.with_untracked(|quoted| quoted.contains_key(id)) {
                    quoted.update(|quoted| {
                        if let Some(original) = quoted.get_mut(id) {
                            Timeline::change(original, event);
                        }
                    });
                }
            }
            RoomEvent::Renamed { name, .. } => self.update_room(room, |info| info.name.clone_from(name)),
            RoomEvent::Joined { user, name } => {
                self.room(room).members_changed(MemberChange::Joined(Member { user: *user, name: name.clone() }));
            }
            RoomEvent::Left { user, .. } => self.room(room).members_changed(MemberChange::Left(*user)),
            _ => {}
        }
    }
}

impl Store {
    /// A room's newest message, which the rooms list shows, as `event`
    /// (applied to its timeline already) changes it.
    fn newest_message_event(&self, room: RoomId, sequenced: &SequencedEvent) {
        let change = match &sequenced.event {
            RoomEvent::Message { id, author, author_name, text, attachments, .. } => {
                let by = (*author, author_name.as_str());
                LastChange::Said(last_message(*id, (sequenced.seq, sequenced.at), by, text, attachments))
            }
            RoomEvent::Edited { id, text } => LastChange::Edited { id: *id, text: text.clone() },
            RoomEvent::Deleted { id } => LastChange::Deleted { id: *id, before: self.newest_held(room) },
            _ => return,
        };
        self.change_last(room, change);
    }
}

/// Whether the page draws this action's state where the action itself shows:
/// a message in the timeline ("Sending…", "Not sent"), a reaction as a chip at
/// once. Every other action is listed while it waits by `ActionNotices`.
pub fn drawn_in_place(action: &Action) -> bool {
    matches!(action, Action::SendMessage { .. } | Action::AddReaction { .. } | Action::RemoveReaction { .. })
}

/// Your messages to `room` the server has not confirmed yet, sending or not
/// sent: the timeline shows them after everything it holds.
pub fn messages_waiting_in(room: RoomId, outbox: &[PendingAction]) -> impl Iterator<Item = &PendingAction> {
    outbox.iter().filter(move |pending| matches!(&pending.action, Action::SendMessage { room: to, .. } if *to == room))
}

/// The actions still waiting to be applied that nothing else on the page
/// shows: a join, a leave, a rename, an edit, a deletion, a new room.
pub fn waiting_unseen(outbox: &[PendingAction]) -> impl Iterator<Item = &PendingAction> {
    outbox
        .iter()
        .filter(|pending| !drawn_in_place(&pending.action) && !matches!(pending.state, ActionState::Failed { .. }))
}

/// `text` in lower case. In the browser, JavaScript's `toLowerCase` (the same
/// Unicode mapping), so the wasm carries no case tables of its own.
pub fn lowercase(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::JsString::from(text).to_lower_case().into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_lowercase()
    }
}

/// Whether the user can see the page (messages in a hidden tab are unread).
pub fn page_visible() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|window| window.document())
            .is_none_or(|document| document.visibility_state() == web_sys::VisibilityState::Visible)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        true
    }
}

#[cfg(test)]
mod tests;
