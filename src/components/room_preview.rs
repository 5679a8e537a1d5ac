//! A public room you are not in, looked into before joining: its newest
//! messages as they stood when it opened, who is in it, and "Join this room"
//! where the composer would be. Joining turns the page into the room itself
//! (`Store::room_view`), with everything live from then on.
//!
//! The server lets anyone signed in read a public room, as it lists it to
//! them; writing, reacting and following it live take joining. So the
//! preview is what two requests bring (a page of messages, the members),
//! drawn once without any of a message's buttons, and nothing of it is kept
//! in the store's timeline for a room the engine does not follow. Below them
//! are her own messages not taken yet (`WaitingRows`), which do change: one
//! written for the room before she left it on another screen is refused
//! there, and shows "Not sent" with Retry and Delete.

use hanmadi_protocol::http::{MessageView, PageFrom};
use hanmadi_protocol::{Action, RoomId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::attachment_view::AttachmentList;
use super::image_viewer::{provide_viewer, ImageViewer};
use super::message_list::utc_offset_minutes;
use super::message_row::{day_label, local_time, notice_text};
use super::message_text::MessageText;
use super::reactive::{effect, handler};
use super::reply_quote::HeldQuote;
use super::room_page::{back_to_rooms, hand_focus_on_touch};
use super::waiting_rows::{waiting_in, WaitingRows};
use crate::api;
use crate::i18n::{lang, t};
use crate::parcels::use_parcels;
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
    Loaded(Vec<HeldRow>),
}

/// A row of the page fetched: its entry, laid out as the room lays out its
/// rows (groups by author, a line between days), and for a reply the
/// original, if the page holds it.
#[derive(Clone)]
struct HeldRow {
    entry: Entry,
    layout: RowLayout,
    original: Option<MessageView>,
}

/// The room's newest messages and notices, as rows to draw.
async fn newest_rows(room: RoomId) -> Preview {
    let newest = PageFrom::Before(None);
    let Ok(page) = api::messages(room, newest, PREVIEW_MESSAGES).await else { return Preview::Failed };
    let mut timeline = Timeline::default();
    timeline.add_page(page, newest);
    let entries = timeline.entries();
    let rows = entries.iter().zip(layout(entries, utc_offset_minutes())).map(|(entry, layout)| {
        let original = match entry {
            Entry::Message(MessageView { reply_to: Some(to), .. }) => timeline.message_at(to.seq, to.id).cloned(),
            _ => None,
        };
        HeldRow { entry: entry.clone(), layout, original }
    });
    Preview::Loaded(rows.collect())
}

#[component]
pub fn RoomPreview(room: RoomId, name: Memo<String>) -> impl IntoView {
    let store = expect_context::<Store>();
    let socket = use_socket();
    let preview = RwSignal::new(Preview::Loading);
    let load = move || {
        preview.set(Preview::Loading);
        // The page may have been left before the answer came.
        spawn_local(async move { drop(preview.try_set(newest_rows(room).await)) });
    };
    load();
    let members = RwSignal::new(None::<usize>);
    let fetch = store.begin_members_fetch(room);
    spawn_local(async move {
        if let Ok(list) = api::members(room).await {
            let _ = members.try_set(Some(list.len()));
            // Mentions in the messages name the people as they are named now.
            fetch.finish(list);
        }
    });
    // Opened at its newest, as a room is, once the page is drawn (it may be
    // gone by then), and kept there as her own waiting rows change below.
    let list = NodeRef::<leptos::html::Div>::new();
    let pending = waiting_in(room);
    let parcels = use_parcels();
    effect(move || {
        // Read to be woken as her rows change, not for what they hold.
        pending.track();
        let _ = parcels.in_room(room);
        if preview.with(|preview| matches!(preview, Preview::Loaded(_))) {
            request_animation_frame(move || {
                if let Some(list) = list.try_get_untracked().flatten() {
                    list.set_scroll_top(list.scroll_height());
                }
            });
        }
    });
    let heading = NodeRef::<leptos::html::H2>::new();
    hand_focus_on_touch(heading, room);
    let viewer = provide_viewer();
    let join = move |_| {
        // A full outbox is explained by the socket.
        let _ = socket.act(Action::JoinRoom { room });
    };
    let rows = move || match preview.get() {
        Preview::Loading => view! { <p class="preview-state">{t().loading}</p> }.into_any(),
        Preview::Failed => view! {
            <p class="preview-state">
                {t().preview_failed}
                " "
                <button type="button" on:click=handler(move |_| load())>{t().retry}</button>
            </p>
        }
        .into_any(),
        Preview::Loaded(rows) => {
            rows.into_iter().map(|row| view! { <PreviewRow room row /> }).collect_view().into_any()
        }
    };
    view! {
        <section class="room">
            <header class="room-header">
                {back_to_rooms()}
                <div class="room-heading">
                    <h2 class="room-title" tabindex="-1" node_ref=heading>{move || name.get()}</h2>
                    <p class="room-presence">{move || members.get().map(|count| lang().member_count(count))}</p>
                </div>
            </header>
            <div class="messages preview" node_ref=list role="region" aria-label=move || lang().preview_of(&name.get())>
                {rows}
                // Live, unlike the rows above: a refusal that comes while she
                // looks in is read out.
                <div aria-live="polite">
                    <WaitingRows room pending looked_into=true />
                </div>
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
fn PreviewRow(room: RoomId, row: HeldRow) -> impl IntoView {
    let HeldRow { entry, layout, original } = row;
    let separator =
        layout.day_separator.map(|_| view! { <p class="day-separator" role="separator">{day_label(entry.at())}</p> });
    let row = match entry {
        Entry::Notice { text, .. } => view! { <p class="notice">{notice_text(&text)}</p> }.into_any(),
        Entry::Message(message) => {
            view! { <PreviewMessage room message original starts_group=layout.starts_group /> }.into_any()
        }
    };
    view! { {separator} {row} }
}

/// A message as it stood: author and time (at the start of a group), what it
/// answers, its words and files, and a word that it was edited or deleted.
/// No reactions or buttons: they take joining.
#[component]
fn PreviewMessage(
    room: RoomId,
    message: MessageView,
    original: Option<MessageView>,
    starts_group: bool,
) -> impl IntoView {
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
            {message.reply_to.is_some().then(|| view! { <HeldQuote room original /> })}
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
