//! Keeping the message under the reader's eyes still while rows come and go
//! above or below it, and the other ways the list places its view. The
//! browser's own scroll anchoring is not everywhere
//! (Safari) and cannot know that we are about to remove rows, so the list
//! remembers one row on screen and puts it back where it was after rendering.
//!
//! Everything here runs a frame later, when the list may be gone (the room was
//! left meanwhile): the list is read with `try_get_untracked`, never assumed.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::resized::on_resize;

/// The attribute every row of the history carries (written by `message_row`):
/// its seq, unique in the room.
pub const ROW_KEY: &str = "data-seq";

/// A row on screen and how far below the top of the list it was.
pub struct ScrollAnchor {
    seq: String,
    offset: f64,
}

impl ScrollAnchor {
    /// The first row that is at least partly visible.
    pub fn take(list: NodeRef<html::Div>) -> Option<ScrollAnchor> {
        let list = list.try_get_untracked().flatten()?;
        let top = list.get_bounding_client_rect().top();
        let rows = list.query_selector_all(&format!("[{ROW_KEY}]")).ok()?;
        (0..rows.length())
            .filter_map(|index| rows.item(index)?.dyn_into::<web_sys::Element>().ok())
            .find(|row| row.get_bounding_client_rect().bottom() > top)
            .and_then(|row| {
                Some(ScrollAnchor {
                    seq: row.get_attribute(ROW_KEY)?,
                    offset: row.get_bounding_client_rect().top() - top,
                })
            })
    }

    /// After the next render, scrolls so the row is where it was; then `done`.
    pub fn restore(self, list: NodeRef<html::Div>, done: impl FnOnce() + 'static) {
        request_animation_frame(move || {
            if let Some(list) = list.try_get_untracked().flatten() {
                let selector = format!("[{ROW_KEY}=\"{}\"]", self.seq);
                if let Ok(Some(row)) = list.query_selector(&selector) {
                    let top = list.get_bounding_client_rect().top();
                    let moved = row.get_bounding_client_rect().top() - top - self.offset;
                    list.set_scroll_top(list.scroll_top() + moved.round() as i32);
                }
            }
            done();
        });
    }
}

/// Shows the newest rows, after the next render; `placed` learns where that
/// left the view, so the list can tell its own scrolls from the reader's.
pub fn scroll_to_bottom(list: NodeRef<html::Div>, placed: StoredValue<i32>) {
    request_animation_frame(move || {
        if let Some(el) = list.try_get_untracked().flatten() {
            el.set_scroll_top(el.scroll_height());
            placed.set_value(el.scroll_top());
        }
    });
}

/// Keeps the newest rows in view while the list is made shorter under them
/// (the message box grows a line, the window is made smaller): the browser keeps
/// the distance from the top, which would hide them. Only while `following`
/// the newest rows; `placed` as above. Done as the size changes, before it is
/// painted, so the newest rows never flicker out of sight.
pub fn hold_bottom_through_resizes(list: NodeRef<html::Div>, placed: StoredValue<i32>, following: Signal<bool>) {
    on_resize(list, move || {
        let Some(el) = list.try_get_untracked().flatten() else { return };
        if following.try_get_untracked() == Some(true) {
            el.set_scroll_top(el.scroll_height());
            placed.set_value(el.scroll_top());
        }
    });
}

/// Shows the "New messages" line near the top of the view, after the next
/// render; the newest rows if the line is not in the page. `placed` as above.
///
/// A line at the very top of what is loaded leaves the view where it was, at
/// the top, and then no scroll event comes: nor would one when the reader
/// tries to scroll further up. So the list is sent one, to look at where its
/// view is as after any scroll, and fetch the page before the line.
pub fn scroll_to_new_line(list: NodeRef<html::Div>, placed: StoredValue<i32>) {
    request_animation_frame(move || {
        let Some(el) = list.try_get_untracked().flatten() else { return };
        let before = el.scroll_top();
        match el.query_selector(".new-messages") {
            Ok(Some(line)) => {
                let above = line.get_bounding_client_rect().top() - el.get_bounding_client_rect().top();
                el.set_scroll_top(el.scroll_top() + above.round() as i32 - NEW_LINE_MARGIN_PX);
            }
            _ => el.set_scroll_top(el.scroll_height()),
        }
        placed.set_value(el.scroll_top());
        if el.scroll_top() == before {
            if let Ok(scrolled) = web_sys::Event::new("scroll") {
                let _ = el.dispatch_event(&scrolled);
            }
        }
    });
}

/// Room left above the "New messages" line for a little of what came before.
const NEW_LINE_MARGIN_PX: i32 = 48;

/// How long a message opened from a link stays lit (`[data-highlighted]`).
const HIGHLIGHT_FOR: std::time::Duration = std::time::Duration::from_secs(3);

/// After the next render, if the list still `wants` it, brings the row at
/// `seq` to the middle of the view, lights it a moment and gives it the focus,
/// so a screen reader reads the message the link led to. `placed` learns where
/// that left the view; `done` is told how far the view is from the bottom.
pub fn reveal_row(
    list: NodeRef<html::Div>,
    seq: hanmadi_protocol::Seq,
    placed: StoredValue<i32>,
    wants: impl Fn() -> bool + 'static,
    done: impl FnOnce(i32) + 'static,
) {
    request_animation_frame(move || {
        let Some(el) = list.try_get_untracked().flatten() else { return };
        if !wants() {
            return;
        }
        if let Ok(Some(row)) = el.query_selector(&format!("[{ROW_KEY}=\"{seq}\"]")) {
            let (view, at) = (el.get_bounding_client_rect(), row.get_bounding_client_rect());
            let centre = at.top() - view.top() - (view.height() - at.height()).max(0.0) / 2.0;
            el.set_scroll_top(el.scroll_top() + centre.round() as i32);
            let _ = row.set_attribute("data-highlighted", "");
            let _ = row.set_attribute("tabindex", "-1");
            if let Some(row) = row.dyn_ref::<web_sys::HtmlElement>() {
                let _ = row.focus();
            }
            set_timeout(
                move || {
                    let _ = row.remove_attribute("data-highlighted");
                },
                HIGHLIGHT_FOR,
            );
        }
        placed.set_value(el.scroll_top());
        done(el.scroll_height() - el.scroll_top() - el.client_height());
    });
}
