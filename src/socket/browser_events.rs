//! Page-wide browser events the socket cares about: the network coming and going,
//! the tab becoming visible again (after which frozen timers cannot be trusted),
//! and the tab leaving or another tab leaving its outbox behind (or crashing).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Interval;

use wasm_bindgen::prelude::*;
use web_sys::VisibilityState;

use super::adapter::{drive, drive_later, Adapter};
use super::saved_outbox;
use crate::last_seen;
use crate::unsent;

/// How often to look for outboxes of tabs that crashed: a crashed tab's
/// messages go out this long after, at worst.
const CRASHED_TABS_EVERY_MS: u32 = 5_000;

/// Listens for as long as the page lives: the socket is app-wide, so these
/// listeners are never removed and their closures are deliberately leaked.
pub fn listen(adapter: &Rc<RefCell<Adapter>>) {
    let window = web_sys::window().expect("a browser window");
    let document = window.document().expect("a document");

    let weak = Rc::downgrade(adapter);
    on(&window, "online", move || drive_later(weak.clone(), |client, now| client.on_online(now)));
    let weak = Rc::downgrade(adapter);
    on(&window, "offline", move || drive_later(weak.clone(), |client, now| client.on_offline(now)));
    let weak = Rc::downgrade(adapter);
    on(&window, "pageshow", move || {
        saved_outbox::came_back();
        drive_later(weak.clone(), |client, now| client.on_visible(now))
    });
    let weak = Rc::downgrade(adapter);
    on(&window, "pagehide", move || {
        saved_outbox::leave_behind();
        hidden(&weak);
    });
    let weak = Rc::downgrade(adapter);
    on_storage(&window, move |key| {
        // Every draft keystroke in another tab is a `storage` event too: look
        // only at what the key says changed. No key: the storage was cleared.
        let changed = |is_it: fn(&str) -> bool| key.as_deref().is_none_or(is_it);
        if changed(saved_outbox::is_left_behind_mark) {
            saved_outbox::adopt_left_behind(weak.clone());
        }
        // Another tab kept, added to or dismissed what an ended session left unsent.
        if changed(unsent::is_kept_part) {
            if let Some(shared) = weak.upgrade() {
                shared.borrow().store.show_unsent(unsent::saved());
            }
        }
    });
    let weak = Rc::downgrade(adapter);
    saved_outbox::adopt_abandoned(weak.clone());
    Interval::new(CRASHED_TABS_EVERY_MS, move || saved_outbox::adopt_abandoned(weak.clone())).forget();
    let weak = Rc::downgrade(adapter);
    let visible_document = document.clone();
    on(&document, "visibilitychange", move || {
        if visible_document.visibility_state() == VisibilityState::Visible {
            drive_later(weak.clone(), |client, now| client.on_visible(now));
        } else {
            hidden(&weak);
        }
    });

    if !window.navigator().on_line() {
        let weak = Rc::downgrade(adapter);
        drive_later(weak, |client, now| client.on_offline(now));
    }
}

/// The page is hidden or going away: what the engine holds back goes now, not
/// from a microtask that may never run, and what the page shows is kept for
/// opening without a network.
fn hidden(weak: &Weak<RefCell<Adapter>>) {
    if let Some(shared) = weak.upgrade() {
        drive(&shared, |client, now| client.on_hidden(now));
        last_seen::save(&shared.borrow().store);
    }
}

fn on(target: &web_sys::EventTarget, event: &str, mut handler: impl FnMut() + 'static) {
    listen_to(target, event, move |_| handler());
}

/// Another tab changed localStorage; the handler is given the key it changed.
fn on_storage(window: &web_sys::Window, mut handler: impl FnMut(Option<String>) + 'static) {
    listen_to(window, "storage", move |event| handler(event.unchecked_ref::<web_sys::StorageEvent>().key()));
}

fn listen_to(target: &web_sys::EventTarget, event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    target
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
        .expect("adding an event listener cannot fail");
    closure.forget();
}
