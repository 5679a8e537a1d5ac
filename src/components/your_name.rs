//! Your name in the header: a button that opens a one-field form to change it.
//! Everyone sees the new name at once (presence, typing, new messages); older
//! messages keep the name they were written under, as in most chat apps.

use hanmadi_protocol::limits::{check_display_name, MAX_DISPLAY_NAME_CHARS};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::one_field_form::{FormControl, OneFieldForm};
use super::reactive::memo;
use crate::i18n::{lang, t};
use crate::session;
use crate::socket::use_socket;

#[component]
pub fn YourName() -> impl IntoView {
    let socket = use_socket();
    let name = memo(move || socket.session.with(|s| s.as_ref().map(|s| s.user.name.clone()).unwrap_or_default()));
    let save = move |chosen: String, form: FormControl| {
        let chosen = match check_display_name(&chosen) {
            Ok(chosen) => chosen,
            Err(problem) => return form.refuse(lang().text_problem(&problem)),
        };
        form.wait();
        spawn_local(async move {
            match session::rename(&chosen).await {
                Ok(session) => {
                    socket.renamed(session);
                    form.close();
                }
                Err(refused) => form.refuse(lang().name_refused(&refused)),
            }
        });
    };
    view! {
        <div class="your-name">
            <OneFieldForm
                button_text=name
                button_label=Signal::derive(move || lang().your_name_is(&name.get()))
                field_label=t().your_name
                max_chars=MAX_DISPLAY_NAME_CHARS
                submit_text=t().save
                form_class="your-name-form"
                initial=name
                on_submit=save
            />
        </div>
    }
}
