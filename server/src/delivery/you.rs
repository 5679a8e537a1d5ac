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

use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use hanmadi_protocol::http::Settings;
use hanmadi_protocol::{encode, ServerFrame, UserId};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::Delivery;
use crate::store::{Store, User};

/// The people whose connections here are to be told who they are now.
#[derive(Default)]
pub(super) struct ChangedPeople {
    /// Each once, in the order first heard.
    waiting: Mutex<Vec<UserId>>,
    woken: Notify,
}

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

    /// Until `shutdown`: reads who each changed person is now, renames them
    /// in every room they are present in and tells their connections here,
    /// one person at a time, so that no reading is shown after a later one.
    pub(super) async fn tell_people_what_changed(self: Arc<Self>, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.changed_people.woken.notified() => {}
            }
            let waiting = std::mem::take(&mut *self.changed_people.waiting.lock().expect("changed people lock"));
            for user in waiting {
                // Unreadable now, it is told at their next connect.
                let Some((you, settings)) = read_you(&self.store, user).await else { continue };
                self.presence.rename(&self.registry, user, &you.name);
                self.registry.tell(user, &you_frame(you, settings), None);
            }
        }
    }
}

/// Who `user` is and what they chose, as the store has it now: the frame
/// that tells a connection so, whole. `None` if it cannot be read (the
/// next welcome tells it).
pub async fn you_now(store: &Store, user: UserId) -> Option<Utf8Bytes> {
    read_you(store, user).await.map(|(you, settings)| you_frame(you, settings))
}

async fn read_you(store: &Store, user: UserId) -> Option<(User, Settings)> {
    store.you(user).await.unwrap_or_else(|error| {
        tracing::warn!(error = format!("{error:#}"), "could not read who a person is");
        None
    })
}

fn you_frame(you: User, settings: Settings) -> Utf8Bytes {
    encode(&ServerFrame::YouChanged { name: Some(you.name), settings: Some(settings) }).into()
}
