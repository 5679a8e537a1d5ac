//! Reactions under a message: a chip per emoji with its count (pressed when it
//! includes you; a click adds or takes back yours), and "Add reaction", which
//! opens the set of emoji. Both go through the outbox like every action.

use hanmadi_protocol::http::Reaction;
use hanmadi_protocol::limits::REACTIONS;
use hanmadi_protocol::{Action, MessageId, RoomId, UserId};
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use crate::i18n::{lang, t};
use crate::socket::{use_socket, SocketContext};
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

fn includes(reaction: &Reaction, me: Option<UserId>) -> bool {
    me.is_some_and(|me| reaction.users.contains(&me))
}

/// The chips under a message.
#[component]
pub fn ReactionChips(room: RoomId, message: MessageId, reactions: Vec<Reaction>) -> impl IntoView {
    let socket = use_socket();
    let me = expect_context::<Store>().me.get_untracked();
    reactions
        .into_iter()
        .map(|reaction| {
            let mine = includes(&reaction, me);
            let label = lang().reaction(&reaction.emoji, reaction.users.len(), mine);
            let emoji = reaction.emoji.clone();
            view! {
                <button
                    type="button"
                    class="reaction"
                    aria-pressed=mine.to_string()
                    aria-label=label
                    on:click=move |_| toggle(socket, room, message, &emoji, mine)
                >
                    {reaction.emoji}
                    " "
                    {reaction.users.len()}
                </button>
            }
        })
        .collect_view()
}

/// "Add reaction" and, while open, the emoji to choose from. Escape closes it
/// and gives the focus back to the button.
#[component]
pub fn ReactionPicker(room: RoomId, message: MessageId, reactions: Vec<Reaction>) -> impl IntoView {
    let socket = use_socket();
    let me = expect_context::<Store>().me.get_untracked();
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let palette = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(first) = palette.get().and_then(|p| p.query_selector("button").ok().flatten()) {
            if let Ok(first) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(first) {
                let _ = first.focus();
            }
        }
    });
    let close = move || {
        open.set(false);
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    // Which of the set are yours already: choosing one of those takes it back.
    let yours: [bool; REACTIONS.len()] = REACTIONS.map(|emoji| reactions.iter().any(|r| r.emoji == emoji && includes(r, me)));
    let choices = move || {
        REACTIONS
            .into_iter()
            .zip(yours)
            .map(|(emoji, mine)| {
                view! {
                    <button
                        type="button"
                        aria-label=lang().react_with(emoji)
                        aria-pressed=mine.to_string()
                        on:click=move |_| {
                            toggle(socket, room, message, emoji, mine);
                            close();
                        }
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
                node_ref=button
                aria-label=t().add_reaction
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|open| *open = !*open)
            >
                "☺+"
            </button>
            <Show when=move || open.get()>
                <div
                    class="reaction-palette"
                    role="group"
                    aria-label=t().add_reaction
                    node_ref=palette
                    on:keydown=move |event: KeyboardEvent| {
                        if event.key() == "Escape" {
                            event.stop_propagation();
                            close();
                        }
                    }
                >
                    {choices}
                </div>
            </Show>
        </span>
    }
}
