//! A public room you are not in, looked into before joining: its newest
//! messages as they stood when it opened, who is in it, and "Join this room"
//! where the composer would be. Joining turns the page into the room itself
//! (`RoomPage` follows the rooms list), with everything live from then on.
//!
//! The server lets anyone signed in read a public room, as it lists it to
//! them; writing, reacting and following it live take joining. So the
//! preview is one page fetched once, drawn without any of a message's
//! buttons: nothing in it can be done before joining.

use hanmadi_protocol::http::MessageView;
use hanmadi_protocol::{Action, RoomId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::attachment_view::AttachmentList;
use super::image_viewer::{provide_viewer, ImageViewer};
use super::message_list::utc_offset_minutes;
use super::message_row::{day_label, local_time, notice_text};
use super::message_text::MessageText;
use super::reactive::{effect, handler};
use super::reply_quote::ReplyQuote;
use super::room_page::back_to_rooms;
use crate::api;
use crate::i18n::{lang, t};
use crate::socket::use_socket;
use crate::store::timeline::{layout, Entry, RowLayout, Timeline};
use crate::store::Store;

/// The newest messages shown: a screenful or two, enough to tell what the
/// room is about, in one request on a slow network.
const PREVIEW_MESSAGES: u32 = 30;

/// What the preview shows while and after it loads.
#[derive(Clone)]
enum Preview {
    Loading,
    Failed,
    /// The page's messages and notices in order, each laid out as the room
    /// lays out its rows (groups by author, a line between days).
    Loaded(Vec<(Entry, RowLayout)>),
}

#[component]
pub fn RoomPreview(room: RoomId, name: Memo<String>) -> impl IntoView {
    let store = expect_context::<Store>();
    let socket = use_socket();
    let preview = RwSignal::new(Preview::Loading);
    let members = RwSignal::new(None::<usize>);
    spawn_local(async move {
        let loaded = api::messages(room, None, PREVIEW_MESSAGES).await.map(|page| {
            let mut timeline = Timeline::default();
            timeline.add_history(page);
            let entries = timeline.entries();
            entries.iter().cloned().zip(layout(entries, utc_offset_minutes())).collect()
        });
        // The page may have been left before the answer came.
        let _ = preview.try_set(loaded.map_or(Preview::Failed, Preview::Loaded));
    });
    spawn_local(async move {
        if let Ok(list) = api::members(room).await {
            let _ = members.try_set(Some(list.len()));
            // Mentions in the messages name the people as they are named now.
            store.members_fetched(room, list);
        }
    });
    // Opened at its newest, as a room is, once the page is drawn.
    let list = NodeRef::<leptos::html::Div>::new();
    effect(move || {
        if matches!(preview.get(), Preview::Loaded(_)) {
            request_animation_frame(move || {
                if let Some(list) = list.get_untracked() {
                    list.set_scroll_top(list.scroll_height());
                }
            });
        }
    });
    let viewer = provide_viewer();
    let join = move |_| {
        // A full outbox is explained by the socket.
        let _ = socket.act(Action::JoinRoom { room });
    };
    let rows = move || match preview.get() {
        Preview::Loading => view! { <p class="preview-state">{t().loading}</p> }.into_any(),
        Preview::Failed => view! { <p class="preview-state">{t().preview_failed}</p> }.into_any(),
        Preview::Loaded(rows) => {
            rows.into_iter().map(|(entry, layout)| view! { <PreviewRow room entry layout /> }).collect_view().into_any()
        }
    };
    view! {
        <section class="room">
            <header class="room-header">
                {back_to_rooms()}
                <div class="room-heading">
                    <h2 class="room-title">{move || name.get()}</h2>
                    <p class="room-presence">{move || members.get().map(|count| lang().member_count(count))}</p>
                </div>
            </header>
            <div class="messages preview" node_ref=list role="region" aria-label=move || lang().preview_of(&name.get())>
                {rows}
            </div>
            <div class="preview-join">
                <p>{move || lang().looking_in(&name.get())}</p>
                <button type="button" on:click=handler(join)>{t().join_this_room}</button>
            </div>
            <ImageViewer viewer />
        </section>
    }
}

/// One row as it stood, with the day's line before it if it starts a day:
/// a notice, or a message ([`PreviewMessage`]).
#[component]
fn PreviewRow(room: RoomId, entry: Entry, layout: RowLayout) -> impl IntoView {
    let separator =
        layout.day_separator.map(|_| view! { <p class="day-separator" role="separator">{day_label(entry.at())}</p> });
    let row = match entry {
        Entry::Notice { text, .. } => view! { <p class="notice">{notice_text(&text)}</p> }.into_any(),
        Entry::Message(message) => {
            view! { <PreviewMessage room message starts_group=layout.starts_group /> }.into_any()
        }
    };
    view! { {separator} {row} }
}

/// A message as it stood: author and time (at the start of a group), what it
/// answers, its words and files, and a word that it was edited or deleted.
/// No reactions or buttons: they take joining.
#[component]
fn PreviewMessage(room: RoomId, message: MessageView, starts_group: bool) -> impl IntoView {
    let time = local_time(message.at);
    let label = lang().at_time(&message.author_name, &time);
    let header = starts_group.then(|| {
        view! {
            <header class="message-header">
                <span class="author">{message.author_name}</span>
                <time class="time">{time}</time>
            </header>
        }
    });
    let body = if message.deleted {
        view! { <p class="message-text deleted">{t().deleted}</p> }.into_any()
    } else {
        view! {
            {message.reply_to.map(|reply_to| view! { <ReplyQuote room reply_to /> })}
            <div class="message-text">
                <MessageText room text=message.text />
                {message.edited.then(|| view! { <span class="edited">{t().edited}</span> })}
            </div>
            <AttachmentList attachments=message.attachments />
        }
        .into_any()
    };
    view! {
        <article class="message" class:continued=!starts_group aria-label=label data-seq=message.seq.0>
            {header}
            {body}
        </article>
    }
}
