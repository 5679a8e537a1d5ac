//! Drives `hanmadi_client_core::Client` with the browser: performs its outputs
//! (sockets, frames, saving the outbox, status) and feeds it socket events and
//! timer wake-ups.
//!
//! Every browser callback defers its work to a microtask (`spawn_local`) instead
//! of calling the engine directly. That keeps two hazards away: re-entering the
//! adapter while it is borrowed, and dropping a Rust closure (a socket's handler,
//! a timer's callback) while that very closure is running.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use hanmadi_client_core::sorted_map::SortedMap;
use hanmadi_client_core::{Client, Config, Event, Instant, Output, Status};
use hanmadi_protocol::http::{PageFrom, RoomSummary, Settings};
use hanmadi_protocol::{RoomId, Seq};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::clock;
use super::live_socket::{LiveSocket, SocketEvent};
use super::saved_outbox;
use super::tabs::{self, Role, Tabs};
use crate::api;
use crate::console;
use crate::deploy_config;
use crate::last_seen;
use crate::session::{self, Session};
use crate::store::reading::Listed;
use crate::store::snapshot::Snapshot;
use crate::store::{page_visible, RoomInfo, RoomsFetch, Store};
use crate::unsent;

pub struct Adapter {
    pub client: Client,
    socket: Option<LiveSocket>,
    timer: Option<Timeout>,
    set_status: WriteSignal<Status>,
    pub set_session: WriteSignal<Option<Session>>,
    pub store: Store,
    sleep_watch: clock::SleepWatch,
    /// Rooms whose first page is being loaded, so that two lists fetched at
    /// once (at start, and on connecting) load each room once.
    loading: SortedMap<RoomId, ()>,
    /// Rooms opened from what was last seen (`last_seen`), by the head kept:
    /// once the server answers, their history up to it is fetched again for
    /// what the kept copy leaves out (their notices, "Jun joined").
    opened_offline: SortedMap<RoomId, Seq>,
    /// The other tabs of this browser, where they can share one socket.
    pub tabs: Option<Tabs>,
}

pub type Shared = Rc<RefCell<Adapter>>;

thread_local! {
    /// The page's adapter, for HTTP calls whose token was refused
    /// ([`token_refused`]): they run outside any component.
    static THE_ADAPTER: RefCell<Weak<RefCell<Adapter>>> = const { RefCell::new(Weak::new()) };
    /// Those calls, waiting for the engine's refresh to be answered.
    static WAITING_FOR_TOKEN: RefCell<Vec<js_sys::Function>> = const { RefCell::new(Vec::new()) };
}

/// An HTTP call was refused for its token (401): the engine refreshes it,
/// once for every call and the socket (`Client::on_api_unauthorized`), and
/// this returns once the refresh is answered, well or not; the caller tries
/// again with whatever session is saved then.
pub async fn token_refused() {
    let Some(shared) = THE_ADAPTER.with(|adapter| adapter.borrow().upgrade()) else { return };
    let answered =
        js_sys::Promise::new(&mut |resolve, _| WAITING_FOR_TOKEN.with(|waiting| waiting.borrow_mut().push(resolve)));
    drive_later(Rc::downgrade(&shared), |client, _| client.on_api_unauthorized());
    drop(shared);
    let _ = wasm_bindgen_futures::JsFuture::from(answered).await;
}

/// The refresh was answered: the calls waiting for it try again.
fn token_answered() {
    for resolve in WAITING_FOR_TOKEN.with(|waiting| std::mem::take(&mut *waiting.borrow_mut())) {
        let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
    }
}

impl Adapter {
    /// Creates the engine, restores the outbox saved before a reload, and starts
    /// the first connection if there is a session to connect with.
    pub fn start(set_status: WriteSignal<Status>, set_session: WriteSignal<Option<Session>>, store: Store) -> Shared {
        let seed = (js_sys::Math::random() * (1u64 << 53) as f64) as u64;
        let mut client = Client::new(Config::new(deploy_config::socket_url(), seed));
        saved_outbox::restore(&mut client);
        store.show_outbox(client.outbox().to_vec());
        store.show_unsent(unsent::saved());
        let saved = session::saved();
        client.set_token(saved.as_ref().map(|session| session.token.clone()));
        if let Some(session) = &saved {
            client.token_valid_for(clock::now(), session::valid_for(session));
        }
        let shared = Rc::new(RefCell::new(Adapter {
            client,
            socket: None,
            timer: None,
            set_status,
            set_session,
            store,
            sleep_watch: clock::SleepWatch::new(),
            loading: SortedMap::new(),
            opened_offline: SortedMap::new(),
            tabs: None,
        }));
        tabs::join(&shared);
        THE_ADAPTER.with(|adapter| *adapter.borrow_mut() = Rc::downgrade(&shared));
        if let Some(session) = saved {
            start_session(&shared, &session);
        }
        shared
    }
}

/// A guest session was just created, here or in another tab: remember it and
/// connect with it.
pub fn signed_in(shared: &Shared, session: Session) {
    // A new user: what the last session left unsent was theirs to copy, not to send.
    unsent::forget();
    // Someone else, on a page whose session ended: the page starts over as
    // them (the session is saved), so nothing the last person's page held
    // (rooms, messages, members, the engine's rooms) shows or is asked for
    // under the new session.
    if shared.borrow().store.me().get_untracked().is_some_and(|me| me != session.user.id) {
        return start_over();
    }
    shared.borrow().store.show_unsent(None);
    shared.borrow().set_session.set(Some(session.clone()));
    let token = session.token.clone();
    let valid_for = session::valid_for(&session);
    drive(shared, |client, now| {
        client.set_token(Some(token));
        client.token_valid_for(now, valid_for);
    });
    start_session(shared, &session);
}

/// Signed out in another tab: this one drops what waited too (the engine
/// empties the outbox), and starts over at the first-run prompt.
pub fn signed_out(shared: &Shared) {
    drive(shared, |client, now| client.sign_out(now));
    start_over();
}

/// Reloads the page, back to the first-run prompt once signed out.
pub fn start_over() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Connects as `session`'s user (unless another tab holds the connection, or
/// it is not yet known whether one does: `tabs`), and loads the rooms list
/// and the rooms we are in at once, over HTTP: they show (and take messages
/// into the outbox) even while the socket cannot get through. Each connection
/// asks for the list again (`Event::RoomListStale`), for what changed while
/// away.
pub fn start_session(shared: &Shared, session: &Session) {
    let store = shared.borrow().store.clone();
    store.signed_in_as(&session.user);
    fetch_rooms(Rc::downgrade(shared), store.begin_rooms_fetch());
    if session::lacks_files_cookie() {
        spawn_local(token_refused());
    }
    if Tabs::connects(shared.borrow().tabs.as_ref()) {
        drive(shared, |client, now| client.connect(now));
    }
}

/// Our name or settings changed (whichever is given): this tab shows it at
/// once, and saves it for a reload if `saves` (the tab whose form made the
/// change, and the one holding the connection as the server tells every tab
/// of it: one writer is enough beside the first).
pub fn you_changed(shared: &Shared, name: Option<&str>, settings: Option<Settings>, saves: bool) {
    let (set_session, me) = {
        let adapter = shared.borrow();
        (adapter.set_session, adapter.store.me().get_untracked())
    };
    if let Some(me) = me.filter(|_| saves) {
        session::save_change(me, name, settings);
    }
    set_session.maybe_update(|session| {
        session.as_mut().is_some_and(|session| session::follow_change(session, name, settings))
    });
}

/// Fetches the whole rooms list, then loads each room we are in that the
/// engine does not follow yet: all of them after the first connect, the ones
/// joined elsewhere after a reconnect. Between connects, the socket's deltas
/// keep the list current without asking again.
///
/// With no answer, what was last seen (`last_seen`) is shown instead, each
/// room followed from its newest message kept, so the page opens as it was
/// left and catches up once the socket gets through.
fn fetch_rooms(weak: Weak<RefCell<Adapter>>, fetch: RoomsFetch) {
    spawn_local(async move {
        match api::rooms().await {
            Ok(rooms) => {
                refetch_opened_offline(&weak);
                show_rooms(weak, fetch, rooms)
            }
            Err(error) => {
                console::warn(format_args!("cannot load the rooms: {error}"));
                let Some(shared) = weak.upgrade() else { return };
                let me = shared.borrow().store.me().get_untracked();
                let store = shared.borrow().store.clone();
                // A list shown meanwhile (a later fetch's) is newer than
                // anything last seen.
                if store.has_rooms_list() {
                    return;
                }
                let Some(Snapshot { rooms, pages }) = me.and_then(last_seen::load) else {
                    return store.no_rooms_listed();
                };
                for (room, page) in pages {
                    if shared.borrow().client.room_cursor(room).is_none() {
                        let head = page.head;
                        shared.borrow_mut().opened_offline.insert(room, head);
                        store.history_loaded(room, page, PageFrom::Before(None));
                        drive(&shared, |client, now| client.track_room(now, room, head));
                    }
                }
                show_rooms(weak, fetch, rooms);
            }
        }
    });
}

/// The server answers: the rooms opened from what was last seen get their
/// history up to the head kept, whose events the engine does not replay.
fn refetch_opened_offline(weak: &Weak<RefCell<Adapter>>) {
    let Some(shared) = weak.upgrade() else { return };
    let opened = std::mem::take(&mut shared.borrow_mut().opened_offline);
    let store = shared.borrow().store.clone();
    for (room, head) in opened.iter().map(|(room, head)| (*room, *head)) {
        let store = store.clone();
        spawn_local(async move {
            let from = PageFrom::Before(Some(Seq(head.0 + 1)));
            if let Ok(page) = api::messages(room, from, PAGE).await {
                store.history_loaded(room, page, from);
            }
        });
    }
}

/// Shows a rooms list (fetched, or last seen), and loads each room we are in
/// that the engine does not follow yet.
fn show_rooms(weak: Weak<RefCell<Adapter>>, fetch: RoomsFetch, rooms: Vec<RoomSummary>) {
    {
        let listed: Vec<(RoomId, Listed)> =
            rooms.iter().filter(|room| room.member).map(|room| (room.id, Listed::from(room))).collect();
        if !fetch.finish(rooms.into_iter().map(RoomInfo::from).collect()) {
            return;
        }
        let Some(shared) = weak.upgrade() else { return };
        let store = shared.borrow().store.clone();
        store.listed_reads(listed);
        // Its read positions shown, the fetch is over.
        drop(fetch);
        // The list (with what was heard since it was asked for) says which
        // rooms are hers: those followed that it does not are followed no
        // more (left while the page was away, or their leave lost on the
        // way), and those not followed yet are loaded.
        let (not_hers, unfollowed): (Vec<RoomId>, Vec<RoomId>) = {
            let adapter = shared.borrow();
            adapter.store.rooms().with_untracked(|rooms| {
                let hers = |room: RoomId| rooms.iter().any(|info| info.id == room && info.member);
                let not_hers = adapter.client.rooms_followed().filter(|room| !hers(*room)).collect();
                let unfollowed = rooms.iter().filter(|room| {
                    room.member
                        && adapter.client.room_cursor(room.id).is_none()
                        && !adapter.loading.contains_key(&room.id)
                });
                (not_hers, unfollowed.map(|room| room.id).collect())
            })
        };
        for room in not_hers {
            drive(&shared, |client, _| client.no_longer_in(room));
        }
        for room in unfollowed {
            load_room(weak.clone(), room);
        }
    }
}

/// Loads a room's newest messages, then follows its events from there.
fn load_room(weak: Weak<RefCell<Adapter>>, room: RoomId) {
    let Some(shared) = weak.upgrade() else { return };
    let store = shared.borrow().store.clone();
    shared.borrow_mut().loading.insert(room, ());
    store.loading_room(room);
    spawn_local(async move {
        let after = match api::messages(room, PageFrom::Before(None), PAGE).await {
            Ok(page) => {
                let head = page.head;
                store.history_loaded(room, page, PageFrom::Before(None));
                head
            }
            Err(error) => {
                console::warn(format_args!("cannot load room {room}: {error}"));
                // Follow it anyway, from the start: the resume replays its history.
                Seq::ZERO
            }
        };
        if let Some(shared) = weak.upgrade() {
            shared.borrow_mut().loading.remove(&room);
            drive(&shared, |client, now| client.track_room(now, room, after));
        }
    });
}

/// Messages loaded on opening a room (scrolling back loads more, see `MessageList`).
const PAGE: u32 = 50;

/// Feeds one input to the engine, then performs everything it asks for.
pub fn drive(shared: &Shared, input: impl FnOnce(&mut Client, Instant)) {
    let now = clock::now();
    {
        let mut adapter = shared.borrow_mut();
        if adapter.sleep_watch.slept(now) {
            adapter.client.on_wake(now);
        }
        input(&mut adapter.client, now);
    }
    settle(shared, now);
}

/// Performs the engine's outputs and hands its events to the store. Not generic
/// (unlike `drive`), so the callbacks it creates do not multiply per input type.
fn settle(shared: &Shared, now: Instant) {
    let mut events = Vec::new();
    let (set_status, store, outbox) = {
        let mut adapter = shared.borrow_mut();
        while let Some(output) = adapter.client.poll_output() {
            match output {
                Output::Event(event) => events.push(event),
                output => adapter.perform(Rc::downgrade(shared), output),
            }
        }
        adapter.arm_timer(Rc::downgrade(shared), now);
        let outbox = events.iter().any(|e| matches!(e, Event::OutboxChanged)).then(|| adapter.client.outbox().to_vec());
        (adapter.set_status, adapter.store.clone(), outbox.unwrap_or_default())
    };
    // Signals are set with the adapter released, so that whatever they trigger may
    // call back into it.
    for event in events {
        match &event {
            Event::Status(status) => {
                if let Some(tabs) = &shared.borrow().tabs {
                    tabs.status_changed(status);
                }
                set_status.set(status.clone());
            }
            Event::TickerChanged => {
                let weak = Rc::downgrade(shared);
                let store = store.clone();
                request_animation_frame(move || {
                    let Some(shared) = weak.upgrade() else { return };
                    let values = shared.borrow_mut().client.take_ticker_frame();
                    store.paint_ticker(values);
                });
            }
            Event::RoomReset { room, .. } => load_room(Rc::downgrade(shared), *room),
            Event::RoomListStale => fetch_rooms(Rc::downgrade(shared), store.begin_rooms_fetch()),
            Event::YouChanged { name, settings } => {
                let leads = Tabs::connects(shared.borrow().tabs.as_ref());
                you_changed(shared, name.as_deref(), *settings, leads)
            }
            Event::SessionEnded { unsent } => super::session_ended::session_ended(shared, &store, unsent),
            Event::BadFrame { error, bytes, so_far } => {
                console::warn(format_args!("skipped a {bytes}-byte frame from the server ({so_far} so far): {error}"))
            }
            Event::ServerError { code, message } => {
                console::warn(format_args!("the server refused a frame ({code:?}): {message}"))
            }
            _ => {}
        }
        store.apply(&event, &outbox);
        if let Event::RoomEvents { room, events, live } = &event {
            let arrived_from = events.first().filter(|_| *live).map(|event| event.seq);
            read_if_on_screen(Rc::downgrade(shared), &store, *room, arrived_from);
        }
    }
}

/// A room on screen in a visible page is read: the store moves its position
/// (and places the "New messages" line) at once, the engine tells the server.
/// `arrived_from`: where the events that just came live begin: the page
/// showed them as they came, so no line goes above them (events replayed
/// after a reconnect came while the page was away, and may have one).
pub fn read_if_on_screen(weak: Weak<RefCell<Adapter>>, store: &Store, room: RoomId, arrived_from: Option<Seq>) {
    if store.current_room().get_untracked() != Some(room) || !page_visible() {
        return;
    }
    if let Some(seq) = store.mark_read(room, arrived_from) {
        read_here(weak, vec![(room, seq)]);
    }
}

/// Reads every room of yours with something unread (see
/// [`Store::mark_all_read`]), telling the other tabs and the server. False if
/// nothing was unread.
pub fn mark_all_read(weak: Weak<RefCell<Adapter>>, store: &Store) -> bool {
    let reads = store.mark_all_read();
    let any = !reads.is_empty();
    read_here(weak, reads);
    any
}

/// Rooms read in this tab, up to these positions: the other tabs are told,
/// and the engine, for the server.
fn read_here(weak: Weak<RefCell<Adapter>>, reads: Vec<(RoomId, Seq)>) {
    for &(room, seq) in &reads {
        tell_tabs(&weak, |tabs| tabs.read(room, seq));
    }
    drive_later(weak, move |client, now| {
        for (room, seq) in reads {
            client.read(now, room, seq);
        }
    });
}

/// Tells the other tabs something, where tabs share one socket. Called from
/// browser callbacks, never while the adapter is borrowed.
fn tell_tabs(weak: &Weak<RefCell<Adapter>>, tell: impl FnOnce(&Tabs)) {
    let Some(shared) = weak.upgrade() else { return };
    let adapter = shared.borrow();
    if let Some(tabs) = &adapter.tabs {
        tell(tabs);
    }
}

/// Runs `input` on the engine soon, from a fresh microtask (see the module docs).
pub fn drive_later(weak: Weak<RefCell<Adapter>>, input: impl FnOnce(&mut Client, Instant) + 'static) {
    drive_boxed_later(weak, Box::new(input));
}

/// An input for the engine, run later.
type LaterInput = Box<dyn FnOnce(&mut Client, Instant)>;

/// `drive_later`'s task, compiled once rather than once per kind of input.
fn drive_boxed_later(weak: Weak<RefCell<Adapter>>, input: LaterInput) {
    spawn_local(async move {
        if let Some(shared) = weak.upgrade() {
            drive(&shared, input);
        }
    });
}

impl Adapter {
    fn perform(&mut self, weak: Weak<RefCell<Adapter>>, output: Output) {
        match output {
            Output::Open { socket: id, url } => {
                let report = {
                    let weak = weak.clone();
                    move |event: SocketEvent| {
                        if let SocketEvent::Frame(text) = &event {
                            tell_tabs(&weak, |tabs| tabs.frame_received(text));
                        }
                        drive_later(weak.clone(), move |client, now| match event {
                            SocketEvent::Opened => client.on_socket_open(now, id),
                            SocketEvent::Frame(text) => client.on_frame(now, id, &text),
                            SocketEvent::Closed { code, reason } => client.on_socket_closed(now, id, code, &reason),
                        })
                    }
                };
                match LiveSocket::open(id, &url, report) {
                    Ok(socket) => self.socket = Some(socket),
                    Err(error) => {
                        console::error_with(format_args!("cannot open the socket to {url}:"), &error);
                        // Treated like a connection that died: retried with backoff.
                        drive_later(weak, move |client, now| client.on_socket_closed(now, id, 1006, "cannot open"));
                    }
                }
            }
            Output::Send { socket, text } => {
                if let Some(live) = self.socket.as_ref().filter(|live| live.id == socket) {
                    live.send(&text);
                }
            }
            Output::Close { socket, code, reason } => {
                if self.socket.as_ref().is_some_and(|live| live.id == socket) {
                    if let Some(live) = self.socket.take() {
                        live.close(code, &reason);
                    }
                }
            }
            Output::SaveOutbox(json) => match &self.tabs {
                Some(tabs) if tabs.role == Role::Leader => {
                    saved_outbox::save_leaders(&json);
                    tabs.outbox_saved(&json);
                }
                _ => saved_outbox::save(&json),
            },
            Output::ToLeader(request) => {
                if let Some(tabs) = &self.tabs {
                    tabs.ask_leader(request);
                }
            }
            Output::ToFollowers(note) => {
                if let Some(tabs) = &self.tabs {
                    tabs.tell_followers(note);
                }
            }
            Output::FetchRange { room, after, before } => {
                spawn_local(async move {
                    match api::events(room, after, before).await {
                        Ok(events) => {
                            drive_later(weak, move |client, now| client.on_history(now, room, (after, before), events))
                        }
                        Err(_) => {
                            drive_later(weak, move |client, now| client.on_history_failed(now, room, (after, before)))
                        }
                    }
                });
            }
            // From a microtask: loading borrows the adapter, borrowed now.
            Output::LoadRoom { room } => spawn_local(async move { load_room(weak, room) }),
            Output::RefreshToken => {
                let set_session = self.set_session;
                spawn_local(async move {
                    let asked = session::saved();
                    let refreshed = match &asked {
                        Some(asked) => session::refresh(asked).await,
                        None => Err(session::RefreshFailed::Ended("signed out".into())),
                    };
                    match refreshed {
                        Ok(fresh) => {
                            let token = Some(fresh.token.clone());
                            let valid_for = session::valid_for(&fresh);
                            set_session.set(Some(fresh));
                            drive_later(weak, move |client, now| {
                                client.on_token_refreshed(now, token);
                                client.token_valid_for(now, valid_for);
                            });
                        }
                        // A network error says nothing about the session: keep it
                        // and let the engine try again after its backoff.
                        Err(session::RefreshFailed::Unreachable) => {
                            drive_later(weak, |client, now| client.on_token_refresh_unreachable(now));
                        }
                        // The session is over: the engine gives up what it
                        // held (`Event::SessionEnded`), the page goes back to
                        // the first-run prompt (`session_ended`), and so do
                        // the other tabs.
                        Err(session::RefreshFailed::Ended(_)) => {
                            let ended = asked.map(|asked| asked.user.id);
                            if let (Some(shared), Some(ended)) = (weak.upgrade(), ended) {
                                if let Some(tabs) = &shared.borrow().tabs {
                                    tabs.session_ended(ended);
                                }
                            }
                            drive_later(weak, move |client, now| client.on_token_refreshed(now, None));
                        }
                        // The engine carries on with the session saved now
                        // (none: signed out), which it was given meanwhile.
                        Err(session::RefreshFailed::Superseded) => {
                            let token = session::saved().map(|saved| saved.token);
                            drive_later(weak, move |client, now| client.on_token_refreshed(now, token));
                        }
                    }
                    token_answered();
                });
            }
            Output::Event(_) => unreachable!("events are handled by `drive`"),
        }
    }

    /// One browser timer, always for the engine's next deadline.
    fn arm_timer(&mut self, weak: Weak<RefCell<Adapter>>, now: Instant) {
        self.timer = self.client.poll_timeout().map(|wake| {
            let delay = wake.saturating_since(now).as_millis().min(u128::from(u32::MAX)) as u32;
            Timeout::new(delay, move || drive_later(weak, |client, now| client.on_timeout(now)))
        });
    }
}
