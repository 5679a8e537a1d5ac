//! Each room's newest message, as the rooms list shows it under the room's
//! name (a direct conversation's, under the other person's).

use std::collections::HashMap;

use hanmadi_protocol::http::LastMessage;
use hanmadi_protocol::limits::LAST_MESSAGE_LISTED_CHARS;
use hanmadi_protocol::{markup, MessageId, RoomId, Seq, UserId};
use sqlx::{Any, Pool};

/// The newest message still there (not deleted) in each of `user`'s rooms
/// with an id in `after < id <= through`, by room, its author named as they
/// said it (as the room shows it, and as the app hears it live), and its
/// text cut to what a preview needs. Their rooms are found by their memberships (however many other
/// rooms there are), and each message by the messages' `(room_id, seq)`
/// index, from the newest back past any deleted.
pub(super) async fn last_messages(
    pool: &Pool<Any>,
    user: UserId,
    after: RoomId,
    through: RoomId,
) -> anyhow::Result<HashMap<RoomId, LastMessage>> {
    /// room, id, seq, when, author, their name, body, files, the first file's name.
    type Row = (i64, i64, i64, i64, i64, String, String, i64, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.room_id, l.id, l.seq, l.created_at, l.author_id, l.author_name, l.body, \
             CAST((SELECT COUNT(*) FROM message_attachments f WHERE f.message_id = l.id) AS BIGINT), \
             (SELECT a.name FROM message_attachments f JOIN attachments a ON a.id = f.attachment_id \
                 WHERE f.message_id = l.id ORDER BY f.position LIMIT 1) \
         FROM memberships me \
         JOIN messages l ON l.id = (SELECT g.id FROM messages g WHERE g.room_id = me.room_id AND g.deleted = 0 \
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
        .map(|(room, id, seq, at, author, author_name, mut text, files, first_file)| {
            text.truncate(markup::start_of(&text, LAST_MESSAGE_LISTED_CHARS).len());
            let last = LastMessage {
                id: MessageId(id as u64),
                seq: Seq(seq as u64),
                at: at as u64,
                author: UserId(author as u64),
                author_name,
                text,
                files: u32::try_from(files).unwrap_or(u32::MAX),
                first_file,
            };
            (RoomId(room as u64), last)
        })
        .collect())
}
