//! The composer: Enter sends, Shift+Enter adds a line, and Enter during an IME
//! composition (Korean, Japanese, Chinese) only confirms the syllable. ↑ in an
//! empty composer edits your newest message (`Store::edit_newest`). While
//! answering a message it says "Replying to {name}" and how the message
//! begins; Escape or "Cancel
//! reply" stops. What is typed and answered waits in its room as a draft
//! (`crate::drafts`). `@` offers the room's members to mention
//! (`MentionPicker`). Files are attached with "Attach file" or by pasting an
//! image (`pending_files`), the text being their caption; a message with
//! files goes to the outbox only once each is uploaded, and Send pressed
//! before sends it then. Files that could not reach the server (no
//! connection) wait with their message for it, kept across reloads
//! (`crate::parcels`). It takes the focus when a room opens on a computer
//! (not on a phone, where that would pop the keyboard up).

use hanmadi_protocol::limits::{check_message_text, ProblemKind};
use hanmadi_protocol::{Action, AttachmentId, RoomId};
use leptos::ev::{self, ClipboardEvent, KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::field_growth::grow_with_text;
use super::formatting_help::FormattingHelp;
use super::mention_picker::{MentionList, MentionPicker};
use super::pending_files::{files_in, AttachButton, DraftFiles, FileChips};
use super::reactive::{effect, handler, memo, redrawn};
use super::reply_quote::quoted_beginning;
use crate::drafts::{self, Draft};
use crate::i18n::{lang, t};
use crate::parcels::saved::Parcel;
use crate::parcels::use_parcels;
use crate::pending_files::Ready;
use crate::socket::use_socket;
use crate::store::Store;

#[component]
pub fn Composer(room: RoomId, files: DraftFiles) -> impl IntoView {
    let (socket, parcels) = (use_socket(), use_parcels());
    let store = StoredValue::new(expect_context::<Store>());
    let me = store.with_value(|store| store.me().get_untracked());
    let draft = me.map(|me| drafts::read(me, room)).unwrap_or_default();
    let text = RwSignal::new(draft.text.clone());
    let error = RwSignal::new(None::<String>);
    let field = NodeRef::<html::Textarea>::new();
    grow_with_text(field, text.into());
    let picker = MentionPicker::new(room, text, field);
    picker.resume(draft.picked.clone());
    // The message being answered, if it is one of this room's.
    let replying = {
        let replying = store.with_value(Store::replying);
        memo(move || replying.with(|replying| replying.clone().filter(|replying| replying.room == room)))
    };
    // How the message answered begins, as the room holds it (nothing once
    // it is not held: a draft's answer to a message older than the page).
    let answered_beginning = {
        let state = store.with_value(|store| store.room(room));
        let timeline = state.timeline();
        memo(move || {
            let answered = replying.with(|replying| replying.as_ref().map(|replying| replying.message))?;
            timeline.with(|timeline| timeline.message(answered).map(|message| quoted_beginning(message, &state)))
        })
    };
    let cancel_reply = move || store.with_value(Store::stop_reply);
    // Takes up the answer a kept draft holds, or lets go of this room's if
    // it holds none (sent or cancelled in another tab meanwhile).
    let take_up_reply = move |draft: &Draft| match draft.replying.clone().filter(|replying| replying.room == room) {
        Some(replying) => store.with_value(|store| store.start_reply(replying)),
        None => {
            if replying.with_untracked(Option::is_some) {
                cancel_reply();
            }
        }
    };
    if me.is_some() {
        take_up_reply(&draft);
    }
    // The message answered is deleted: there is nothing left to answer.
    let timeline = store.with_value(|store| store.room(room).timeline());
    effect(move || {
        let Some(answered) = replying.with(|replying| replying.as_ref().map(|replying| replying.message)) else {
            return;
        };
        if timeline.with(|timeline| timeline.was_deleted(answered)) {
            cancel_reply();
        }
    });
    // What is typed, and what it answers, stays the room's draft until it is
    // sent (`crate::drafts`), written only when it changed (not on opening
    // the room).
    if let Some(me) = me {
        let last_kept = StoredValue::new(draft);
        effect(move || {
            let draft = Draft { text: text.get(), picked: picker.picked(), replying: replying.get() };
            if last_kept.with_value(|kept| *kept != draft) {
                drafts::keep(me, room, &draft);
                last_kept.set_value(draft);
            }
        });
        // Another tab changed it: the box follows, unless something was
        // typed or answered here since this tab last kept it.
        let follow = window_event_listener(ev::storage, move |event| {
            let Some(theirs) = drafts::changed_elsewhere(&event, me, room) else { return };
            let untouched = last_kept.with_value(|kept| {
                text.with_untracked(|typed| *typed == kept.text) && replying.with_untracked(|now| *now == kept.replying)
            });
            if untouched {
                picker.resume(theirs.picked.clone());
                text.set(theirs.text.clone());
                take_up_reply(&theirs);
                last_kept.set_value(theirs);
            }
        });
        on_cleanup(move || follow.remove());
    }

    // Send was pressed while files were still uploading: the message goes
    // as soon as the last one is up (or as a parcel if the room is left first).
    let waiting = RwSignal::new(false);
    // What was typed and attached went: the composer starts afresh, and the
    // room's list goes to the latest.
    let clear = move |replied: bool| {
        store.with_value(|store| store.sent_here(room));
        text.set(String::new());
        picker.reset();
        files.sent();
        error.set(None);
        if replied {
            cancel_reply();
        }
    };
    // The message as typed goes with the files `attachments` names, or, with
    // `None`, waits with the draft's files as a parcel: some could not reach
    // the server (no connection), or the room is left while they upload.
    let send_with = move |attachments: Option<Vec<AttachmentId>>| {
        waiting.set(false);
        let mut message = picker.encode(&text.get_untracked());
        let with_files = attachments.as_ref().is_none_or(|ids| !ids.is_empty());
        match check_message_text(&message) {
            Ok(()) => {}
            // Files may go without a caption.
            Err(problem) if problem.kind == ProblemKind::Empty && with_files => message.clear(),
            Err(problem) if problem.kind == ProblemKind::Empty => return,
            Err(problem) => {
                error.set(Some(lang().text_problem(&problem)));
                return;
            }
        }
        let reply_to = replying.with_untracked(|replying| replying.as_ref().map(|replying| replying.message));
        let Some(attachments) = attachments else {
            let Some(user) = me else { return };
            let (typed, picked, replied_to, kept) =
                (text.get_untracked(), picker.picked(), replying.get_untracked(), files.for_parcel());
            let originals: Vec<web_sys::File> =
                kept.iter().filter_map(|file| file.bytes.clone().dyn_into().ok()).collect();
            let made = js_sys::Date::now();
            let parcel = Parcel {
                key: socket.reserve_key(),
                user,
                room,
                text: message,
                reply_to,
                files: kept,
                made,
                refused: None,
            };
            // Taken from the composer at once, so a second Enter sends nothing
            // twice and leaving the room forgets none of its uploads; given
            // back if it cannot be kept.
            clear(reply_to.is_some());
            spawn_local(async move {
                let Err(why) = parcels.keep(parcel).await else { return };
                if error.try_set(Some(why)).is_some() {
                    // The room was left meanwhile: its words wait as its draft.
                    drafts::keep(user, room, &Draft { text: typed, picked, replying: replied_to });
                    return;
                }
                if text.with_untracked(String::is_empty) {
                    picker.resume(picked);
                    text.set(typed);
                    if let Some(replied_to) = replied_to.filter(|_| replying.with_untracked(Option::is_none)) {
                        store.with_value(|store| store.start_reply(replied_to));
                    }
                }
                files.add(originals);
            });
            return;
        };
        // A full outbox is explained by the socket; what was typed stays.
        if socket.act(Action::SendMessage { room, text: message, reply_to, attachments }).is_ok() {
            clear(reply_to.is_some());
        }
    };
    let send = move || {
        store.with_value(Store::forget_edit_once_sent);
        let attachments = match untrack(|| files.ready()) {
            Ready::Files(ids) => Some(ids),
            Ready::Uploading => {
                waiting.set(true);
                return;
            }
            Ready::NotUploaded if untrack(|| files.waits_for_network()) => None,
            Ready::NotUploaded => {
                waiting.set(false);
                error.set(Some(t().files_not_uploaded.to_owned()));
                return;
            }
        };
        send_with(attachments);
    };
    effect(move || {
        if files.ready() != Ready::Uploading && waiting.get_untracked() {
            send();
        }
    });
    // The room is left while a message sent waits for its uploads, which do
    // not outlive the room's page: it waits as a parcel instead, its files
    // uploaded again from the start. Its draft goes with it (what keeps
    // drafts is gone by now).
    on_cleanup(move || {
        if waiting.get_untracked() {
            send_with(None);
            if let Some(me) = me {
                drafts::keep(me, room, &Draft::default());
            }
        }
    });
    // A pasted image (a screenshot) is attached. Anything with text on it
    // pastes as text: a spreadsheet's cells come with a picture of them too.
    let on_paste = move |event: ClipboardEvent| {
        let Some(data) = event.clipboard_data() else { return };
        if data.types().includes(&"text/plain".into(), 0) {
            return;
        }
        let pasted = files_in(&data);
        if !pasted.is_empty() {
            event.prevent_default();
            files.add(pasted);
        }
    };
    let on_keydown = move |event: KeyboardEvent| {
        if picker.handles_key(&event) {
            return;
        }
        if is_send_key(&event) {
            event.prevent_default();
            send();
        } else if event.key() == "ArrowUp"
            && !has_modifier(&event)
            && text.with_untracked(String::is_empty)
            && store.with_value(|store| store.edit_newest(room, !untrack(|| parcels.in_room(room).is_empty())))
        {
            event.prevent_default();
        } else if event.key() == "Escape" && !composing(&event) && replying.with_untracked(Option::is_some) {
            event.prevent_default();
            cancel_reply();
        }
    };
    let reply_bar = redrawn(move || {
        replying
            .get()
            .map(|replying| {
                view! {
                    <p class="replying">
                        <span class="replying-to">
                            <span id=REPLYING_ID>{lang().replying_to(&replying.author)}</span>
                            <span id=ANSWERED_ID class="quote-text">{move || answered_beginning.get()}</span>
                        </span>
                        <button
                            type="button"
                            aria-label=t().cancel_reply
                            title=t().cancel_reply
                            on:click=handler(move |_| {
                                cancel_reply();
                                focus_composer();
                            })
                        >
                            "✕"
                        </button>
                    </p>
                }
            })
            .into_any()
    });
    effect(move || {
        if let Some(field) = field.get() {
            if fine_pointer() {
                let _ = field.focus();
            }
        }
    });
    // A syllable being composed in the field (Korean input). A press on
    // Send then lets the field lose the focus, which ends the syllable
    // before the text is taken; the focus comes back once it is sent.
    let syllable = StoredValue::new(false);
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        send();
        focus_composer();
    };

    view! {
        <form class="composer" on:submit=handler(on_submit)>
            {reply_bar}
            <FileChips files />
            <textarea
                id=COMPOSER_ID
                node_ref=field
                aria-label=t().message
                aria-describedby=move || replying.with(Option::is_some).then_some(DESCRIBED_BY_REPLY)
                aria-autocomplete="list"
                aria-controls=move || picker.list_id()
                aria-activedescendant=move || picker.active_option()
                placeholder=t().message
                rows="1"
                prop:value=move || text.get()
                on:input=handler(move |event| {
                    store.with_value(|store| {
                        store.forget_edit_once_sent();
                        store.unselect();
                    });
                    text.set(event_target_value(&event));
                    picker.follow_caret();
                    socket.typing(room);
                })
                on:keydown=handler(on_keydown)
                on:paste=handler(on_paste)
                on:compositionstart=handler(move |_| syllable.set_value(true))
                on:compositionend=handler(move |_| syllable.set_value(false))
                on:blur=handler(move |_| picker.close())
            ></textarea>
            <MentionList picker />
            <AttachButton files />
            // Not taking the focus from the field as it is pressed: the next
            // message is typed at once, and a phone keeps its keyboard open.
            <button
                type="submit"
                on:mousedown=handler(move |event: leptos::ev::MouseEvent| {
                    if !syllable.get_value() {
                        event.prevent_default();
                    }
                })
            >
                {t().send}
            </button>
            <p class="composer-waiting" role="status">{move || waiting.get().then_some(t().sends_when_uploaded)}</p>
            <p class="form-error" role="alert">{move || error.get().or_else(|| files.refusal.get())}</p>
            <FormattingHelp />
        </form>
    }
}

const COMPOSER_ID: &str = "composer";
/// "Replying to {name}", which describes the composer to a screen reader.
const REPLYING_ID: &str = "composer-replying";
const ANSWERED_ID: &str = "composer-answered";
/// A screen reader hears whom the message will answer, then what.
const DESCRIBED_BY_REPLY: &str = "composer-replying composer-answered";

/// Enter without Shift, and not the Enter that ends an IME composition: the key
/// that sends (or saves an edit).
pub fn is_send_key(event: &KeyboardEvent) -> bool {
    event.key() == "Enter" && !event.shift_key() && !composing(event)
}

/// Whether a key belongs to an IME composition (a Korean syllable being
/// typed), whose Enter or Escape ends the syllable and nothing else. keyCode
/// 229: some browsers (Safari) report IME keystrokes this way, with
/// `isComposing` still false on the key that ends the composition.
pub fn composing(event: &KeyboardEvent) -> bool {
    event.is_composing() || event.key_code() == 229
}

/// Alt+↑ walks the rooms (see `KeyboardShortcuts`): only a bare ↑ edits.
fn has_modifier(event: &KeyboardEvent) -> bool {
    event.alt_key() || event.ctrl_key() || event.meta_key() || event.shift_key()
}

/// Puts the focus back in the composer (after an edit, or on changing rooms).
pub fn focus_composer() {
    let field = document().get_element_by_id(COMPOSER_ID).and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(field) = field {
        let _ = field.focus();
    }
}

/// Gives the focus to where she writes once what held it went away (a dialog
/// whose opener is gone, a refused message retried or deleted), rather than
/// leave it on the page, where a keyboard or a screen reader would start
/// again from the top: the composer, or in a room she looks into, its "Join
/// this room". On a touch screen, where a focused field brings up the
/// keyboard, the room's messages instead of the composer.
pub fn return_focus_to_room() {
    let document = document();
    let composer = fine_pointer().then(|| document.get_element_by_id(COMPOSER_ID)).flatten();
    // A room's page holds one of the two: its log, or a preview's Join.
    let target = composer.or_else(|| document.query_selector(".preview-join button, [role=log]").ok().flatten());
    if let Some(target) = target.and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = target.focus();
    }
}

/// A mouse or trackpad: a computer, where a focused composer is welcome.
pub fn fine_pointer() -> bool {
    window().match_media("(pointer: fine)").ok().flatten().is_some_and(|query| query.matches())
}
