//! A person's own changes (their name, their settings), as every node shows
//! them: in the rooms where the person is present, and to every connection
//! of theirs, whole.
//!
//! What is shown is read from the store after the change, never taken from
//! the notice of it: two changes made at once through two nodes are
//! announced by each node as it answers, and the notices may reach a third
//! node in the other order. Had they carried the values, that node would be
//! left with the older one. Read after each notice instead, one person at a
//! time, the last reading comes after the last change, whatever the order.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use hanmadi_protocol::http::Settings;
use hanmadi_protocol::{encode, ServerFrame, UserId};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::bus::BusMessage;
use super::Delivery;
use crate::store::{Store, User};

/// The people whose connections here are to be told who they are now.
#[derive(Default)]
pub(super) struct ChangedPeople {
    /// Each once, in the order first heard.
    waiting: Mutex<Vec<UserId>>,
    woken: Notify,
    /// How many people this node has read again so far
    /// ([`Delivery::changes_read`]).
    read: AtomicU64,
}

/// How long a person whose reading failed waits to be read again.
const READ_AGAIN_AFTER: Duration = Duration::from_secs(1);

impl Delivery {
    /// `user` changed their name or settings, here or on another node: the
    /// rooms they are present in here, and their connections here, are told
    /// (`tell_people_what_changed`).
    pub(super) fn person_changed(&self, user: UserId) {
        let mut waiting = self.changed_people.waiting.lock().expect("changed people lock");
        if !waiting.contains(&user) {
            waiting.push(user);
        }
        drop(waiting);
        self.changed_people.woken.notify_one();
    }

    /// A count that moves each time this node reads a changed person again.
    /// A connection that read its person's name, then entered rooms under
    /// it, compares it before and after ([`Delivery::entered_as_read`]): a
    /// rename read meanwhile found no entry there to rename.
    pub fn changes_read(&self) -> u64 {
        self.changed_people.read.load(Ordering::Acquire)
    }

    /// `user` entered rooms here under the name read when
    /// [`Delivery::changes_read`] said `before`: if a changed person was read
    /// since, they are read again, as the rename may have been theirs.
    pub fn entered_as_read(&self, user: UserId, before: u64) {
        if self.changes_read() != before {
            self.person_changed(user);
        }
    }

    /// Until `shutdown`: reads who each changed person is now, renames them
    /// in every room they are present in and tells their connections here,
    /// one person at a time, so that no reading is shown after a later one.
    /// The entries this node holds for them, renamed, are announced again:
    /// another node may have taken a copy under the old name after it read
    /// the change itself.
    pub(super) async fn tell_people_what_changed(self: Arc<Self>, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.changed_people.woken.notified() => {}
            }
            let waiting = std::mem::take(&mut *self.changed_people.waiting.lock().expect("changed people lock"));
            for user in waiting {
                if !self.registry.is_signed_in(user) && !self.presence.holds(user) {
                    continue;
                }
                let (you, settings) = match self.store.you(user).await {
                    Ok(Some(you)) => you,
                    Ok(None) => continue,
                    Err(error) => {
                        tracing::warn!(
                            error = format!("{error:#}"),
                            "could not read a person who changed; trying again"
                        );
                        self.read_again_later(user);
                        continue;
                    }
                };
                // Counted once read and before any entry is renamed: a
                // connection that read the name before this reading and
                // entered a room after the renaming sees the count move.
                self.changed_people.read.fetch_add(1, Ordering::AcqRel);
                let renamed = self.presence.rename(&self.registry, user, &you.name);
                if !renamed.is_empty() {
                    self.announce(BusMessage::Present { node: self.node(), entries: renamed });
                }
                self.registry.tell(user, &you_frame(you, settings), None);
            }
        }
    }

    fn read_again_later(self: &Arc<Self>, user: UserId) {
        let delivery = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(READ_AGAIN_AFTER).await;
            delivery.person_changed(user);
        });
    }
}

/// Who `user` is and what they chose, as the store has it now: the frame
/// that tells a connection so, whole. `None` if it cannot be read (the
/// next welcome tells it).
pub async fn you_now(store: &Store, user: UserId) -> Option<Utf8Bytes> {
    match store.you(user).await {
        Ok(you) => you.map(|(you, settings)| you_frame(you, settings)),
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "could not read who a connection is");
            None
        }
    }
}

fn you_frame(you: User, settings: Settings) -> Utf8Bytes {
    encode(&you_changed(&you, settings)).into()
}

/// Who a connection's person is now: always whole, the name and the
/// settings, as a device may have missed any change (a connection is told
/// it on signing in too).
pub fn you_changed(you: &User, settings: Settings) -> ServerFrame {
    ServerFrame::YouChanged { name: Some(you.name.clone()), settings: Some(settings) }
}
