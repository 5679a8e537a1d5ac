//! "Sign out" in the header: the session ends on the server (every tab and
//! device using it is signed out), and this browser forgets it. Everyone
//! here is a guest, signed in with a name only, so signing out cannot be
//! undone: signing in again, even under the same name, starts a new user,
//! without the rooms and conversations. The button asks first
//! (`super::modal`, as "Delete this message?" does), and says too how many
//! actions still waiting to be sent, messages waiting with their files
//! included, would be lost. While the server hears of it, the button says
//! "Signing out…" and the rooms and the room open are out of reach (`app.rs`);
//! a screen reader hears it too, since the focus, on the button, is lost
//! once the button is disabled.

use leptos::prelude::*;

use super::modal::Modal;
use super::reactive::handler;

use crate::i18n::{lang, t};
use crate::parcels::use_parcels;
use crate::socket::use_socket;
use crate::store::Store;

#[component]
pub fn SignOut() -> impl IntoView {
    let socket = use_socket();
    let (outbox, parcels) = (expect_context::<Store>().outbox(), use_parcels());
    let modal = Modal::new();
    let signing_out = socket.signing_out;
    let waiting = move || {
        let waiting = outbox.with(Vec::len) + parcels.count();
        (waiting > 0).then(|| view! { <p class="sign-out-loses">{lang().sign_out_drops(waiting)}</p> })
    };
    let sign_out = move |_| {
        modal.close();
        socket.sign_out();
    };
    view! {
        <button
            type="button"
            class="sign-out"
            disabled=move || signing_out.get()
            on:click=handler(move |event| modal.open(&event))
        >
            {move || if signing_out.get() { t().signing_out } else { t().sign_out }}
        </button>
        <p class="visually-hidden" role="status">{move || signing_out.get().then_some(t().signing_out)}</p>
        // The same dialog as "Delete this message?" (`delete_question.rs`),
        // written out in each: one shared component measured 0.4 to 0.5 KiB
        // more of bundle (brotli) in each form tried.
        <dialog
            class="question"
            role="alertdialog"
            node_ref=modal.dialog
            aria-labelledby="sign-out-question"
            aria-describedby="sign-out-explained"
            on:close=handler(move |_| modal.on_close())
            on:pointerdown=handler(move |event| modal.on_pointerdown(&event))
            on:click=handler(move |event| modal.on_click(&event))
        >
            <div class="question-body">
                <h2 id="sign-out-question">{t().sign_out_question}</h2>
                <div id="sign-out-explained">
                    <p>{t().sign_out_explained}</p>
                    {waiting}
                </div>
                <div class="question-buttons">
                    <button type="button" autofocus on:click=handler(move |_| modal.close())>
                        {t().cancel}
                    </button>
                    <button type="button" class="danger" on:click=handler(sign_out)>
                        {t().sign_out}
                    </button>
                </div>
            </div>
        </dialog>
    }
}
