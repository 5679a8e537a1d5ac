//! Reactions under a message: a chip per emoji with its count (pressed when it
//! includes you; a click adds or takes back yours), and "Add reaction", which
//! opens the set of emoji. Both go through the outbox like every action, and
//! show at once (see `store::reactions`).

use hanmadi_protocol::limits::REACTIONS;
use hanmadi_protocol::{Action, MessageId, RoomId};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::disclosure::Disclosure;
use super::keyed::live_rows;
use super::message_text::name_in;
use super::reactive::{effect, handler, When};
use crate::i18n::{lang, t};
use crate::socket::{use_socket, SocketContext};
use crate::store::reactions::ShownReaction;
use crate::store::Store;

/// Adds your `emoji` to the message, or takes it back if it is already yours.
fn toggle(socket: SocketContext, room: RoomId, message: MessageId, emoji: &str, mine: bool) {
    let emoji = emoji.to_owned();
    let action = if mine {
        Action::RemoveReaction { room, message, emoji }
    } else {
        Action::AddReaction { room, message, emoji }
    };
    let _ = socket.act(action);
}

/// The chips under a message, one per emoji: a chip stays (with the focus on
/// it) while its count and pressed state change.
/// Who reacted shows over the chip (and is read after its count), by the
/// names the room knows now.
#[component]
pub fn ReactionChips(room: RoomId, message: MessageId, chips: Memo<Vec<ShownReaction>>) -> impl IntoView {
    let socket = use_socket();
    let state = StoredValue::new(expect_context::<Store>().room(room));
    view! {
        {live_rows(
            chips,
            |chip| chip.emoji.clone(),
            move |chip| {
                let emoji = chip.with_untracked(|chip| chip.emoji.clone());
                let who = move || {
                    chip.with(|chip| {
                        let others = state.with_value(|state| {
                            chip.others.iter().map(|user| name_in(state, *user)).collect::<Vec<_>>()
                        });
                        lang().reacted_by(&chip.emoji, &others, chip.mine)
                    })
                };
                view! {
                    <button
                        type="button"
                        class="reaction"
                        class:waiting=move || chip.with(|chip| chip.waiting)
                        aria-pressed=move || chip.with(|chip| chip.mine.to_string())
                        aria-label=move || chip.with(|chip| lang().reaction(&chip.emoji, chip.count, chip.mine))
                        title=who
                        on:click=handler(move |event: leptos::ev::MouseEvent| {
                            chip.with_untracked(|chip| {
                                if chip.mine && chip.count == 1 {
                                    // Taking back the last of it: the chip goes, the focus
                                    // goes to "Add reaction" rather than to the page.
                                    focus_add_reaction(&event);
                                }
                                toggle(socket, room, message, &chip.emoji, chip.mine);
                            })
                        })
                    >
                        {emoji}
                        " "
                        {move || chip.with(|chip| chip.count)}
                    </button>
                }
                .into_any()
            },
        )}
    }
}

/// Focuses the "Add reaction" of the message whose chip was clicked.
fn focus_add_reaction(event: &leptos::ev::MouseEvent) {
    let chip = event.current_target().and_then(|target| target.dyn_into::<web_sys::Element>().ok());
    let button = chip
        .and_then(|chip| chip.closest("article").ok().flatten())
        .and_then(|row| row.query_selector(".reaction-picker > button").ok().flatten())
        .and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        let _ = button.focus();
    }
}

/// "Add reaction" and, while open, the emoji to choose from. Escape closes it
/// and gives the focus back to the button.
#[component]
pub fn ReactionPicker(room: RoomId, message: MessageId, chips: Memo<Vec<ShownReaction>>) -> impl IntoView {
    let socket = use_socket();
    let picker = Disclosure::new();
    let palette = NodeRef::<html::Div>::new();
    effect(move || {
        if let Some(first) = palette.get().and_then(|p| p.query_selector("button").ok().flatten()) {
            if let Ok(first) = first.dyn_into::<web_sys::HtmlElement>() {
                let _ = first.focus();
            }
        }
    });
    let choices = move || {
        // Which of the set are yours already: choosing one of those takes it back.
        let yours = chips.get_untracked();
        REACTIONS
            .into_iter()
            .map(|emoji| {
                let mine = yours.iter().any(|chip| chip.emoji == emoji && chip.mine);
                view! {
                    <button
                        type="button"
                        aria-label=lang().react_with(emoji)
                        aria-pressed=mine.to_string()
                        on:click=handler(move |_| {
                            toggle(socket, room, message, emoji, mine);
                            picker.close();
                        })
                    >
                        {emoji}
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <span class="reaction-picker">
            <button
                type="button"
                node_ref=picker.button
                aria-label=t().add_reaction
                aria-expanded=move || picker.open.get().to_string()
                on:click=handler(move |_| picker.toggle())
            >
                "☺+"
            </button>
            <When when=move || picker.open.get()>
                <div
                    class="reaction-palette"
                    role="group"
                    aria-label=t().add_reaction
                    node_ref=palette
                    on:keydown=handler(move |event| picker.close_on_escape(event))
                >
                    {choices}
                </div>
            </When>
        </span>
    }
}
