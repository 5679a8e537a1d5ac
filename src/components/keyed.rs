//! Lists keyed by id, and rows that follow their own value. A row is made
//! once and kept while its id is listed; what changes in it (a reaction count,
//! an edited text, a new name) reaches the row through the signal made here,
//! and only the parts that read it are redrawn. Everything else in the row
//! stays: the focus, an edit being typed, the scroll position.
//!
//! Every keyed list of the app goes through one `<For>`, over rows whose item
//! and view are erased ([`keyed_list`]): Leptos compiles a `<For>` anew for
//! each kind of item and row (its keyed diff, its state, its effect), which
//! cost about 1 KiB of the bundle a list (brotli).

use std::sync::{Arc, Mutex, PoisonError};

use hanmadi_client_core::sorted_map::SortedMap;
use hanmadi_protocol::{ActionKey, MessageId, RoomId, Seq, UserId};
use leptos::prelude::*;

/// What tells the rows of a list apart: an id, or a text (an emoji, an
/// action's key).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowKey {
    Id(u64),
    Text(String),
}

macro_rules! id_keys {
    ($($id:ty),*) => {$(
        impl From<$id> for RowKey {
            fn from(id: $id) -> Self {
                RowKey::Id(id.0)
            }
        }
    )*};
}
id_keys!(RoomId, UserId, MessageId, Seq);

impl From<u64> for RowKey {
    fn from(id: u64) -> Self {
        RowKey::Id(id)
    }
}

impl From<String> for RowKey {
    fn from(text: String) -> Self {
        RowKey::Text(text)
    }
}

impl From<ActionKey> for RowKey {
    fn from(key: ActionKey) -> Self {
        RowKey::Text(key.as_str().to_owned())
    }
}

/// One row of a list: its key, and how it is drawn (once, when the key first
/// appears).
struct KeyedRow {
    key: RowKey,
    draw: Box<dyn FnOnce() -> AnyView + Send>,
}

/// The rows `each` lists, in its order, each drawn by `row` when its key first
/// appears and kept while it is listed.
pub fn keyed_list<T, K>(
    each: impl Fn() -> Vec<T> + Send + Sync + 'static,
    key: fn(&T) -> K,
    row: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> AnyView
where
    T: Send + 'static,
    K: Into<RowKey> + 'static,
{
    let row = Arc::new(row);
    let rows = move || {
        let items = each().into_iter();
        items.map(|item| KeyedRow { key: key(&item).into(), draw: Box::new(row_of(&row, item)) }).collect()
    };
    erased_rows(Box::new(rows))
}

/// How `item`'s row is drawn, later.
fn row_of<T: Send + 'static>(
    row: &Arc<impl Fn(T) -> AnyView + Send + Sync + 'static>,
    item: T,
) -> impl FnOnce() -> AnyView + Send {
    let row = Arc::clone(row);
    move || row(item)
}

/// The one `<For>`: not generic, so compiled once.
fn erased_rows(each: Box<dyn Fn() -> Vec<KeyedRow> + Send + Sync>) -> AnyView {
    view! { <For each=move || each() key=|row: &KeyedRow| row.key.clone() children=|row: KeyedRow| (row.draw)() /> }
        .into_any()
}

/// The rows of `rows`, keyed by `key` (each key once), each drawn by `row`
/// from its own signal, which is set only when that row's value changes.
///
/// The list keeps the signals by key, so a change of `rows` costs one pass
/// over it: each row is compared with what its signal holds, and only the
/// changed ones are told. A row that followed the list itself would be woken
/// by every change to any row, and would search the list for its own.
pub fn live_rows<T, K>(
    rows: Memo<Vec<T>>,
    key: fn(&T) -> K,
    row: impl Fn(ReadSignal<T>) -> AnyView + Send + Sync + 'static,
) -> AnyView
where
    T: Clone + PartialEq + Send + Sync + 'static,
    K: Into<RowKey> + 'static,
{
    let row = Arc::new(row);
    let held = Mutex::new(SortedMap::<RowKey, ArcRwSignal<T>>::new());
    erased_rows(Box::new(move || {
        let mut held = held.lock().unwrap_or_else(PoisonError::into_inner);
        let mut kept = SortedMap::new();
        let listed = rows.with(|items| {
            items
                .iter()
                .map(|item| {
                    let key = key(item).into();
                    let value = match held.get(&key) {
                        Some(value) => {
                            if value.with_untracked(|current| current != item) {
                                value.set(item.clone());
                            }
                            value.clone()
                        }
                        None => ArcRwSignal::new(item.clone()),
                    };
                    // At the end, for rows in key order (a room's, by seq).
                    kept.insert(key.clone(), value.clone());
                    let row = Arc::clone(&row);
                    KeyedRow { key, draw: Box::new(move || row(value.read_only().into())) }
                })
                .collect()
        });
        *held = kept;
        listed
    }))
}

/// A value that starts as `initial` and then follows `changed`, which looks at
/// the value now held and returns the new one only if it differs. Readers are
/// told only of real changes, and nothing is cloned when nothing changed.
pub fn live<T>(initial: T, changed: impl Fn(&T) -> Option<T> + Send + Sync + 'static) -> Memo<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new_owning(move |held: Option<T>| {
        let held = held.unwrap_or_else(|| initial.clone());
        match changed(&held) {
            Some(current) => (current, true),
            None => (held, false),
        }
    })
}
