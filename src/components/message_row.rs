//! One row of a room's history (a message with its author and time, or a
//! notice), and one of your messages the server has not confirmed yet.

use hanmadi_client_core::{ActionState, PendingAction};
use hanmadi_protocol::http::MessageView;
use hanmadi_protocol::{Action, MessageId, Millis, RoomId};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::composer::{focus_composer, is_send_key};
use super::reactions::{ReactionChips, ReactionPicker};
use super::MessageText;
use crate::i18n::{lang, t};
use crate::socket::use_socket;
use crate::store::timeline::{Entry, Notice, RowLayout};
use crate::store::{reactions, Store};

#[component]
pub fn Row(room: RoomId, entry: Entry, row: RowLayout, new_line: bool) -> impl IntoView {
    // The key the list's scroll anchor finds this row by (see scroll_anchor.rs).
    let seq = entry.seq().0;
    let separator =
        row.day_separator.map(|_| view! { <p class="day-separator" role="separator">{day_label(entry.at())}</p> });
    let body = match entry {
        Entry::Message(message) => {
            let header = row.starts_group.then(|| {
                view! {
                    <header class="message-header">
                        <span class="author">{message.author_name.clone()}</span>
                        <time class="time">{local_time(message.at)}</time>
                    </header>
                }
            });
            let store = expect_context::<Store>();
            let selected = RwSignal::from(store.selected.clone());
            let id = message.id;
            let mine = store.me.get_untracked() == Some(message.author) && !message.deleted;
            let label = lang().at_time(&message.author_name, &local_time(message.at));
            view! {
                <article
                    class="message"
                    class:continued=!row.starts_group
                    class:selected=move || selected.get() == Some(id)
                    aria-label=label
                    data-seq=seq
                    on:click=move |event| select(&event, selected, id)
                >
                    {header}
                    <MessageBody room message=message.clone() mine />
                </article>
            }
            .into_any()
        }
        Entry::Notice { text, .. } => view! { <p class="notice" data-seq=seq>{notice_text(&text)}</p> }.into_any(),
    };
    let new_line = new_line.then(|| view! { <p class="new-messages" role="separator">{t().new_messages}</p> });
    view! {
        {separator}
        {new_line}
        {body}
    }
}

/// A tap or click on a message (not on one of its buttons or links) selects it,
/// showing its buttons where there is no hover; another one moves the selection.
fn select(event: &leptos::ev::MouseEvent, selected: RwSignal<Option<MessageId>>, id: MessageId) {
    let on_control = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|target| target.closest("button, a, textarea, input").ok().flatten().is_some());
    if !on_control {
        selected.update(|selected| *selected = if *selected == Some(id) { None } else { Some(id) });
    }
}

/// A message's text and reactions, "Add reaction", and for your own messages
/// "Edit" and "Delete".
#[component]
fn MessageBody(room: RoomId, message: MessageView, mine: bool) -> impl IntoView {
    let socket = use_socket();
    if message.deleted {
        return view! { <p class="message-text deleted">{t().deleted}</p> }.into_any();
    }
    let id = message.id;
    // One message at a time is being edited, and the composer's ↑ can start it.
    let being_edited = RwSignal::from(expect_context::<Store>().editing);
    let editing = Memo::new(move |_| being_edited.get() == Some(id));
    let set_editing = move |on: bool| being_edited.set(on.then_some(id));
    let stop_editing = move || {
        set_editing(false);
        focus_composer();
    };
    let draft = RwSignal::new(message.text.clone());
    let (text, edited) = (message.text, message.edited);
    let chips = {
        let store = expect_context::<Store>();
        let (outbox, me, applied) = (store.outbox.clone(), store.me.get_untracked(), message.reactions);
        Memo::new(move |_| outbox.with(|outbox| reactions::shown(&applied, outbox, id, me)))
    };
    let reading = move || {
        let yours = mine.then(|| {
            view! {
                <button type="button" on:click=move |_| set_editing(true)>{t().edit}</button>
                <button
                    type="button"
                    on:click=move |_| {
                        let _ = socket.act(Action::DeleteMessage { room, message: id });
                    }
                >
                    {t().delete}
                </button>
            }
        });
        view! {
            <p class="message-text">
                <MessageText text=text.clone() />
                {edited.then(|| view! { <span class="edited">{t().edited}</span> })}
            </p>
            <Show when=move || chips.with(|chips| !chips.is_empty())>
                <div class="reactions">
                    <ReactionChips room message=id chips />
                </div>
            </Show>
            <span class="message-actions">
                <ReactionPicker room message=id chips />
                {yours}
            </span>
        }
    };
    let save = move || {
        let text = draft.get_untracked();
        if hanmadi_protocol::limits::check_message_text(&text).is_ok() {
            // A full outbox is explained by the socket; the edit stays open.
            if socket.act(Action::EditMessage { room, message: id, text }).is_ok() {
                stop_editing();
            }
        }
    };
    // As in the composer: Enter saves, Shift+Enter adds a line, Escape cancels.
    let on_keydown = move |event: KeyboardEvent| {
        if is_send_key(&event) {
            event.prevent_default();
            save();
        } else if event.key() == "Escape" {
            event.prevent_default();
            stop_editing();
        }
    };
    let field = NodeRef::<html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(field) = field.get() {
            let _ = field.focus();
            let end = field.value().encode_utf16().count() as u32;
            let _ = field.set_selection_range(end, end);
        }
    });
    view! {
        <Show when=move || editing.get() fallback=reading>
            <form
                class="edit-form"
                on:submit=move |event: SubmitEvent| {
                    event.prevent_default();
                    save();
                }
            >
                <textarea
                    aria-label=t().edit_message
                    node_ref=field
                    prop:value=move || draft.get()
                    on:input=move |event| draft.set(event_target_value(&event))
                    on:keydown=on_keydown
                ></textarea>
                <button type="submit">{t().save}</button>
                <button type="button" on:click=move |_| stop_editing()>{t().cancel}</button>
            </form>
        </Show>
    }
    .into_any()
}

/// One of your messages that the server has not confirmed yet.
#[component]
pub fn Pending(action: PendingAction) -> impl IntoView {
    let socket = use_socket();
    let failed = match &action.state {
        ActionState::Queued | ActionState::Sending => None,
        ActionState::Failed { code, reason, problem } => {
            Some(lang().action_refused(&action.action, *code, reason, problem.as_ref()))
        }
    };
    let state = if failed.is_some() { t().not_sent } else { t().sending };
    let Action::SendMessage { text, .. } = action.action else { return ().into_any() };
    let key = action.key.clone();
    let controls = failed.map(|reason| {
        let retry_key = key.clone();
        let delete_key = key.clone();
        view! {
            <span class="pending-reason">{reason}</span>
            <button type="button" on:click=move |_| socket.retry(retry_key.clone())>{t().retry}</button>
            <button type="button" on:click=move |_| socket.discard(delete_key.clone())>{t().delete}</button>
        }
    });
    view! {
        <article class="message pending" aria-label=t().your_message>
            <p class="message-text"><MessageText text /></p>
            <p class="pending-state">
                <span>{state}</span>
                {controls}
            </p>
        </article>
    }
    .into_any()
}

fn notice_text(notice: &Notice) -> String {
    match notice {
        Notice::Created { name } => lang().room_created(name),
        Notice::Joined { name } => lang().joined(name),
        Notice::Left { .. } => t().someone_left.to_owned(),
        Notice::Renamed { name } => lang().renamed(name),
        Notice::Missing => t().messages_missing.to_owned(),
    }
}

fn date(at: Millis) -> js_sys::Date {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64))
}

/// Local time, in the browser's language ("오후 3:04", "3:04 PM").
fn local_time(at: Millis) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"hour".into(), &"numeric".into());
    let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
    date(at).to_locale_time_string_with_options("default", &options).into()
}

/// The day, in the browser's language.
fn day_label(at: Millis) -> String {
    let options = js_sys::Object::new();
    for (key, value) in [("weekday", "long"), ("year", "numeric"), ("month", "long"), ("day", "numeric")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    date(at).to_locale_date_string("default", &options).into()
}
