//! One socket per browser, the adapter's half (the rules are the engine's:
//! `hanmadi_client_core`'s `tabs` module). The tab holding the Web Lock
//! `hanmadi.leader.v<protocol version>` leads: its engine holds the socket and
//! the outbox. The others follow, and talk to the leader over the
//! `BroadcastChannel` `hanmadi.tabs.v<protocol version>`, in notes:
//!
//! - from the leader: each frame its socket receives, its status, what it
//!   tells of its connection ([`FromLeader`]: lost, ready; its status hides
//!   a quick reconnect), its outbox (as saved), and "leading" when it takes
//!   over;
//! - from a follower, for the leader: the user's actions and what else the
//!   engine hands over ([`FromFollower`]).
//!
//! Only tabs of one protocol version share a socket (see [`of_this_version`]):
//! a tab left open across an upgrade speaks the old protocol, which the new
//! server refuses, and could not read what a new leader passes on. What every
//! tab of the browser hears, whatever its version, goes over the channel
//! `hanmadi.tabs`, in notes whose form no version changes: how far the person
//! has read a room, a sign-in, a sign-out, and the session's end as the
//! server told it.
//!
//! The lock is released by the browser the moment the leading tab closes or
//! crashes, and granted to the tab that has waited longest, which takes over
//! at once. Where the browser has no Web Locks or no `BroadcastChannel`, each
//! tab runs its own socket, as a lone tab does, with its own saved outbox.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use hanmadi_client_core::{FailReason, FromFollower, FromLeader, Instant, PendingAction, Status};
use hanmadi_protocol::{ActionKey, RoomId, Seq, UserId, PROTOCOL_VERSION};
use js_sys::{Array, Object, Reflect};
use leptos::prelude::{GetUntracked, Set};
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

use super::adapter::{drive, Adapter};
use super::saved_outbox;
use crate::session;
use crate::{console, web_locks};

/// The channel every tab of the browser hears, whatever its version.
const EVERY_TAB: &str = "hanmadi.tabs";
/// The lock that makes a tab the leader, before [`of_this_version`].
const LEADER_LOCK: &str = "hanmadi.leader";
/// The most notes a tab keeps while it does not know its part yet: it
/// usually knows within milliseconds.
const MOST_HEARD_UNDECIDED: u32 = 1_000;

/// `name` for this version's tabs alone: the leader's lock, its channel and
/// its saved outbox carry the protocol version, so tabs of two versions
/// never share one socket.
pub fn of_this_version(name: &str) -> String {
    format!("{name}.v{PROTOCOL_VERSION}")
}

/// Whether `ending`, what follows a name given to [`of_this_version`], is
/// that of an older version's: `.v<an older protocol version>`, or nothing,
/// as tabs of a version from before tabs were told apart by theirs name
/// their lock and saved outbox.
pub fn is_older_version(ending: &str) -> bool {
    ending.is_empty()
        || ending.strip_prefix(".v").and_then(|number| number.parse::<u32>().ok()).is_some_and(|v| v < PROTOCOL_VERSION)
}

/// Whether the leading tab of the version whose names end with `ending` is
/// open, by the locks `held` now (`web_locks::held`).
pub fn leader_open(held: &[String], ending: &str) -> bool {
    held.iter().any(|name| name.strip_prefix(LEADER_LOCK) == Some(ending))
}

/// This tab's part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Waiting to hear whether another tab leads (a moment, at start).
    Undecided,
    Leader,
    Follower,
}

/// The channels to the other tabs, and this tab's role.
pub struct Tabs {
    pub role: Role,
    /// To the tabs of this version: the leader's notes and its followers'.
    channel: BroadcastChannel,
    /// To every tab of the browser.
    every_tab: BroadcastChannel,
    /// Notes from the other tabs of this version heard while this tab was
    /// still [`Role::Undecided`], handled once it knows its part
    /// ([`decided`]): a frame the leader passed on in that moment (our new
    /// name, say) is told nowhere else, and a tab opened at the same moment
    /// could say hello to this one before it knows it leads.
    heard_undecided: Array,
    _on_message: [Closure<dyn FnMut(MessageEvent)>; 2],
}

impl Tabs {
    /// Whether this tab's engine holds the socket (it leads, or cannot
    /// share: see [`join`]).
    pub fn connects(tabs: Option<&Tabs>) -> bool {
        tabs.is_none_or(|tabs| tabs.role == Role::Leader)
    }

    /// A note for the tabs of this version.
    fn post(&self, kind: &str, fields: &[(&str, JsValue)]) {
        post_on(&self.channel, kind, fields);
    }

    /// A note for every tab of the browser.
    fn post_to_every_tab(&self, kind: &str, fields: &[(&str, JsValue)]) {
        post_on(&self.every_tab, kind, fields);
    }

    /// A frame the leader's socket received, for the other tabs' engines.
    pub fn frame_received(&self, text: &str) {
        if self.role == Role::Leader {
            self.post("frame", &[("text", text.into())]);
        }
    }

    /// The leader's status changed.
    pub fn status_changed(&self, status: &Status) {
        if self.role == Role::Leader {
            self.post("status", &status_fields(status));
        }
    }

    /// For the other tabs' engines (`Output::ToFollowers`).
    pub fn tell_followers(&self, note: FromLeader) {
        if self.role == Role::Leader {
            match note {
                FromLeader::Lost => self.post("lost", &[]),
                FromLeader::Ready => self.post("ready", &[]),
            }
        }
    }

    /// The leader saved its outbox: the other tabs show it.
    pub fn outbox_saved(&self, json: &str) {
        if self.role == Role::Leader {
            self.post("outbox", &[("json", json.into())]);
        }
    }

    /// The person read `room` up to `seq` here.
    pub fn read(&self, room: RoomId, seq: Seq) {
        self.post_to_every_tab("read", &[("room", (room.0 as f64).into()), ("seq", (seq.0 as f64).into())]);
    }

    /// Someone signed in here: the other tabs take the saved session.
    pub fn signed_in(&self) {
        self.post_to_every_tab("signed-in", &[]);
    }

    /// Signed out here: the other tabs start over too.
    pub fn signed_out(&self) {
        self.post_to_every_tab("signed-out", &[]);
    }

    /// The server ended `user`'s session, as this tab found: the other tabs
    /// signed in as `user` end it too, each telling what it held
    /// (`Client::on_session_ended`). Named, so a tab that hears it late, after
    /// someone signed in again, does not end the new session.
    pub fn session_ended(&self, user: UserId) {
        self.post_to_every_tab("session-ended", &[("user", (user.0 as f64).into())]);
    }

    /// For the leader's engine (`Output::ToLeader`).
    pub fn ask_leader(&self, request: FromFollower) {
        match request {
            FromFollower::Hello => self.post("hello", &[]),
            FromFollower::Hand(entry) => {
                let json = serde_json::to_string(&entry).expect("an outbox entry always serializes");
                self.post("hand", &[("json", json.into())]);
            }
            FromFollower::Retry { key } => self.post("retry", &[("key", key.as_str().into())]),
            FromFollower::Discard { key } => self.post("discard", &[("key", key.as_str().into())]),
            FromFollower::Typing { room } => self.post("typing", &[("room", (room.0 as f64).into())]),
            FromFollower::Track { room, after } => {
                self.post("track", &[("room", (room.0 as f64).into()), ("seq", (after.0 as f64).into())])
            }
            FromFollower::Check => self.post("check", &[]),
            FromFollower::RetryNow => self.post("retry-now", &[]),
        }
    }

    /// What a tab that just started following needs: the status and outbox.
    fn tell_state(&self, status: &Status, outbox: &str) {
        self.status_changed(status);
        self.outbox_saved(outbox);
    }
}

fn post_on(channel: &BroadcastChannel, kind: &str, fields: &[(&str, JsValue)]) {
    let note = Object::new();
    let _ = Reflect::set(&note, &"kind".into(), &kind.into());
    for (name, value) in fields {
        let _ = Reflect::set(&note, &(*name).into(), value);
    }
    // Fails only once the channel is closed, as the page goes away.
    let _ = channel.post_message(&note);
}

/// Joins the other tabs of this browser, if it can share a socket: opens the
/// channels, then asks for the lock without waiting. Granted, this tab leads;
/// refused, it follows, and waits for the lock to lead when the leader goes.
/// Returns `false` where the browser cannot share (each tab alone).
pub fn join(shared: &Rc<RefCell<Adapter>>) -> bool {
    let Some(locks) = web_locks::locks() else { return false };
    let leader_lock = of_this_version(LEADER_LOCK);
    let (Ok(channel), Ok(every_tab)) =
        (BroadcastChannel::new(&of_this_version(EVERY_TAB)), BroadcastChannel::new(EVERY_TAB))
    else {
        return false;
    };
    let on_message = [listen(shared, &channel, receive), listen(shared, &every_tab, receive_from_any_tab)];
    shared.borrow_mut().tabs = Some(Tabs {
        role: Role::Undecided,
        channel,
        every_tab,
        heard_undecided: Array::new(),
        _on_message: on_message,
    });

    let (weak, waited_for) = (Rc::downgrade(shared), leader_lock.clone());
    let first_ask = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        if lock.is_null() {
            follow(&weak);
            let weak = weak.clone();
            let when_free = Closure::once_into_js(move |_lock: JsValue| {
                lead(&weak);
                held_forever()
            });
            let _ = locks.request(&waited_for, &when_free);
            JsValue::UNDEFINED
        } else {
            lead(&weak);
            held_forever().into()
        }
    });
    let if_available = Object::new();
    let _ = Reflect::set(&if_available, &"ifAvailable".into(), &true.into());
    let asked = web_locks::locks().map(|locks| locks.request_with_options(&leader_lock, &if_available, &first_ask));
    // A page the browser will not give locks to (sandboxed, opaque origin)
    // is refused: it runs its own socket, as where there are no locks.
    let weak = Rc::downgrade(shared);
    wasm_bindgen_futures::spawn_local(async move {
        let refused = match asked {
            Some(asked) => wasm_bindgen_futures::JsFuture::from(asked).await.is_err(),
            None => true,
        };
        if let Some(shared) = weak.upgrade().filter(|_| refused) {
            shared.borrow_mut().tabs = None;
            if let Some(session) = session::saved() {
                super::adapter::start_session(&shared, &session);
            }
        }
    });
    true
}

/// Hands each note heard on `channel` to `receive`.
fn listen(
    shared: &Rc<RefCell<Adapter>>,
    channel: &BroadcastChannel,
    receive: fn(&Weak<RefCell<Adapter>>, &JsValue),
) -> Closure<dyn FnMut(MessageEvent)> {
    let weak = Rc::downgrade(shared);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let weak = weak.clone();
        let note = event.data();
        // From a microtask, like every browser callback (see `adapter`).
        wasm_bindgen_futures::spawn_local(async move { receive(&weak, &note) });
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message
}

/// A promise that never settles: the lock it is returned for is held until
/// the browser releases it, when the page goes.
fn held_forever() -> js_sys::Promise {
    js_sys::Promise::new(&mut |_, _| {})
}

fn follow(weak: &Weak<RefCell<Adapter>>) {
    let Some(shared) = weak.upgrade() else { return };
    if let Some(tabs) = &mut shared.borrow_mut().tabs {
        tabs.role = Role::Follower;
    }
    drive(&shared, |client, _| client.follow());
    decided(&shared);
}

/// This tab now knows its part: the notes heard before it did are handled
/// now, in the order they came.
fn decided(shared: &Rc<RefCell<Adapter>>) {
    let Some(heard) = shared.borrow_mut().tabs.as_mut().map(|tabs| std::mem::take(&mut tabs.heard_undecided)) else {
        return;
    };
    let weak = Rc::downgrade(shared);
    for note in heard.iter() {
        receive(&weak, &note);
    }
}

fn lead(weak: &Weak<RefCell<Adapter>>) {
    let Some(shared) = weak.upgrade() else { return };
    if let Some(tabs) = &mut shared.borrow_mut().tabs {
        tabs.role = Role::Leader;
    }
    let saved = saved_outbox::leaders();
    // The token as saved now: the last leader may have renewed it since this
    // page loaded. None if signed out elsewhere, and the page says so.
    let session = session::saved();
    if session.is_none() {
        shared.borrow().set_session.set(None);
    }
    drive(&shared, |client, now| {
        client.set_token(session.as_ref().map(|session| session.token.clone()));
        if let Some(session) = &session {
            client.token_valid_for(now, session::valid_for(session));
        }
        client.lead(now);
        if let Some(json) = saved {
            if let Err(error) = client.adopt_outbox(now, &json) {
                saved_outbox::leaders_unreadable(&json, error);
            }
        }
    });
    // What this tab kept of its own is in the leader's copy now.
    saved_outbox::save("[]");
    let adapter = shared.borrow();
    if let Some(tabs) = &adapter.tabs {
        tabs.post("leading", &[]);
        tabs.tell_state(adapter.client.status(), &outbox_json(&adapter));
    }
    drop(adapter);
    decided(&shared);
}

fn outbox_json(adapter: &Adapter) -> String {
    serde_json::to_string(adapter.client.outbox()).expect("outbox entries always serialize")
}

/// A field of a note, undefined if it has none.
fn field_of(note: &JsValue, name: &str) -> JsValue {
    Reflect::get(note, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A number field of a note, 0 if it has none.
fn number_of(note: &JsValue, name: &str) -> u64 {
    field_of(note, name).as_f64().unwrap_or(0.0) as u64
}

/// A note from another tab of this version.
fn receive(weak: &Weak<RefCell<Adapter>>, note: &JsValue) {
    let Some(shared) = weak.upgrade() else { return };
    if let Some(tabs) = shared.borrow_mut().tabs.as_mut().filter(|tabs| tabs.role == Role::Undecided) {
        // A new leader's "leading" is not kept: once it follows, this tab
        // says hello to whoever leads. Past the most kept (the browser is
        // very slow to answer), what the leader passes on is missed until
        // its next connect, as it was before any was kept.
        if tabs.heard_undecided.length() < MOST_HEARD_UNDECIDED && field_of(note, "kind") != "leading" {
            tabs.heard_undecided.push(note);
        }
        return;
    }
    let field = |name: &str| field_of(note, name);
    let text = |name: &str| field(name).as_string().unwrap_or_default();
    let number = |name: &str| number_of(note, name);
    let role = shared.borrow().tabs.as_ref().map_or(Role::Undecided, |tabs| tabs.role);
    let leads = role == Role::Leader;
    let follows = role == Role::Follower;
    let kind = text("kind");
    match kind.as_str() {
        "frame" if follows => drive(&shared, |client, now| client.on_leader_frame(now, &text("text"))),
        "status" if follows => {
            let status = status_from(&field);
            drive(&shared, |client, _| client.on_leader_status(status));
        }
        "lost" if follows => drive(&shared, |client, _| client.on_leader(FromLeader::Lost)),
        "ready" if follows => drive(&shared, |client, _| client.on_leader(FromLeader::Ready)),
        "outbox" if follows => drive(&shared, |client, _| {
            if let Err(error) = client.on_leader_outbox(&text("json")) {
                console::error(format_args!("the leading tab's outbox: {error}"));
            }
        }),
        "leading" if follows => drive(&shared, |client, _| client.on_new_leader()),
        "welcomed" if follows => {
            let user = UserId(number("user"));
            drive(&shared, |client, _| client.on_leader_welcomed(user));
        }
        _ if leads => {
            let Some(request) = request_from(&kind, &text, &number) else { return };
            let hello = request == FromFollower::Hello;
            drive(&shared, |client, now| client.on_follower(now, request));
            if hello {
                let adapter = shared.borrow();
                if let Some(tabs) = &adapter.tabs {
                    tabs.tell_state(adapter.client.status(), &outbox_json(&adapter));
                    // Who we are: the server said it once, on this tab's
                    // socket, before the new tab listened.
                    if let Some(me) = adapter.client.me() {
                        tabs.post("welcomed", &[("user", (me.0 as f64).into())]);
                    }
                    // Where each room is read: one this tab still holds back
                    // the server will not tell the new tab, as it goes on
                    // this tab's connection. (It goes to every tab, on
                    // another channel than the state above: a read only
                    // ever moves forward, so the order does not matter.)
                    for (room, seq) in adapter.client.read_positions() {
                        tabs.read(room, seq);
                    }
                }
            }
        }
        _ => {}
    }
}

/// A note heard on the channel of every tab: from a tab of any version,
/// old ones included. The leader's and its followers' notes a tab of an
/// older version posts there are not for this one.
fn receive_from_any_tab(weak: &Weak<RefCell<Adapter>>, note: &JsValue) {
    let Some(shared) = weak.upgrade() else { return };
    let number = |name: &str| number_of(note, name);
    match field_of(note, "kind").as_string().unwrap_or_default().as_str() {
        "read" => {
            let (room, seq) = (RoomId(number("room")), Seq(number("seq")));
            drive(&shared, |client, now| client.on_read_in_other_tab(now, room, seq));
        }
        "signed-in" => {
            if let Some(session) = session::saved() {
                super::adapter::signed_in(&shared, session);
            }
        }
        "signed-out" => super::adapter::signed_out(&shared),
        // Only a tab still signed in as the person whose session it was.
        "session-ended" if shared.borrow().store.me().get_untracked() == Some(UserId(number("user"))) => {
            drive(&shared, |client, now| client.on_session_ended(now))
        }
        _ => {}
    }
}

fn request_from(kind: &str, text: &dyn Fn(&str) -> String, number: &dyn Fn(&str) -> u64) -> Option<FromFollower> {
    let key = || ActionKey::new(text("key")).ok();
    Some(match kind {
        "hello" => FromFollower::Hello,
        "hand" => {
            let entry: PendingAction = hanmadi_protocol::json::from_str(&text("json")).ok()?;
            FromFollower::Hand(entry)
        }
        "retry" => FromFollower::Retry { key: key()? },
        "discard" => FromFollower::Discard { key: key()? },
        "typing" => FromFollower::Typing { room: RoomId(number("room")) },
        "track" => FromFollower::Track { room: RoomId(number("room")), after: Seq(number("seq")) },
        "check" => FromFollower::Check,
        "retry-now" => FromFollower::RetryNow,
        _ => return None,
    })
}

/// A status as a note's fields. Instants are this tab's clock, which starts
/// when the page did: they travel as wall-clock times.
fn status_fields(status: &Status) -> Vec<(&'static str, JsValue)> {
    let wall = |at: &Instant| JsValue::from(time_origin() + at.as_millis() as f64);
    match status {
        Status::Connecting => vec![("status", "connecting".into())],
        Status::Connected => vec![("status", "connected".into())],
        Status::Reconnecting { attempt, next_try } => vec![
            ("status", "reconnecting".into()),
            ("attempt", (*attempt).into()),
            ("next_try", next_try.as_ref().map_or(JsValue::NULL, wall)),
        ],
        Status::Offline => vec![("status", "offline".into())],
        Status::Suspended { next_try } => vec![("status", "suspended".into()), ("next_try", wall(next_try))],
        Status::Failed { reason } => {
            let (why, text) = match reason {
                FailReason::Forbidden { reason } => ("forbidden", reason.as_str()),
                FailReason::UnsupportedProtocol => ("protocol", ""),
                FailReason::Unauthorized => ("unauthorized", ""),
            };
            vec![("status", "failed".into()), ("why", why.into()), ("reason", text.into())]
        }
        Status::Closed => vec![("status", "closed".into())],
    }
}

fn status_from(field: &dyn Fn(&str) -> JsValue) -> Status {
    let text = |name: &str| field(name).as_string().unwrap_or_default();
    let instant = |name: &str| {
        let wall = field(name).as_f64()?;
        Some(Instant::from_millis((wall - time_origin()).max(0.0) as u64))
    };
    match text("status").as_str() {
        "connected" => Status::Connected,
        "reconnecting" => Status::Reconnecting {
            attempt: field("attempt").as_f64().unwrap_or(1.0) as u32,
            next_try: instant("next_try"),
        },
        "offline" => Status::Offline,
        "suspended" => Status::Suspended { next_try: instant("next_try").unwrap_or(Instant::from_millis(0)) },
        "failed" => Status::Failed {
            reason: match text("why").as_str() {
                "forbidden" => FailReason::Forbidden { reason: text("reason") },
                "protocol" => FailReason::UnsupportedProtocol,
                _ => FailReason::Unauthorized,
            },
        },
        "closed" => Status::Closed,
        _ => Status::Connecting,
    }
}

/// When this page's clock (`performance.now()`) started, in wall-clock ms.
fn time_origin() -> f64 {
    web_sys::window().and_then(|window| window.performance()).map_or(0.0, |p| p.time_origin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_older_versions_copy_is_taken_for_one_this_version_may_adopt() {
        let ending = |version: u32| format!(".v{version}");
        assert!(is_older_version(""), "bare: from before tabs were told apart by version");
        assert!(is_older_version(&ending(PROTOCOL_VERSION - 1)));
        assert!(!is_older_version(&ending(PROTOCOL_VERSION)), "this version's own");
        assert!(
            !is_older_version(&ending(PROTOCOL_VERSION + 1)),
            "a newer version may write what this one cannot read"
        );
        assert!(!is_older_version(&format!("{}.unreadable", ending(PROTOCOL_VERSION - 1))), "kept aside");
        assert!(!is_older_version(".unreadable"));
        assert!(!is_older_version(".v"));
        assert_eq!(of_this_version(LEADER_LOCK), format!("{LEADER_LOCK}{}", ending(PROTOCOL_VERSION)));
    }

    #[test]
    fn a_leader_is_open_only_while_its_own_versions_lock_is_held() {
        let held = vec!["hanmadi.tab-open.1f".to_owned(), of_this_version(LEADER_LOCK)];
        assert!(!leader_open(&held, ""), "the bare lock is free");
        assert!(leader_open(&held, &format!(".v{PROTOCOL_VERSION}")));
        assert!(leader_open(&[LEADER_LOCK.to_owned()], ""));
    }
}
