//! ↑ in an empty composer edits your newest message in the room: the one the
//! room shows last of yours. A message still in the outbox shows after
//! everything the room holds, and one waiting with its files after that, so
//! while one is there, the message before it is not what ↑ means.
//!
//! A message on its way ("Sending…" with the connection up) has its edit
//! opened as soon as the server has it, so ↑ pressed just after Enter edits
//! what was just sent, on a slow network too. Nothing opens later out of the
//! blue: the wait ends when she types, sends, answers, edits or opens another
//! room, when the connection goes, or when the message is refused. A message
//! waiting for the connection, waiting with its files, or not sent cannot be
//! edited yet, and ↑ does nothing.

use hanmadi_client_core::{ActionState, Event, PendingAction, Status};
use hanmadi_protocol::{Action, ActionKey, RoomId, Seq};
use leptos::prelude::*;

use super::timeline::Entry;
use super::{messages_waiting_in, Store};

/// What ↑ waits for, in one tab.
#[derive(Debug, Default)]
pub(super) struct UpArrow {
    /// Only with the connection up is a message "Sending…" on its way.
    connected: bool,
    waiting: Option<Waiting>,
}

#[derive(Debug, PartialEq)]
enum Waiting {
    /// Your newest message in the room, on its way.
    Answer(RoomId, ActionKey),
    /// The server has it at this seq, and the room will show it there (now,
    /// or once a gap before it is filled).
    InRoom(RoomId, Seq),
}

impl Store {
    /// ↑ in an empty composer in `room`, where `files_waiting` says whether a
    /// message of yours waits there with its files: whether an edit opens,
    /// now or once the server has the message.
    pub fn edit_newest(&self, room: RoomId, files_waiting: bool) -> bool {
        let Some(me) = self.me.get_untracked() else { return false };
        if files_waiting {
            return false;
        }
        let newest_waiting = self.outbox.with_untracked(|outbox| {
            messages_waiting_in(room, outbox).last().map(|newest| (newest.key.clone(), newest.state.clone()))
        });
        let mut up_arrow = self.up_arrow.lock().expect("up arrow");
        up_arrow.waiting = None;
        match newest_waiting {
            Some((key, ActionState::Queued | ActionState::Sending)) if up_arrow.connected => {
                up_arrow.waiting = Some(Waiting::Answer(room, key));
                true
            }
            Some(_) => false,
            None => {
                drop(up_arrow);
                match self.room(room).timeline.with_untracked(|timeline| timeline.last_message_by(me)) {
                    Some(message) => {
                        self.start_editing(message);
                        true
                    }
                    None => false,
                }
            }
        }
    }

    /// She typed, answered, edited or opened another room since ↑: it asks
    /// for nothing any more.
    pub fn forget_edit_once_sent(&self) {
        self.up_arrow.lock().expect("up arrow").waiting = None;
    }

    /// Follows what ↑ waits for through the engine's events (applied to the
    /// rest of the store already).
    pub(super) fn up_arrow_follows(&self, event: &Event, outbox: &[PendingAction]) {
        let mut up_arrow = self.up_arrow.lock().expect("up arrow");
        match event {
            Event::Status(status) => {
                up_arrow.connected = *status == Status::Connected;
                if !up_arrow.connected {
                    up_arrow.waiting = None;
                }
            }
            // A key gone from the outbox was answered: its `ActionApplied`
            // comes next (the engine tells the outbox first). Anything else
            // ends the wait: a newer message sent, the message refused.
            Event::OutboxChanged => {
                if let Some(Waiting::Answer(room, key)) = &up_arrow.waiting {
                    let newest = messages_waiting_in(*room, outbox).last();
                    let answered = !outbox.iter().any(|pending| pending.key == *key);
                    let still_on_its_way = newest.is_some_and(|newest| {
                        newest.key == *key && !matches!(newest.state, ActionState::Failed { .. })
                    });
                    if !answered && !still_on_its_way {
                        up_arrow.waiting = None;
                    }
                }
            }
            Event::ActionApplied { key, action: Action::SendMessage { .. }, room, seq: Some(seq), .. } => {
                if up_arrow.waiting == Some(Waiting::Answer(*room, key.clone())) {
                    up_arrow.waiting = Some(Waiting::InRoom(*room, *seq));
                }
            }
            Event::RoomEvents { .. } => {}
            Event::SessionEnded { .. } | Event::RoomReset { .. } => up_arrow.waiting = None,
            _ => return,
        }
        let Some(Waiting::InRoom(room, seq)) = up_arrow.waiting else { return };
        let shown = self.room(room).timeline.with_untracked(|timeline| match timeline.entry(seq) {
            Some(Entry::Message(message)) => Some((!message.deleted).then_some(message.id)),
            Some(Entry::Notice { .. }) => Some(None),
            // Not yet, if the room shows nothing after it either.
            None if timeline.newest_seq().is_some_and(|newest| newest > seq) => Some(None),
            None => None,
        });
        if let Some(message) = shown {
            up_arrow.waiting = None;
            drop(up_arrow);
            if let Some(message) = message {
                self.start_editing(message);
            }
        }
    }
}
