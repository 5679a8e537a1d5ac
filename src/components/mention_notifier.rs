//! Desktop notifications for messages that mention you or are said to you in
//! a direct conversation: offered with a button, shown only once the user has
//! allowed them, and only when the message is not already in front of them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use super::message_text::plain_text;
use super::reactive::{effect, handler, When};

use crate::i18n::{lang, t};
use crate::store::{page_visible, Store};

#[component]
pub fn MentionNotifier() -> impl IntoView {
    let store = expect_context::<Store>();
    let permission = RwSignal::new(Notification::permission());

    let last_mention = store.last_mention();
    effect(move || {
        let Some(mention) = last_mention.get() else { return };
        let seen = store.current_room().get_untracked() == Some(mention.room) && page_visible();
        if permission.get_untracked() != NotificationPermission::Granted || seen {
            return;
        }
        let options = NotificationOptions::new();
        // As the room shows it: `@Mina`, not the stored token, and no markers.
        let state = store.room(mention.room);
        options.set_body(&untrack(|| plain_text(&state, &mention.text)));
        options.set_tag(&format!("hanmadi-room-{}", mention.room));
        let title = if mention.direct { mention.author.clone() } else { lang().mentioned_by(&mention.author) };
        let _ = Notification::new_with_options(&title, &options);
    });

    let ask = move |_| {
        spawn_local(async move {
            if let Ok(promise) = Notification::request_permission() {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            }
            permission.set(Notification::permission());
        });
    };
    view! {
        <When when=move || permission.get() == NotificationPermission::Default>
            <button type="button" class="notify-mentions" on:click=handler(ask)>{t().notify_mentions}</button>
        </When>
    }
}
