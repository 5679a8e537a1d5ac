//! ↑ in an empty composer edits your newest message in the room: the one the
//! room shows last of yours. A message still in the outbox shows after
//! everything the room holds (until the room shows it, see `landed`), and
//! one waiting with its files after that, so while one is there, the message
//! before it is not what ↑ means.
//!
//! A message on its way ("Sending…" with the connection up) has its edit
//! opened as soon as the server has it, so ↑ pressed just after Enter edits
//! what was just sent, on a slow network too. Nothing opens later out of the
//! blue: the wait ends when she types, sends, answers, edits or opens another
//! room, when the connection goes, when the message is refused, and when the
//! answer comes; if the room does not show the message as her newest then (a
//! gap before it still being filled, another message of hers after it),
//! nothing opens, and ↑ again once it shows does. A message waiting for the
//! connection, waiting with its files, or not sent cannot be edited yet, and
//! ↑ does nothing.

use hanmadi_client_core::{ActionState, Event, PendingAction, Status};
use hanmadi_protocol::{Action, ActionKey, RoomId, Seq};
use leptos::prelude::*;

use super::timeline::Entry;
use super::{landed, messages_waiting_in, Store};

/// What ↑ waits for, in one tab.
#[derive(Default)]
pub(super) struct UpArrow {
    /// Only with the connection up is a message "Sending…" on its way.
    connected: bool,
    /// Your newest message in the room, on its way: the server's answer to
    /// this key opens its edit.
    waiting: Option<(RoomId, ActionKey)>,
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
            self.landed.with_untracked(|landed| {
                let newest = landed::shown_waiting(room, outbox, landed).last();
                newest.map(|newest| (newest.key.clone(), newest.state.clone()))
            })
        });
        let mut up_arrow = self.up_arrow.lock().expect("up arrow");
        up_arrow.waiting = None;
        match newest_waiting {
            Some((key, ActionState::Queued | ActionState::Sending)) if up_arrow.connected => {
                up_arrow.waiting = Some((room, key));
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
            Event::OutboxChanged => {
                let Some((room, key)) = &up_arrow.waiting else { return };
                let still_newest = match outbox.iter().find(|pending| pending.key == *key) {
                    // Answered: its `ActionApplied` comes next (the engine
                    // tells the outbox first), and opens the edit if the
                    // room shows it as her newest then.
                    None => true,
                    Some(pending) => {
                        messages_waiting_in(*room, outbox).last().is_some_and(|newest| newest.key == *key)
                            && !matches!(pending.state, ActionState::Failed { .. })
                    }
                };
                if !still_newest {
                    up_arrow.waiting = None;
                }
            }
            Event::ActionApplied { key, action: Action::SendMessage { .. }, room, seq: Some(seq), .. }
                if up_arrow.waiting.as_ref().is_some_and(|waiting| *waiting == (*room, key.clone())) =>
            {
                up_arrow.waiting = None;
                drop(up_arrow);
                self.edit_if_newest(*room, *seq);
            }
            Event::RoomReset { room, .. } if up_arrow.waiting.as_ref().is_some_and(|(waiting, _)| waiting == room) => {
                up_arrow.waiting = None
            }
            Event::SessionEnded { .. } => up_arrow.waiting = None,
            _ => {}
        }
    }

    /// Opens the edit of the message the room holds at `seq` if the room
    /// shows it as her newest: nothing of hers waits after it, and the room
    /// holds nothing newer of hers (written in another tab or on another
    /// device, heard before this answer).
    fn edit_if_newest(&self, room: RoomId, seq: Seq) {
        let Some(me) = self.me.get_untracked() else { return };
        if self.outbox.with_untracked(|outbox| messages_waiting_in(room, outbox).next().is_some()) {
            return;
        }
        let newest = self.room(room).timeline.with_untracked(|timeline| {
            let at_seq = match timeline.entry(seq) {
                Some(Entry::Message(message)) => Some(message.id),
                _ => None,
            };
            at_seq.filter(|id| timeline.last_message_by(me) == Some(*id))
        });
        if let Some(message) = newest {
            self.start_editing(message);
        }
    }
}
