//! Invite links to private rooms. A token is 32 random bytes, shown once to
//! the member who made it; only its SHA-256 is kept, so neither the database
//! nor a backup of it lets anyone in. Any member may make, list and revoke
//! the room's invites; anyone signed in may spend a live one
//! (`Action::JoinWithInvite`, applied in `apply.rs`).

use hanmadi_protocol::http::{Invite, InviteCreated, InvitePreview, RoomKind, INVITE_TOKEN_CHARS, MAX_LIVE_INVITES};
use hanmadi_protocol::{RoomId, UserId};
use sqlx::{Any, Executor, Transaction};

use super::access::{access, Access};
use super::{now_millis, Store};

/// Why an invite could not be made, listed or revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteProblem {
    /// No such room, or a private or direct one the asker is not in.
    NoSuchRoom,
    /// A public room the asker is not in.
    NotMember,
    /// Only private rooms have invites: anyone may join a public one, and
    /// a direct one is for its two people alone.
    NotPrivate(RoomKind),
    /// The room already has [`MAX_LIVE_INVITES`] live invites.
    TooMany,
    /// No live invite of that id in that room.
    NoSuchInvite,
}

/// Checks that `user` is in `room` and that it is private.
async fn private_room<'e>(
    executor: impl Executor<'e, Database = Any>,
    room: RoomId,
    user: UserId,
) -> anyhow::Result<Result<(), InviteProblem>> {
    Ok(match access(executor, room, user).await? {
        Access::Member { kind: RoomKind::Private, .. } => Ok(()),
        Access::Member { kind, .. } => Err(InviteProblem::NotPrivate(kind)),
        Access::Outsider { .. } => Err(InviteProblem::NotMember),
        Access::Unknown => Err(InviteProblem::NoSuchRoom),
    })
}

/// What is kept of a token: its SHA-256, in hex.
fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Whether `token` has the shape of one this server made. Checked before any
/// lookup, so a huge or odd token costs nothing.
pub(super) fn well_formed(token: &str) -> bool {
    token.len() == INVITE_TOKEN_CHARS && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The room a live invite lets into, if `token` is one.
pub(super) async fn room_of_invite(tx: &mut Transaction<'_, Any>, token: &str) -> anyhow::Result<Option<RoomId>> {
    if !well_formed(token) {
        return Ok(None);
    }
    let room: Option<i64> =
        sqlx::query_scalar("SELECT room_id FROM invites WHERE token_sha256 = $1 AND revoked_at IS NULL")
            .bind(token_hash(token))
            .fetch_optional(&mut **tx)
            .await?;
    Ok(room.map(|room| RoomId(room as u64)))
}

impl Store {
    /// A new invite to the private room `room`, made by its member `user`.
    pub async fn create_invite(
        &self,
        room: RoomId,
        user: UserId,
    ) -> anyhow::Result<Result<InviteCreated, InviteProblem>> {
        let mut bytes = [0u8; INVITE_TOKEN_CHARS / 2];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for an invite: {e}"))?;
        let token: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        let (_turn, mut tx) = self.begin_write().await?;
        if let Err(problem) = private_room(&mut *tx, room, user).await? {
            return Ok(Err(problem));
        }
        // Locks the room's row, so two invites made at once on PostgreSQL are
        // counted one after the other and the limit holds.
        sqlx::query("UPDATE rooms SET head_seq = head_seq WHERE id = $1").bind(room.0 as i64).execute(&mut *tx).await?;
        let live: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM invites WHERE room_id = $1 AND revoked_at IS NULL",
        )
        .bind(room.0 as i64)
        .fetch_one(&mut *tx)
        .await?;
        if live as usize >= MAX_LIVE_INVITES {
            return Ok(Err(InviteProblem::TooMany));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invites (room_id, token_sha256, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(room.0 as i64)
        .bind(token_hash(&token))
        .bind(user.0 as i64)
        .bind(now_millis() as i64)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(InviteCreated { id: id as u64, room, token }))
    }

    /// What the live invite `token` opens, for whoever holds it: the room's
    /// name and who made the invite, both as they are named now.
    pub async fn invite_preview(&self, token: &str) -> anyhow::Result<Option<InvitePreview>> {
        if !well_formed(token) {
            return Ok(None);
        }
        let found: Option<(String, String)> = sqlx::query_as(
            "SELECT rooms.name, users.name FROM invites \
             JOIN rooms ON rooms.id = invites.room_id JOIN users ON users.id = invites.created_by \
             WHERE invites.token_sha256 = $1 AND invites.revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.map(|(room_name, invited_by)| InvitePreview { room_name, invited_by }))
    }

    /// The live invites of the private room `room`, oldest first, as its
    /// member `user` may see them (without their tokens, which are not kept).
    pub async fn invites(&self, room: RoomId, user: UserId) -> anyhow::Result<Result<Vec<Invite>, InviteProblem>> {
        if let Err(problem) = private_room(&self.pool, room, user).await? {
            return Ok(Err(problem));
        }
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT id, created_by, created_at FROM invites WHERE room_id = $1 AND revoked_at IS NULL ORDER BY id",
        )
        .bind(room.0 as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(Ok(rows
            .into_iter()
            .map(|(id, by, at)| Invite { id: id as u64, created_by: UserId(by as u64), created_at: at as u64 })
            .collect()))
    }

    /// Revokes an invite of the private room `room`: its token lets no one
    /// in from now on. Revoking it again changes nothing.
    pub async fn revoke_invite(
        &self,
        room: RoomId,
        user: UserId,
        invite: u64,
    ) -> anyhow::Result<Result<(), InviteProblem>> {
        let _turn = self.write_turn().await;
        if let Err(problem) = private_room(&self.pool, room, user).await? {
            return Ok(Err(problem));
        }
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM invites WHERE id = $1 AND room_id = $2")
            .bind(invite as i64)
            .bind(room.0 as i64)
            .fetch_optional(&self.pool)
            .await?;
        if found.is_none() {
            return Ok(Err(InviteProblem::NoSuchInvite));
        }
        sqlx::query("UPDATE invites SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_millis() as i64)
            .bind(invite as i64)
            .execute(&self.pool)
            .await?;
        Ok(Ok(()))
    }
}
