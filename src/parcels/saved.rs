//! Messages with files waiting to be sent, kept in IndexedDB so they survive
//! a reload and a closed tab: the files' bytes (as the browser's own
//! `Blob`s, never copied into the app's memory), the message's text, its
//! reserved idempotency key, and the server's lasting refusal of one of its
//! files. IndexedDB because it is the browser's one store that
//! keeps blobs; localStorage keeps only strings, and too few of them.
//!
//! At most [`MAX_WAITING_BYTES`] of files wait in all: past that, a new
//! message with files is refused ([`ParcelsFull`]) rather than a browser's
//! quota failing somewhere later.
//!
//! Written by hand over web-sys: the IndexedDB crates (rexie, idb,
//! indexed_db_futures) each bring a futures layer larger than the few calls
//! this needs (open, get, put, get all, delete, clear, close).

use std::cell::Cell;
use std::rc::Rc;

use hanmadi_client_core::sorting;
use hanmadi_protocol::attachments::UploadProblem;
use hanmadi_protocol::{ActionKey, AttachmentId, MessageId, RoomId, UserId};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

/// The database's name and version, as a newer app would open it.
pub(crate) const DATABASE: &str = "hanmadi";
pub(crate) const VERSION: u32 = 1;
const PARCELS: &str = "parcels";

/// The most bytes of files that may wait to be sent, in all.
pub const MAX_WAITING_BYTES: u64 = 50 * 1024 * 1024;

/// A message with files, waiting to be sent: its files are uploaded first,
/// then it goes to the outbox under `key`.
#[derive(Clone)]
pub struct Parcel {
    pub key: ActionKey,
    /// Whose message it is: only they send it (and signing out forgets it).
    pub user: UserId,
    pub room: RoomId,
    pub text: String,
    pub reply_to: Option<MessageId>,
    pub files: Vec<ParcelFile>,
    /// When it was made (ms since the epoch): parcels go in that order.
    pub made: f64,
    /// Why the server refused one of its files, when asking again would get
    /// the same (`UploadFailure::lasting`): kept, so that every tab, and this
    /// one after a reload, shows it refused and none uploads the file again
    /// to learn so, until "Retry" takes it away.
    pub refused: Option<UploadProblem>,
}

#[derive(Clone)]
pub struct ParcelFile {
    pub name: String,
    pub size: u64,
    pub bytes: Blob,
    /// The server's id for it, once uploaded (kept, so a reload does not
    /// upload it again).
    pub uploaded: Option<AttachmentId>,
}

impl Parcel {
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|file| file.size).sum()
    }
}

/// Refused: the files waiting already take `waiting` of [`MAX_WAITING_BYTES`],
/// and these would take `adding` more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParcelsFull {
    pub waiting: u64,
    pub adding: u64,
}

/// Keeps `parcel`, unless the files waiting would then pass the bound.
pub async fn keep(parcel: &Parcel) -> Result<Result<(), ParcelsFull>, String> {
    let database = open().await?;
    let waiting: u64 = read_all(&database).await?.iter().filter(|kept| kept.key != parcel.key).map(Parcel::bytes).sum();
    if waiting + parcel.bytes() > MAX_WAITING_BYTES {
        return Ok(Err(ParcelsFull { waiting, adding: parcel.bytes() }));
    }
    write(&database, |parcels| parcels.put(&to_js(parcel)).map(drop)).await?;
    Ok(Ok(()))
}

/// Every message with files waiting, oldest first.
pub async fn all() -> Result<Vec<Parcel>, String> {
    read_all(&*open().await?).await
}

/// Changes the parcel `key` as kept, reading and writing it in one
/// transaction; nothing if it is gone (sent, deleted, or its person signed
/// out meanwhile, maybe in another tab), so no change brings a parcel back.
/// Whether it was still kept (and so changed).
pub async fn update(key: &ActionKey, change: impl FnOnce(&mut Parcel) + 'static) -> Result<bool, String> {
    let database = open().await?;
    let transaction = database
        .transaction_with_str_and_mode(PARCELS, IdbTransactionMode::Readwrite)
        .map_err(|_| "IndexedDB refused a transaction")?;
    let parcels = transaction.object_store(PARCELS).map_err(|_| "IndexedDB has no parcels")?;
    let read = parcels.get(&JsValue::from_str(key.as_str())).map_err(|_| "IndexedDB refused to read")?;
    // Written from the read's own success event, while the transaction is
    // still active: an `await` in between would let it commit. A write
    // refused at once aborts it, so the change is never said to be kept.
    let (record, writing) = (read.clone(), transaction.clone());
    let changed = Rc::new(Cell::new(false));
    let written = Rc::clone(&changed);
    let write_back = Closure::once(move || {
        if let Some(mut parcel) = record.result().ok().and_then(|record| from_js(&record)) {
            change(&mut parcel);
            match parcels.put(&to_js(&parcel)) {
                Ok(_) => written.set(true),
                Err(_) => {
                    let _ = writing.abort();
                }
            }
        }
    });
    read.set_onsuccess(Some(write_back.as_ref().unchecked_ref()));
    let done = committed(&transaction).await;
    drop(write_back);
    done.map(|()| changed.get())
}

/// Forgets a parcel: its message is in the outbox now, or was deleted.
pub async fn forget(key: &ActionKey) -> Result<(), String> {
    let database = open().await?;
    write(&database, |parcels| parcels.delete(&JsValue::from_str(key.as_str())).map(drop)).await
}

/// Forgets every parcel: signing out, so nothing of one person's is ever
/// sent as the next one's.
pub async fn forget_all() -> Result<(), String> {
    let database = open().await?;
    write(&database, |parcels| parcels.clear().map(drop)).await
}

/// An open connection to the database, closed once dropped. IndexedDB lets a
/// closed connection's transactions finish first, so each operation closes
/// its own as it returns. One left open would block a newer app's upgrade of
/// the database (in another tab, after an update) until garbage collection
/// happened to take it.
struct Connection(IdbDatabase);

impl std::ops::Deref for Connection {
    type Target = IdbDatabase;

    fn deref(&self) -> &IdbDatabase {
        &self.0
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.0.close();
    }
}

async fn open() -> Result<Connection, String> {
    let factory = web_sys::window()
        .and_then(|window| window.indexed_db().ok().flatten())
        .ok_or("this browser keeps no files (no IndexedDB)")?;
    let request = factory.open_with_u32(DATABASE, VERSION).map_err(|_| "IndexedDB refused to open")?;
    let upgrade = Closure::once(move |event: web_sys::Event| {
        let database: Option<IdbDatabase> = event
            .target()
            .and_then(|target| target.dyn_into::<IdbRequest>().ok())
            .and_then(|request| request.result().ok())
            .and_then(|result| result.dyn_into().ok());
        // Only ever from nothing to version 1, which is the parcels' store.
        if let Some(database) = database {
            let options = web_sys::IdbObjectStoreParameters::new();
            options.set_key_path(&JsValue::from_str("key"));
            let _ = database.create_object_store_with_optional_parameters(PARCELS, &options);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let database = finished(&request).await;
    drop(upgrade);
    database?.dyn_into().map(Connection).map_err(|_| "IndexedDB opened something else".to_owned())
}

/// The result of `request`, once it succeeded.
async fn finished(request: &IdbRequest) -> Result<JsValue, String> {
    let request = request.clone();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.map_err(|_| "IndexedDB failed".to_owned())?;
    request.result().map_err(|_| "IndexedDB gave no result".to_owned())
}

/// Runs `change` on the parcels in one transaction, done once it is on disk.
async fn write(
    database: &IdbDatabase,
    change: impl FnOnce(&web_sys::IdbObjectStore) -> Result<(), JsValue>,
) -> Result<(), String> {
    let transaction = database
        .transaction_with_str_and_mode(PARCELS, IdbTransactionMode::Readwrite)
        .map_err(|_| "IndexedDB refused a transaction")?;
    let parcels = transaction.object_store(PARCELS).map_err(|_| "IndexedDB has no parcels")?;
    change(&parcels).map_err(|_| "IndexedDB refused the change".to_owned())?;
    committed(&transaction).await
}

async fn committed(transaction: &IdbTransaction) -> Result<(), String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        transaction.set_oncomplete(Some(&resolve));
        transaction.set_onerror(Some(&reject));
        transaction.set_onabort(Some(&reject));
    });
    JsFuture::from(promise).await.map(drop).map_err(|_| "IndexedDB could not keep it (is the disk full?)".to_owned())
}

async fn read_all(database: &IdbDatabase) -> Result<Vec<Parcel>, String> {
    let transaction = database.transaction_with_str(PARCELS).map_err(|_| "IndexedDB refused a transaction")?;
    let parcels = transaction.object_store(PARCELS).map_err(|_| "IndexedDB has no parcels")?;
    let request = parcels.get_all().map_err(|_| "IndexedDB refused to read")?;
    let kept: Array = finished(&request).await?.unchecked_into();
    let mut parcels: Vec<Parcel> = kept.iter().filter_map(|record| from_js(&record)).collect();
    sorting::sort_by(&mut parcels, |a, b| a.made.total_cmp(&b.made));
    Ok(parcels)
}

fn set(object: &Object, field: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &field.into(), &value.into());
}

fn get(object: &JsValue, field: &str) -> JsValue {
    Reflect::get(object, &field.into()).unwrap_or(JsValue::UNDEFINED)
}

fn to_js(parcel: &Parcel) -> Object {
    let record = Object::new();
    set(&record, "key", parcel.key.as_str());
    set(&record, "user", parcel.user.0 as f64);
    set(&record, "made", parcel.made);
    set(&record, "room", parcel.room.0 as f64);
    set(&record, "text", parcel.text.as_str());
    if let Some(original) = parcel.reply_to {
        set(&record, "replyTo", original.0 as f64);
    }
    let files = Array::new();
    for file in &parcel.files {
        let kept = Object::new();
        set(&kept, "name", file.name.as_str());
        set(&kept, "size", file.size as f64);
        set(&kept, "bytes", file.bytes.clone());
        if let Some(id) = file.uploaded {
            set(&kept, "uploaded", id.0 as f64);
        }
        files.push(&kept);
    }
    set(&record, "files", files);
    if let Some(refused) = parcel.refused.as_ref().and_then(refusal_to_js) {
        set(&record, "refused", refused);
    }
    record
}

/// A lasting refusal as kept: the server's code with its numbers, named as
/// the server names them. `None` for one that passes by itself, which is
/// never kept (`UploadFailure::lasting`).
fn refusal_to_js(refused: &UploadProblem) -> Option<Object> {
    let kept = Object::new();
    let kind = match *refused {
        UploadProblem::FileTooLarge { max } => {
            set(&kept, "max", max as f64);
            "file_too_large"
        }
        UploadProblem::QuotaExceeded { used, max } => {
            set(&kept, "used", used as f64);
            set(&kept, "max", max as f64);
            "quota_exceeded"
        }
        UploadProblem::TooManyUploads { .. } => return None,
    };
    set(&kept, "kind", kind);
    Some(kept)
}

/// A kept refusal; `None` for none (a record from before refusals were
/// kept has none), or for one this version cannot read (from a newer app):
/// its file is tried again, and the server says why once more.
fn refusal_from_js(kept: &JsValue) -> Option<UploadProblem> {
    let number = |field: &str| get(kept, field).as_f64().map(|n| n as u64);
    Some(match get(kept, "kind").as_string()?.as_str() {
        "file_too_large" => UploadProblem::FileTooLarge { max: number("max")? },
        "quota_exceeded" => UploadProblem::QuotaExceeded { used: number("used")?, max: number("max")? },
        _ => return None,
    })
}

/// A kept parcel; `None` for a record this version cannot read (from a newer
/// app), which is left alone.
fn from_js(record: &JsValue) -> Option<Parcel> {
    let number = |value: JsValue| value.as_f64().map(|n| n as u64);
    let files = get(record, "files").dyn_into::<Array>().ok()?;
    let files = files
        .iter()
        .map(|file| {
            Some(ParcelFile {
                name: get(&file, "name").as_string()?,
                size: number(get(&file, "size"))?,
                bytes: get(&file, "bytes").dyn_into().ok()?,
                uploaded: number(get(&file, "uploaded")).map(AttachmentId),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let parcel = Parcel {
        key: ActionKey::new(get(record, "key").as_string()?).ok()?,
        user: UserId(number(get(record, "user"))?),
        room: RoomId(number(get(record, "room"))?),
        text: get(record, "text").as_string()?,
        reply_to: number(get(record, "replyTo")).map(MessageId),
        files,
        made: get(record, "made").as_f64()?,
        refused: refusal_from_js(&get(record, "refused")),
    };
    Some(parcel)
}
