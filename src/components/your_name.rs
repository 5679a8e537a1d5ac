//! Your name in the header: a button that opens a one-field form to change it.
//! Everyone sees the new name at once (presence, typing, new messages); older
//! messages keep the name they were written under, as in most chat apps.

use hanmadi_protocol::limits::check_display_name;
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{lang, t};
use crate::session;
use crate::socket::use_socket;

#[component]
pub fn YourName() -> impl IntoView {
    let socket = use_socket();
    let name = Memo::new(move |_| socket.session.with(|s| s.as_ref().map(|s| s.user.name.clone()).unwrap_or_default()));
    let open = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let field = NodeRef::<html::Input>::new();
    // The field opens with the name selected, so typing replaces it (the value
    // is written by this same render: select after it).
    Effect::new(move |_| {
        if let Some(field) = field.get() {
            request_animation_frame(move || {
                let _ = field.focus();
                field.select();
            });
        }
    });
    let close = move || {
        open.set(false);
        request_animation_frame(move || {
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let toggle = move |_| {
        draft.set(name.get_untracked());
        error.set(None);
        open.update(|open| *open = !*open);
    };
    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let chosen = draft.get_untracked().trim().to_owned();
        if let Err(why) = check_display_name(&chosen) {
            error.set(Some(why));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match session::rename(&chosen).await {
                Ok(session) => {
                    socket.renamed(session);
                    close();
                }
                Err(why) => error.set(Some(why)),
            }
            busy.set(false);
        });
    };

    view! {
        <div class="your-name">
            <button
                type="button"
                node_ref=button
                aria-label=move || lang().your_name_is(&name.get())
                aria-expanded=move || open.get().to_string()
                on:click=toggle
            >
                {move || name.get()}
            </button>
            <Show when=move || open.get()>
                <form
                    class="your-name-form"
                    on:submit=save
                    on:keydown=move |event: KeyboardEvent| {
                        if event.key() == "Escape" {
                            close();
                        }
                    }
                >
                    <input
                        type="text"
                        node_ref=field
                        aria-label=t().your_name
                        maxlength="40"
                        prop:value=move || draft.get()
                        on:input=move |event| draft.set(event_target_value(&event))
                    />
                    <button type="submit" disabled=move || busy.get()>{t().save}</button>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </form>
            </Show>
        </div>
    }
}
