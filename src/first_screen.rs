//! The name prompt `index.html` draws before the app has loaded, handed over
//! to the app's own (`components::FirstRun`).
//!
//! On a slow network the wasm takes seconds to arrive; a newcomer types their
//! name meanwhile, and may already have pressed Continue. When the app starts
//! it takes that screen out of the page, in the same task as it mounts its own
//! prompt, so no keystroke falls between the two, and the prompt carries on
//! with what was typed: the name, the caret, and the Continue already pressed.
//! It waits for a syllable being composed (Korean input) to be done: taking
//! the field away mid-syllable ends the composition, and the next key would
//! begin a new syllable ("나" then "ㄴ" giving "나ㄴ", not "난").

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::set_timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{AddEventListenerOptions, Element, HtmlInputElement};

/// The longest the app waits for a syllable to be done: a composition left
/// open longer is not being typed.
const COMPOSING_AT_MOST: Duration = Duration::from_secs(10);

/// What the newcomer did on the first screen.
#[derive(Debug, Default)]
pub struct Typed {
    pub name: String,
    /// Where the caret was (start and end of the selection), in UTF-16 units
    /// as the browser counts them.
    pub caret: Option<(u32, u32)>,
    /// Continue was pressed: sign in as soon as the app can.
    pub submitted: bool,
}

thread_local! {
    static TYPED: RefCell<Option<Typed>> = const { RefCell::new(None) };
}

/// Runs `start` (the hand-over and the app's mounting) now, or once the
/// syllable being composed on the first screen is done.
pub fn after_composing(start: impl FnOnce() + 'static) {
    let composing = screen_and_field().filter(|(screen, _)| screen.has_attribute("data-composing"));
    let Some((_, field)) = composing else { return start() };
    let start = Rc::new(RefCell::new(Some(start)));
    let once = move || {
        if let Some(start) = start.borrow_mut().take() {
            start();
        }
    };
    let on_timeout = once.clone();
    // After the event, from a task of its own: the composition is over and
    // the field holds the syllable.
    let done = Closure::once_into_js(move || set_timeout(once, Duration::ZERO));
    let options = AddEventListenerOptions::new();
    options.set_once(true);
    let _ = field.add_event_listener_with_callback_and_add_event_listener_options(
        "compositionend",
        done.unchecked_ref(),
        &options,
    );
    set_timeout(on_timeout, COMPOSING_AT_MOST);
}

/// Removes the first screen from the page, keeping what was typed in it for
/// [`take_typed`]. Called once, before the app mounts. Kept only while no
/// session is: one made meanwhile (in another tab) opens the app signed in,
/// and a Continue kept unused would sign in again after a later sign-out.
pub fn hand_over() {
    let Some((screen, field)) = screen_and_field() else { return };
    if !screen.has_attribute("hidden") && crate::session::saved().is_none() {
        let typed = Typed {
            name: field.value(),
            caret: field.selection_start().ok().flatten().zip(field.selection_end().ok().flatten()),
            submitted: screen.get_attribute("data-submitted").is_some(),
        };
        TYPED.with(|slot| *slot.borrow_mut() = Some(typed));
    }
    screen.remove();
}

/// index.html's first screen and its name field, while it is in the page.
fn screen_and_field() -> Option<(Element, HtmlInputElement)> {
    let screen = leptos::prelude::document().get_element_by_id("first-screen")?;
    let field = screen.query_selector("input").ok()??.dyn_into().ok()?;
    Some((screen, field))
}

/// What was typed on the first screen, once: the app's prompt starts from it.
pub fn take_typed() -> Option<Typed> {
    TYPED.with(|slot| slot.borrow_mut().take())
}

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;

    /// The first screen is plain HTML, written before any of the app runs, so
    /// it cannot ask `texts.rs` for its words: this keeps the two the same.
    #[test]
    fn the_first_screen_says_what_the_app_s_prompt_says() {
        let page = include_str!("../index.html");
        for lang in [Lang::En, Lang::Ko] {
            let words = lang.texts();
            for said in [words.welcome, words.name_hint, words.name, words.continue_, words.retry] {
                assert!(page.contains(&format!("'{said}'")), "index.html's first screen lacks {said:?}");
            }
        }
        let asks = format!("localStorage.getItem('{}')", crate::session::KEY);
        assert!(page.contains(&asks), "it looks for a session where the app keeps it");
        assert!(page.contains(r#"id="first-screen""#));
    }
}
