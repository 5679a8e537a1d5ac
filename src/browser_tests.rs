//! The browser adapter's tests, in real headless Chromium (wasm-bindgen-test):
//! the parts that only exist in a browser — localStorage, IndexedDB, `<meta>`
//! settings and real WebSocket objects.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::future::sleep;
use hanmadi_client_core::{Client, Config, SocketId};
use hanmadi_protocol::attachments::UploadProblem;
use hanmadi_protocol::{Action, ActionKey, AttachmentId, RoomId, UserId};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use crate::deploy_config;
use crate::parcels::saved::{self, Parcel, ParcelFile};
use crate::socket::live_socket::{LiveSocket, SocketEvent};
use crate::socket::saved_outbox;

wasm_bindgen_test_configure!(run_in_browser);

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
fn messages_queued_before_a_reload_come_back_from_local_storage() {
    storage().clear().unwrap();
    let mut before = Client::new(Config::new("ws://unused/ws", 1));
    let now = hanmadi_client_core::Instant::from_millis(0);
    before
        .act(
            now,
            Action::SendMessage {
                room: RoomId(1), text: "지하철에서".into(), reply_to: None, attachments: Vec::new()
            },
        )
        .unwrap();
    while let Some(output) = before.poll_output() {
        if let hanmadi_client_core::Output::SaveOutbox(json) = output {
            saved_outbox::save(&json);
        }
    }

    let mut after = Client::new(Config::new("ws://unused/ws", 2));
    saved_outbox::restore(&mut after);
    assert_eq!(after.outbox(), before.outbox());
}

#[wasm_bindgen_test]
fn an_unreadable_saved_outbox_is_kept_aside_not_lost() {
    storage().clear().unwrap();
    storage().set_item("hanmadi.outbox", "{half written").unwrap();
    let mut client = Client::new(Config::new("ws://unused/ws", 3));
    saved_outbox::restore(&mut client);
    assert!(client.outbox().is_empty());
    assert_eq!(storage().get_item("hanmadi.outbox.unreadable").unwrap().as_deref(), Some("{half written"));
}

#[wasm_bindgen_test]
fn a_second_unreadable_copy_of_one_key_is_kept_beside_the_first() {
    storage().clear().unwrap();
    storage().set_item("hanmadi.outbox", "{half written").unwrap();
    saved_outbox::restore(&mut Client::new(Config::new("ws://unused/ws", 4)));
    storage().set_item("hanmadi.outbox", "{written half").unwrap();
    saved_outbox::restore(&mut Client::new(Config::new("ws://unused/ws", 5)));
    // The same words kept aside again take no second key.
    storage().set_item("hanmadi.outbox", "{half written").unwrap();
    saved_outbox::restore(&mut Client::new(Config::new("ws://unused/ws", 6)));
    assert_eq!(storage().get_item("hanmadi.outbox.unreadable").unwrap().as_deref(), Some("{half written"));
    assert_eq!(storage().get_item("hanmadi.outbox.unreadable.2").unwrap().as_deref(), Some("{written half"));
    assert_eq!(storage().get_item("hanmadi.outbox.unreadable.3").unwrap(), None);

    // Signing out forgets every queue but keeps both copies.
    storage().set_item("hanmadi.outbox.abc", "[]").unwrap();
    saved_outbox::forget_all();
    assert_eq!(storage().length().unwrap(), 2);
}

#[wasm_bindgen_test]
fn the_socket_url_defaults_to_the_pages_origin_and_a_meta_tag_overrides_it() {
    let location = web_sys::window().unwrap().location();
    let host = location.host().unwrap();
    assert_eq!(deploy_config::socket_url(), format!("ws://{host}/ws"));
    assert_eq!(deploy_config::api_url("/api/rooms"), format!("http://{host}/api/rooms"));

    let document = web_sys::window().unwrap().document().unwrap();
    let meta = document.create_element("meta").unwrap();
    meta.set_attribute("name", "hanmadi-socket-url").unwrap();
    meta.set_attribute("content", "wss://chat.example.com/ws").unwrap();
    document.head().unwrap().append_child(&meta).unwrap();
    assert_eq!(deploy_config::socket_url(), "wss://chat.example.com/ws");
    assert_eq!(deploy_config::api_url("/api/rooms"), "https://chat.example.com/api/rooms");
    meta.remove();
}

#[wasm_bindgen_test]
async fn a_socket_to_nowhere_reports_an_abnormal_close() {
    let events = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&events);
    let report = move |event: SocketEvent| {
        if let SocketEvent::Closed { code, .. } = event {
            seen.borrow_mut().push(code);
        }
    };
    // Port 9 (discard) is closed on any sane test machine: the connection is refused.
    let socket = LiveSocket::open(SocketId::from_raw(1), "ws://127.0.0.1:9/ws", report).unwrap();
    for _ in 0..100 {
        if !events.borrow().is_empty() {
            break;
        }
        sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(*events.borrow(), [1006]);
    drop(socket);
}

#[wasm_bindgen_test]
async fn a_closed_socket_reports_nothing_more() {
    let events = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&events);
    let report = move |_: SocketEvent| seen.borrow_mut().push(());
    let socket = LiveSocket::open(SocketId::from_raw(2), "ws://127.0.0.1:9/ws", report).unwrap();
    // Replaced before it could fail: its handlers are detached first.
    socket.close(1000, "replaced");
    sleep(Duration::from_millis(500)).await;
    assert!(events.borrow().is_empty(), "a detached socket must not reach the engine");
}

/// A message waiting with two files, as the composer keeps it.
fn parcel(key: &str) -> Parcel {
    let file =
        |name: &str| ParcelFile { name: name.into(), size: 3, bytes: web_sys::Blob::new().unwrap(), uploaded: None };
    Parcel {
        key: ActionKey::new(key.to_owned()).unwrap(),
        user: UserId(7),
        room: RoomId(1),
        text: "the album".into(),
        reply_to: None,
        files: vec![file("day1.bin"), file("day2.bin")],
        made: 1.0,
        refused: None,
    }
}

async fn kept(key: &ActionKey) -> Option<Parcel> {
    saved::all().await.unwrap().into_iter().find(|parcel| parcel.key == *key)
}

#[wasm_bindgen_test]
async fn a_waiting_message_keeps_its_files_ids_and_its_refusal_until_retry() {
    saved::forget_all().await.unwrap();
    let waiting = parcel("album-1");
    let key = waiting.key.clone();
    saved::keep(&waiting).await.unwrap().unwrap();

    assert!(saved::update(&key, |kept| kept.files[0].uploaded = Some(AttachmentId(41))).await.unwrap());
    let quota = UploadProblem::QuotaExceeded { used: 3, max: 4 };
    assert!(saved::update(&key, move |kept| kept.refused = Some(quota)).await.unwrap());
    let read = kept(&key).await.expect("still kept");
    let ids: Vec<_> = read.files.iter().map(|file| file.uploaded).collect();
    assert_eq!(ids, [Some(AttachmentId(41)), None]);
    assert_eq!(read.refused, Some(quota));
    assert_eq!(read.text, "the album");

    // Retry takes the refusal away.
    assert!(saved::update(&key, |kept| kept.refused = None).await.unwrap());
    assert_eq!(kept(&key).await.expect("still kept").refused, None);
}

#[wasm_bindgen_test]
async fn a_change_to_a_message_sent_or_deleted_meanwhile_does_not_bring_it_back() {
    saved::forget_all().await.unwrap();
    let gone = parcel("album-2");
    saved::keep(&gone).await.unwrap().unwrap();
    saved::forget(&gone.key).await.unwrap();
    let too_large = UploadProblem::FileTooLarge { max: 2 };
    let changed = saved::update(&gone.key, move |kept| kept.refused = Some(too_large)).await.unwrap();
    assert!(!changed, "said to be gone");
    assert!(saved::all().await.unwrap().is_empty(), "nothing kept again");
}

/// Whether a newer app (say, updated in another tab) could upgrade the
/// parcels' database to its next version at once: IndexedDB blocks that while
/// any connection to it is open. The upgrade is aborted as it begins (or
/// whenever it would, if blocked), so the database stays at the version this
/// app knows, whatever the answer.
async fn a_newer_app_could_upgrade_the_parcels() -> bool {
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let request = factory.open_with_u32(saved::DATABASE, saved::VERSION + 1).unwrap();
    let answered = js_sys::Promise::new(&mut |resolve, _| {
        let (upgradable, upgrading) = (resolve.clone(), request.clone());
        let began = Closure::once_into_js(move || {
            let _ = upgradable.call1(&JsValue::NULL, &JsValue::TRUE);
            if let Some(upgrade) = upgrading.transaction() {
                let _ = upgrade.abort();
            }
        });
        request.set_onupgradeneeded(Some(began.unchecked_ref()));
        request.set_onblocked(Some(resolve.bind1(&JsValue::NULL, &JsValue::FALSE).unchecked_ref()));
    });
    JsFuture::from(answered).await.unwrap().is_truthy()
}

#[wasm_bindgen_test]
async fn a_tab_keeping_files_does_not_stop_a_newer_app_upgrading_where_they_wait() {
    saved::forget_all().await.unwrap();
    let waiting = parcel("album-3");
    saved::keep(&waiting).await.unwrap().unwrap();
    saved::update(&waiting.key, |kept| kept.files[0].uploaded = Some(AttachmentId(42))).await.unwrap();
    assert_eq!(saved::all().await.unwrap().len(), 1);
    saved::forget(&waiting.key).await.unwrap();
    assert!(a_newer_app_could_upgrade_the_parcels().await, "every connection closed as its work was done");
}
