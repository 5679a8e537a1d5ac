//! Direct conversations: one room per pair of people, found again by the pair
//! whoever opens it, however often and however many at once.
//!
//! The pair's row (`direct_rooms`, smaller user id first) is claimed before
//! the room is made, with `ON CONFLICT DO NOTHING`: on PostgreSQL a second
//! claim of the same pair, on any node, waits for the first transaction and
//! then finds its row; on SQLite the writers take turns anyway. Whoever
//! claimed the row makes the room; everyone else reads its id. Nothing after
//! the claim can refuse the action, so a claimed row always has its room.

use std::collections::HashMap;

use hanmadi_protocol::http::{LastMessage, RoomKind};
use hanmadi_protocol::{MessageId, Millis, Outcome, RejectCode, RoomEvent, RoomId, Seq, UserId};
use sqlx::{Any, Pool, Transaction};

use super::apply::{add_member, append};
use super::{Checked, Refusal, StoredEvent, User};

/// Opens the direct room of `user` and `with`: theirs already, or a new one
/// with both in it (its events go to `events`).
pub(super) async fn open_direct(
    tx: &mut Transaction<'_, Any>,
    user: &User,
    with: UserId,
    now: Millis,
    events: &mut Vec<StoredEvent>,
) -> anyhow::Result<Checked<Outcome>> {
    if with == user.id {
        return Ok(Err(Refusal::new(RejectCode::Invalid, "a direct conversation is with someone else".into())));
    }
    let other: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(with.0 as i64)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(other) = other else {
        return Ok(Err(Refusal::new(RejectCode::NotFound, format!("there is no user {with}"))));
    };
    let (low, high) = if user.id < with { (user.id, with) } else { (with, user.id) };
    let claimed = sqlx::query(
        "INSERT INTO direct_rooms (low_user, high_user) VALUES ($1, $2) ON CONFLICT (low_user, high_user) DO NOTHING",
    )
    .bind(low.0 as i64)
    .bind(high.0 as i64)
    .execute(&mut **tx)
    .await?;
    if claimed.rows_affected() == 0 {
        let room: Option<i64> =
            sqlx::query_scalar("SELECT room_id FROM direct_rooms WHERE low_user = $1 AND high_user = $2")
                .bind(low.0 as i64)
                .bind(high.0 as i64)
                .fetch_one(&mut **tx)
                .await?;
        let room = room.ok_or_else(|| anyhow::anyhow!("the direct room of {low} and {high} was claimed, not made"))?;
        return Ok(Ok(Outcome::Applied { room: RoomId(room as u64), seq: None, message: None }));
    }
    // The stored name is only what an app that knows no direct rooms shows:
    // each person's list names the room after the other (`rooms_for`).
    let name = format!("{}, {other}", user.name);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rooms (name, created_by, created_at, kind) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&name)
    .bind(user.id.0 as i64)
    .bind(now as i64)
    .bind(RoomKind::Direct.as_str())
    .fetch_one(&mut **tx)
    .await?;
    let room = RoomId(id as u64);
    sqlx::query("UPDATE direct_rooms SET room_id = $1 WHERE low_user = $2 AND high_user = $3")
        .bind(id)
        .bind(low.0 as i64)
        .bind(high.0 as i64)
        .execute(&mut **tx)
        .await?;
    append(tx, room, now, RoomEvent::Created { name, by: user.id }, events).await?;
    let opener = RoomEvent::Joined { user: user.id, name: user.name.clone() };
    append(tx, room, now, opener, events).await?;
    let seq = append(tx, room, now, RoomEvent::Joined { user: with, name: other }, events).await?;
    // Both start with nothing unread.
    add_member(tx, room, user.id, now, seq).await?;
    add_member(tx, room, with, now, seq).await?;
    Ok(Ok(Outcome::Applied { room, seq: Some(seq), message: None }))
}

/// The newest message still there (not deleted) in each of `user`'s direct
/// rooms with an id in `after < id <= through`, by room: what their rooms
/// list shows under the other person's name. Their rooms are found by their
/// memberships (however many other rooms there are), and each message by
/// the messages' `(room_id, seq)` index, from the newest back past any
/// deleted.
pub(super) async fn last_messages(
    pool: &Pool<Any>,
    user: UserId,
    after: RoomId,
    through: RoomId,
) -> anyhow::Result<HashMap<RoomId, LastMessage>> {
    /// room, id, seq, when, author, body, files, the first file's name.
    type Row = (i64, i64, i64, i64, i64, String, i64, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.room_id, l.id, l.seq, l.created_at, l.author_id, l.body, \
             CAST((SELECT COUNT(*) FROM message_attachments f WHERE f.message_id = l.id) AS BIGINT), \
             (SELECT a.name FROM message_attachments f JOIN attachments a ON a.id = f.attachment_id \
                 WHERE f.message_id = l.id ORDER BY f.position LIMIT 1) \
         FROM memberships me JOIN direct_rooms d ON d.room_id = me.room_id \
         JOIN messages l ON l.id = (SELECT g.id FROM messages g WHERE g.room_id = d.room_id AND g.deleted = 0 \
             ORDER BY g.seq DESC LIMIT 1) \
         WHERE me.user_id = $1 AND me.room_id > $2 AND me.room_id <= $3",
    )
    .bind(user.0 as i64)
    .bind(after.0 as i64)
    .bind(through.0 as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(room, id, seq, at, author, text, files, first_file)| {
            let last = LastMessage {
                id: MessageId(id as u64),
                seq: Seq(seq as u64),
                at: at as u64,
                author: UserId(author as u64),
                text,
                files: u32::try_from(files).unwrap_or(u32::MAX),
                first_file,
            };
            (RoomId(room as u64), last)
        })
        .collect())
}
