//! ↑ in an empty composer edits your newest message in the room. Your newest
//! is what the room shows last of yours: a message still in the outbox shows
//! after everything the room holds, so while one is there, the message
//! before it is not what ↑ means. One being sent has its edit opened as soon
//! as the server has it, so ↑ pressed just after Enter edits what was just
//! sent, on a slow network too; one waiting for the connection, or not sent,
//! cannot be edited yet, and ↑ does nothing.

use hanmadi_client_core::{ActionState, PendingAction};
use hanmadi_protocol::{ActionKey, RoomId, Seq};
use leptos::prelude::*;

use super::timeline::Entry;
use super::{messages_waiting_in, Store};

impl Store {
    /// ↑ in an empty composer in `room`: whether an edit opens, now or once
    /// the message is sent.
    pub fn edit_newest(&self, room: RoomId) -> bool {
        let Some(me) = self.me.get_untracked() else { return false };
        let newest_waiting = self.outbox.with_untracked(|outbox| {
            messages_waiting_in(room, outbox).last().map(|newest| (newest.key.clone(), newest.state.clone()))
        });
        match newest_waiting {
            Some((key, ActionState::Sending)) => {
                self.wait_to_edit(Some(key));
                true
            }
            Some((_, ActionState::Queued | ActionState::Failed { .. })) => false,
            None => match self.room(room).timeline.with_untracked(|timeline| timeline.last_message_by(me)) {
                Some(message) => {
                    self.start_editing(message);
                    true
                }
                None => false,
            },
        }
    }

    /// The message ↑ waits for is no longer being sent (the connection went,
    /// or it was refused): nothing opens later, out of the blue.
    pub(super) fn outbox_for_edit_when_sent(&self, outbox: &[PendingAction]) {
        let mut asked = self.edit_when_sent.lock().expect("edit when sent");
        let still_sending = |key: &ActionKey| {
            outbox
                .iter()
                .find(|pending| pending.key == *key)
                .is_none_or(|pending| pending.state == ActionState::Sending)
        };
        if asked.as_ref().is_some_and(|key| !still_sending(key)) {
            *asked = None;
        }
    }

    /// Your message `key` is in the room at `seq` (its event comes before
    /// its answer): its edit opens if ↑ asked for it.
    pub(super) fn sent_for_edit_when_sent(&self, key: &ActionKey, room: RoomId, seq: Seq) {
        if self.edit_when_sent.lock().expect("edit when sent").as_ref() != Some(key) {
            return;
        }
        let sent = self.room(room).timeline.with_untracked(|timeline| match timeline.entry(seq) {
            Some(Entry::Message(message)) => Some(message.id),
            _ => None,
        });
        match sent {
            Some(message) => self.start_editing(message),
            None => self.wait_to_edit(None),
        }
    }

    /// ↑ asked for the edit of message `key` once it is sent; or, with
    /// `None`, for nothing any more: an edit started or ended, or another
    /// room opened, since.
    pub(super) fn wait_to_edit(&self, key: Option<ActionKey>) {
        *self.edit_when_sent.lock().expect("edit when sent") = key;
    }
}
