//! What the page may read from the store, and the few changes it may make,
//! each named for what happened. Everything else in the store is written from
//! the engine's events (`Store::apply`) and never from a component.

use hanmadi_client_core::sorted_map::SortedMap;

use hanmadi_client_core::{PendingAction, TickerValue};
use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::http::{MessageView, MessagesPage, PageFrom, Profile};
use hanmadi_protocol::{AttachmentId, Member, MessageId, RoomId, Seq, UserId};
use leptos::prelude::*;

use super::landed;
use super::rooms_list::{LastChange, RoomChange};
use super::timeline::Timeline;
use super::{Mention, Refused, Replying, RoomInfo, RoomState, Store};

impl Store {
    // ---- reading ----

    /// The rooms list as the sidebar shows it, with unread counts.
    pub fn rooms(&self) -> ArcReadSignal<Vec<RoomInfo>> {
        self.rooms.read_only()
    }

    /// The room on screen: what arrives in it is read at once.
    pub fn current_room(&self) -> ArcReadSignal<Option<RoomId>> {
        self.current_room.read_only()
    }

    /// The user's actions the server has not answered yet, with their state.
    pub fn outbox(&self) -> ArcReadSignal<Vec<PendingAction>> {
        self.outbox.read_only()
    }

    /// Your messages waiting in `room`, as its list shows them below the
    /// history: not those the room already shows (`landed`). Tracked.
    pub fn messages_shown_waiting(&self, room: RoomId) -> Vec<PendingAction> {
        self.outbox
            .with(|outbox| self.landed.with(|landed| landed::shown_waiting(room, outbox, landed).cloned().collect()))
    }

    /// One signal per symbol, so a price change re-renders only its own item.
    pub fn ticker(&self) -> ArcReadSignal<SortedMap<String, ArcRwSignal<TickerValue>>> {
        self.ticker.read_only()
    }

    /// Who we are, once signed in.
    pub fn me(&self) -> ArcReadSignal<Option<UserId>> {
        self.me.read_only()
    }

    /// The message tapped last, whose buttons show on screens without hover.
    pub fn selected(&self) -> ArcReadSignal<Option<MessageId>> {
        self.selected.read_only()
    }

    /// Your message being edited, if any: one at a time.
    pub fn editing(&self) -> ArcReadSignal<Option<MessageId>> {
        self.editing.read_only()
    }

    /// The message the composer's next message answers, if any.
    pub fn replying(&self) -> ArcReadSignal<Option<Replying>> {
        self.replying.read_only()
    }

    /// An action of ours refused for good, explained until dismissed.
    pub fn refused(&self) -> ArcReadSignal<Option<Refused>> {
        self.refused.read_only()
    }

    /// The latest message that mentioned us, for a desktop notification.
    pub fn last_mention(&self) -> ArcReadSignal<Option<Mention>> {
        self.last_mention.read_only()
    }

    /// A room we just created or joined, to take us into.
    pub fn joined_room(&self) -> ArcReadSignal<Option<RoomId>> {
        self.joined_room.read_only()
    }

    /// What a session the server ended left unsent, to show above the
    /// first-run prompt.
    pub fn unsent(&self) -> ArcReadSignal<Option<String>> {
        self.unsent.read_only()
    }

    /// The direct conversations in the order the sidebar shows them (see
    /// [`Store::conversations_shown_as`]).
    pub fn conversations_shown(&self) -> Vec<RoomId> {
        self.conversations_shown.lock().expect("conversations shown").clone()
    }

    /// The files of a message of ours still in the outbox, as far as this tab
    /// uploaded them.
    pub fn uploaded_files(&self, ids: &[AttachmentId]) -> Vec<Attachment> {
        let uploaded = self.uploaded.lock().expect("uploads");
        ids.iter().filter_map(|id| uploaded.get(id).cloned()).collect()
    }

    // ---- what the page changes ----

    /// Who we are, from the session (signing in, renaming ourselves): the one
    /// place the store learns it. Never someone else: a new person signing
    /// in on a page whose session ended starts the page over
    /// (`adapter::signed_in`).
    pub fn signed_in_as(&self, user: &Profile) {
        self.me.set(Some(user.id));
    }

    /// The engine's outbox as it stands (at start; later through its events).
    pub fn show_outbox(&self, outbox: Vec<PendingAction>) {
        self.outbox.set(outbox);
    }

    /// A room opened, or none is on screen any more.
    pub fn show_room(&self, room: Option<RoomId>) {
        if self.current_room.get_untracked() != room {
            self.forget_edit_once_sent();
            // An edit left open is let go with its room: it must not open
            // again (and take the focus) when she comes back.
            if self.editing.get_untracked().is_some() {
                self.editing.set(None);
            }
        }
        self.current_room.set(room);
    }

    /// We were taken into the room we created or joined.
    pub fn entered_joined_room(&self) {
        self.joined_room.set(None);
    }

    /// A tap on a message selects it, or unselects it if it was selected.
    pub fn toggle_selected(&self, message: MessageId) {
        self.selected.update(|selected| *selected = if *selected == Some(message) { None } else { Some(message) });
    }

    /// No message is selected any more: she tapped beside them, or went on
    /// to something else (writing, answering, editing), and its buttons go.
    pub fn unselect(&self) {
        if self.selected.with_untracked(Option::is_some) {
            self.selected.set(None);
        }
    }

    /// Editing one of our messages begins (any other edit ends).
    pub fn start_editing(&self, message: MessageId) {
        self.forget_edit_once_sent();
        self.unselect();
        self.editing.set(Some(message));
    }

    /// The edit was saved or cancelled.
    pub fn stop_editing(&self) {
        self.forget_edit_once_sent();
        self.editing.set(None);
    }

    /// "Reply" on a message: the next message sent in its room answers it
    /// (answering another message instead replaces it).
    pub fn start_reply(&self, replying: Replying) {
        self.forget_edit_once_sent();
        self.unselect();
        self.replying.set(Some(replying));
    }

    /// The reply was sent, or cancelled.
    pub fn stop_reply(&self) {
        self.replying.set(None);
    }

    /// A reply's quote, or a link to a message, was opened: the room's
    /// message list brings the message at `seq` into view.
    pub fn reveal(&self, room: RoomId, seq: Seq) {
        self.room(room).reveal.set(Some(seq));
    }

    /// The original of a reply, older than the history held, fetched for its
    /// quote: kept current from here on.
    pub fn original_fetched(&self, room: RoomId, original: MessageView) {
        self.room(room).quoted.update(|quoted| quoted.insert_if_absent(original.id, original));
    }

    /// The room's message list took the request to reveal a message: coming
    /// back to the room later does not reveal it again.
    pub fn reveal_taken(&self, room: RoomId) {
        self.room(room).reveal.set(None);
    }

    /// The sidebar shows the direct conversations in this order (none: it
    /// is gone), which the keyboard's Alt+↑/↓ follow.
    pub fn conversations_shown_as(&self, shown: Vec<RoomId>) {
        *self.conversations_shown.lock().expect("conversations shown") = shown;
    }

    /// A file of a message being written is on the server.
    pub fn file_uploaded(&self, attachment: &Attachment) {
        self.uploaded.lock().expect("uploads").insert(attachment.id, attachment.clone());
    }

    /// The refusal notice was dismissed.
    pub fn dismiss_refusal(&self) {
        self.refused.set(None);
    }

    /// What is kept of a session the server ended (`crate::unsent`), as it
    /// stands: read at start, and again when any tab changes it.
    pub fn show_unsent(&self, kept: Option<String>) {
        if self.unsent.with_untracked(|shown| *shown != kept) {
            self.unsent.set(kept);
        }
    }

    /// A page of a room's history arrived (on opening it, scrolling back, or
    /// reading on from a message far back), fetched from where `from` says.
    ///
    /// Its newest message may be newer than the rooms list's, when said
    /// between the two fetches: the page is the only place it is heard.
    pub fn history_loaded(&self, room: RoomId, page: MessagesPage, from: PageFrom) {
        self.room(room).timeline.update(|timeline| timeline.add_page(page, from));
        // As the timeline holds it: a deletion heard live while the page was
        // on its way is kept.
        if let Some(newest) = self.newest_held(room) {
            self.change_last(room, LastChange::Said(newest));
        }
        self.count_unread(room);
    }

    /// `room` is not hers any more (left here or on another screen): the
    /// list shows it so, and what the page holds of it goes stale. Made
    /// again on top of a list fetched meanwhile, unless a list said so
    /// itself (then one fetched after it knows better: she may be back).
    pub(super) fn no_longer_in(&self, room: RoomId) {
        self.room(room).left.set(true);
        let listed_as_hers = self.rooms.with_untracked(|rooms| rooms.iter().any(|r| r.id == room && r.member));
        if listed_as_hers {
            self.change_rooms(RoomChange::Member { room, member: false });
        }
    }

    /// The room is loaded to be followed from its newest page: what the
    /// page held of it since she left it is dropped first (nothing kept it
    /// current), so no silent hole stands between it and the new page.
    pub fn loading_room(&self, room: RoomId) {
        let state = self.room(room);
        if state.left.get_untracked() {
            state.left.set(false);
            state.timeline.update(Timeline::forget);
        }
    }

    /// A message was sent from this tab's composer (or waits as a parcel).
    pub fn sent_here(&self, room: RoomId) {
        self.room(room).sent_here.update(|sent| *sent += 1);
    }

    /// The room left the screen: what was new has been seen, so the next
    /// visit has no "New messages" line unless more arrive.
    pub fn room_closed(&self, room: RoomId) {
        self.room(room).new_line_after.set(None);
    }
}

impl RoomState {
    /// The room's history as the message list shows it.
    pub fn timeline(&self) -> ArcReadSignal<Timeline> {
        self.timeline.read_only()
    }

    /// The names of who is typing now.
    pub fn typing(&self) -> ArcReadSignal<Vec<String>> {
        self.typing.read_only()
    }

    /// How many messages were sent from this tab's composer.
    pub fn sent_here(&self) -> ArcReadSignal<u32> {
        self.sent_here.read_only()
    }

    /// Who of the members is online now.
    pub fn presence(&self) -> ArcReadSignal<Vec<Member>> {
        self.presence.read_only()
    }

    /// Everyone in the room, online or not; `None` until fetched.
    pub fn members(&self) -> ArcReadSignal<Option<Vec<Member>>> {
        self.members.read_only()
    }

    /// A person's name as the room knows it now: from who is online (their
    /// renames arrive at once), else from the members list. Tracked, so a
    /// view that names them follows a rename.
    pub fn name_of(&self, user: UserId) -> Option<String> {
        let online = self.presence.with(|online| online.iter().find(|m| m.user == user).map(|m| m.name.clone()));
        online.or_else(|| {
            self.members.with(|members| members.iter().flatten().find(|m| m.user == user).map(|m| m.name.clone()))
        })
    }

    /// Originals of replies fetched on their own (see `original_fetched`).
    pub fn quoted(&self) -> ArcReadSignal<SortedMap<MessageId, MessageView>> {
        self.quoted.read_only()
    }

    /// The message to bring into view, once asked for.
    pub fn reveal_requests(&self) -> ArcReadSignal<Option<Seq>> {
        self.reveal.read_only()
    }
}
