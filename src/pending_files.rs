//! The files of a message being written: each one uploading, uploaded (with
//! the server's id) or not uploaded (and why). A message goes to the outbox
//! only once every file has its id ([`PendingFiles::ready`]): the outbox may
//! resend an action long after, from another tab, and an action can only name
//! files the server already holds.
//!
//! Plain data, keyed by [`FileKey`]: the browser's handles of the files (the
//! bytes to upload, the request under way) are kept beside it by the
//! composer, so this state can be saved and brought back as it is.

use hanmadi_protocol::attachments::{Attachment, UploadProblem, MAX_ATTACHMENTS};
use hanmadi_protocol::AttachmentId;

/// One file of the draft, unique within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileKey(pub u32);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingFile {
    pub key: FileKey,
    pub name: String,
    /// Bytes.
    pub size: u64,
    pub state: FileState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    /// `sent` of the file's bytes have gone so far.
    Uploading {
        sent: u64,
    },
    Uploaded(Attachment),
    NotUploaded(UploadFailure),
}

/// Why a file was not uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadFailure {
    /// Refused with a code the app words (too large, over the quota, too many).
    Refused(UploadProblem),
    /// Refused for another reason, in the server's own words.
    Other(String),
    /// No answer: offline, or the connection broke on the way, or a proxy
    /// said the server behind it cannot be reached (502, 503).
    Unreachable,
}

impl UploadFailure {
    /// Whether sending the same bytes again may work: a file too large stays
    /// too large, so it is offered no Retry; the quota frees up as files are
    /// deleted, and the rest pass with time.
    pub fn may_pass_on_retry(&self) -> bool {
        !matches!(self, UploadFailure::Refused(UploadProblem::FileTooLarge { .. }))
    }

    /// The refusal that asking again now would get (a file too large, over
    /// the quota): kept with a message waiting with the file, so that no tab
    /// and no reload uploads it only to be refused. `None` for a failure
    /// that may pass by itself (too many uploads a minute, another refusal,
    /// no answer).
    pub fn lasting(&self) -> Option<UploadProblem> {
        match self {
            UploadFailure::Refused(
                problem @ (UploadProblem::FileTooLarge { .. } | UploadProblem::QuotaExceeded { .. }),
            ) => Some(*problem),
            _ => None,
        }
    }
}

/// Whether the draft's files let its message go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ready {
    /// Every file is uploaded: these ids (none for a message without files).
    Files(Vec<AttachmentId>),
    /// Some are still uploading.
    Uploading,
    /// Some could not be uploaded: they are to be tried again or removed.
    NotUploaded,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingFiles {
    files: Vec<PendingFile>,
    next_key: u32,
}

impl PendingFiles {
    pub fn files(&self) -> &[PendingFile] {
        &self.files
    }

    pub fn file(&self, key: FileKey) -> Option<&PendingFile> {
        self.files.iter().find(|file| file.key == key)
    }

    /// Adds a file, its upload starting; `None` when the message already has
    /// as many files as one may carry.
    pub fn add(&mut self, name: String, size: u64) -> Option<FileKey> {
        if self.files.len() >= MAX_ATTACHMENTS {
            return None;
        }
        let key = FileKey(self.next_key);
        self.next_key += 1;
        self.files.push(PendingFile { key, name, size, state: FileState::Uploading { sent: 0 } });
        Some(key)
    }

    /// `sent` bytes of the file have gone (a retried request starts again at 0).
    pub fn progress(&mut self, key: FileKey, sent: u64) {
        if let Some(file) = self.file_mut(key) {
            if let FileState::Uploading { sent: was } = &mut file.state {
                *was = sent.min(file.size);
            }
        }
    }

    /// The server holds the file. Returns whether the draft still wants that
    /// upload: not when the file was removed meanwhile (delete the server's
    /// copy then). A file that turns out to be the same upload as another of
    /// the draft (the same bytes under the same name) is dropped, since a
    /// message names each upload once.
    pub fn uploaded(&mut self, key: FileKey, attachment: Attachment) -> bool {
        let held_elsewhere = self.holds(attachment.id);
        let Some(index) = self.files.iter().position(|file| file.key == key) else {
            return held_elsewhere;
        };
        if held_elsewhere {
            self.files.remove(index);
        } else {
            self.files[index].state = FileState::Uploaded(attachment);
        }
        true
    }

    pub fn failed(&mut self, key: FileKey, failure: UploadFailure) {
        if let Some(file) = self.file_mut(key) {
            file.state = FileState::NotUploaded(failure);
        }
    }

    /// "Retry" on a file that was not uploaded: returns whether its upload is
    /// to start again.
    pub fn retry(&mut self, key: FileKey) -> bool {
        match self.file_mut(key) {
            Some(file) if matches!(&file.state, FileState::NotUploaded(failure) if failure.may_pass_on_retry()) => {
                file.state = FileState::Uploading { sent: 0 };
                true
            }
            _ => false,
        }
    }

    /// "Remove attachment": returns the upload the draft no longer needs, if
    /// the file had one, for the server to forget.
    pub fn remove(&mut self, key: FileKey) -> Option<AttachmentId> {
        let index = self.files.iter().position(|file| file.key == key)?;
        match self.files.remove(index).state {
            FileState::Uploaded(attachment) if !self.holds(attachment.id) => Some(attachment.id),
            _ => None,
        }
    }

    /// The message went to the outbox with the files: the draft starts empty.
    pub fn clear(&mut self) {
        self.files.clear();
    }

    pub fn ready(&self) -> Ready {
        let mut ids = Vec::with_capacity(self.files.len());
        let mut uploading = false;
        for file in &self.files {
            match &file.state {
                FileState::Uploaded(attachment) => ids.push(attachment.id),
                FileState::Uploading { .. } => uploading = true,
                FileState::NotUploaded(_) => return Ready::NotUploaded,
            }
        }
        if uploading {
            Ready::Uploading
        } else {
            Ready::Files(ids)
        }
    }

    /// Whether what holds the message back is only the connection: some file
    /// could not reach the server, and none was refused by it. Such a message
    /// can wait, files and all, for the connection (`crate::parcels`).
    pub fn waits_for_network(&self) -> bool {
        let failures = self.files.iter().filter_map(|file| match &file.state {
            FileState::NotUploaded(failure) => Some(failure),
            _ => None,
        });
        let mut failures = failures.peekable();
        failures.peek().is_some() && failures.all(|failure| *failure == UploadFailure::Unreachable)
    }

    /// The uploads the draft holds, for the server to forget when the draft
    /// is thrown away.
    pub fn uploads(&self) -> impl Iterator<Item = AttachmentId> + '_ {
        self.files.iter().filter_map(|file| match &file.state {
            FileState::Uploaded(attachment) => Some(attachment.id),
            _ => None,
        })
    }

    fn holds(&self, id: AttachmentId) -> bool {
        self.uploads().any(|held| held == id)
    }

    fn file_mut(&mut self, key: FileKey) -> Option<&mut PendingFile> {
        self.files.iter_mut().find(|file| file.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refusal_that_asking_again_would_get_is_lasting() {
        let too_large = UploadProblem::FileTooLarge { max: 5 };
        let over_quota = UploadProblem::QuotaExceeded { used: 4, max: 5 };
        assert_eq!(UploadFailure::Refused(too_large).lasting(), Some(too_large));
        assert_eq!(UploadFailure::Refused(over_quota).lasting(), Some(over_quota));
        let too_many = UploadProblem::TooManyUploads { per_minute: 30, retry_after: 2 };
        assert_eq!(UploadFailure::Refused(too_many).lasting(), None);
        assert_eq!(UploadFailure::Other("no name".into()).lasting(), None);
        assert_eq!(UploadFailure::Unreachable.lasting(), None);
    }

    fn attachment(id: u64, name: &str) -> Attachment {
        Attachment {
            id: AttachmentId(id),
            name: name.into(),
            size: 10,
            mime: "application/octet-stream".into(),
            width: None,
            height: None,
        }
    }

    #[test]
    fn a_message_waits_until_every_file_has_its_id() {
        let mut draft = PendingFiles::default();
        assert_eq!(draft.ready(), Ready::Files(Vec::new()), "no files: the text goes alone");
        let photo = draft.add("photo.png".into(), 1000).unwrap();
        let notes = draft.add("notes.txt".into(), 10).unwrap();
        assert_eq!(draft.ready(), Ready::Uploading);
        draft.progress(photo, 400);
        draft.progress(photo, 5000);
        assert_eq!(draft.files()[0].state, FileState::Uploading { sent: 1000 }, "never past the size");
        assert!(draft.uploaded(notes, attachment(7, "notes.txt")));
        assert_eq!(draft.ready(), Ready::Uploading, "the photo is still on its way");
        assert!(draft.uploaded(photo, attachment(6, "photo.png")));
        assert_eq!(draft.ready(), Ready::Files(vec![AttachmentId(6), AttachmentId(7)]), "in the order added");
        draft.clear();
        assert!(draft.files().is_empty());
    }

    #[test]
    fn a_file_not_uploaded_holds_the_message_until_retried_or_removed() {
        let mut draft = PendingFiles::default();
        let big = draft.add("big.mov".into(), 50 << 20).unwrap();
        let small = draft.add("small.txt".into(), 10).unwrap();
        draft.uploaded(small, attachment(3, "small.txt"));
        draft.failed(big, UploadFailure::Unreachable);
        assert_eq!(draft.ready(), Ready::NotUploaded);
        assert!(!draft.retry(small), "only a file not uploaded is retried");
        assert!(draft.retry(big));
        assert_eq!(draft.ready(), Ready::Uploading);
        draft.failed(big, UploadFailure::Refused(UploadProblem::FileTooLarge { max: 10 << 20 }));
        assert!(!draft.retry(big), "a file too large stays too large: no Retry");
        assert_eq!(draft.ready(), Ready::NotUploaded);
        assert_eq!(draft.remove(big), None, "nothing of it reached the server");
        assert_eq!(draft.ready(), Ready::Files(vec![AttachmentId(3)]));
    }

    #[test]
    fn removing_a_file_lets_the_server_forget_its_upload_unless_another_holds_it() {
        let mut draft = PendingFiles::default();
        let first = draft.add("a.txt".into(), 10).unwrap();
        let again = draft.add("a.txt".into(), 10).unwrap();
        let other = draft.add("b.txt".into(), 10).unwrap();
        assert!(draft.uploaded(first, attachment(1, "a.txt")));
        assert!(draft.uploaded(again, attachment(1, "a.txt")), "the same upload: kept once");
        assert_eq!(draft.files().len(), 2);
        assert!(draft.uploaded(other, attachment(2, "b.txt")));
        assert_eq!(draft.remove(other), Some(AttachmentId(2)));
        assert_eq!(draft.remove(first), Some(AttachmentId(1)));
        assert_eq!(draft.remove(first), None, "removed already");
        assert!(draft.files().is_empty());
    }

    #[test]
    fn an_upload_finishing_after_its_file_was_removed_is_not_wanted() {
        let mut draft = PendingFiles::default();
        let gone = draft.add("gone.png".into(), 10).unwrap();
        let kept = draft.add("kept.png".into(), 10).unwrap();
        assert_eq!(draft.remove(gone), None, "still uploading: nothing to forget yet");
        assert!(!draft.uploaded(gone, attachment(4, "gone.png")), "the server may forget it");
        draft.uploaded(kept, attachment(5, "kept.png"));
        let removed_twin = draft.add("kept.png".into(), 10).unwrap();
        draft.remove(removed_twin);
        assert!(draft.uploaded(removed_twin, attachment(5, "kept.png")), "kept.png still holds that upload");
        assert_eq!(draft.uploads().collect::<Vec<_>>(), [AttachmentId(5)]);
    }

    #[test]
    fn a_message_whose_files_only_lack_a_connection_can_wait_for_one() {
        let mut draft = PendingFiles::default();
        assert!(!draft.waits_for_network(), "nothing holds it back");
        let photo = draft.add("photo.png".into(), 10).unwrap();
        let notes = draft.add("notes.txt".into(), 10).unwrap();
        draft.failed(photo, UploadFailure::Unreachable);
        assert!(draft.waits_for_network());
        draft.failed(notes, UploadFailure::Refused(UploadProblem::FileTooLarge { max: 5 }));
        assert!(!draft.waits_for_network(), "a refused file would be refused again later");
        draft.remove(notes);
        assert!(draft.waits_for_network());
    }

    #[test]
    fn a_message_carries_at_most_ten_files() {
        let mut draft = PendingFiles::default();
        for n in 0..MAX_ATTACHMENTS {
            assert!(draft.add(format!("{n}.txt"), 1).is_some());
        }
        assert_eq!(draft.add("one too many.txt".into(), 1), None);
        let first = draft.files()[0].key;
        draft.remove(first);
        assert!(draft.add("fits now.txt".into(), 1).is_some());
        let keys: std::collections::HashSet<_> = draft.files().iter().map(|file| file.key).collect();
        assert_eq!(keys.len(), MAX_ATTACHMENTS, "keys are never reused");
    }
}
