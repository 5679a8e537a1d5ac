//! The user's actions that the server has not yet confirmed.
//!
//! Each action gets an idempotency key when the user makes it, keeps it through
//! every resend, reconnect and page reload, and leaves the outbox only when the
//! server acknowledges it. The server applies a key once and answers repeats with
//! the first result, so resending is always safe: that is how an action is applied
//! exactly once on a network that loses connections at any moment.

use std::fmt;

use hanmadi_protocol::json::{self, FromJson, Json};
use hanmadi_protocol::limits::TextProblem;
use hanmadi_protocol::{Action, ActionKey, RejectCode};
use serde::{Deserialize, Serialize};

/// One action waiting for the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAction {
    pub key: ActionKey,
    pub action: Action,
    pub state: ActionState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ActionState {
    /// Waiting for a connection ("Sending…" to the user all the same).
    Queued,
    /// Sent on the current connection; no answer yet.
    Sending,
    /// The server refused it ("Not sent", with Retry and Delete): its reason
    /// in English, and what was wrong with the text, when that was it.
    Failed {
        code: RejectCode,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem: Option<TextProblem>,
    },
}

// Read back with the app's small JSON reader (the same JSON serde reads).
impl FromJson for PendingAction {
    fn from_json(value: Json<'_>) -> Result<Self, json::Error> {
        let mut o = value.into_object("struct PendingAction")?;
        Ok(PendingAction { key: o.field("key")?, action: o.field("action")?, state: o.field("state")? })
    }
}

impl FromJson for ActionState {
    fn from_json(value: Json<'_>) -> Result<Self, json::Error> {
        let mut o = value.into_object("internally tagged enum ActionState")?;
        match o.tag("state")?.as_str() {
            "queued" => Ok(ActionState::Queued),
            "sending" => Ok(ActionState::Sending),
            "failed" => Ok(ActionState::Failed {
                code: o.field("code")?,
                reason: o.field("reason")?,
                problem: o.optional("problem")?,
            }),
            other => Err(json::unknown_variant(other)),
        }
    }
}

/// The outbox is full: the new action was not taken, and nothing queued was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxFull {
    pub capacity: usize,
}

impl fmt::Display for OutboxFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} actions are already waiting to be sent; try again once some have gone out", self.capacity)
    }
}

impl std::error::Error for OutboxFull {}

/// The bounded, ordered list of [`PendingAction`]s.
#[derive(Debug, Clone)]
pub struct Outbox {
    capacity: usize,
    entries: Vec<PendingAction>,
}

impl Outbox {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, entries: Vec::new() }
    }

    pub fn entries(&self) -> &[PendingAction] {
        &self.entries
    }

    /// Queues a new action at the end, or refuses it if the outbox is full.
    pub fn push(&mut self, key: ActionKey, action: Action) -> Result<(), OutboxFull> {
        if self.entries.len() >= self.capacity {
            return Err(OutboxFull { capacity: self.capacity });
        }
        self.entries.push(PendingAction { key, action, state: ActionState::Queued });
        Ok(())
    }

    /// Marks every queued action as sending and returns them, in order, to be
    /// sent; none while a queued one comes before one still in flight.
    ///
    /// That one was put back (rate-limited) after later ones went out, and
    /// the server defers every later new action of the connection until the
    /// first deferred one comes again: those in flight may yet be put back
    /// too. Were it sent now, it would end the deferral, and what was queued
    /// after them would overtake them. So the queue waits for their answers,
    /// then goes out whole, in the order written.
    pub fn take_queued(&mut self) -> Vec<(ActionKey, Action)> {
        if self.queued_before_in_flight() {
            return Vec::new();
        }
        self.entries
            .iter_mut()
            .filter(|entry| entry.state == ActionState::Queued)
            .map(|entry| {
                entry.state = ActionState::Sending;
                (entry.key.clone(), entry.action.clone())
            })
            .collect()
    }

    /// Whether a queued action comes before one still in flight.
    fn queued_before_in_flight(&self) -> bool {
        let first_queued = self.entries.iter().position(|entry| entry.state == ActionState::Queued);
        first_queued.is_some_and(|first| self.entries[first..].iter().any(|entry| entry.state == ActionState::Sending))
    }

    /// The connection is gone: whatever was in flight must go again, with the same
    /// keys, in the same order.
    pub fn requeue_sending(&mut self) -> bool {
        let mut changed = false;
        for entry in self.entries.iter_mut().filter(|entry| entry.state == ActionState::Sending) {
            entry.state = ActionState::Queued;
            changed = true;
        }
        changed
    }

    /// The server applied the action: it leaves the outbox.
    pub fn applied(&mut self, key: &ActionKey) -> Option<PendingAction> {
        let index = self.entries.iter().position(|entry| &entry.key == key)?;
        Some(self.entries.remove(index))
    }

    /// The server could not take the action yet (rate-limited): it goes back in
    /// the queue, in its place, with its key, to be sent again.
    pub fn postpone(&mut self, key: &ActionKey) -> bool {
        match self.entries.iter_mut().find(|entry| &entry.key == key && entry.state == ActionState::Sending) {
            Some(entry) => {
                entry.state = ActionState::Queued;
                true
            }
            None => false,
        }
    }

    /// The server refused the action for good. A message stays, failed, for the
    /// user to retry or delete (what they wrote is never lost); anything else
    /// (an edit of a message deleted meanwhile, a reaction, a rename) has
    /// nothing to retry into and leaves the outbox. Returns the action and
    /// whether it stayed, or `None` for an unknown key (a repeat's answer).
    pub fn rejected(
        &mut self,
        key: &ActionKey,
        code: RejectCode,
        reason: String,
        problem: Option<TextProblem>,
    ) -> Option<(Action, bool)> {
        let index = self.entries.iter().position(|entry| &entry.key == key)?;
        let action = self.entries[index].action.clone();
        let stays = stays_when_refused(&action);
        if stays {
            self.entries[index].state = ActionState::Failed { code, reason, problem };
        } else {
            self.entries.remove(index);
        }
        Some((action, stays))
    }

    /// "Retry" on a failed action. The server remembers the refusal under the old
    /// key, so the action goes again under `new_key`, at the end of the queue: it is
    /// sent now, after whatever the user did meanwhile.
    pub fn retry(&mut self, key: &ActionKey, new_key: ActionKey) -> bool {
        let Some(index) = self
            .entries
            .iter()
            .position(|entry| &entry.key == key && matches!(entry.state, ActionState::Failed { .. }))
        else {
            return false;
        };
        let mut entry = self.entries.remove(index);
        entry.key = new_key;
        entry.state = ActionState::Queued;
        self.entries.push(entry);
        true
    }

    /// "Delete" on an action that has not gone out (queued) or was refused (failed).
    /// One being sent cannot be taken back: the server may already have applied it.
    pub fn discard(&mut self, key: &ActionKey) -> bool {
        let before = self.entries.len();
        self.entries.retain(|entry| !(&entry.key == key && entry.state != ActionState::Sending));
        self.entries.len() != before
    }

    /// Takes everything out, sent or not: the session it was made in is
    /// over (see `Client::sign_out`, `Client::on_token_refreshed`).
    pub fn take_all(&mut self) -> Vec<PendingAction> {
        std::mem::take(&mut self.entries)
    }

    /// The outbox as JSON, for the browser to keep in localStorage.
    pub fn export(&self) -> String {
        serde_json::to_string(&self.entries).expect("outbox entries always serialize")
    }

    /// Reads an exported outbox as it is, states included (a leading tab's,
    /// shown by a following one).
    pub fn parse(json: &str) -> Result<Vec<PendingAction>, String> {
        json::from_str(json).map_err(|error| format!("an outbox is unreadable: {error}"))
    }

    /// Shows another tab's outbox in place of this one's (see `tabs`).
    pub fn replace(&mut self, entries: Vec<PendingAction>) {
        self.entries = entries;
    }

    /// Drops the entries with these keys (answered already). True if any went.
    pub fn drop_keys(&mut self, keys: &std::collections::VecDeque<ActionKey>) -> bool {
        let before = self.entries.len();
        self.entries.retain(|entry| !keys.contains(&entry.key));
        self.entries.len() != before
    }

    /// Takes an action another tab handed over, unless its key is here
    /// already: at the end of the queue, whatever the capacity (the other tab
    /// checked it against the same outbox), and queued again if it was being
    /// sent. False if the key was known.
    pub fn hand(&mut self, mut entry: PendingAction) -> bool {
        if self.entries.iter().any(|held| held.key == entry.key) {
            return false;
        }
        if entry.state == ActionState::Sending {
            entry.state = ActionState::Queued;
        }
        self.entries.push(entry);
        true
    }

    /// Restores an exported outbox (after a page reload). Whatever was being sent
    /// may or may not have reached the server, so it is queued again under the same
    /// key: the server's idempotency makes that safe. Entries beyond the capacity
    /// are kept: the user made them, and refusing new ones until they drain is
    /// better than losing any.
    pub fn import(&mut self, json: &str) -> Result<(), String> {
        let mut entries: Vec<PendingAction> =
            json::from_str(json).map_err(|error| format!("the saved outbox is unreadable: {error}"))?;
        for entry in &mut entries {
            if entry.state == ActionState::Sending {
                entry.state = ActionState::Queued;
            }
        }
        let known: Vec<ActionKey> = self.entries.iter().map(|entry| entry.key.clone()).collect();
        entries.retain(|entry| !known.contains(&entry.key));
        self.entries.splice(0..0, entries);
        Ok(())
    }
}

/// Whether a refused action stays in the outbox, failed, for the user to retry
/// or delete: only a message does (see [`Outbox::rejected`]).
pub fn stays_when_refused(action: &Action) -> bool {
    matches!(action, Action::SendMessage { .. })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hanmadi_protocol::{MessageId, RoomId};

    fn key(n: u32) -> ActionKey {
        ActionKey::new(format!("k{n}")).unwrap()
    }

    fn send(text: &str) -> Action {
        Action::SendMessage { room: RoomId(1), text: text.into(), reply_to: None, attachments: Vec::new() }
    }

    #[test]
    fn a_full_outbox_refuses_the_new_action_and_keeps_the_old_ones() {
        let mut outbox = Outbox::new(2);
        outbox.push(key(1), send("one")).unwrap();
        outbox.push(key(2), send("two")).unwrap();
        let error = outbox.push(key(3), send("three")).unwrap_err();
        assert_eq!(error, OutboxFull { capacity: 2 });
        assert!(error.to_string().contains("2 actions are already waiting"));
        assert_eq!(outbox.entries().len(), 2);
    }

    #[test]
    fn a_lost_connection_requeues_in_flight_actions_in_order_with_their_keys() {
        let mut outbox = Outbox::new(10);
        outbox.push(key(1), send("one")).unwrap();
        outbox.push(key(2), send("two")).unwrap();
        assert_eq!(outbox.take_queued().len(), 2);
        assert!(outbox.take_queued().is_empty(), "nothing is sent twice on one connection");
        assert!(outbox.requeue_sending());
        let again: Vec<ActionKey> = outbox.take_queued().into_iter().map(|(key, _)| key).collect();
        assert_eq!(again, [key(1), key(2)]);
    }

    #[test]
    fn a_queued_action_waits_while_one_sent_after_it_may_yet_be_put_back() {
        let mut outbox = Outbox::new(10);
        outbox.push(key(1), send("one")).unwrap();
        outbox.push(key(2), send("two")).unwrap();
        outbox.take_queued();
        assert!(outbox.postpone(&key(1)), "rate-limited, with two in flight");
        outbox.push(key(3), send("three")).unwrap();
        assert!(outbox.take_queued().is_empty(), "two may be put back too");
        assert!(outbox.postpone(&key(2)));
        let sent: Vec<ActionKey> = outbox.take_queued().into_iter().map(|(key, _)| key).collect();
        assert_eq!(sent, [key(1), key(2), key(3)], "in order");
    }

    #[test]
    fn a_refused_message_waits_for_retry_under_a_new_key_or_delete() {
        let mut outbox = Outbox::new(10);
        outbox.push(key(1), send("one")).unwrap();
        outbox.push(key(2), send("two")).unwrap();
        outbox.take_queued();
        assert_eq!(outbox.rejected(&key(1), RejectCode::Invalid, "too long".into(), None), Some((send("one"), true)));
        assert!(outbox.applied(&key(2)).is_some());
        assert!(outbox.retry(&key(1), key(3)));
        assert_eq!(outbox.entries()[0].key, key(3));
        assert_eq!(outbox.entries()[0].state, ActionState::Queued);
        assert!(outbox.discard(&key(3)));
        assert!(outbox.entries().is_empty());
    }

    #[test]
    fn any_other_refused_action_leaves_the_outbox_with_nothing_to_retry_into() {
        let mut outbox = Outbox::new(10);
        let edit = Action::EditMessage { room: RoomId(1), message: MessageId(7), text: "fixed".into() };
        outbox.push(key(1), edit.clone()).unwrap();
        outbox.take_queued();
        assert_eq!(outbox.rejected(&key(1), RejectCode::NotFound, "deleted".into(), None), Some((edit, false)));
        assert!(outbox.entries().is_empty());
        assert_eq!(outbox.rejected(&key(1), RejectCode::NotFound, "deleted".into(), None), None, "a repeat's answer");
    }

    #[test]
    fn an_action_in_flight_cannot_be_discarded() {
        let mut outbox = Outbox::new(10);
        outbox.push(key(1), send("one")).unwrap();
        outbox.take_queued();
        assert!(!outbox.discard(&key(1)));
        assert_eq!(outbox.entries().len(), 1);
    }

    #[test]
    fn the_outbox_survives_a_reload_and_resends_what_was_in_flight() {
        let mut before = Outbox::new(10);
        before.push(key(1), send("in flight")).unwrap();
        before.take_queued();
        before.push(key(2), send("queued")).unwrap();
        let saved = before.export();

        let mut after = Outbox::new(10);
        after.import(&saved).unwrap();
        let resent: Vec<ActionKey> = after.take_queued().into_iter().map(|(key, _)| key).collect();
        assert_eq!(resent, [key(1), key(2)]);
        assert!(after.import("{broken").unwrap_err().contains("unreadable"));
    }
}
