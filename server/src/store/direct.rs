//! Direct conversations: one room per pair of people, found again by the pair
//! whoever opens it, however often and however many at once.
//!
//! The pair's row (`direct_rooms`, smaller user id first) is claimed before
//! the room is made, with `ON CONFLICT DO NOTHING`: on PostgreSQL a second
//! claim of the same pair, on any node, waits for the first transaction and
//! then finds its row; on SQLite the writers take turns anyway. Whoever
//! claimed the row makes the room; everyone else reads its id. Nothing after
//! the claim can refuse the action, so a claimed row always has its room.

use hanmadi_protocol::http::RoomKind;
use hanmadi_protocol::{Millis, Outcome, RejectCode, RoomEvent, RoomId, UserId};
use sqlx::{Any, Transaction};

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
