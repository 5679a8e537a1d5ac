//! The browser's localStorage, where the app keeps what must outlive the
//! page: the session, the outbox, what was last seen, the drafts. Nothing
//! depends on it being there: without it (a locked-down browser) only the
//! keeping is lost.

/// This origin's localStorage, if the browser gives it.
pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Every key in `storage`.
pub fn keys(storage: &web_sys::Storage) -> Vec<String> {
    (0..storage.length().unwrap_or(0)).filter_map(|index| storage.key(index).ok().flatten()).collect()
}

/// Removes every key that starts with `prefix`.
pub fn forget_prefixed(prefix: &str) {
    let Some(storage) = storage() else { return };
    for key in keys(&storage).iter().filter(|key| key.starts_with(prefix)) {
        let _ = storage.remove_item(key);
    }
}
