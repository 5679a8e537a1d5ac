//! The app's pages, `/`, `/rooms/{id}` (also as `/rooms/{id}/messages/{seq}`,
//! a link to one message of the room) and `/invite/{token}` (an invite link to
//! a private room), kept in the address bar with the
//! History API: links and the keyboard push a new entry, Back and Forward come
//! back through `popstate`. Written by hand in place of leptos_router for the
//! bundle's size: with leptos_router the web bundle measured 242.1 KiB brotli
//! against 203.1 KiB with this (`cargo xtask build`, December 2026), for two
//! routes the app needs nothing more of.

use hanmadi_protocol::{RoomId, Seq};
use leptos::ev;
use leptos::prelude::*;

use crate::components::{handler, memo};
use wasm_bindgen::JsValue;

/// The path on screen, and when a step back through history was last asked
/// for (until it lands, `popstate`); provided at the root.
#[derive(Clone, Copy)]
struct CurrentPath {
    path: RwSignal<String>,
    going_back_since: StoredValue<f64>,
}

/// How long a step back may take to land before links work again anyway:
/// one that never lands (say this page went into the back/forward cache on
/// its way back and was brought forward again) must not leave every link
/// dead.
const STEP_BACK_LANDS_MS: f64 = 1000.0;

fn now_ms() -> f64 {
    window().performance().map_or(0.0, |performance| performance.now())
}

/// Which page the path shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/`: no room open.
    Home,
    /// `/rooms/{id}`; the room is [`use_room`]'s (none when the id is not a number).
    Room,
    /// `/invite/{token}`: joining the private room the token opens.
    Invite,
    NotFound,
}

fn page_of(path: &str) -> (Page, Option<RoomId>) {
    match path.strip_prefix("/rooms/") {
        _ if path == "/" || path.is_empty() => (Page::Home, None),
        _ if invite_of(path).is_some() => (Page::Invite, None),
        Some(id) if !id.is_empty() && !id.contains('/') => (Page::Room, id.parse().ok().map(RoomId)),
        Some(rest) => match rest.split_once("/messages/") {
            Some((id, seq)) if seq.parse::<u64>().is_ok() => (Page::Room, id.parse().ok().map(RoomId)),
            _ => (Page::NotFound, None),
        },
        _ => (Page::NotFound, None),
    }
}

/// The room and message a link points at, for `/rooms/{id}/messages/{seq}`.
fn message_of(path: &str) -> Option<(RoomId, Seq)> {
    let (room, seq) = path.strip_prefix("/rooms/")?.split_once("/messages/")?;
    Some((RoomId(room.parse().ok()?), Seq(seq.parse().ok()?)))
}

/// The token of an invite link's path: 64 hex digits, as the server makes them.
fn invite_of(path: &str) -> Option<&str> {
    path.strip_prefix("/invite/").filter(|token| token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The path of an invite link: whoever opens it joins the private room.
pub fn invite_path(token: &str) -> String {
    format!("/invite/{token}")
}

/// The path of a link to one message: the room opens at it, highlighted.
pub fn message_path(room: RoomId, seq: Seq) -> String {
    format!("/rooms/{room}/messages/{seq}")
}

fn location_path() -> String {
    window().location().pathname().unwrap_or_default()
}

/// Starts following the address bar; call once, at the root.
pub fn provide_router() {
    let (path, going_back_since) = (RwSignal::new(location_path()), StoredValue::new(f64::NEG_INFINITY));
    let handle = window_event_listener(ev::popstate, move |_| {
        going_back_since.set_value(f64::NEG_INFINITY);
        path.set(location_path());
    });
    on_cleanup(move || handle.remove());
    provide_context(CurrentPath { path, going_back_since });
}

fn current_path() -> RwSignal<String> {
    expect_context::<CurrentPath>().path
}

/// The page on screen. Moving from one room to another is the same page:
/// the room page stays, and its room changes.
pub fn use_page() -> Memo<Page> {
    let path = current_path();
    memo(move || path.with(|path| page_of(path).0))
}

/// The room in the path, if the path is a room's.
pub fn use_room() -> Memo<Option<RoomId>> {
    let path = current_path();
    memo(move || path.with(|path| page_of(path).1))
}

/// The invite token in the path, on the invite page.
pub fn use_invite() -> Memo<Option<String>> {
    let path = current_path();
    memo(move || path.with(|path| invite_of(path).map(str::to_owned)))
}

/// The room and message the path links to, if it is a link to one.
pub fn use_linked_message() -> Memo<Option<(RoomId, Seq)>> {
    let path = current_path();
    memo(move || path.with(|path| message_of(path)))
}

/// Whether `to` is the path on screen (following a link to it changes nothing).
pub fn is_current(to: &str) -> bool {
    current_path().with_untracked(|path| path == to)
}

/// Whether the page on screen is `to` or a page inside it (a room's, for a
/// link to one of its messages).
pub fn is_within(to: &str) -> bool {
    current_path().with_untracked(|path| shows(path, to))
}

/// Shows `to` in place of the path on screen (no new history entry): Back
/// does not return to a page that was only on its way elsewhere. Where the
/// entry was opened from stays.
pub fn use_replace() -> impl Fn(&str) + Clone + 'static {
    let path = current_path();
    move |to: &str| {
        let _ = window().history().and_then(|history| {
            let from = history.state()?;
            history.replace_state_with_url(&from, "", Some(to))
        });
        path.set(to.to_owned());
    }
}

/// Goes to `to` (a new history entry, scrolled to the top), as a link would.
/// The entry's state is the path it was opened from (see [`opened_from`]).
pub fn use_navigate() -> impl Fn(&str) + Clone + 'static {
    let path = current_path();
    move |to: &str| {
        if path.get_untracked() != to {
            let from = JsValue::from_str(&path.get_untracked());
            let _ = window().history().and_then(|history| history.push_state_with_url(&from, "", Some(to)));
            path.set(to.to_owned());
        }
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Whether the page on screen was opened, in this app, from `path`: its
/// history entry says so (one typed in, or opened from outside the app, has
/// no such state; a reload keeps it).
fn opened_from(path: &str) -> bool {
    window().history().and_then(|history| history.state()).is_ok_and(|state| state.as_string().as_deref() == Some(path))
}

/// Whether the page at `path` is the one `href` links to: a link to one of a
/// room's messages is still that room's page.
fn shows(path: &str, href: &str) -> bool {
    path == href || (href != "/" && path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
}

/// A link inside the app: `aria-current="page"` while its page is on screen;
/// a plain click navigates without reloading, a click with a modifier (new tab,
/// new window) is left to the browser. A link `up` (a room's "← Rooms") goes
/// back through history when the page was opened from where it leads, as a
/// phone's Back would: going in and out of rooms does not pile up entries for
/// Back to walk through again.
#[component]
pub fn Link(href: String, class: &'static str, #[prop(optional)] up: bool, children: Children) -> impl IntoView {
    let CurrentPath { path, going_back_since } = expect_context();
    let navigate = use_navigate();
    let here = {
        let href = href.clone();
        move || path.with(|path| shows(path, &href)).then_some("page")
    };
    let target = href.clone();
    let click = move |event: ev::MouseEvent| {
        let modified = event.meta_key() || event.alt_key() || event.ctrl_key() || event.shift_key();
        if event.default_prevented() || event.button() != 0 || modified {
            return;
        }
        event.prevent_default();
        // A second tap before the first step back has landed would take a
        // second step, out of where the first one leads.
        if now_ms() - going_back_since.get_value() < STEP_BACK_LANDS_MS {
            return;
        }
        match window().history() {
            Ok(history) if up && opened_from(&target) => {
                if history.back().is_ok() {
                    going_back_since.set_value(now_ms());
                }
            }
            _ => navigate(&target),
        }
    };
    view! {
        <a href=href class=class aria-current=here on:click=handler(click)>
            {children()}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_is_one_page() {
        assert!(page_of("/") == (Page::Home, None));
        assert!(page_of("") == (Page::Home, None));
        assert!(page_of("/rooms/12") == (Page::Room, Some(RoomId(12))));
        // A room path whose id is not a number is the room page, which says so.
        assert!(page_of("/rooms/abc") == (Page::Room, None));
        assert!(page_of("/rooms/") == (Page::NotFound, None));
        assert!(page_of("/rooms/12/more") == (Page::NotFound, None));
        assert!(page_of("/rooms/12/messages/345") == (Page::Room, Some(RoomId(12))));
        assert!(page_of("/rooms/12/messages/x") == (Page::NotFound, None));
        assert_eq!(message_of("/rooms/12/messages/345"), Some((RoomId(12), Seq(345))));
        let link = message_path(RoomId(12), Seq(345));
        assert_eq!(message_of(&link), Some((RoomId(12), Seq(345))), "links read back");
        assert_eq!(message_of("/rooms/12"), None);
    }

    #[test]
    fn a_link_to_a_message_is_on_its_rooms_page() {
        assert!(shows("/rooms/12", "/rooms/12"));
        assert!(shows("/rooms/12/messages/345", "/rooms/12"));
        assert!(!shows("/rooms/123", "/rooms/12"), "another room");
        assert!(!shows("/rooms/12", "/"), "home is only home");
        assert!(page_of("/elsewhere") == (Page::NotFound, None));
    }

    #[test]
    fn an_invite_link_is_the_invite_page_only_with_a_token_the_server_could_have_made() {
        let token = "0123456789abcdef".repeat(4);
        assert!(page_of(&invite_path(&token)) == (Page::Invite, None));
        assert_eq!(invite_of(&invite_path(&token)), Some(token.as_str()));
        assert!(page_of("/invite/") == (Page::NotFound, None));
        assert!(page_of(&invite_path(&token[1..])) == (Page::NotFound, None), "too short");
        assert!(page_of(&invite_path(&"zz".repeat(32))) == (Page::NotFound, None), "not hex");
    }
}
