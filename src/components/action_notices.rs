//! The one place where the page says what became of your actions that nothing
//! else shows: those still waiting ("Joining “lobby”…", "Saving your edit…")
//! and those the server refused or the outbox had no room for ("Couldn't edit
//! the message: that message was deleted"). Messages and reactions are not
//! listed here: they show their own state where they are drawn ("Sending…",
//! "Not sent", a chip that appears at once).
//!
//! An action is listed as waiting only once it has waited a moment, so the
//! list does not flicker for actions the server answers at once. A refusal
//! stays until dismissed or replaced by the next one, so a screen reader user
//! hears it and nobody misses it.

use std::time::Duration;

use hanmadi_protocol::{Action, ActionKey};
use leptos::prelude::*;

use super::keyed::{keyed_list, RowKey};
use super::reactive::{effect, handler, redrawn};
use crate::i18n::{lang, t};
use crate::store::{waiting_unseen, Store};

/// How long an action waits before it is listed: longer than an answer takes
/// on a healthy connection.
const LIST_AFTER: Duration = Duration::from_millis(700);

#[component]
pub fn ActionNotices() -> impl IntoView {
    let store = expect_context::<Store>();
    let refused = store.refused();
    let outbox = store.outbox();
    let rooms = store.rooms();

    // The keys that were already waiting a moment ago; what is listed is
    // what is still waiting among them.
    let waited = RwSignal::new(Vec::<ActionKey>::new());
    effect({
        let outbox = outbox.clone();
        move || {
            let keys: Vec<ActionKey> = outbox.with(|outbox| waiting_unseen(outbox).map(|p| p.key.clone()).collect());
            set_timeout(move || waited.set(keys), LIST_AFTER);
        }
    });
    let listed = move || {
        let waited = waited.get();
        outbox.with(|outbox| {
            waiting_unseen(outbox)
                .filter(|pending| waited.contains(&pending.key))
                .map(|pending| (pending.key.clone(), waiting_text(&pending.action, &rooms)))
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div class="action-notices">
            <ul class="waiting-actions" aria-live="polite" aria-label=t().waiting_actions>
                // Keyed by its words too: a row whose words change is drawn anew.
                {keyed_list(
                    listed,
                    |(key, text)| RowKey::Text(format!("{key} {text}")),
                    |(_, text)| view! { <li class="waiting-action">{text}</li> }.into_any(),
                )}
            </ul>
            <div role="alert">
                {redrawn(move || {
                    refused
                        .get()
                        .map(|notice| {
                            let why = match notice.code {
                                Some(code) => {
                                    lang().action_refused(&notice.action, code, &notice.reason, notice.problem.as_ref())
                                }
                                None => notice.reason.clone(),
                            };
                            view! {
                                <p class="refused-box">
                                    <span>{lang().not_done(&notice.action, &why)}</span>
                                    <button type="button" on:click={
                                        let store = store.clone();
                                        handler(move |_| store.dismiss_refusal())
                                    }>{t().dismiss}</button>
                                </p>
                            }
                        })
                        .into_any()
                })}
            </div>
        </div>
    }
}

/// "Joining “lobby”…", with the room's name as the list knows it.
fn waiting_text(action: &Action, rooms: &ArcReadSignal<Vec<crate::store::RoomInfo>>) -> String {
    let room_name = |id| rooms.with(|rooms| rooms.iter().find(|room| room.id == id).map(|room| room.name.clone()));
    let name = action.room().and_then(room_name).unwrap_or_default();
    lang().waiting(action, &name)
}
