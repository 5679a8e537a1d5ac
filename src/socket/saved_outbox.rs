//! The outbox kept in localStorage, so that actions made offline survive a reload.

use hanmadi_client_core::Client;

const KEY: &str = "hanmadi.outbox";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Loads the saved outbox into the engine. A copy that cannot be read is kept
/// aside under another key rather than overwritten: it holds the user's words.
pub fn restore(client: &mut Client) {
    let Some(storage) = storage() else { return };
    let Ok(Some(saved)) = storage.get_item(KEY) else { return };
    if let Err(error) = client.restore_outbox(&saved) {
        web_sys::console::error_1(&format!("Hanmadi: {error}; kept it as {KEY}.unreadable").into());
        let _ = storage.set_item(&format!("{KEY}.unreadable"), &saved);
    }
}

pub fn save(json: &str) {
    let Some(storage) = storage() else { return };
    if let Err(error) = storage.set_item(KEY, json) {
        // Quota exceeded or storage disabled (private mode): the outbox still
        // works for this page's lifetime, it just will not survive a reload.
        web_sys::console::warn_2(&"Hanmadi: cannot save the outbox".into(), &error);
    }
}
