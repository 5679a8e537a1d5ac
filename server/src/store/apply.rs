//! Applying one action inside the batch's transaction: the idempotency
//! record, the checks that may refuse it, the rows it changes and the events
//! it appends (with their seqs), and redaction of a message's older text.

use anyhow::Context;
use hanmadi_protocol::attachments::{Attachment, MAX_ATTACHMENTS};
use hanmadi_protocol::http::RoomKind;
use hanmadi_protocol::limits::{check_message_text, check_reaction, check_room_name, ProblemKind};
use hanmadi_protocol::markup;
use hanmadi_protocol::{
    mention_token, Action, ActionKey, AttachmentId, MessageId, Millis, Outcome, RejectCode, ReplyTo, RoomEvent, RoomId,
    Seq, UserId,
};
use sqlx::{Any, Executor, Transaction};

use super::access::{access, member_of, no_such_room, Access};
use super::attachments::{attach, own_attachments, release};
use super::direct::open_direct;
use super::invites::room_of_invite;
use super::{now_millis, Admission, Applied, Checked, Refusal, Settled, StoredEvent, User};

/// One action of a batch, as [`Store::apply_batch`] takes it.
pub struct Submitted<'a> {
    pub user: &'a User,
    pub key: &'a ActionKey,
    pub action: &'a Action,
    pub admission: Admission,
}

pub(super) async fn apply_once(tx: &mut Transaction<'_, Any>, submitted: &Submitted<'_>) -> anyhow::Result<Applied> {
    let Submitted { user, key, action, admission } = *submitted;
    // The key's earlier outcome, if any, and the name the user has now (they may
    // have renamed themselves since this connection said hello): one round trip.
    let (name, earlier, earlier_digest): (String, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT u.name, a.outcome, a.digest FROM users u \
         LEFT JOIN actions a ON a.user_id = u.id AND a.action_key = $2 WHERE u.id = $1",
    )
    .bind(user.id.0 as i64)
    .bind(key.as_str())
    .fetch_one(&mut **tx)
    .await?;
    let digest = digest(action)?;
    if let Some(earlier) = earlier {
        if earlier_digest.is_some_and(|earlier| earlier != digest) {
            // Answered, not recorded: the key keeps its first action's outcome.
            let message = "this key was already used for a different action".to_owned();
            let refused = Outcome::Rejected { code: RejectCode::Invalid, message, problem: None };
            return Ok(Applied { settled: Settled::New(refused), events: Vec::new() });
        }
        let outcome = serde_json::from_str(&earlier).context("corrupt stored outcome")?;
        return Ok(Applied { settled: Settled::Repeat(outcome), events: Vec::new() });
    }
    if admission == Admission::RepeatOnly {
        return Ok(Applied { settled: Settled::Deferred, events: Vec::new() });
    }
    let user = &User { id: user.id, name };
    let now = now_millis();
    let mut events = Vec::new();
    let outcome = match apply_action(tx, user, action, now, &mut events).await? {
        Ok(outcome) => outcome,
        Err(Refusal { code, message, problem }) => {
            events.clear();
            Outcome::Rejected { code, message, problem }
        }
    };
    sqlx::query("INSERT INTO actions (user_id, action_key, outcome, at, digest) VALUES ($1, $2, $3, $4, $5)")
        .bind(user.id.0 as i64)
        .bind(key.as_str())
        .bind(serde_json::to_string(&outcome)?)
        .bind(now as i64)
        .bind(digest)
        .execute(&mut **tx)
        .await?;
    Ok(Applied { settled: Settled::New(outcome), events })
}

/// What an action was, in 32 hex digits (the first half of its SHA-256): enough
/// to tell two actions apart, and the same size whatever the action's size.
fn digest(action: &Action) -> anyhow::Result<String> {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(serde_json::to_vec(action)?);
    Ok(hash[..16].iter().map(|byte| format!("{byte:02x}")).collect())
}

async fn apply_action(
    tx: &mut Transaction<'_, Any>,
    user: &User,
    action: &Action,
    now: Millis,
    events: &mut Vec<StoredEvent>,
) -> anyhow::Result<Checked<Outcome>> {
    let me = user.id.0 as i64;
    let applied = |room: RoomId, seq: Option<Seq>, message: Option<MessageId>| Outcome::Applied { room, seq, message };
    Ok(Ok(match action {
        Action::CreateRoom { name, private } => {
            let name = &match check_room_name(name) {
                Ok(name) => name,
                Err(problem) => return Ok(Err(problem.into())),
            };
            let kind = if *private { RoomKind::Private } else { RoomKind::Public };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO rooms (name, created_by, created_at, kind) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(name)
            .bind(me)
            .bind(now as i64)
            .bind(kind.as_str())
            .fetch_one(&mut **tx)
            .await?;
            let room = RoomId(id as u64);
            append(tx, room, now, RoomEvent::Created { name: name.to_owned(), by: user.id }, events).await?;
            let joined = RoomEvent::Joined { user: user.id, name: user.name.clone() };
            let seq = append(tx, room, now, joined, events).await?;
            add_member(tx, room, user.id, now, seq).await?;
            applied(room, Some(seq), None)
        }
        Action::JoinRoom { room } => match access(&mut **tx, *room, user.id).await? {
            // Only a public room is joined by its id; a private one takes an invite.
            Access::Unknown => return Ok(Err(no_such_room(*room))),
            Access::Member { .. } => applied(*room, None, None),
            Access::Outsider { .. } => applied(*room, Some(join(tx, *room, user, now, events).await?), None),
        },
        Action::JoinWithInvite { invite } => {
            let Some(room) = room_of_invite(tx, invite).await? else {
                let why = "this invite link is not valid: it was revoked, or never existed".to_owned();
                return Ok(Err(Refusal::new(RejectCode::NotFound, why)));
            };
            if is_member(&mut **tx, room, user.id).await? {
                applied(room, None, None)
            } else {
                applied(room, Some(join(tx, room, user, now, events).await?), None)
            }
        }
        Action::OpenDirect { with } => match open_direct(tx, user, *with, now, events).await? {
            Ok(outcome) => outcome,
            Err(refusal) => return Ok(Err(refusal)),
        },
        Action::LeaveRoom { room } => {
            let member = match access(&mut **tx, *room, user.id).await? {
                Access::Unknown => return Ok(Err(no_such_room(*room))),
                Access::Member { kind: RoomKind::Direct, .. } => {
                    let why = "a direct conversation cannot be left".to_owned();
                    return Ok(Err(Refusal::new(RejectCode::Forbidden, why)));
                }
                Access::Outsider { .. } => false,
                Access::Member { .. } => true,
            };
            if !member {
                applied(*room, None, None)
            } else {
                sqlx::query("DELETE FROM memberships WHERE room_id = $1 AND user_id = $2")
                    .bind(room.0 as i64)
                    .bind(me)
                    .execute(&mut **tx)
                    .await?;
                let left = RoomEvent::Left { user: user.id, name: Some(user.name.clone()) };
                applied(*room, Some(append(tx, *room, now, left, events).await?), None)
            }
        }
        Action::RenameRoom { room, name } => {
            match member_of(tx, *room, user.id).await? {
                Err(refusal) => return Ok(Err(refusal)),
                Ok(RoomKind::Direct) => {
                    let why = "a direct conversation is named after the other person".to_owned();
                    return Ok(Err(Refusal::new(RejectCode::Forbidden, why)));
                }
                Ok(_) => {}
            }
            let name = &match check_room_name(name) {
                Ok(name) => name,
                Err(problem) => return Ok(Err(problem.into())),
            };
            sqlx::query("UPDATE rooms SET name = $1 WHERE id = $2")
                .bind(name)
                .bind(room.0 as i64)
                .execute(&mut **tx)
                .await?;
            let renamed = RoomEvent::Renamed { name: name.to_owned(), by: user.id };
            applied(*room, Some(append(tx, *room, now, renamed, events).await?), None)
        }
        Action::SendMessage { room, text, reply_to, attachments } => {
            if let Err(refusal) = member_of(tx, *room, user.id).await? {
                return Ok(Err(refusal));
            }
            match check_message_text(text) {
                // A file may go without a word.
                Err(problem) if problem.kind == ProblemKind::Empty && !attachments.is_empty() => {}
                Err(problem) => return Ok(Err(problem.into())),
                Ok(()) => {}
            }
            let attachments = match checked_attachments(tx, user.id, attachments).await? {
                Ok(attachments) => attachments,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let reply_to = match reply_to {
                Some(original) => match original_of_reply(tx, *room, *original).await? {
                    Ok(reply_to) => Some(reply_to),
                    Err(refusal) => return Ok(Err(refusal)),
                },
                None => None,
            };
            let seq = next_seq(tx, *room).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO messages (room_id, author_id, author_name, seq, body, mentioned, created_at, reply_to) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(room.0 as i64)
            .bind(me)
            .bind(user.name.as_str())
            .bind(seq.0 as i64)
            .bind(text.as_str())
            .bind(mention_tokens(text))
            .bind(now as i64)
            .bind(reply_to.map(|original| original.id.0 as i64))
            .fetch_one(&mut **tx)
            .await?;
            let id = MessageId(id as u64);
            attach(tx, id, &attachments).await?;
            let event = RoomEvent::Message {
                id,
                author: user.id,
                author_name: user.name.clone(),
                text: text.clone(),
                reply_to,
                attachments,
            };
            store_event(tx, StoredEvent { room: *room, seq, at: now, event }, events).await?;
            applied(*room, Some(seq), Some(id))
        }
        Action::EditMessage { room, message, text } => {
            if let Err(refusal) = known_room(tx, *room, user.id).await? {
                return Ok(Err(refusal));
            }
            let deleted = match own_message(tx, *room, *message, user.id).await? {
                Ok(deleted) => deleted,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if deleted {
                return Ok(Err(Refusal::new(RejectCode::NotFound, "that message was deleted".into())));
            }
            if let Err(problem) = check_message_text(text) {
                return Ok(Err(problem.into()));
            }
            sqlx::query("UPDATE messages SET body = $1, mentioned = $2, edited_at = $3 WHERE id = $4")
                .bind(text.as_str())
                .bind(mention_tokens(text))
                .bind(now as i64)
                .bind(message.0 as i64)
                .execute(&mut **tx)
                .await?;
            rewrite_text(tx, *room, *message, Rewrite::Edit(text)).await?;
            let edited = RoomEvent::Edited { id: *message, text: text.clone() };
            applied(*room, Some(append(tx, *room, now, edited, events).await?), Some(*message))
        }
        Action::DeleteMessage { room, message } => {
            if let Err(refusal) = known_room(tx, *room, user.id).await? {
                return Ok(Err(refusal));
            }
            let deleted = match own_message(tx, *room, *message, user.id).await? {
                Ok(deleted) => deleted,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if deleted {
                applied(*room, None, Some(*message))
            } else {
                sqlx::query("UPDATE messages SET body = '', mentioned = '', deleted = 1 WHERE id = $1")
                    .bind(message.0 as i64)
                    .execute(&mut **tx)
                    .await?;
                rewrite_text(tx, *room, *message, Rewrite::Redact).await?;
                release(tx, *message).await?;
                // A deleted message keeps no reactions either.
                sqlx::query("DELETE FROM reactions WHERE message_id = $1")
                    .bind(message.0 as i64)
                    .execute(&mut **tx)
                    .await?;
                let event = RoomEvent::Deleted { id: *message };
                applied(*room, Some(append(tx, *room, now, event, events).await?), Some(*message))
            }
        }
        Action::AddReaction { room, message, emoji } | Action::RemoveReaction { room, message, emoji } => {
            if let Err(refusal) = member_of(tx, *room, user.id).await? {
                return Ok(Err(refusal));
            }
            if let Err(why) = check_reaction(emoji) {
                return Ok(Err(Refusal::new(RejectCode::Invalid, why)));
            }
            if let Err(refusal) = live_message(tx, *room, *message).await? {
                return Ok(Err(refusal));
            }
            let adding = matches!(action, Action::AddReaction { .. });
            let changed = if adding {
                sqlx::query(
                    "INSERT INTO reactions (message_id, user_id, emoji, at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (message_id, user_id, emoji) DO NOTHING",
                )
                .bind(message.0 as i64)
                .bind(me)
                .bind(emoji.as_str())
                .bind(now as i64)
                .execute(&mut **tx)
                .await?
            } else {
                sqlx::query("DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3")
                    .bind(message.0 as i64)
                    .bind(me)
                    .bind(emoji.as_str())
                    .execute(&mut **tx)
                    .await?
            };
            if changed.rows_affected() == 0 {
                // Already so: nothing happened, so no event.
                applied(*room, None, Some(*message))
            } else {
                let (id, user, emoji) = (*message, user.id, emoji.clone());
                let event = if adding {
                    RoomEvent::Reacted { id, user, emoji }
                } else {
                    RoomEvent::Unreacted { id, user, emoji }
                };
                applied(*room, Some(append(tx, *room, now, event, events).await?), Some(*message))
            }
        }
    }))
}

/// Gives the room its next sequence number. The row update also serializes
/// concurrent writers to one room on PostgreSQL.
async fn next_seq(tx: &mut Transaction<'_, Any>, room: RoomId) -> anyhow::Result<Seq> {
    let seq: i64 = sqlx::query_scalar("UPDATE rooms SET head_seq = head_seq + 1 WHERE id = $1 RETURNING head_seq")
        .bind(room.0 as i64)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Seq(seq as u64))
}

pub(super) async fn append(
    tx: &mut Transaction<'_, Any>,
    room: RoomId,
    at: Millis,
    event: RoomEvent,
    events: &mut Vec<StoredEvent>,
) -> anyhow::Result<Seq> {
    let seq = next_seq(tx, room).await?;
    store_event(tx, StoredEvent { room, seq, at, event }, events).await?;
    Ok(seq)
}

async fn store_event(
    tx: &mut Transaction<'_, Any>,
    event: StoredEvent,
    events: &mut Vec<StoredEvent>,
) -> anyhow::Result<()> {
    let message = match &event.event {
        RoomEvent::Message { id, .. } | RoomEvent::Edited { id, .. } => Some(id.0 as i64),
        _ => None,
    };
    sqlx::query("INSERT INTO events (room_id, seq, at, body, message_id, notice) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(event.room.0 as i64)
        .bind(event.seq.0 as i64)
        .bind(event.at as i64)
        .bind(serde_json::to_string(&event.event)?)
        .bind(message)
        .bind(i64::from(event.event.is_notice()))
        .execute(&mut **tx)
        .await?;
    events.push(event);
    Ok(())
}

/// The `mentioned` column of a message with `text` (see migration 0013): the
/// tokens of the people it mentions as the app draws it, so a token typed
/// inside code counts for no one.
fn mention_tokens(text: &str) -> String {
    markup::mentioned(text).into_iter().map(mention_token).collect()
}

/// What [`rewrite_text`] does to a message's stored events.
#[derive(Clone, Copy)]
enum Rewrite<'a> {
    /// The message was edited to this text.
    Edit(&'a str),
    /// The message was deleted: no text, and no attachments.
    Redact,
}

/// Sets the text every stored event of `message` carries (its first version
/// and each edit) to the latest after an edit, and to nothing after a delete,
/// which also takes the attachments' descriptions (names included) out.
/// Redaction: what was replaced can no longer be read through history, the
/// events API or a resume, while each event keeps its place in the log.
async fn rewrite_text(
    tx: &mut Transaction<'_, Any>,
    room: RoomId,
    message: MessageId,
    rewrite: Rewrite<'_>,
) -> anyhow::Result<()> {
    let text = match rewrite {
        Rewrite::Edit(text) => text,
        Rewrite::Redact => "",
    };
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, body FROM events WHERE room_id = $1 AND message_id = $2")
            .bind(room.0 as i64)
            .bind(message.0 as i64)
            .fetch_all(&mut **tx)
            .await?;
    for (seq, body) in rows {
        let mut event: RoomEvent =
            serde_json::from_str(&body).with_context(|| format!("corrupt event {room}/{seq}"))?;
        match &mut event {
            RoomEvent::Message { text: old, attachments, .. } => {
                text.clone_into(old);
                if matches!(rewrite, Rewrite::Redact) {
                    attachments.clear();
                }
            }
            RoomEvent::Edited { text: old, .. } => text.clone_into(old),
            _ => continue,
        }
        sqlx::query("UPDATE events SET body = $1 WHERE room_id = $2 AND seq = $3")
            .bind(serde_json::to_string(&event)?)
            .bind(room.0 as i64)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Makes `user` a member who has read the room up to `read`: their own
/// `joined` event, so a newcomer starts with nothing unread, however long the
/// room's history.
pub(super) async fn add_member(
    tx: &mut Transaction<'_, Any>,
    room: RoomId,
    user: UserId,
    now: Millis,
    read: Seq,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO memberships (room_id, user_id, joined_at, read_seq) VALUES ($1, $2, $3, $4)")
        .bind(room.0 as i64)
        .bind(user.0 as i64)
        .bind(now as i64)
        .bind(read.0 as i64)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether `user` is in `room`, read through the pool or inside a transaction.
pub(super) async fn is_member<'e>(
    executor: impl Executor<'e, Database = Any>,
    room: RoomId,
    user: UserId,
) -> anyhow::Result<bool> {
    let count: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM memberships WHERE room_id = $1 AND user_id = $2")
            .bind(room.0 as i64)
            .bind(user.0 as i64)
            .fetch_one(executor)
            .await?;
    Ok(count > 0)
}

/// Checks that `user` may know the room: a public one, or one they are in.
/// (An author who left a public room may still change their messages there,
/// as before rooms could be private; in a private room only members may.)
async fn known_room(tx: &mut Transaction<'_, Any>, room: RoomId, user: UserId) -> anyhow::Result<Checked<()>> {
    Ok(match access(&mut **tx, room, user).await? {
        Access::Unknown => Err(no_such_room(room)),
        Access::Outsider { .. } | Access::Member { .. } => Ok(()),
    })
}

/// Makes `user` a member of `room` with their `joined` event; its seq.
async fn join(
    tx: &mut Transaction<'_, Any>,
    room: RoomId,
    user: &User,
    now: Millis,
    events: &mut Vec<StoredEvent>,
) -> anyhow::Result<Seq> {
    let joined = RoomEvent::Joined { user: user.id, name: user.name.clone() };
    let seq = append(tx, room, now, joined, events).await?;
    add_member(tx, room, user.id, now, seq).await?;
    Ok(seq)
}

/// Checks that a message exists in the room and is not deleted (anyone in the
/// room may react to it).
async fn live_message(tx: &mut Transaction<'_, Any>, room: RoomId, message: MessageId) -> anyhow::Result<Checked<()>> {
    let deleted: Option<i64> = sqlx::query_scalar("SELECT deleted FROM messages WHERE id = $1 AND room_id = $2")
        .bind(message.0 as i64)
        .bind(room.0 as i64)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match deleted {
        None => Err(Refusal::new(RejectCode::NotFound, format!("there is no message {message} in room {room}"))),
        Some(0) => Ok(()),
        Some(_) => Err(Refusal::new(RejectCode::NotFound, "that message was deleted".into())),
    })
}

/// The message a reply answers: it must be in the same room. A deleted one
/// still counts: a reply written offline may arrive after the original went,
/// and it then says it answers a deleted message.
async fn original_of_reply(
    tx: &mut Transaction<'_, Any>,
    room: RoomId,
    original: MessageId,
) -> anyhow::Result<Checked<ReplyTo>> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM messages WHERE id = $1 AND room_id = $2")
        .bind(original.0 as i64)
        .bind(room.0 as i64)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match seq {
        Some(seq) => Ok(ReplyTo { id: original, seq: Seq(seq as u64) }),
        None => Err(Refusal::new(RejectCode::NotFound, format!("there is no message {original} in room {room}"))),
    })
}

/// Checks that a message exists in the room and is the user's; says whether it is deleted.
async fn own_message(
    tx: &mut Transaction<'_, Any>,
    room: RoomId,
    message: MessageId,
    user: UserId,
) -> anyhow::Result<Checked<bool>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT author_id, deleted FROM messages WHERE id = $1 AND room_id = $2")
            .bind(message.0 as i64)
            .bind(room.0 as i64)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match row {
        None => Err(Refusal::new(RejectCode::NotFound, format!("there is no message {message} in room {room}"))),
        Some((author, _)) if author as u64 != user.0 => {
            Err(Refusal::new(RejectCode::Forbidden, "only the author can change a message".into()))
        }
        Some((_, deleted)) => Ok(deleted != 0),
    })
}

/// The files a new message is to carry: at most [`MAX_ATTACHMENTS`], each
/// named once, each uploaded by the sender.
async fn checked_attachments(
    tx: &mut Transaction<'_, Any>,
    sender: UserId,
    ids: &[AttachmentId],
) -> anyhow::Result<Checked<Vec<Attachment>>> {
    if ids.len() > MAX_ATTACHMENTS {
        let why = format!("a message carries at most {MAX_ATTACHMENTS} files; this one has {}", ids.len());
        return Ok(Err(Refusal::new(RejectCode::Invalid, why)));
    }
    if let Some((n, id)) = ids.iter().enumerate().find(|(n, id)| ids[..*n].contains(id)) {
        let why = format!("attachment {id} is named twice (the second time at position {n})");
        return Ok(Err(Refusal::new(RejectCode::Invalid, why)));
    }
    own_attachments(tx, sender, ids).await
}
