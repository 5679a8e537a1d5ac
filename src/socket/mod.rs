//! The one shared socket, as the rest of the app sees it.
//!
//! Three layers (see `docs/ARCHITECTURE.md`, "The socket"): `hanmadi-client-core` decides everything;
//! [`adapter`] turns browser events into its inputs and performs its outputs; this
//! module provides the result to components as a context of signals and actions.
//! No other module opens a `WebSocket`.

mod adapter;
mod browser_events;
mod clock;
pub(crate) mod live_socket;
mod open_tabs;
pub(crate) mod saved_outbox;
mod session_ended;
mod tabs;

use std::cell::RefCell;
use std::rc::Rc;

use hanmadi_client_core::{Instant, OutboxFull, Status};
use hanmadi_protocol::http::Settings;
use hanmadi_protocol::{Action, ActionKey, RoomId};
use leptos::prelude::*;

use crate::components::reactive::effect;
use crate::i18n::lang;
use crate::session::{self, Session};
use crate::store::Store;
pub use adapter::token_refused;
use adapter::Adapter;

/// Handed to every component through context. `Copy`, so closures can capture it.
#[derive(Clone, Copy)]
pub struct SocketContext {
    /// What the connection badge shows.
    pub status: ReadSignal<Status>,
    /// Who we are; `None` until the first-run prompt has made a guest session.
    pub session: ReadSignal<Option<Session>>,
    /// Signing out is under way (the server is being told, then the page
    /// starts over): nothing more may be done as the person leaving.
    pub signing_out: RwSignal<bool>,
    adapter: StoredValue<Rc<RefCell<Adapter>>, LocalStorage>,
}

impl SocketContext {
    /// A guest session was just created: remember it and connect with it.
    pub fn sign_in(&self, session: Session) {
        self.adapter.with_value(|adapter| {
            adapter::signed_in(adapter, session);
            if let Some(tabs) = &adapter.borrow().tabs {
                tabs.signed_in();
            }
        });
    }

    /// "Sign out": the engine closes the socket and empties the outbox (the
    /// caller has asked the user first), the server ends the session, and
    /// the page starts over at the first-run prompt.
    pub fn sign_out(&self) {
        self.signing_out.set(true);
        self.adapter.with_value(|adapter| {
            adapter::drive(adapter, |client, now| client.sign_out(now));
            let ending = session::end();
            // Before the server hears, so the leading tab sends nothing more
            // of what was dropped; after the session is forgotten, so no tab
            // starting over finds it.
            if let Some(tabs) = &adapter.borrow().tabs {
                tabs.signed_out();
            }
            leptos::task::spawn_local(async move {
                if let Err(why) = ending.await {
                    crate::console::warn(format_args!("signed out here, but the server did not hear it: {why}"));
                }
                adapter::start_over();
            });
        });
    }

    /// We renamed ourselves, or chose other settings (whichever is given),
    /// as the server took it: the session is saved so, and the header and
    /// "Seen" follow here at once. Our other tabs and devices hear it from
    /// the server (`Event::YouChanged`), as everyone else hears a new name
    /// through presence and new messages.
    pub fn you_changed(&self, name: Option<&str>, settings: Option<Settings>) {
        self.adapter.with_value(|adapter| adapter::you_changed(adapter, name, settings, true));
    }

    /// The user did something: queued with an idempotency key, sent when
    /// possible. A full outbox refuses it, and the page says so (the caller
    /// only keeps what the user typed).
    pub fn act(&self, action: Action) -> Result<ActionKey, OutboxFull> {
        let mut result = None;
        self.adapter.with_value(|adapter| {
            adapter::drive(adapter, |client, now| result = Some(client.act(now, action.clone())));
            if let Some(Err(full)) = &result {
                adapter.borrow().store.refuse(action, lang().outbox_full(full.capacity));
            }
        });
        result.expect("drive runs its input")
    }

    /// A fresh idempotency key, for a message that waits for its files
    /// (`crate::parcels`) before [`SocketContext::act_as`] makes it.
    pub fn reserve_key(&self) -> ActionKey {
        let mut key = None;
        self.adapter.with_value(|adapter| adapter::drive(adapter, |client, _| key = Some(client.reserve_key())));
        key.expect("drive runs its input")
    }

    /// [`SocketContext::act`] under a reserved key; made again under the same
    /// key, it is still applied once.
    pub fn act_as(&self, key: ActionKey, action: Action) -> Result<(), OutboxFull> {
        let mut result = None;
        self.adapter.with_value(|adapter| {
            adapter::drive(adapter, |client, now| result = Some(client.act_as(now, key.clone(), action.clone())));
            if let Some(Err(full)) = &result {
                adapter.borrow().store.refuse(action, lang().outbox_full(full.capacity));
            }
        });
        result.expect("drive runs its input")
    }

    /// "Retry" on a message that was not sent.
    pub fn retry(&self, key: ActionKey) {
        self.adapter.with_value(|adapter| {
            adapter::drive(adapter, |client, now| {
                client.retry_action(now, &key);
            })
        });
    }

    /// "Delete" on a message that was not sent.
    pub fn discard(&self, key: ActionKey) {
        self.adapter.with_value(|adapter| {
            adapter::drive(adapter, |client, _| {
                client.discard_action(&key);
            })
        });
    }

    /// A keystroke in a room's composer.
    pub fn typing(&self, room: RoomId) {
        self.adapter.with_value(|adapter| adapter::drive(adapter, |client, now| client.typing(now, room)));
    }

    /// The room is on screen (just opened, its history loaded, or the page
    /// shown again): read, if the page is visible.
    pub fn read(&self, room: RoomId) {
        self.adapter.with_value(|adapter| {
            let store = adapter.borrow().store.clone();
            adapter::read_if_on_screen(Rc::downgrade(adapter), &store, room, None);
        });
    }

    /// "Mark all as read": every room of yours is read up to the newest of
    /// it this tab knows of, and the server and the other tabs hear of each.
    /// False if nothing was unread.
    pub fn mark_all_read(&self) -> bool {
        self.adapter.with_value(|adapter| {
            let store = adapter.borrow().store.clone();
            adapter::mark_all_read(Rc::downgrade(adapter), &store)
        })
    }

    /// The user pressed "Retry now".
    pub fn retry_now(&self) {
        self.adapter.with_value(|adapter| adapter::drive(adapter, |client, now| client.retry_now(now)));
    }

    /// The clock the socket runs on, to turn a status's `next_try` into seconds.
    pub fn now(&self) -> Instant {
        clock::now()
    }
}

/// Creates the socket, starts connecting if a session was saved, and provides
/// [`SocketContext`]. Call once, at the root.
pub fn provide_socket(store: Store) -> SocketContext {
    let saved = session::saved();
    let (status, set_status) = signal(if saved.is_some() { Status::Connecting } else { Status::Closed });
    let (session, set_session) = signal(saved);
    follow_shares_seen(store.clone(), session);
    let adapter = Adapter::start(set_status, set_session, store);
    browser_events::listen(&adapter);
    let context =
        SocketContext { status, session, signing_out: RwSignal::new(false), adapter: StoredValue::new_local(adapter) };
    provide_context(context);
    context
}

/// "Seen" follows the session's settings, however they changed: chosen in
/// this tab, or in another tab or on another device and told by the server.
fn follow_shares_seen(store: Store, session: ReadSignal<Option<Session>>) {
    effect(move || {
        store.set_shares_seen(
            session.with(|session| session.as_ref().is_none_or(|session| session.settings.shares_seen)),
        )
    });
}

/// The socket context; panics outside [`provide_socket`]'s tree, which is a bug.
pub fn use_socket() -> SocketContext {
    expect_context()
}
