//! Where each member has read each room up to: kept on the server, so unread
//! counts and the "New messages" line survive reloads and follow the person
//! to their other tabs and devices. [`Store::rooms_for`] reports them with
//! the list.

use hanmadi_protocol::{RoomId, Seq, UserId};

use super::Store;

/// What became of a read position a connection reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPosition {
    /// It moved forward, `to` this seq (the one asked for, or the room's
    /// head if that was beyond it). In a direct room, `direct_with` is the
    /// other person, who is told what of theirs was seen, if both share what
    /// they read (and the shared position moved with it).
    Moved { to: Seq, direct_with: Option<UserId> },
    /// It was already there or further (`at`): another tab read further
    /// first, or the report is a repeat after a reconnect. (Or it was at the
    /// room's head already, and the report is past it.)
    Unchanged { at: Seq },
    /// The person is not in the room (or there is no such room).
    NotMember,
}

/// Where a report moves a position to: the seq asked for (`$3`), or the
/// room's (`$1`) head if that was beyond it. An SQL expression.
macro_rules! moved_to {
    () => {
        "(SELECT CASE WHEN r.head_seq < $3 THEN r.head_seq ELSE $3 END FROM rooms r WHERE r.id = $1)"
    };
}

impl Store {
    /// `user` has read `room` up to `seq`. The position only moves forward, so
    /// reports from several tabs arriving in any order end at the furthest,
    /// and never past the room's head, so a made-up seq cannot hide messages
    /// still to come.
    pub async fn read_up_to(&self, user: UserId, room: RoomId, seq: Seq) -> anyhow::Result<ReadPosition> {
        let (room_id, user_id) = (room.0 as i64, user.0 as i64);
        let wanted = i64::try_from(seq.0).unwrap_or(i64::MAX);
        let moved: Option<(i64, i64, Option<i64>)> = {
            let _turn = self.write_turn().await;
            // The condition is checked again on the row once it is locked, so
            // of two reports racing on PostgreSQL the lower cannot win. The
            // shared position follows only while both of a direct room's
            // pair share what they read: then it moves with the position,
            // and the other person is told.
            sqlx::query_as(concat!(
                "UPDATE memberships SET read_seq = ",
                moved_to!(),
                ", shared_read_seq = CASE WHEN EXISTS (SELECT 1 FROM direct_rooms d WHERE d.room_id = $1 AND ",
                both_share_seen!(),
                ") THEN ",
                moved_to!(),
                " ELSE shared_read_seq END \
                 WHERE room_id = $1 AND user_id = $2 AND read_seq < $3 \
                     AND read_seq < (SELECT r.head_seq FROM rooms r WHERE r.id = $1) \
                 RETURNING read_seq, shared_read_seq, (SELECT ",
                other_in_pair!("$2"),
                " FROM direct_rooms d WHERE d.room_id = $1)",
            ))
            .bind(room_id)
            .bind(user_id)
            .bind(wanted)
            .fetch_optional(&self.pool)
            .await?
        };
        if let Some((read, shared, direct_with)) = moved {
            let direct_with = direct_with.filter(|_| shared == read).map(|user| UserId(user as u64));
            return Ok(ReadPosition::Moved { to: Seq(read as u64), direct_with });
        }
        // Where it is, or whether they are a member, is asked only when
        // nothing moved: the common case, a report that moves, is one query.
        let at: Option<i64> =
            sqlx::query_scalar("SELECT read_seq FROM memberships WHERE room_id = $1 AND user_id = $2")
                .bind(room_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match at {
            Some(at) => ReadPosition::Unchanged { at: Seq(at as u64) },
            None => ReadPosition::NotMember,
        })
    }
}
