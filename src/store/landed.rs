//! Your messages the room already shows while their ack is on its way.
//!
//! The server sends a connection its own event before the ack of the action
//! that made it, and a message waits in the outbox, shown as "Sending…",
//! until the ack: between the two, which can be a frame or more apart, the
//! message showed twice. The event does not carry the action's key, so a
//! message of yours that arrives is matched to the first of your messages
//! waiting in that room with the same words, answer and files, one already
//! sent before one still queued (the server applies one connection's actions
//! in order, and the tabs of a browser that can share one connection share
//! it). The same words sent at that moment from your other device (or a tab
//! that cannot share the connection) may be matched instead: the waiting
//! copy then goes a moment early, and both messages show once this one
//! arrives too. A message refused after all shows again, with its reason; a
//! room loaded again shows its waiting messages again until it holds them.

use hanmadi_client_core::{ActionState, PendingAction};
use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::{Action, ActionKey, ReplyTo, RoomId};

use super::messages_waiting_in;

/// What a message of yours that arrived in a room said.
pub struct Arrived<'a> {
    pub text: &'a str,
    pub reply_to: Option<ReplyTo>,
    pub attachments: &'a [Attachment],
}

/// The key of the message waiting in `room` that `arrived` is, if any: the
/// first one saying the same that no earlier arrival was matched to, among
/// those sent, else among those queued (in a tab that does not hold the
/// socket, a message stays queued until the leading tab says it has it).
pub fn landed_as(room: RoomId, arrived: &Arrived, outbox: &[PendingAction], landed: &[ActionKey]) -> Option<ActionKey> {
    let first_in = |state: ActionState| {
        messages_waiting_in(room, outbox)
            .filter(|pending| pending.state == state && !landed.contains(&pending.key))
            .find(|pending| says(&pending.action, arrived))
    };
    first_in(ActionState::Sending).or_else(|| first_in(ActionState::Queued)).map(|pending| pending.key.clone())
}

/// Your messages waiting in `room` that the room does not already show.
pub fn shown_waiting<'a>(
    room: RoomId,
    outbox: &'a [PendingAction],
    landed: &'a [ActionKey],
) -> impl Iterator<Item = &'a PendingAction> {
    messages_waiting_in(room, outbox).filter(|pending| refused(pending) || !landed.contains(&pending.key))
}

/// Forgets the keys no longer in the outbox (acked, or given up). True if
/// any was forgotten.
pub fn forget_gone(landed: &mut Vec<ActionKey>, outbox: &[PendingAction]) -> bool {
    forget(landed, |key| !outbox.iter().any(|pending| pending.key == *key))
}

/// Forgets the keys of the messages waiting in `room`, whose history is
/// loaded again: the room shows them once it holds them. True if any was
/// forgotten.
pub fn forget_in(room: RoomId, landed: &mut Vec<ActionKey>, outbox: &[PendingAction]) -> bool {
    forget(landed, |key| messages_waiting_in(room, outbox).any(|pending| pending.key == *key))
}

/// Forgets the keys `gone` says, and says whether there were any.
fn forget(landed: &mut Vec<ActionKey>, gone: impl Fn(&ActionKey) -> bool) -> bool {
    let before = landed.len();
    landed.retain(|key| !gone(key));
    landed.len() != before
}

fn refused(pending: &PendingAction) -> bool {
    matches!(pending.state, ActionState::Failed { .. })
}

fn says(action: &Action, arrived: &Arrived) -> bool {
    let Action::SendMessage { text, reply_to, attachments, .. } = action else { return false };
    text == arrived.text
        && *reply_to == arrived.reply_to.map(|original| original.id)
        && attachments.len() == arrived.attachments.len()
        && attachments.iter().zip(arrived.attachments).all(|(id, attachment)| *id == attachment.id)
}
