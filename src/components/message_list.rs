//! A room's messages: anchored to the bottom while you are there, still while
//! you read history, with "Jump to latest (N new)", and older pages loaded as you
//! scroll up. However long the room, only a window of about 200 rows around what
//! you are looking at is in the page (see `store::window`); it slides as you
//! scroll, and the row under your eyes stays where it was. A link to a
//! message far back loads the page around it, not every page between: the
//! rest comes as you scroll from there, either way.

use hanmadi_protocol::http::{MessagesPage, PageFrom};
use hanmadi_protocol::{RoomId, Seq};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::keyed::live_rows;
use super::message_row::Row;
use super::reactive::{effect, handler, memo, When};
use super::scroll_anchor::{
    hold_bottom_through_resizes, reveal_row, scroll_to_bottom, scroll_to_new_line, ScrollAnchor,
};
use super::waiting_rows::{waiting_in, WaitingRows};
use crate::api;
use crate::i18n::{lang, t};
use crate::router::use_linked_message;
use crate::store::timeline::{layout, Entry, RowLayout, Timeline};
use crate::store::window::{ScrollPosition, Scrolled, Window, STEP_ROWS};
use crate::store::{reading, Store};

/// Messages per page when loading history to a message far away: the
/// server's largest page.
const REVEAL_PAGE: u32 = 200;
/// Pages fetched at most to reveal a message: the newest, if none is held,
/// then the one that reaches it, whether near or far (`Timeline::page_toward`).
const REVEAL_PAGES: usize = 2;
/// Within this many pixels of the bottom counts as "at the bottom".
const AT_BOTTOM_PX: i32 = 48;
/// Within this many pixels of either end of the window, it slides (or, where
/// nothing more is held that way, the page beyond is fetched).
const EDGE_PX: i32 = 400;

#[component]
pub fn MessageList(room: RoomId, name: Signal<String>, direct: Signal<bool>) -> impl IntoView {
    let store = expect_context::<Store>();
    let state = store.room(room);
    let timeline = state.timeline();
    let list = NodeRef::<html::Div>::new();
    let window = RwSignal::new(Window::Latest);
    let at_bottom = RwSignal::new(true);
    let unseen = RwSignal::new(0usize);
    // While set, the window is moving and the view is being put back: scroll
    // events in between describe a page that is about to change, so they wait.
    let sliding = RwSignal::new(false);
    let loading_older = RwSignal::new(false);
    let loading_newer = RwSignal::new(false);
    let status = RwSignal::new("");
    provide_context(Announcer(status));

    let rows = {
        let timeline = timeline.clone();
        let store = store.clone();
        memo(move || {
            let marks = Marks { new_line: store.new_line_at(room), seen: store.seen_at(room) };
            timeline.with(|timeline| rows_in(window.get(), timeline, marks))
        })
    };
    // Where the page's rows end: at the room's start or its newest, or at
    // history still to fetch above or below (after a link far back).
    let edges = {
        let timeline = timeline.clone();
        memo(move || timeline.with(|timeline| window.get().edges(timeline)))
    };
    let pending = waiting_in(room);

    // Each load of history that moves the view (a reveal) or may slide it (an
    // older or newer page) belongs to a generation: jumping to the latest or
    // another reveal starts a new one, and an older load's answer then moves
    // nothing (nor says it is loading: the page it was for is gone).
    let loads = StoredValue::new(0u32);
    let new_load = move || {
        loading_newer.set(false);
        loads.update_value(|n| *n += 1);
        loads.get_value()
    };
    // While a message is being revealed, arrivals do not place the view.
    let revealing = StoredValue::new(false);
    // Where the view was last put or seen (see `on_scroll`).
    let last_top = StoredValue::new(0);

    // The page around a linked message fetched beside the room's first (see
    // the reveal below).
    let ahead = RwSignal::new(Ahead::Idle);
    let reveals = StoredValue::new(store.clone());
    let jump_to_latest = move || {
        // A reveal waiting for the room's first page is not wanted any more.
        reveals.with_value(|store| store.reveal_taken(room));
        ahead.set(Ahead::Idle);
        new_load();
        loading_older.set(false);
        revealing.set_value(false);
        sliding.set(false);
        window.set(Window::Latest);
        at_bottom.set(true);
        unseen.set(0);
        scroll_to_bottom(list, last_top);
    };

    // A room opened with something unread shows its "New messages" line near
    // the top of the view. When more was unread than the first page holds,
    // the history is loaded to where reading had stopped first: the
    // line then stands above the first unread message, not above the oldest
    // one held, only to move out of the page as older ones come.
    let open_at_new_line = {
        let store = store.clone();
        move || {
            let Some(read) = store.new_line_after(room) else { return };
            let this_load = new_load();
            let still_wanted = move || !window.is_disposed() && loads.get_value() == this_load;
            revealing.set_value(true);
            loading_older.set(true);
            let store = store.clone();
            spawn_local(async move {
                load_to(room, read, &store, still_wanted).await;
                if !still_wanted() {
                    return;
                }
                loading_older.set(false);
                revealing.set_value(false);
                if let Some(line) = untrack(|| store.new_line_at(room)) {
                    let timeline = store.room(room).timeline();
                    window.set(timeline.with_untracked(|t| Window::around(t, line)));
                }
                scroll_to_new_line(list, last_top);
            });
        }
    };

    // After every arrival: follow the bottom if we are there, else count what is
    // new. Only messages by others that arrive below count as new, not older
    // pages loaded above, nor notices, nor what you said in another tab.
    // A message you send here takes you to the latest, as in every chat app. So
    // does "Seen" coming under your newest message, which makes the rows
    // taller below the view as an arrival does.
    let newest_seen = StoredValue::new(None::<Seq>);
    let sent_here = store.room(room).sent_here();
    let sent_count = StoredValue::new(sent_here.get_untracked());
    {
        let timeline = timeline.clone();
        let store = store.clone();
        let me = store.me();
        effect(move || {
            store.seen_at(room);
            let me = me.get_untracked();
            let (newest, arrived) = timeline.with(|t| {
                let newest = t.entries().last().map(Entry::seq);
                let arrived = newest_seen.get_value().map_or(0, |seen| reading::new_to(me, t, seen).count());
                (newest, arrived)
            });
            // The first rows ever shown: a room with unread messages opens at
            // its "New messages" line, not at the bottom.
            let first_view = newest_seen.get_value().is_none() && newest.is_some();
            newest_seen.set_value(newest.or(newest_seen.get_value()));
            // Her "Sending…" rows grow the list below the view as arrivals do.
            pending.track();
            let sent = sent_here.get() > sent_count.get_value();
            sent_count.set_value(sent_here.get_untracked());
            let opens_at_new_line = first_view && untrack(|| store.new_line_at(room)).is_some();
            if sent && !opens_at_new_line {
                jump_to_latest();
            } else if revealing.get_value() {
                // The message being revealed decides where the view goes.
            } else if opens_at_new_line {
                at_bottom.set(false);
                open_at_new_line();
            } else if at_bottom.get_untracked() && window.get_untracked() == Window::Latest {
                scroll_to_bottom(list, last_top);
            } else if arrived > 0 {
                unseen.update(|n| *n += arrived);
            }
        });
    }

    let slide = move |to: Window| {
        let anchor = ScrollAnchor::take(list);
        sliding.set(true);
        window.set(to);
        match anchor {
            Some(anchor) => anchor.restore(list, move || sliding.set(false)),
            None => sliding.set(false),
        }
    };
    // Fetches a page of history at an edge of the window (with `loading`
    // set), and slides the window into it as `moved` says, unless the view
    // has gone elsewhere meanwhile.
    let fetch_and_slide = {
        let (timeline, store) = (timeline.clone(), store.clone());
        move |from: PageFrom, loading: RwSignal<bool>, moved: fn(Window, &Timeline) -> Option<Window>| {
            loading.set(true);
            let this_load = loads.get_value();
            let (timeline, store) = (timeline.clone(), store.clone());
            spawn_local(async move {
                let page = api::messages(room, from, STEP_ROWS as u32).await;
                // The room may have been left while the page was on its way.
                if window.is_disposed() {
                    return;
                }
                let arrived = page.is_ok();
                if let Ok(page) = page {
                    store.history_loaded(room, page, from);
                }
                // The view has gone elsewhere since: this load says nothing
                // of the window now, nor of a load asked for it.
                if loads.get_value() != this_load {
                    return;
                }
                if let Some(moved) = timeline.with_untracked(|t| moved(window.get_untracked(), t)).filter(|_| arrived) {
                    slide(moved);
                }
                loading.set(false);
            });
        }
    };
    // The page before the window's first row, when nothing held comes
    // before it: scrolling up reaches the room's start, or the hole after a
    // stretch loaded far back.
    let fetch_older = {
        let (timeline, fetch_and_slide) = (timeline.clone(), fetch_and_slide.clone());
        move || {
            if loading_older.get_untracked() || edges.get_untracked().room_start {
                return;
            }
            let first =
                timeline.with_untracked(|t| t.entries().get(window.get_untracked().range(t).start).map(Entry::seq));
            if let Some(first) = first {
                fetch_and_slide(PageFrom::Before(Some(first)), loading_older, Window::older);
            }
        }
    };
    // The page after the window's last row, when a hole comes after it:
    // reading on from a message far back toward the newest.
    let fetch_newer = {
        let timeline = timeline.clone();
        move || {
            if loading_newer.get_untracked() {
                return;
            }
            let last = timeline.with_untracked(|t| {
                let end = window.get_untracked().range(t).end;
                end.checked_sub(1).and_then(|last| t.entries().get(last)).map(Entry::seq)
            });
            if let Some(last) = last {
                fetch_and_slide(PageFrom::After(last), loading_newer, Window::newer);
            }
        }
    };
    // A reply's quote or a link to a message: the history is loaded to it
    // (`load_to`: a page or two, however far back), the window moves to it,
    // and it is lit and focused.
    {
        let linked = use_linked_message();
        let store = store.clone();
        effect(move || match linked.get() {
            Some((linked_room, seq)) if linked_room == room => store.reveal(room, seq),
            _ => {}
        });
    }
    {
        let (timeline, store, requests) = (timeline.clone(), store.clone(), state.reveal_requests());
        effect(move || {
            let Some(seq) = requests.get() else { return };
            // From now on the message decides where the view goes, not the
            // rows that arrive (nor the "New messages" line).
            revealing.set_value(true);
            // A link opened in a new tab comes before the room's own newest
            // page (the room is hers: its page is on its way, or the resume
            // replays its history). The page around the message is fetched
            // beside it, not after it, and the newest is not asked for twice.
            if timeline.with(|t| t.entries().is_empty()) {
                if ahead.with_untracked(|ahead| matches!(ahead, Ahead::Idle)) {
                    fetch_ahead(room, seq, ahead);
                }
                return;
            }
            // The page fetched ahead for this message is waited for (tracked),
            // unless what is held has the message already (a recent one).
            // Once in, it is added where rows as new as its own are held; it
            // waits while they are not (the room's own page failed, and the
            // resume is replaying up to it: a page far back added first
            // would stand as the room's newest). One fetched for another
            // message, or not needed, is dropped.
            let held = timeline.with_untracked(|t| t.holds(seq));
            let wait = ahead.with(|ahead| match ahead {
                Ahead::OnItsWay(fetched_for) => *fetched_for == seq && !held,
                Ahead::Landed(fetched_for, _, page) => {
                    *fetched_for == seq && !held && !timeline.with_untracked(|t| t.holds_as_new_as(page))
                }
                Ahead::Idle => false,
            });
            if wait {
                return;
            }
            if let Some(Ahead::Landed(fetched_for, from, page)) =
                ahead.try_update_untracked(|ahead| std::mem::replace(ahead, Ahead::Idle))
            {
                if fetched_for == seq && !held {
                    store.history_loaded(room, page, from);
                }
            }
            store.reveal_taken(room);
            let (timeline, store) = (timeline.clone(), store.clone());
            let this_load = new_load();
            let still_wanted = move || !window.is_disposed() && loads.get_value() == this_load;
            loading_older.set(true);
            spawn_local(async move {
                let reached = load_to(room, seq, &store, still_wanted).await;
                if !still_wanted() {
                    return;
                }
                loading_older.set(false);
                if !reached {
                    // Offline or refused: the view stays where it was.
                    revealing.set_value(false);
                    return;
                }
                sliding.set(true);
                window.set(timeline.with_untracked(|t| Window::around(t, seq)));
                // Whether the reader is at the bottom is measured where the
                // message left the view, in the same frame: a row arriving
                // meanwhile must not pull the view away from it.
                reveal_row(list, seq, last_top, still_wanted, move |below| {
                    at_bottom.set(below <= AT_BOTTOM_PX);
                    sliding.set(false);
                    revealing.set_value(false);
                });
            });
        });
    }

    let on_scroll = move |_| {
        let Some(el) = list.get_untracked() else { return };
        let below = el.scroll_height() - el.scroll_top() - el.client_height();
        let moved_up = el.scroll_top() < last_top.get_value();
        last_top.set_value(el.scroll_top());
        // The message being revealed decides where the view goes, as it does
        // for arrivals: a scroll event from before it was placed, handled in
        // the frame that places it, would otherwise ask for the bottom just
        // after it.
        if revealing.get_value() {
            return;
        }
        // A scroll event arrives a frame after the scroll: while following, a
        // burst of rows may have landed below in between. Only moving up from
        // where the list last put the view, or the reader last left it,
        // stops following.
        if at_bottom.get_untracked() && window.get_untracked() == Window::Latest && !moved_up {
            if below > AT_BOTTOM_PX {
                scroll_to_bottom(list, last_top);
            }
            return;
        }
        let at_bottom_now = below <= AT_BOTTOM_PX;
        at_bottom.set(at_bottom_now);
        if sliding.get_untracked() {
            return;
        }
        let current = window.get_untracked();
        let position = ScrollPosition {
            at_bottom: at_bottom_now,
            near_top: el.scroll_top() <= EDGE_PX,
            near_bottom: below <= EDGE_PX,
        };
        match timeline.with_untracked(|t| current.scrolled(t, position)) {
            Scrolled::Follow => {
                unseen.set(0);
                if current != Window::Latest {
                    window.set(Window::Latest);
                    scroll_to_bottom(list, last_top);
                }
            }
            Scrolled::Keep(held) => {
                if held != current {
                    window.set(held);
                }
            }
            Scrolled::Slide(moved) => slide(moved),
            Scrolled::FetchOlder(held) => {
                if held != current {
                    window.set(held);
                }
                fetch_older();
            }
            Scrolled::FetchNewer(held) => {
                if held != current {
                    window.set(held);
                }
                fetch_newer();
            }
        }
    };

    let following = memo(move || at_bottom.get() && window.get() == Window::Latest);
    hold_bottom_through_resizes(list, last_top, following.into());

    let tap_beside = {
        let store = store.clone();
        move |event: leptos::ev::MouseEvent| {
            if beside_the_messages(&event) {
                store.unselect();
            }
        }
    };

    view! {
        <div
            class="messages"
            role="log"
            tabindex="0"
            aria-label=move || name.get()
            aria-busy=move || (loading_older.get() || loading_newer.get()).to_string()
            class:following=following
            node_ref=list
            on:scroll=handler(on_scroll)
            on:click=handler(tap_beside)
        >
            <When when=move || edges.get().starts_held>
                <p class="history-edge">
                    {move || {
                        if edges.get().room_start {
                            if direct.get() {
                                lang().beginning_with(&name.get())
                            } else {
                                lang().beginning_of(&name.get())
                            }
                        } else if loading_older.get() {
                            t().loading_earlier.to_owned()
                        } else {
                            String::new()
                        }
                    }}
                </p>
            </When>
            {live_rows(rows, |place| place.entry.seq(), move |place| view! { <Row room place /> }.into_any())}
            <When when=move || edges.get().hole_below>
                <p class="history-edge">{move || if loading_newer.get() { t().loading_later } else { "" }}</p>
            </When>
            <When when=move || edges.get().newest>
                <WaitingRows room pending looked_into=false />
            </When>
        </div>
        <p class="visually-hidden" role="status">{move || status.get()}</p>
        <When when=move || { (!at_bottom.get() && unseen.get() > 0) || edges.get().apart_from_newest }>
            <button
                type="button"
                class="jump-latest"
                on:click=handler(move |_| {
                    // The button goes once there: the focus stays in the list, not lost to the page.
                    if let Some(list) = list.get_untracked() {
                        let _ = list.focus();
                    }
                    jump_to_latest();
                })
            >
                {move || lang().jump_to_latest(unseen.get())}
            </button>
        </When>
    }
}

/// The list's status line, which a screen reader reads out: what a row's
/// button did ("Link copied"), said once.
#[derive(Clone, Copy)]
pub struct Announcer(RwSignal<&'static str>);

impl Announcer {
    pub fn say(self, what: &'static str) {
        // Said again if it is the same words: cleared first, then set.
        self.0.set("");
        request_animation_frame(move || {
            let _ = self.0.try_set(what);
        });
    }
}

/// A row of the history and where it goes: its entry, how it is laid out,
/// whether the "New messages" line comes before it, and whether "Seen" comes
/// after it. Everything the row shows is here, so a change reaches only the
/// rows it changed (see `keyed::live_rows`), not every row in the window.
/// Laying out the window clones its entries: 200 messages copied and
/// compared cost far less than 200 rows each woken by every change.
#[derive(Debug, Clone, PartialEq)]
pub struct RowPlace {
    pub entry: Entry,
    pub layout: RowLayout,
    pub new_line: bool,
    pub seen: bool,
}

/// The rows the history marks: the first with the "New messages" line
/// before it, and your message with "Seen" under it.
#[derive(Debug, Clone, Copy)]
struct Marks {
    new_line: Option<Seq>,
    seen: Option<Seq>,
}

/// The page around a linked message, fetched while the room's own newest
/// page is on its way (see the reveal in [`MessageList`]), for the message
/// at the seq it holds.
enum Ahead {
    Idle,
    OnItsWay(Seq),
    Landed(Seq, PageFrom, MessagesPage),
}

fn fetch_ahead(room: RoomId, seq: Seq, ahead: RwSignal<Ahead>) {
    ahead.set(Ahead::OnItsWay(seq));
    let from = Timeline::page_ahead(seq);
    spawn_local(async move {
        let page = api::messages(room, from, REVEAL_PAGE).await;
        // Kept only if still awaited: not if the reveal went on without it
        // (or the list is gone). Not had: the reveal fetches what it needs.
        let _ = ahead.try_update(|ahead| {
            if matches!(ahead, Ahead::OnItsWay(fetched_for) if *fetched_for == seq) {
                *ahead = page.map_or(Ahead::Idle, |page| Ahead::Landed(seq, from, page));
            }
        });
    });
}

/// Loads `room`'s history to `seq`: the newest page if none is held, then
/// the page that reaches it (the one before what is held, when it is near;
/// else a page of its own around it, however far back). False if a page
/// could not be had (offline, refused) or the view went elsewhere meanwhile
/// (`still_wanted`).
async fn load_to(room: RoomId, seq: Seq, store: &Store, still_wanted: impl Fn() -> bool) -> bool {
    let timeline = store.room(room).timeline();
    for _ in 0..REVEAL_PAGES {
        let Some(from) = timeline.with_untracked(|t| t.page_toward(seq)) else { break };
        let page = api::messages(room, from, REVEAL_PAGE).await;
        let Some(page) = page.ok().filter(|_| still_wanted()) else { return false };
        store.history_loaded(room, page, from);
    }
    true
}

/// The rows of the window. The row just before the window is looked at too, so
/// the first row in the page groups as it would in the whole history (no
/// separator or repeated author where none belongs).
fn rows_in(window: Window, timeline: &Timeline, marks: Marks) -> Vec<RowPlace> {
    let entries = timeline.entries();
    let range = window.range(timeline);
    // Not across a hole: the row before it is not the one before in the room.
    let context = if window.starts_what_is_held(timeline) { range.start } else { range.start - 1 };
    let layouts = layout(&entries[context..range.end], utc_offset_minutes());
    let first_unread = marks.new_line.map(|at| entries.partition_point(|entry| entry.seq() < at));
    entries[range.clone()]
        .iter()
        .zip(layouts.into_iter().skip(range.start - context))
        .zip(range)
        .map(|((entry, layout), index)| RowPlace {
            entry: entry.clone(),
            layout,
            new_line: first_unread == Some(index),
            seen: marks.seen == Some(entry.seq()),
        })
        .collect()
}

/// Whether a click landed beside every message (a gap, a day's line, a
/// notice): it unselects the one selected, as tapping away does in a chat
/// app.
fn beside_the_messages(event: &leptos::ev::MouseEvent) -> bool {
    let target = event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok());
    target.is_some_and(|target| target.closest("article.message").ok().flatten().is_none())
}

/// The viewer's offset from UTC in minutes (Seoul: +540), for local day breaks.
pub(super) fn utc_offset_minutes() -> i64 {
    -(js_sys::Date::new_0().get_timezone_offset() as i64)
}
