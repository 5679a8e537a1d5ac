//! A room's messages: grouped by author, with day separators and local times,
//! your unsent messages at the end ("Sending…", "Not sent" with Retry and
//! Delete), anchored to the bottom while you are there, still while you read
//! history, with "Jump to latest" and older pages loaded as you scroll up.

use hanmadi_client_core::{ActionState, PendingAction};
use hanmadi_protocol::http::MessageView;
use hanmadi_protocol::{Action, Millis, RoomId};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::MessageText;
use crate::api;
use crate::i18n::{lang, t};
use crate::socket::use_socket;
use crate::store::timeline::{layout, Entry, Notice, RowLayout};
use crate::store::Store;

/// Within this many pixels of the bottom counts as "at the bottom".
const AT_BOTTOM_PX: i32 = 48;
/// Scrolling within this many pixels of the top loads the previous page.
const LOAD_OLDER_PX: i32 = 200;
/// Rows kept in the page while reading the latest messages. A room of 10,000
/// messages puts only these in the DOM; scrolling up reveals more from memory,
/// then pages in older history from the server.
const WINDOW_ROWS: usize = 200;

#[component]
pub fn MessageList(room: RoomId, name: Signal<String>) -> impl IntoView {
    let store = expect_context::<Store>();
    let state = store.room(room);
    let timeline = state.timeline.clone();
    let list = NodeRef::<html::Div>::new();
    let at_bottom = RwSignal::new(true);
    let unseen = RwSignal::new(0usize);
    let loading_older = RwSignal::new(false);
    let history_complete = RwSignal::new(false);

    // How many of the newest rows are in the page (see WINDOW_ROWS).
    let window = RwSignal::new(WINDOW_ROWS);
    let rows = {
        let timeline = timeline.clone();
        Memo::new(move |_| {
            let window = window.get();
            timeline.with(|timeline| {
                let entries = timeline.entries();
                let first = entries.len().saturating_sub(window);
                let layouts = layout(&entries[first..], utc_offset_minutes());
                entries[first..].iter().cloned().zip(layouts).collect::<Vec<_>>()
            })
        })
    };
    let pending = {
        let outbox = store.outbox.clone();
        Memo::new(move |_| {
            outbox.with(|outbox| {
                outbox
                    .iter()
                    .filter(|p| matches!(&p.action, Action::SendMessage { room: r, .. } if *r == room))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    };

    // After every change: follow the bottom if we were there, else count what is new.
    // Only what arrives below counts as new: older pages loaded above do not.
    let newest_seen = StoredValue::new(None::<hanmadi_protocol::Seq>);
    let held = timeline.clone();
    Effect::new(move |_| {
        rows.track();
        pending.track();
        let (newest, arrived) = held.with(|t| {
            let entries = t.entries();
            let newest = entries.last().map(Entry::seq);
            let arrived = match newest_seen.get_value() {
                Some(seen) => entries.iter().rev().take_while(|e| e.seq() > seen).count(),
                None => 0,
            };
            (newest, arrived)
        });
        newest_seen.set_value(newest.or(newest_seen.get_value()));
        if at_bottom.get_untracked() {
            scroll_to_bottom(list);
        } else if arrived > 0 {
            unseen.update(|n| *n += arrived);
        }
    });

    let load_older = {
        let timeline = timeline.clone();
        move || {
            let held = timeline.with_untracked(|t| t.entries().len());
            if window.get_untracked() < held {
                // Older rows are already in memory: reveal the next batch in place.
                let before = list.get_untracked().map_or(0, |el| el.scroll_height());
                window.update(|w| *w += WINDOW_ROWS);
                hold_still(list, before);
                return;
            }
            if loading_older.get_untracked() || history_complete.get_untracked() {
                return;
            }
            let Some(oldest) = timeline.with_untracked(|t| t.oldest_seq()) else { return };
            loading_older.set(true);
            let timeline = timeline.clone();
            spawn_local(async move {
                if let Ok((_, older)) = api::messages(room, Some(oldest), crate::socket::PAGE).await {
                    history_complete.set(older.is_empty());
                    let before = list.get_untracked().map_or(0, |el| el.scroll_height());
                    let added = older.len();
                    timeline.update(|t| t.add_history(older));
                    window.update(|w| *w += added);
                    hold_still(list, before);
                }
                loading_older.set(false);
            });
        }
    };
    let on_scroll = move |_| {
        let Some(el) = list.get_untracked() else { return };
        let bottom = el.scroll_height() - el.scroll_top() - el.client_height() <= AT_BOTTOM_PX;
        at_bottom.set(bottom);
        if bottom {
            unseen.set(0);
            // Back at the latest: let the rows far above leave the page again.
            if window.get_untracked() > WINDOW_ROWS {
                window.set(WINDOW_ROWS);
            }
        }
        if el.scroll_top() <= LOAD_OLDER_PX {
            load_older();
        }
    };
    let jump = move |_| {
        at_bottom.set(true);
        unseen.set(0);
        scroll_to_bottom(list);
    };

    view! {
        <div class="messages" role="log" aria-label=move || name.get() node_ref=list on:scroll=on_scroll>
            <For each=move || rows.get() key=|(entry, row)| (entry.clone(), *row) let:item>
                <Row room entry=item.0 row=item.1 />
            </For>
            <For each=move || pending.get() key=|p| (p.key.clone(), matches!(p.state, ActionState::Failed { .. })) let:action>
                <Pending action />
            </For>
        </div>
        <Show when=move || { !at_bottom.get() && unseen.get() > 0 }>
            <button type="button" class="jump-latest" on:click=jump>
                {move || lang().jump_to_latest(unseen.get())}
            </button>
        </Show>
    }
}

#[component]
fn Row(room: RoomId, entry: Entry, row: RowLayout) -> impl IntoView {
    let separator = row.day_separator.map(|_| view! { <p class="day-separator" role="separator">{day_label(entry.at())}</p> });
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
            let mine = store.me.get_untracked() == Some(message.author) && !message.deleted;
            let label = lang().at_time(&message.author_name, &local_time(message.at));
            view! {
                <article class="message" class:continued=!row.starts_group aria-label=label>
                    {header}
                    <MessageBody room message=message.clone() mine />
                </article>
            }
            .into_any()
        }
        Entry::Notice { text, .. } => view! { <p class="notice">{notice_text(&text)}</p> }.into_any(),
    };
    view! {
        {separator}
        {body}
    }
}

/// A message's text, and for your own messages "Edit" and "Delete".
#[component]
fn MessageBody(room: RoomId, message: MessageView, mine: bool) -> impl IntoView {
    let socket = use_socket();
    if message.deleted {
        return view! { <p class="message-text deleted">{t().deleted}</p> }.into_any();
    }
    let id = message.id;
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(message.text.clone());
    let (text, edited) = (message.text, message.edited);
    let reading = move || {
        let actions = mine.then(|| {
            view! {
                <span class="message-actions">
                    <button type="button" on:click=move |_| editing.set(true)>{t().edit}</button>
                    <button
                        type="button"
                        on:click=move |_| {
                            let _ = socket.act(Action::DeleteMessage { room, message: id });
                        }
                    >
                        {t().delete}
                    </button>
                </span>
            }
        });
        view! {
            <p class="message-text">
                <MessageText text=text.clone() />
                {edited.then(|| view! { <span class="edited">{t().edited}</span> })}
            </p>
            {actions}
        }
    };
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = draft.get_untracked();
        if hanmadi_protocol::limits::check_message_text(&text).is_ok() {
            let _ = socket.act(Action::EditMessage { room, message: id, text });
            editing.set(false);
        }
    };
    view! {
        <Show when=move || editing.get() fallback=reading>
            <form class="edit-form" on:submit=save>
                <textarea
                    aria-label=t().edit_message
                    prop:value=move || draft.get()
                    on:input=move |event| draft.set(event_target_value(&event))
                ></textarea>
                <button type="submit">{t().save}</button>
                <button type="button" on:click=move |_| editing.set(false)>{t().cancel}</button>
            </form>
        </Show>
    }
    .into_any()
}

/// One of your messages that the server has not confirmed yet.
#[component]
fn Pending(action: PendingAction) -> impl IntoView {
    let socket = use_socket();
    let Action::SendMessage { text, .. } = action.action else { return ().into_any() };
    let key = action.key.clone();
    let (state, failed) = match &action.state {
        ActionState::Queued | ActionState::Sending => (t().sending, None),
        ActionState::Failed { reason, .. } => (t().not_sent, Some(reason.clone())),
    };
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
    }
}

/// Keeps the same messages under the reader's eyes after rows were added above.
fn hold_still(list: NodeRef<html::Div>, scroll_height_before: i32) {
    request_animation_frame(move || {
        if let Some(el) = list.get_untracked() {
            el.set_scroll_top(el.scroll_top() + el.scroll_height() - scroll_height_before);
        }
    });
}

fn scroll_to_bottom(list: NodeRef<html::Div>) {
    request_animation_frame(move || {
        if let Some(el) = list.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    });
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

/// The viewer's offset from UTC in minutes (Seoul: +540), for local day breaks.
fn utc_offset_minutes() -> i64 {
    -(js_sys::Date::new_0().get_timezone_offset() as i64)
}
