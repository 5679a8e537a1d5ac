//! A private room's invite links, in its members panel: "Copy invite link"
//! makes a new one and copies it (and shows it, for a browser that will not
//! copy), and the links still in use are listed with who made them and when,
//! each with "Revoke". Links are made over HTTP, not the outbox: a link is only
//! worth having while the server can be asked for one.

use hanmadi_protocol::http::Invite;
use hanmadi_protocol::RoomId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::keyed::keyed_list;
use super::message_text::name_in;
use super::reactive::{handler, memo, redrawn, When};
use crate::browser_text;
use crate::i18n::{lang, t};
use crate::router::invite_path;
use crate::{api, store::Store};

#[component]
pub fn InviteLinks(room: RoomId) -> impl IntoView {
    let live = RwSignal::new(Vec::<Invite>::new());
    let made = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    // What went wrong last, said in the status line.
    let problem = RwSignal::new(None::<&'static str>);
    let reload = move || {
        spawn_local(async move {
            match api::invites(room).await {
                Ok(invites) => {
                    let _ = live.try_set(invites);
                }
                Err(_) => {
                    let _ = problem.try_set(Some(t().invites_unavailable));
                }
            }
        })
    };
    reload();

    let make = move |_| {
        problem.set(None);
        spawn_local(async move {
            let Ok(created) = api::create_invite(room).await else {
                let _ = problem.try_set(Some(t().invite_failed));
                return;
            };
            let origin = window().location().origin().unwrap_or_default();
            let link = format!("{origin}{}", invite_path(&created.token));
            if made.try_set(Some(link.clone())).is_some() {
                return;
            }
            if !browser_text::copy_and_say_so(&link, copied).await {
                let _ = problem.try_set(Some(t().invite_link_not_copied));
            }
            reload();
        });
    };
    let revoke = move |invite: u64| {
        problem.set(None);
        spawn_local(async move {
            match api::revoke_invite(room, invite).await {
                Ok(()) => reload(),
                Err(_) => {
                    let _ = problem.try_set(Some(t().invites_unavailable));
                }
            }
        });
    };

    view! {
        <section class="invite-links" aria-label=t().invite_link>
            <button type="button" class="copy-invite" on:click=handler(make)>
                {move || if copied.get() { t().invite_link_copied } else { t().copy_invite_link }}
            </button>
            <p class="visually-hidden" role="status">
                {move || if copied.get() { Some(t().invite_link_copied) } else { None }}
            </p>
            <p class="form-error" role="alert">{move || problem.get()}</p>
            {redrawn(move || {
                let field = |link| {
                    view! { <input class="invite-link" type="text" readonly aria-label=t().invite_link prop:value=link /> }
                };
                made.get().map(field).into_any()
            })}
            <When when=move || live.with(|live| !live.is_empty())>
                <h3 class="members-group">{move || format!("{} — {}", t().live_invites, live.with(Vec::len))}</h3>
                <ul class="live-invites">
                    {keyed_list(
                        move || live.get(),
                        |invite| invite.id,
                        move |invite| view! { <LiveInvite room invite revoke /> }.into_any(),
                    )}
                </ul>
            </When>
        </section>
    }
}

/// One link in use: "Made by Mina, Dec 3, 3:04 PM" and its "Revoke".
#[component]
fn LiveInvite(room: RoomId, invite: Invite, revoke: impl Fn(u64) + Copy + Send + 'static) -> impl IntoView {
    let state = expect_context::<Store>().room(room);
    // The maker's name follows a rename, as everywhere.
    let made = memo(move || {
        let maker = name_in(&state, invite.created_by);
        lang().invite_made(&maker, &browser_text::date_and_time(invite.created_at))
    });
    view! {
        <li class="live-invite">
            <span>{made}</span>
            <button type="button" aria-label=move || lang().revoke_invite(&made.get()) on:click=handler(move |_| revoke(invite.id))>
                {t().revoke}
            </button>
        </li>
    }
}
