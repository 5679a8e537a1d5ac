//! Uploaded files: each content kept once by its SHA-256, each upload (one
//! person's copy under a name) by id, and which messages carry which uploads.
//! Who may read a file, what a message's attachments are, and what a deleted
//! message takes with it are all decided here (see docs/ARCHITECTURE.md,
//! Attachments).

use std::collections::HashMap;

use hanmadi_protocol::attachments::{Attachment, UploadProblem};
use hanmadi_protocol::{AttachmentId, MessageId, Millis, RejectCode, RoomId, Seq, UserId};
use sqlx::{Any, Transaction};

use super::{now_millis, Checked, Refusal, Store};
use crate::db::Dialect;
use crate::media::Described;

/// The columns that describe an upload, as [`Attachment`]: `a` is the upload,
/// `c` its content.
const DESCRIPTION: &str = "a.id, a.name, c.size, c.mime, c.width, c.height";
/// id, name, size, mime, width, height.
type Row = (i64, String, i64, String, Option<i64>, Option<i64>);
/// A message's id, then a [`Row`].
type Keyed = (i64, i64, String, i64, String, Option<i64>, Option<i64>);

fn attachment((id, name, size, mime, width, height): Row) -> Attachment {
    let pixels = |side: Option<i64>| side.and_then(|side| u32::try_from(side).ok());
    Attachment {
        id: AttachmentId(id as u64),
        name,
        size: size as u64,
        mime,
        width: pixels(width),
        height: pixels(height),
    }
}

/// A file to keep, read whole and hashed.
pub struct NewUpload<'a> {
    pub uploader: UserId,
    /// As [`crate::file_names::clean`] gives it.
    pub name: &'a str,
    /// Lower-case hex.
    pub sha256: &'a str,
    pub bytes: &'a [u8],
    /// What the bytes are; `None` when the content is kept already (see
    /// [`Store::has_content`]), so it is not decoded again.
    pub content: Option<&'a Described>,
}

/// An upload someone may read, and its content's hash: what is served under
/// the id never changes, so the hash is its `ETag`.
pub struct Served {
    pub attachment: Attachment,
    pub sha256: String,
}

impl Store {
    /// The upload `uploader` made of this content under this name, if any: a
    /// retried upload is answered with it and stores nothing.
    pub async fn upload_of(&self, uploader: UserId, sha256: &str, name: &str) -> anyhow::Result<Option<Attachment>> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {DESCRIPTION} FROM attachments a JOIN attachment_contents c ON c.sha256 = a.sha256 \
             WHERE a.uploader_id = $1 AND a.sha256 = $2 AND a.name = $3"
        ))
        .bind(uploader.0 as i64)
        .bind(sha256)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(attachment))
    }

    /// Whether this content is kept already (by anyone).
    pub async fn has_content(&self, sha256: &str) -> anyhow::Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT size FROM attachment_contents WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// Keeps an upload and its content (unless the content is kept already),
    /// unless it would take the uploader past `quota` bytes. The same upload
    /// made meanwhile (a retry racing the first try) is answered as kept.
    pub async fn keep_upload(
        &self,
        upload: NewUpload<'_>,
        quota: u64,
    ) -> anyhow::Result<Result<Attachment, UploadProblem>> {
        let me = upload.uploader.0 as i64;
        let (_turn, mut tx) = self.begin_write().await?;
        if self.dialect == Dialect::Postgres {
            // One upload of a person's at a time, on any node, so two at once
            // cannot both fit the quota that only one fits. (SQLite's writers
            // take turns already.)
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(me).execute(&mut *tx).await?;
        }
        let used: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(c.size), 0) AS BIGINT) FROM attachments a \
             JOIN attachment_contents c ON c.sha256 = a.sha256 WHERE a.uploader_id = $1",
        )
        .bind(me)
        .fetch_one(&mut *tx)
        .await?;
        let used = used as u64;
        if used.saturating_add(upload.bytes.len() as u64) > quota {
            return Ok(Err(UploadProblem::QuotaExceeded { used, max: quota }));
        }
        let now = now_millis() as i64;
        if let Some(content) = upload.content {
            let picture = content.picture.as_ref();
            let thumbnail = picture.and_then(|picture| picture.thumbnail.as_ref());
            sqlx::query(
                "INSERT INTO attachment_contents \
                 (sha256, bytes, size, mime, width, height, thumbnail, thumbnail_mime, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(upload.sha256)
            .bind(upload.bytes)
            .bind(upload.bytes.len() as i64)
            .bind(content.mime)
            .bind(picture.map(|picture| i64::from(picture.width)))
            .bind(picture.map(|picture| i64::from(picture.height)))
            .bind(thumbnail.map(|thumbnail| thumbnail.bytes.as_slice()))
            .bind(thumbnail.map(|thumbnail| thumbnail.mime))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO attachments (uploader_id, sha256, name, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (uploader_id, sha256, name) DO NOTHING",
        )
        .bind(me)
        .bind(upload.sha256)
        .bind(upload.name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row: Row = sqlx::query_as(&format!(
            "SELECT {DESCRIPTION} FROM attachments a JOIN attachment_contents c ON c.sha256 = a.sha256 \
             WHERE a.uploader_id = $1 AND a.sha256 = $2 AND a.name = $3"
        ))
        .bind(me)
        .bind(upload.sha256)
        .bind(upload.name)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(attachment(row)))
    }

    /// The upload, if `reader` may read it: they uploaded it, or a message
    /// (not deleted) carries it in a room they may read: one they are in, or
    /// a public one, which anyone may look into before joining (as its
    /// messages, `api::readable_room`). `None` alike for an upload that does
    /// not exist and one they may not read, so ids cannot be probed.
    pub async fn readable_attachment(&self, reader: UserId, id: AttachmentId) -> anyhow::Result<Option<Served>> {
        /// The description, and the content's hash.
        type Readable = (i64, String, i64, String, Option<i64>, Option<i64>, String);
        let row: Option<Readable> = sqlx::query_as(&format!(
            "SELECT {DESCRIPTION}, a.sha256 FROM attachments a JOIN attachment_contents c ON c.sha256 = a.sha256 \
             WHERE a.id = $1 AND (a.uploader_id = $2 OR EXISTS ( \
                 SELECT 1 FROM message_attachments ma JOIN messages m ON m.id = ma.message_id \
                 JOIN rooms r ON r.id = m.room_id \
                 WHERE ma.attachment_id = a.id AND m.deleted = 0 AND (r.kind = 'public' OR EXISTS ( \
                     SELECT 1 FROM memberships s WHERE s.room_id = m.room_id AND s.user_id = $2))))"
        ))
        .bind(id.0 as i64)
        .bind(reader.0 as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, name, size, mime, width, height, sha256)| Served {
            attachment: attachment((id, name, size, mime, width, height)),
            sha256,
        }))
    }

    /// A content's bytes and type, or its thumbnail's (the bytes themselves
    /// for an image too small to have one). `None` if it went meanwhile.
    pub async fn content_bytes(&self, sha256: &str, thumbnail: bool) -> anyhow::Result<Option<(Vec<u8>, String)>> {
        let query = if thumbnail {
            "SELECT COALESCE(thumbnail, bytes), COALESCE(thumbnail_mime, mime) FROM attachment_contents \
             WHERE sha256 = $1"
        } else {
            "SELECT bytes, mime FROM attachment_contents WHERE sha256 = $1"
        };
        Ok(sqlx::query_as(query).bind(sha256).fetch_optional(&self.pool).await?)
    }

    /// Deletes an upload of `uploader`'s that no message carries ("Remove
    /// attachment" before sending), and its content if nothing else refers to
    /// it. Whether there was such an upload.
    pub async fn remove_unsent_upload(&self, uploader: UserId, id: AttachmentId) -> anyhow::Result<bool> {
        let (_turn, mut tx) = self.begin_write().await?;
        let content: Option<String> = sqlx::query_scalar(
            "DELETE FROM attachments WHERE id = $1 AND uploader_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM message_attachments WHERE attachment_id = $1) RETURNING sha256",
        )
        .bind(id.0 as i64)
        .bind(uploader.0 as i64)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(content) = &content {
            drop_if_unused(&mut tx, content).await?;
        }
        tx.commit().await?;
        Ok(content.is_some())
    }

    /// Forgets up to `limit` uploads made before `before` that no message
    /// carries (files attached and never sent), and the contents left unused;
    /// returns how many uploads.
    pub async fn forget_unsent_uploads_before(&self, before: Millis, limit: u32) -> anyhow::Result<u64> {
        let (_turn, mut tx) = self.begin_write().await?;
        let contents: Vec<String> = sqlx::query_scalar(
            "DELETE FROM attachments WHERE id IN (SELECT a.id FROM attachments a WHERE a.created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = a.id) \
                 ORDER BY a.id LIMIT $2) \
             RETURNING sha256",
        )
        .bind(before as i64)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        for content in &contents {
            drop_if_unused(&mut tx, content).await?;
        }
        tx.commit().await?;
        Ok(contents.len() as u64)
    }

    /// The attachments of the room's messages with seqs in `first..=last`, by
    /// message, each in the order it was sent.
    pub(super) async fn attachments_of(
        &self,
        room: RoomId,
        first: Seq,
        last: Seq,
    ) -> anyhow::Result<HashMap<MessageId, Vec<Attachment>>> {
        let rows: Vec<Keyed> = sqlx::query_as(&format!(
            "SELECT ma.message_id, {DESCRIPTION} FROM message_attachments ma \
             JOIN messages m ON m.id = ma.message_id JOIN attachments a ON a.id = ma.attachment_id \
             JOIN attachment_contents c ON c.sha256 = a.sha256 \
             WHERE m.room_id = $1 AND m.seq >= $2 AND m.seq <= $3 ORDER BY ma.message_id, ma.position"
        ))
        .bind(room.0 as i64)
        .bind(first.0 as i64)
        .bind(last.0 as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut by_message: HashMap<MessageId, Vec<Attachment>> = HashMap::new();
        for (message, id, name, size, mime, width, height) in rows {
            by_message
                .entry(MessageId(message as u64))
                .or_default()
                .push(attachment((id, name, size, mime, width, height)));
        }
        Ok(by_message)
    }
}

/// The uploads a new message is to carry, described, if each exists and was
/// uploaded by `sender` (a message cannot pass on someone else's file).
/// Someone else's upload is refused in the same words as one that does not
/// exist, so that ids cannot be probed.
pub(super) async fn own_attachments(
    tx: &mut Transaction<'_, Any>,
    sender: UserId,
    ids: &[AttachmentId],
) -> anyhow::Result<Checked<Vec<Attachment>>> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {DESCRIPTION} FROM attachments a \
             JOIN attachment_contents c ON c.sha256 = a.sha256 WHERE a.id = $1 AND a.uploader_id = $2"
        ))
        .bind(id.0 as i64)
        .bind(sender.0 as i64)
        .fetch_optional(&mut **tx)
        .await?;
        match row {
            Some(row) => found.push(attachment(row)),
            None => return Ok(Err(Refusal::new(RejectCode::NotFound, format!("you have no attachment {id}")))),
        }
    }
    Ok(Ok(found))
}

/// Records that `message` carries `attachments`, in this order.
pub(super) async fn attach(
    tx: &mut Transaction<'_, Any>,
    message: MessageId,
    attachments: &[Attachment],
) -> anyhow::Result<()> {
    for (position, attachment) in attachments.iter().enumerate() {
        sqlx::query("INSERT INTO message_attachments (message_id, attachment_id, position) VALUES ($1, $2, $3)")
            .bind(message.0 as i64)
            .bind(attachment.id.0 as i64)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// What a deleted message takes with it: its attachments, each upload no
/// other message carries, and each content no upload is left to refer to
/// (its bytes and thumbnail are deleted, not hidden). An upload not yet sent,
/// by anyone, keeps its content.
pub(super) async fn release(tx: &mut Transaction<'_, Any>, message: MessageId) -> anyhow::Result<()> {
    let uploads: Vec<i64> =
        sqlx::query_scalar("DELETE FROM message_attachments WHERE message_id = $1 RETURNING attachment_id")
            .bind(message.0 as i64)
            .fetch_all(&mut **tx)
            .await?;
    for upload in uploads {
        let content: Option<String> = sqlx::query_scalar(
            "DELETE FROM attachments WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM message_attachments WHERE attachment_id = $1) RETURNING sha256",
        )
        .bind(upload)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(content) = content {
            drop_if_unused(tx, &content).await?;
        }
    }
    Ok(())
}

/// Deletes a content (its bytes and thumbnail) that no upload refers to any more.
async fn drop_if_unused(tx: &mut Transaction<'_, Any>, sha256: &str) -> anyhow::Result<()> {
    sqlx::query(
        "DELETE FROM attachment_contents WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = $1)",
    )
    .bind(sha256)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
