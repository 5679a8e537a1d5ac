//! The one shared socket, as the rest of the app sees it.
//!
//! Three layers (see `shared/DESIGN.md`): `hanmadi-client-core` decides everything;
//! [`adapter`] turns browser events into its inputs and performs its outputs; this
//! module provides the result to components as a context of signals and actions.
//! No other module opens a `WebSocket`.

mod adapter;
mod browser_events;
mod clock;
mod live_socket;
mod saved_outbox;

use std::cell::RefCell;
use std::rc::Rc;

use hanmadi_client_core::{Instant, Status};
use leptos::prelude::*;

use adapter::Adapter;

/// Handed to every component through context. `Copy`, so closures can capture it.
#[derive(Clone, Copy)]
pub struct SocketContext {
    /// What the connection badge shows.
    pub status: ReadSignal<Status>,
    adapter: StoredValue<Rc<RefCell<Adapter>>, LocalStorage>,
}

impl SocketContext {
    /// The user pressed "Retry now".
    pub fn retry_now(&self) {
        self.adapter.with_value(|adapter| adapter::drive(adapter, |client, now| client.retry_now(now)));
    }

    /// The clock the socket runs on, to turn a status's `next_try` into seconds.
    pub fn now(&self) -> Instant {
        clock::now()
    }
}

/// Creates the socket, starts connecting and provides [`SocketContext`]. Call once,
/// at the root.
pub fn provide_socket() {
    let (status, set_status) = signal(Status::Connecting);
    let adapter = Adapter::start(set_status);
    browser_events::listen(&adapter);
    provide_context(SocketContext { status, adapter: StoredValue::new_local(adapter) });
}

/// The socket context; panics outside [`provide_socket`]'s tree, which is a bug.
pub fn use_socket() -> SocketContext {
    expect_context()
}
