//! The outbox kept in localStorage, so that actions made offline survive a
//! reload, and survive their tab being closed.
//!
//! Each tab saves under a key of its own (`hanmadi.outbox.<tab>`; the tab's id
//! lives in sessionStorage, which a reload keeps and a new tab does not), so
//! two tabs never overwrite each other's queue. A tab that goes away with
//! actions still queued marks its outbox as left behind (`pagehide`); an open
//! tab adopts it at once (the `storage` event tells it), and a tab that starts
//! adopts whatever was left before it. A tab that crashes never gets its
//! `pagehide`: its outbox is adopted once the browser says the tab is gone
//! (`open_tabs`, checked every few seconds). No lock is needed: the engine
//! merges an adopted outbox by idempotency key, so one adopted by two tabs at
//! once is still applied once by the server.

use std::cell::RefCell;
use std::rc::Weak;

use hanmadi_client_core::Client;
use wasm_bindgen_futures::spawn_local;

use super::adapter::{drive_later, Adapter};
use super::{open_tabs, tabs};
use crate::local_storage::{keys, storage};
use crate::{console, web_locks};

const OUTBOX: &str = "hanmadi.outbox.";
const LEFT_BEHIND: &str = "hanmadi.outbox-left-behind.";
/// Where every tab saved its outbox before tabs had their own.
const SHARED_BEFORE: &str = "hanmadi.outbox";
const TAB_ID: &str = "hanmadi.tab";
/// What every key above starts with.
const EVERY_COPY: &str = "hanmadi.outbox";
/// Added to a copy's key when it cannot be read (see [`restore`]).
const UNREADABLE: &str = ".unreadable";
/// The leading tab's outbox, where tabs share one socket (`tabs`): one copy
/// for the browser's tabs of one version, saved by whichever of them leads,
/// under this and the version (`tabs::of_this_version`). A tab of a version
/// from before tabs were told apart by theirs saved it bare.
const LEADERS: &str = "hanmadi.outbox.leader";

/// This tab's id: kept across reloads of the tab, new in a new tab.
fn tab_id() -> String {
    let session = web_sys::window().and_then(|window| window.session_storage().ok().flatten());
    if let Some(id) = session.as_ref().and_then(|session| session.get_item(TAB_ID).ok().flatten()) {
        return id;
    }
    let id = format!("{:x}", (js_sys::Math::random() * 2f64.powi(52)) as u64);
    if let Some(session) = session {
        let _ = session.set_item(TAB_ID, &id);
    }
    id
}

fn own_key() -> String {
    format!("{OUTBOX}{}", tab_id())
}

/// Loads this tab's saved outbox (a reload) and adopts every outbox other tabs
/// left behind, before the first connection. A copy that cannot be read is
/// kept aside under another key rather than dropped: it holds the user's words.
pub fn restore(client: &mut Client) {
    open_tabs::hold(&tab_id());
    let Some(storage) = storage() else { return };
    let own = own_key();
    let _ = storage.remove_item(&format!("{LEFT_BEHIND}{}", tab_id()));
    let mut saved: Vec<(String, String)> = [own.as_str(), SHARED_BEFORE]
        .into_iter()
        .filter_map(|key| Some((key.to_owned(), storage.get_item(key).ok()??)))
        .collect();
    saved.extend(take_left_behind(&storage));
    for (key, json) in saved {
        if let Err(error) = client.restore_outbox(&json) {
            keep_unreadable(&storage, &key, &json, error);
        }
        if key != own {
            let _ = storage.remove_item(&key);
        }
    }
}

/// Keeps a copy that cannot be read aside, under another key, rather than
/// dropping it: it holds the user's words.
fn keep_unreadable(storage: &web_sys::Storage, key: &str, json: &str, error: impl std::fmt::Display) {
    let aside = aside_key(storage, key, json);
    console::error(format_args!("{error}; kept it as {aside}"));
    let _ = storage.set_item(&aside, json);
}

/// Where to keep `json` aside for `key`: `….unreadable`, or if a copy with
/// other words is kept there already, the first free `….unreadable.<n>`, so
/// no copy kept aside is written over.
fn aside_key(storage: &web_sys::Storage, key: &str, json: &str) -> String {
    let mut n = 1;
    loop {
        let aside = match n {
            1 => format!("{key}{UNREADABLE}"),
            n => format!("{key}{UNREADABLE}.{n}"),
        };
        if storage.get_item(&aside).ok().flatten().is_none_or(|kept| kept == json) {
            return aside;
        }
        n += 1;
    }
}

/// Saves this tab's outbox, under its own key.
pub fn save(json: &str) {
    save_as(&own_key(), json);
}

/// Saves the outbox of the tab that leads the others.
pub fn save_leaders(json: &str) {
    save_as(&tabs::of_this_version(LEADERS), json);
}

/// The outbox the last leading tab of this version saved.
pub fn leaders() -> Option<String> {
    storage()?.get_item(&tabs::of_this_version(LEADERS)).ok()?
}

/// The last leading tab's saved outbox could not be read: it is kept aside
/// before the new leader saves its own over it.
pub fn leaders_unreadable(json: &str, error: impl std::fmt::Display) {
    if let Some(storage) = storage() {
        keep_unreadable(&storage, &tabs::of_this_version(LEADERS), json, error);
    }
}

fn save_as(key: &str, json: &str) {
    let Some(storage) = storage() else { return };
    let saved = match json {
        // Nothing waiting: no key left over for another tab to look at.
        "[]" => storage.remove_item(key),
        json => storage.set_item(key, json),
    };
    if let Err(error) = saved {
        // Quota exceeded or storage disabled (private mode): the outbox still
        // works for this page's lifetime, it just will not survive a reload.
        console::warn_with(format_args!("cannot save the outbox:"), &error);
    }
}

/// Signed out, or the session ended: every tab's copy goes, left behind or
/// not, so none is adopted later and sent under whoever signs in next. (A
/// copy kept aside as unreadable stays: nothing adopts it, and it holds the
/// user's words.)
pub fn forget_all() {
    let Some(storage) = storage() else { return };
    let copies = keys(&storage).into_iter().filter(|key| key.starts_with(EVERY_COPY) && !key.contains(UNREADABLE));
    for key in copies {
        let _ = storage.remove_item(&key);
    }
}

/// The tab is going away (closed, or reloaded): if anything is still queued,
/// other tabs may take it over.
pub fn leave_behind() {
    let Some(storage) = storage() else { return };
    if storage.get_item(&own_key()).ok().flatten().is_some() {
        let _ = storage.set_item(&format!("{LEFT_BEHIND}{}", tab_id()), "1");
    }
}

/// The tab is back from the back-forward cache: its outbox is its own again.
pub fn came_back() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&format!("{LEFT_BEHIND}{}", tab_id()));
    }
}

/// Another tab changed localStorage: adopt any outbox left behind meanwhile.
pub fn adopt_left_behind(weak: Weak<RefCell<Adapter>>) {
    let Some(storage) = storage() else { return };
    adopt(weak, &storage, take_left_behind(&storage));
}

/// Adopts the outboxes of tabs the browser says are gone though they never
/// said so (a crash), and those of other versions' leading tabs once they
/// are gone (reloaded into this version after an upgrade, or closed).
/// Nothing happens where the browser cannot tell.
pub fn adopt_abandoned(weak: Weak<RefCell<Adapter>>) {
    let Some(storage) = storage() else { return };
    let mine = tab_id();
    let others: Vec<String> = saved_tabs(&storage).into_iter().filter(|tab| *tab != mine).collect();
    let older_versions = older_versions_leaders(&storage);
    if others.is_empty() && older_versions.is_empty() {
        return;
    }
    spawn_local(async move {
        let Some(held) = web_locks::held().await else { return };
        let gone = others.into_iter().filter(|tab| !open_tabs::is_open(&held, tab));
        let mut abandoned: Vec<(String, String)> = gone.filter_map(|tab| take_outbox_of(&storage, &tab)).collect();
        let leaders_gone = older_versions.into_iter().filter(|ending| !tabs::leader_open(&held, ending));
        abandoned.extend(leaders_gone.filter_map(|ending| {
            let key = format!("{LEADERS}{ending}");
            Some((key.clone(), storage.get_item(&key).ok()??))
        }));
        adopt(weak, &storage, abandoned);
    });
}

/// The older versions whose leading tab saved an outbox, by what their
/// names end with (`tabs::is_older_version`). A newer version's copy is left
/// to that version's tabs: this one might not read it.
fn older_versions_leaders(storage: &web_sys::Storage) -> Vec<String> {
    keys(storage)
        .iter()
        .filter_map(|key| key.strip_prefix(LEADERS))
        .filter(|ending| tabs::is_older_version(ending))
        .map(str::to_owned)
        .collect()
}

/// Whether a localStorage key is a tab's mark that it left its outbox behind.
pub fn is_left_behind_mark(key: &str) -> bool {
    key.starts_with(LEFT_BEHIND)
}

fn adopt(weak: Weak<RefCell<Adapter>>, storage: &web_sys::Storage, outboxes: Vec<(String, String)>) {
    for (key, json) in outboxes {
        let _ = storage.remove_item(&key);
        let storage = storage.clone();
        drive_later(weak.clone(), move |client, now| {
            if let Err(error) = client.adopt_outbox(now, &json) {
                keep_unreadable(&storage, &key, &json, error);
            }
        });
    }
}

/// The tabs with an outbox saved.
fn saved_tabs(storage: &web_sys::Storage) -> Vec<String> {
    keys(storage)
        .iter()
        .filter_map(|key| key.strip_prefix(OUTBOX))
        // Tab ids are hex; this skips copies kept aside as `….unreadable`.
        .filter(|tab| tab.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_owned)
        .collect()
}

/// A tab's saved outbox, by key, and its left-behind marker removed.
fn take_outbox_of(storage: &web_sys::Storage, tab: &str) -> Option<(String, String)> {
    let _ = storage.remove_item(&format!("{LEFT_BEHIND}{tab}"));
    let key = format!("{OUTBOX}{tab}");
    Some((key.clone(), storage.get_item(&key).ok()??))
}

/// The outboxes other tabs left behind, by key, their markers removed.
fn take_left_behind(storage: &web_sys::Storage) -> Vec<(String, String)> {
    let mine = tab_id();
    keys(storage)
        .iter()
        .filter_map(|key| key.strip_prefix(LEFT_BEHIND))
        .filter(|tab| *tab != mine)
        .filter_map(|tab| take_outbox_of(storage, tab))
        .collect()
}
