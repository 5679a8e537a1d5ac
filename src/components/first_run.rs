//! The first-run prompt: a name, then a guest session. It carries on from
//! the one index.html drew before the app had loaded (`first_screen`).
//! Opened from an invite link, it says which room the link leads to.

use hanmadi_protocol::limits::{check_display_name, ProblemKind, TextProblem};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::reactive::{effect, handler};
use super::unsent_notice::UnsentNotice;

use crate::api;
use crate::first_screen;
use crate::i18n::{lang, t};
use crate::router::use_invite;
use crate::session;
use crate::socket::use_socket;

#[component]
pub fn FirstRun() -> impl IntoView {
    let socket = use_socket();
    let typed = first_screen::take_typed().unwrap_or_default();
    let name = RwSignal::new(typed.name);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let sign_in = move || {
        let chosen = match check_display_name(&name.get_untracked()) {
            Ok(chosen) => chosen,
            // Nothing typed yet: asked for, rather than called empty.
            Err(TextProblem { kind: ProblemKind::Empty, .. }) => return error.set(Some(t().enter_name.into())),
            Err(problem) => return error.set(Some(lang().text_problem(&problem))),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match session::create(&chosen).await {
                Ok(session) => socket.sign_in(session),
                Err(refused) => error.set(Some(lang().session_refused(&refused))),
            }
            busy.set(false);
        });
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        sign_in();
    };
    // Continue was pressed before the app had loaded.
    if typed.submitted {
        sign_in();
    }

    // The one thing to do here: the field is ready to type in.
    let field = NodeRef::<html::Input>::new();
    effect(move || {
        if let Some(field) = field.get() {
            let _ = field.focus();
            if let Some((start, end)) = typed.caret {
                // The value first: setting it later would put the caret at
                // its end (setting the same value again leaves it be).
                field.set_value(&name.get_untracked());
                let _ = field.set_selection_range(start, end);
            }
        }
    });

    // Opened from an invite link: where it leads, once the server says. A
    // link that cannot be read is explained when it is spent, after signing in.
    let invited = RwSignal::new(None::<String>);
    if let Some(token) = use_invite().get_untracked() {
        spawn_local(async move {
            if let Ok(preview) = api::invite_preview(&token).await {
                invited.set(Some(lang().invited_to(&preview.invited_by, &preview.room_name)));
            }
        });
    }

    view! {
        <UnsentNotice />
        <form class="first-run" on:submit=handler(submit)>
            <h2>{t().welcome}</h2>
            <p id="first-run-invite" class="first-run-invite" hidden=move || invited.with(Option::is_none)>
                {move || invited.get()}
            </p>
            <p class="first-run-hint">{t().name_hint}</p>
            <label for="first-run-name">{t().name}</label>
            <input
                id="first-run-name"
                node_ref=field
                type="text"
                autocomplete="nickname"
                // Read with the field, for the line can come after the focus.
                aria-describedby="first-run-invite"
                maxlength="40"
                required
                prop:value=move || name.get()
                on:input=handler(move |event| name.set(event_target_value(&event)))
            />
            <button type="submit" disabled=move || busy.get()>{t().continue_}</button>
            <p class="first-run-error" role="alert">{move || error.get()}</p>
        </form>
    }
}
