//! One row of a room's history (a message with its author and time, or a
//! notice), and one of your messages the server has not confirmed yet.

use hanmadi_client_core::{ActionState, PendingAction};
use hanmadi_protocol::http::MessageView;
use hanmadi_protocol::markup;
use hanmadi_protocol::{Action, MessageId, Millis, ReplyTo, RoomId, Seq};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::attachment_view::AttachmentList;
use super::composer::{composing, focus_composer, is_send_key, return_focus_to_room};
use super::delete_question::use_delete_question;
use super::field_growth::grow_with_text;
use super::keyed::live;
use super::message_list::{Announcer, RowPlace};
use super::reactions::{ReactionChips, ReactionPicker};
use super::reactive::{effect, handler, memo, redrawn, When};
use super::reply_quote::ReplyQuote;
use super::MessageText;
use crate::browser_text;
use crate::i18n::{lang, t};
use crate::mentions;
use crate::router::message_path;
use crate::socket::use_socket;
use crate::store::timeline::{Entry, Notice};
use crate::store::{reactions, Replying, Store};

/// One row of the history, made once for its seq and kept while it is in the
/// window: what it shows and where it sits (`place`) update in place.
#[component]
pub fn Row(room: RoomId, place: ReadSignal<RowPlace>) -> impl IntoView {
    let first = place.with_untracked(|place| place.entry.clone());
    // The key the list's scroll anchor finds this row by (see scroll_anchor.rs).
    let seq = first.seq();
    let at = first.at();
    // Memos, so that an edit or a reaction, which changes the place too,
    // does not draw the separator and the line again.
    let separated = memo(move || place.with(|place| place.layout.day_separator.is_some()));
    let separator = redrawn(move || {
        separated.get().then(|| view! { <p class="day-separator" role="separator">{day_label(at)}</p> }).into_any()
    });
    let new_line = memo(move || place.with(|place| place.new_line));
    let new_line = redrawn(move || {
        new_line.get().then(|| view! { <p class="new-messages" role="separator">{t().new_messages}</p> }).into_any()
    });
    let body = match first {
        Entry::Message(first) => {
            // Edits, reactions, a deletion and the author's new name change
            // the message; the row stays.
            let message = live(first, move |held| {
                place.with(|place| match &place.entry {
                    Entry::Message(current) if current != held => Some(current.clone()),
                    _ => None,
                })
            });
            let starts_group = memo(move || place.with(|place| place.layout.starts_group));
            let seen = memo(move || place.with(|place| place.seen));
            view! { <MessageRow room message starts_group seen /> }.into_any()
        }
        // A notice never changes.
        Entry::Notice { text, .. } => view! { <p class="notice" data-seq=seq.0>{notice_text(&text)}</p> }.into_any(),
    };
    view! {
        {separator}
        {new_line}
        {body}
    }
    .into_any()
}

/// A message with its author and time (shown at the start of a group), and
/// "Seen" under it once read in a direct conversation: inside the message,
/// so a screen reader reading it reads that too.
#[component]
fn MessageRow(room: RoomId, message: Memo<MessageView>, starts_group: Memo<bool>, seen: Memo<bool>) -> impl IntoView {
    let store = expect_context::<Store>();
    let selected = ReadSignal::from(store.selected());
    let (id, seq, at) = message.with_untracked(|message| (message.id, message.seq, message.at));
    let author_name = memo(move || message.with(|message| message.author_name.clone()));
    let me = store.me().get_untracked();
    let mentions_you = memo(move || {
        message.with(|message| !message.deleted && me.is_some_and(|me| markup::mentions(&message.text, me)))
    });
    let time = local_time(at);
    let shown_time = time.clone();
    let label = move || {
        let label = lang().at_time(&author_name.get(), &time);
        if mentions_you.get() {
            format!("{label}, {}", t().mentions_you)
        } else {
            label
        }
    };
    let header = redrawn(move || {
        let header = || {
            view! {
                <header class="message-header">
                    <span class="author">{author_name}</span>
                    <time class="time">{shown_time.clone()}</time>
                </header>
            }
        };
        starts_group.get().then(header).into_any()
    });
    view! {
        <article
            class="message"
            class:continued=move || !starts_group.get()
            class:selected=move || selected.get() == Some(id)
            class:mentions-you=mentions_you
            aria-label=label
            data-seq=seq.0
            on:click=handler(move |event| {
                if !on_a_control(&event) {
                    store.toggle_selected(id);
                    bring_actions_into_view(&event);
                }
            })
        >
            {header}
            <MessageBody room message />
            {redrawn(move || seen.get().then(|| view! { <p class="seen">{t().seen}</p> }).into_any())}
        </article>
    }
}

/// The buttons of the message just tapped, all in view: on a phone they
/// come under it (see `main.css`), below the screen's edge for a message
/// at the bottom of it. Once drawn.
fn bring_actions_into_view(event: &leptos::ev::MouseEvent) {
    let actions = event.current_target().and_then(|row| row.dyn_into::<web_sys::Element>().ok());
    if let Some(actions) = actions.and_then(|row| row.query_selector(".message-actions").ok().flatten()) {
        into_view_once_drawn(actions);
    }
}

/// Scrolls what it takes to bring `element` all into view, no more, after
/// the next frame is laid out (it may just have grown or moved).
fn into_view_once_drawn(element: web_sys::Element) {
    request_animation_frame(move || {
        let nearest = web_sys::ScrollIntoViewOptions::new();
        nearest.set_block(web_sys::ScrollLogicalPosition::Nearest);
        element.scroll_into_view_with_scroll_into_view_options(&nearest);
    });
}

/// Whether a click landed on one of the message's buttons, links or fields:
/// anywhere else, a tap or click selects the message, showing its buttons
/// where there is no hover; another one moves the selection.
fn on_a_control(event: &leptos::ev::MouseEvent) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|target| target.closest("button, a, textarea, input").ok().flatten().is_some())
}

/// A message's text, files and reactions, "Add reaction", and for your own
/// messages "Edit" and "Delete".
#[component]
fn MessageBody(room: RoomId, message: Memo<MessageView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let (id, author) = message.with_untracked(|message| (message.id, message.author));
    let mine = store.me().get_untracked() == Some(author);
    let deleted = memo(move || message.with(|message| message.deleted));
    let text = memo(move || message.with(|message| message.text.clone()));
    // What a message answers never changes, nor the files it carries (a
    // deletion takes them with the text).
    let reply_to = message.with_untracked(|message| message.reply_to);
    let attachments = message.with_untracked(|message| message.attachments.clone());
    let edited = memo(move || message.with(|message| message.edited));
    let chips = {
        let (outbox, me) = (store.outbox(), store.me().get_untracked());
        let applied = memo(move || message.with(|message| message.reactions.clone()));
        memo(move || applied.with(|applied| outbox.with(|outbox| reactions::shown(applied, outbox, id, me))))
    };
    // One message at a time is being edited, and the composer's ↑ can start it.
    let being_edited = store.editing();
    let editing = memo(move || being_edited.with(|edited| *edited == Some(id)));

    // The edit takes the text's place; the reactions stay in view.
    let text_or_edit = move || {
        view! {
            {reply_to.map(|reply_to| view! { <ReplyQuote room reply_to /> })}
            <When
                when=move || editing.get()
                fallback=move || {
                    view! {
                        <div class="message-text">
                            {redrawn(move || view! { <MessageText room text=text.get() /> }.into_any())}
                            {redrawn(move || {
                                edited.get().then(|| view! { <span class="edited">{t().edited}</span> }).into_any()
                            })}
                        </div>
                    }
                }
            >
                <EditForm room message=id text />
            </When>
            <AttachmentList attachments=attachments.clone() />
            <When when=move || chips.with(|chips| !chips.is_empty())>
                <div class="reactions">
                    <ReactionChips room message=id chips />
                </div>
            </When>
            <When when=move || !editing.get()>
                <span class="message-actions">
                    <ReactionPicker room message=id chips />
                    <ReplyButton room message />
                    <CopyLink room seq=message.with_untracked(|message| message.seq) />
                    {mine.then(|| view! { <YourMessageActions message=id /> })}
                </span>
            </When>
        }
    };
    redrawn(move || {
        if deleted.get() {
            view! { <p class="message-text deleted">{t().deleted}</p> }.into_any()
        } else {
            text_or_edit().into_any()
        }
    })
}

/// "Reply": the composer then answers this message.
#[component]
fn ReplyButton(room: RoomId, message: Memo<MessageView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let reply = move |_| {
        let (id, author) = message.with_untracked(|message| (message.id, message.author_name.clone()));
        store.start_reply(Replying { room, message: id, author });
        focus_composer();
    };
    view! { <button type="button" on:click=handler(reply)>{t().reply}</button> }
}

/// "Copy link": the address of this message (see `router::message_path`),
/// which opens the room at it for anyone in the room. The button says
/// "Link copied" for a moment, and the list's status line tells a screen reader.
#[component]
fn CopyLink(room: RoomId, seq: Seq) -> impl IntoView {
    let copied = RwSignal::new(false);
    let announce = expect_context::<Announcer>();
    let copy = move |_| {
        let origin = window().location().origin().unwrap_or_default();
        let link = format!("{origin}{}", message_path(room, seq));
        spawn_local(async move {
            let said =
                if browser_text::copy_and_say_so(&link, copied).await { t().link_copied } else { t().link_not_copied };
            announce.say(said);
        });
    };
    view! {
        <button type="button" on:click=handler(copy)>
            {move || if copied.get() { t().link_copied } else { t().copy_link }}
        </button>
    }
}

/// "Edit" and "Delete" (which asks first), under your own messages.
#[component]
fn YourMessageActions(message: MessageId) -> impl IntoView {
    let store = expect_context::<Store>();
    let question = use_delete_question();
    view! {
        <button type="button" on:click=handler(move |_| store.start_editing(message))>{t().edit}</button>
        <button type="button" on:click=handler(move |event| question.ask(message, &event))>{t().delete}</button>
    }
}

/// Editing a message in place, starting from its text as it is when the edit
/// opens, its mentions shown as `@name` and saved as the same people. As in
/// the composer: Enter saves, Shift+Enter adds a line, Escape cancels.
#[component]
fn EditForm(room: RoomId, message: MessageId, text: Memo<String>) -> impl IntoView {
    let socket = use_socket();
    let store = StoredValue::new(expect_context::<Store>());
    let state = store.with_value(|store| store.room(room));
    let (shown, mentioned) = mentions::decode(&text.get_untracked(), |user| untrack(|| state.name_of(user)));
    let draft = RwSignal::new(shown);
    let mentioned = StoredValue::new(mentioned);
    // Back to where she writes (on a phone, not so far as to keep the
    // keyboard up: to the room's messages).
    let stop_editing = move || {
        store.with_value(Store::stop_editing);
        return_focus_to_room();
    };
    // Why the edit cannot be saved as it is (empty, too long), as the
    // composer says it; gone with the next keystroke.
    let error = RwSignal::new(None::<String>);
    let save = move || {
        let edited = mentioned.with_value(|mentioned| mentions::encode(&draft.get_untracked(), mentioned));
        // Saved unchanged: nothing to tell anyone, and no "(edited)" mark.
        if text.with_untracked(|original| *original == edited) {
            return stop_editing();
        }
        let text = edited;
        match hanmadi_protocol::limits::check_message_text(&text) {
            // A full outbox is explained by the socket; the edit stays open.
            Ok(()) => {
                if socket.act(Action::EditMessage { room, message, text }).is_ok() {
                    stop_editing();
                }
            }
            Err(problem) => error.set(Some(lang().text_problem(&problem))),
        }
    };
    let on_keydown = move |event: KeyboardEvent| {
        if is_send_key(&event) {
            event.prevent_default();
            save();
        } else if event.key() == "Escape" && !composing(&event) {
            event.prevent_default();
            stop_editing();
        }
    };
    let (form, field) = (NodeRef::<html::Form>::new(), NodeRef::<html::Textarea>::new());
    grow_with_text(field, draft.into());
    // Ready to type at the end, and all of it in view: ↑ on a long last
    // message opens an edit taller than the row was, above the composer.
    effect(move || {
        if let (Some(form), Some(field)) = (form.get(), field.get()) {
            let _ = field.focus();
            let end = field.value().encode_utf16().count() as u32;
            let _ = field.set_selection_range(end, end);
            // Once drawn with its text, at its full height.
            into_view_once_drawn(form.into());
        }
    });
    view! {
        <form
            class="edit-form"
            node_ref=form
            on:submit=handler(move |event: SubmitEvent| {
                event.prevent_default();
                save();
            })
        >
            <textarea
                aria-label=t().edit_message
                node_ref=field
                prop:value=move || draft.get()
                on:input=handler(move |event| {
                    draft.set(event_target_value(&event));
                    error.set(None);
                })
                on:keydown=handler(on_keydown)
            ></textarea>
            <button type="submit">{t().save}</button>
            <button type="button" on:click=handler(move |_| stop_editing())>{t().cancel}</button>
            <p class="form-error" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// One of your messages that the server has not confirmed yet: "Sending…", or
/// "Not sent", why, and Retry or Delete. Its files are shown as this tab
/// uploaded them (after a reload, only its text).
#[component]
pub fn Pending(action: ReadSignal<PendingAction>, looked_into: bool) -> impl IntoView {
    let socket = use_socket();
    let store = expect_context::<Store>();
    // Only messages are drawn as pending rows; the room is theirs.
    let (key, room, text, quote, attachments) = action.with_untracked(|pending| match &pending.action {
        Action::SendMessage { room, text, reply_to, attachments } => (
            pending.key.clone(),
            *room,
            text.clone(),
            // A quote is a link into the room, which a room looked into leads nowhere.
            reply_to.filter(|_| !looked_into).and_then(|original| quote_of(*room, original)),
            store.uploaded_files(attachments),
        ),
        other => (pending.key.clone(), other.room().unwrap_or_default(), String::new(), None, Vec::new()),
    });
    let refusal = memo(move || {
        action.with(|pending| match &pending.state {
            ActionState::Queued | ActionState::Sending => None,
            ActionState::Failed { code, reason, problem } => {
                Some(lang().action_refused(&pending.action, *code, reason, problem.as_ref()))
            }
        })
    });
    let controls = redrawn(move || {
        let controls = |reason| {
            let (retry_key, delete_key) = (key.clone(), key.clone());
            view! {
                <span class="pending-reason">{reason}</span>
                <button type="button" on:click=handler(move |_| {
                    socket.retry(retry_key.clone());
                    return_focus_to_room();
                })>{t().retry}</button>
                <button type="button" on:click=handler(move |_| {
                    socket.discard(delete_key.clone());
                    return_focus_to_room();
                })>{t().delete}</button>
            }
        };
        refusal.get().map(controls).into_any()
    });
    view! {
        <article class="message pending" aria-label=t().your_message>
            {quote}
            <div class="message-text"><MessageText room text /></div>
            <AttachmentList attachments />
            <p class="pending-state">
                <span>{move || if refusal.with(Option::is_some) { t().not_sent } else { t().sending }}</span>
                {controls}
            </p>
        </article>
    }
}

/// The quote above a reply not sent yet, when the original is in the history
/// held (it always is when it was answered from this page).
fn quote_of(room: RoomId, original: MessageId) -> Option<impl IntoView> {
    let timeline = expect_context::<Store>().room(room).timeline();
    let seq = timeline.with_untracked(|timeline| timeline.seq_of(original))?;
    let reply_to = ReplyTo { id: original, seq };
    Some(view! { <ReplyQuote room reply_to /> })
}

pub(super) fn notice_text(notice: &Notice) -> String {
    match notice {
        Notice::Created { name } => lang().room_created(name),
        Notice::Joined { name } => lang().joined(name),
        Notice::Left { name: Some(name) } => lang().left(name),
        Notice::Left { name: None } => t().someone_left.to_owned(),
        Notice::Renamed { name } => lang().renamed(name),
        Notice::Missing => t().messages_missing.to_owned(),
    }
}

fn date(at: Millis) -> js_sys::Date {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64))
}

thread_local! {
    /// The browser's formatter of local times, made once: a
    /// `toLocaleTimeString` call builds one anew each time, which took a
    /// tenth of a live message's time in a busy room. It keeps the time zone
    /// of the page's first message: a zone changed while the page is open
    /// shows after a reload (as the app's language does).
    static TIME_FORMAT: js_sys::Function = {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"hour".into(), &"numeric".into());
        let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format()
    };
}

/// Local time, in the browser's language ("오후 3:04", "3:04 PM").
pub(super) fn local_time(at: Millis) -> String {
    TIME_FORMAT
        .with(|format| format.call1(&wasm_bindgen::JsValue::UNDEFINED, &(at as f64).into()))
        .ok()
        .and_then(|time| time.as_string())
        .unwrap_or_default()
}

/// The day, in the browser's language.
pub(super) fn day_label(at: Millis) -> String {
    let options = js_sys::Object::new();
    for (key, value) in [("weekday", "long"), ("year", "numeric"), ("month", "long"), ("day", "numeric")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    date(at).to_locale_date_string("default", &options).into()
}
