//! Rows of a list that follow their own value. Lists here are keyed by id
//! (`<For key=…>`), so a row is made once and kept while its id is listed; what
//! changes in it (a reaction count, an edited text, a new name) reaches the row
//! through the signal made here, and only the parts that read it are redrawn.
//! Everything else in the row stays: the focus, an edit being typed, the scroll
//! position.

use leptos::prelude::*;

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

/// The current value of the row `initial` began as: the row in `rows` with the
/// same key. A row that has just left the list keeps its last value until the
/// list removes it.
///
/// Each change of `rows` costs a linear search per row: fine for the lists it
/// serves (a room's members, a message's chips, the messages not yet sent),
/// and cheaper than keeping an index in step.
pub fn live_row<T, K>(rows: Memo<Vec<T>>, initial: T, key_of: fn(&T) -> K) -> Memo<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
    K: PartialEq + Send + Sync + 'static,
{
    let key = key_of(&initial);
    live(initial, move |held| {
        rows.with(|rows| rows.iter().find(|row| key_of(row) == key).filter(|row| *row != held).cloned())
    })
}
