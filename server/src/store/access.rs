//! Who may see a room. A public room is listed to everyone, anyone signed in
//! may read it (look into it before joining) and join it; a private or
//! direct room is known only to its members: to anyone
//! else it answers as a room that does not exist, on every path (history,
//! events, members, invites, actions), so its id cannot be probed. See
//! docs/ARCHITECTURE.md, Private rooms and direct messages.

use std::collections::HashMap;

use anyhow::Context;
use hanmadi_protocol::http::RoomKind;
use hanmadi_protocol::{RejectCode, RoomId, Seq, UserId};
use sqlx::{Any, Executor, Transaction};

use super::{Checked, Refusal, Store};

/// A room as one person may know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No such room, or a private or direct one they are not in: the same.
    Unknown,
    /// A public room they are not in: they may read it and join it; `head`
    /// is its latest seq.
    Outsider { head: Seq },
    /// They are in it; `head` is its latest seq.
    Member { kind: RoomKind, head: Seq },
}

/// Rooms read per query by [`Store::members_of_hidden`]: well under every
/// database's limit on bound parameters.
const ROOMS_PER_QUERY: usize = 500;

pub(super) fn kind_of(kind: &str) -> anyhow::Result<RoomKind> {
    RoomKind::parse(kind).with_context(|| format!("a room of unknown kind {kind:?}"))
}

/// How `user` may know `room`, in one round trip, through the pool or
/// inside a transaction.
pub(super) async fn access<'e>(
    executor: impl Executor<'e, Database = Any>,
    room: RoomId,
    user: UserId,
) -> anyhow::Result<Access> {
    let row: Option<(String, i64, i64)> = sqlx::query_as(
        "SELECT r.kind, r.head_seq, \
             CAST((SELECT COUNT(*) FROM memberships m WHERE m.room_id = r.id AND m.user_id = $2) AS BIGINT) \
         FROM rooms r WHERE r.id = $1",
    )
    .bind(room.0 as i64)
    .bind(user.0 as i64)
    .fetch_optional(executor)
    .await?;
    let Some((kind, head, member)) = row else { return Ok(Access::Unknown) };
    let kind = kind_of(&kind)?;
    Ok(match (kind, member > 0) {
        (kind, true) => Access::Member { kind, head: Seq(head as u64) },
        (RoomKind::Public, false) => Access::Outsider { head: Seq(head as u64) },
        (_, false) => Access::Unknown,
    })
}

/// The refusal for a room `user` may not know of: the words of a room that
/// does not exist.
pub(super) fn no_such_room(room: RoomId) -> Refusal {
    Refusal::new(RejectCode::NotFound, format!("there is no room {room}"))
}

/// Checks that `user` is in `room` and says what kind it is. A public room
/// they are not in is `forbidden` (join it first); any other room they are
/// not in is `not_found`, as one that does not exist.
pub(super) async fn member_of(
    tx: &mut Transaction<'_, Any>,
    room: RoomId,
    user: UserId,
) -> anyhow::Result<Checked<RoomKind>> {
    Ok(match access(&mut **tx, room, user).await? {
        Access::Member { kind, .. } => Ok(kind),
        Access::Outsider { .. } => Err(Refusal::new(RejectCode::Forbidden, "join the room first".into())),
        Access::Unknown => Err(no_such_room(room)),
    })
}

impl Store {
    /// How `user` may know `room`.
    pub async fn access(&self, room: RoomId, user: UserId) -> anyhow::Result<Access> {
        access(&self.pool, room, user).await
    }

    /// Of `rooms`, those that are private or direct, each with its members:
    /// the only people a change to such a room's listing may reach.
    pub async fn members_of_hidden(&self, rooms: &[RoomId]) -> anyhow::Result<HashMap<RoomId, Vec<UserId>>> {
        let mut hidden: HashMap<RoomId, Vec<UserId>> = HashMap::new();
        for chunk in rooms.chunks(ROOMS_PER_QUERY) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT r.id, m.user_id FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id \
                 WHERE r.kind <> 'public' AND r.id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as::<_, (i64, Option<i64>)>(&sql);
            for room in chunk {
                query = query.bind(room.0 as i64);
            }
            for (room, member) in query.fetch_all(&self.pool).await? {
                let members = hidden.entry(RoomId(room as u64)).or_default();
                members.extend(member.map(|user| UserId(user as u64)));
            }
        }
        Ok(hidden)
    }
}
