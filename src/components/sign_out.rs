//! "Sign out" in the header: the session ends on the server (every tab and
//! device using it is signed out), and this browser forgets it. Actions still
//! waiting to be sent, messages waiting with their files included, would be
//! lost, so the user is asked first.

use leptos::prelude::*;

use super::reactive::handler;

use crate::i18n::{lang, t};
use crate::parcels::use_parcels;
use crate::socket::use_socket;
use crate::store::Store;

#[component]
pub fn SignOut() -> impl IntoView {
    let socket = use_socket();
    let (outbox, parcels) = (expect_context::<Store>().outbox(), use_parcels());
    let sign_out = move |_| {
        let waiting = outbox.with_untracked(Vec::len) + untrack(|| parcels.count());
        let confirmed = waiting == 0
            || web_sys::window()
                .is_some_and(|window| window.confirm_with_message(&lang().sign_out_drops(waiting)).unwrap_or(false));
        if confirmed {
            socket.sign_out();
        }
    };
    view! {
        <button type="button" class="sign-out" on:click=handler(sign_out)>
            {t().sign_out}
        </button>
    }
}
