//! Your name in the header: a button that opens a one-field form to change it,
//! and whether to show "Seen". Everyone sees the new name at once (presence,
//! typing, new messages); older messages keep the name they were written
//! under, as in most chat apps.

use hanmadi_protocol::http::Settings;
use hanmadi_protocol::limits::{check_display_name, MAX_DISPLAY_NAME_CHARS};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::one_field_form::{Choice, FormControl, OneFieldForm};
use super::reactive::memo;
use crate::i18n::{lang, t};
use crate::session;
use crate::socket::use_socket;

#[component]
pub fn YourName() -> impl IntoView {
    let socket = use_socket();
    let name = memo(move || socket.session.with(|s| s.as_ref().map(|s| s.user.name.clone()).unwrap_or_default()));
    let kept = move || socket.session.with_untracked(|s| s.as_ref().map(|s| s.settings).unwrap_or_default());
    // What the box says while the form is open, and the name and the box as
    // it opened, from the session: only a change made here is sent, so a
    // save never undoes what another tab or device chose meanwhile.
    let shares_seen = RwSignal::new(true);
    let opened_with = StoredValue::new((String::new(), true));
    let save = move |chosen: String, form: FormControl| {
        let chosen = match check_display_name(&chosen) {
            Ok(chosen) => chosen,
            Err(problem) => return form.refuse(lang().text_problem(&problem)),
        };
        let (opened_name, opened_box) = opened_with.get_value();
        let renaming = chosen != opened_name;
        let settings = Settings { shares_seen: shares_seen.get_untracked() };
        let choosing = settings.shares_seen != opened_box;
        form.wait();
        spawn_local(async move {
            // Each change the server took is followed at once, even if the
            // next is refused.
            if renaming {
                match session::rename(&chosen).await {
                    Ok(name) => socket.you_changed(Some(&name), None),
                    Err(refused) => return form.refuse(lang().session_refused(&refused)),
                }
            }
            if choosing {
                match session::choose(settings).await {
                    Ok(settings) => socket.you_changed(None, Some(settings)),
                    Err(refused) => return form.refuse(lang().session_refused(&refused)),
                }
            }
            form.close();
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
                on_open=Callback::new(move |()| {
                    opened_with.set_value((name.get_untracked(), kept().shares_seen));
                    shares_seen.set(kept().shares_seen);
                })
                on_submit=save
                choice=Choice { checked: shares_seen, label: t().shares_seen, hint: t().shares_seen_hint }
            />
        </div>
    }
}
