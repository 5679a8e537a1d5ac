//! The app's two pages, `/` and `/rooms/{id}`, kept in the address bar with the
//! History API: links and the keyboard push a new entry, Back and Forward come
//! back through `popstate`. Written by hand in place of leptos_router for the
//! bundle's size: with leptos_router the web bundle measured 242.1 KiB brotli
//! against 203.1 KiB with this (`cargo xtask build`, December 2026), for two
//! routes the app needs nothing more of.

use hanmadi_protocol::RoomId;
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The path on screen; provided at the root.
#[derive(Clone, Copy)]
struct CurrentPath(RwSignal<String>);

/// Which page the path shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/`: no room open.
    Home,
    /// `/rooms/{id}`; the room is [`use_room`]'s (none when the id is not a number).
    Room,
    NotFound,
}

fn page_of(path: &str) -> (Page, Option<RoomId>) {
    match path.strip_prefix("/rooms/") {
        _ if path == "/" || path.is_empty() => (Page::Home, None),
        Some(id) if !id.is_empty() && !id.contains('/') => (Page::Room, id.parse().ok().map(RoomId)),
        _ => (Page::NotFound, None),
    }
}

fn location_path() -> String {
    window().location().pathname().unwrap_or_default()
}

/// Starts following the address bar; call once, at the root.
pub fn provide_router() {
    let path = RwSignal::new(location_path());
    let handle = window_event_listener(ev::popstate, move |_| path.set(location_path()));
    on_cleanup(move || handle.remove());
    provide_context(CurrentPath(path));
}

fn current_path() -> RwSignal<String> {
    expect_context::<CurrentPath>().0
}

/// The page on screen. Moving from one room to another is the same page:
/// the room page stays, and its room changes.
pub fn use_page() -> Memo<Page> {
    let path = current_path();
    Memo::new(move |_| path.with(|path| page_of(path).0))
}

/// The room in the path, if the path is a room's.
pub fn use_room() -> Memo<Option<RoomId>> {
    let path = current_path();
    Memo::new(move |_| path.with(|path| page_of(path).1))
}

/// Goes to `to` (a new history entry, scrolled to the top), as a link would.
pub fn use_navigate() -> impl Fn(&str) + Clone + 'static {
    let path = current_path();
    move |to: &str| {
        if path.get_untracked() != to {
            let _ = window().history().and_then(|history| history.push_state_with_url(&JsValue::NULL, "", Some(to)));
            path.set(to.to_owned());
        }
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// A link inside the app: `aria-current="page"` while its page is on screen;
/// a plain click navigates without reloading, a click with a modifier (new tab,
/// new window) is left to the browser.
#[component]
pub fn Link(href: String, class: &'static str, children: Children) -> impl IntoView {
    let path = current_path();
    let navigate = use_navigate();
    let here = {
        let href = href.clone();
        move || path.with(|path| *path == href).then_some("page")
    };
    let target = href.clone();
    let click = move |event: ev::MouseEvent| {
        let modified = event.meta_key() || event.alt_key() || event.ctrl_key() || event.shift_key();
        if event.default_prevented() || event.button() != 0 || modified {
            return;
        }
        event.prevent_default();
        navigate(&target);
    };
    view! {
        <a href=href class=class aria-current=here on:click=click>
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
        assert!(page_of("/elsewhere") == (Page::NotFound, None));
    }
}
