//! Files sent with messages. The bytes travel over HTTP (`POST
//! /api/attachments`), never the socket, so a large file never holds up chat
//! frames; a message refers to what was uploaded by [`AttachmentId`] and
//! carries each file's [`Attachment`] description, so the app can lay the
//! message out (an image's box at its size) before any byte is loaded.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::json::{unknown_variant, Error, FromJson, Json};
use crate::AttachmentId;

/// Most files one message may carry.
pub const MAX_ATTACHMENTS: usize = 10;

/// One uploaded file as a message shows it: the upload's answer, and each
/// entry of a message's `attachments` in events and history pages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub id: AttachmentId,
    /// The file's name as the uploader gave it (without folders), for the
    /// "Download" link; the server serves the bytes under a safe form of it.
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// What the server found the bytes to be, never what the client said:
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp` for an image it
    /// could read, `application/octet-stream` for anything else.
    pub mime: String,
    /// An image's size in pixels as it is shown (its orientation applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl Attachment {
    /// Whether the server serves it inline (with a thumbnail): one of the raster
    /// images it decoded. Everything else is a download.
    pub fn is_image(&self) -> bool {
        self.width.is_some()
    }
}

/// Why an upload was refused, as a code with its parameters
/// (`{"kind":"file_too_large","max":10485760}`) for the app to word in its
/// user's language; `Display` is the English sentence. Sizes are in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UploadProblem {
    /// The file is larger than `max` (413).
    FileTooLarge { max: u64 },
    /// Keeping it would take the uploader past their storage quota: `used`
    /// of `max` is taken by their files already (413).
    QuotaExceeded { used: u64, max: u64 },
    /// More than `per_minute` uploads a minute; try again in `retry_after`
    /// seconds (429, also as `Retry-After`).
    TooManyUploads { per_minute: u32, retry_after: u64 },
}

impl fmt::Display for UploadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            UploadProblem::FileTooLarge { max } => write!(f, "the file is larger than the limit of {max} bytes"),
            UploadProblem::QuotaExceeded { used, max } => {
                write!(f, "your files already take {used} of your {max} bytes; delete some to upload this one")
            }
            UploadProblem::TooManyUploads { per_minute, retry_after } => {
                write!(f, "more than {per_minute} uploads a minute; try again in {retry_after} s")
            }
        }
    }
}

impl FromJson for Attachment {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Attachment")?;
        let attachment = Attachment {
            id: o.field("id")?,
            name: o.field("name")?,
            size: o.field("size")?,
            mime: o.field("mime")?,
            width: o.optional("width")?,
            height: o.optional("height")?,
        };
        o.deny_unknown()?;
        Ok(attachment)
    }
}

impl FromJson for UploadProblem {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("internally tagged enum UploadProblem")?;
        Ok(match o.tag("kind")?.as_str() {
            "file_too_large" => UploadProblem::FileTooLarge { max: o.field("max")? },
            "quota_exceeded" => UploadProblem::QuotaExceeded { used: o.field("used")?, max: o.field("max")? },
            "too_many_uploads" => UploadProblem::TooManyUploads {
                per_minute: o.field("per_minute")?,
                retry_after: o.field("retry_after")?,
            },
            other => return Err(unknown_variant(other)),
        })
    }
}
