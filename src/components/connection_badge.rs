//! The connection badge: the socket's state in a word, with a countdown and
//! "Retry now" while it is reconnecting.

use std::time::Duration;

use hanmadi_client_core::{FailReason, Status};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::reactive::{handler, memo, When};

use crate::i18n::{lang, t};
use crate::socket::use_socket;

#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let socket = use_socket();
    let status = socket.status;
    // Ticks once a second so the countdown moves; cheap, and nothing re-renders
    // unless the text it produces changes.
    let (tick, set_tick) = signal(0u32);
    let interval = set_interval_with_handle(move || set_tick.update(|t| *t += 1), Duration::from_secs(1)).ok();
    on_cleanup(move || {
        if let Some(interval) = interval {
            interval.clear();
        }
    });

    let state = memo(move || status.with(state_label));
    let kind = memo(move || status.with(state_kind));
    let detail = memo(move || {
        tick.track();
        status.with(|status| detail_text(status, socket.now()))
    });
    let can_retry = memo(move || {
        status.with(|status| {
            matches!(
                status,
                Status::Reconnecting { .. } | Status::Suspended { .. } | Status::Offline | Status::Failed { .. }
            )
        })
    });

    view! {
        <div class="connection" data-state=kind>
            // Only the state word is live: a countdown changing every second would
            // keep interrupting screen reader users.
            <span class="connection-state" role="status" tabindex="-1">{state}</span>
            <span class="connection-detail">{detail}</span>
            <When when=move || can_retry.get()>
                // The button goes while the new attempt connects: the focus
                // goes to the state word, which says how it is going.
                <button type="button" class="connection-retry" on:click=handler(move |_| {
                    socket.retry_now();
                    focus_state_word();
                })>
                    {t().retry_now}
                </button>
            </When>
        </div>
    }
}

/// Found by its class, not a `NodeRef`: the app has one badge, and a typed
/// node reference weighed 0.3 KiB of the bundle.
fn focus_state_word() {
    let word = document().query_selector(".connection-state").ok().flatten();
    if let Some(word) = word.and_then(|word| word.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = word.focus();
    }
}

fn state_label(status: &Status) -> &'static str {
    let t = t();
    match status {
        Status::Connecting => t.connecting,
        Status::Connected => t.connected,
        Status::Reconnecting { .. } => t.reconnecting,
        Status::Offline => t.offline,
        Status::Suspended { .. } => t.suspended,
        Status::Failed { .. } => t.failed,
        Status::Closed => t.disconnected,
    }
}

/// A stable word for styling (`data-state`), independent of the language shown.
fn state_kind(status: &Status) -> &'static str {
    match status {
        Status::Connecting => "connecting",
        Status::Connected => "connected",
        Status::Reconnecting { .. } => "reconnecting",
        Status::Offline => "offline",
        Status::Suspended { .. } => "suspended",
        Status::Failed { .. } => "failed",
        Status::Closed => "closed",
    }
}

fn detail_text(status: &Status, now: hanmadi_client_core::Instant) -> String {
    let seconds_until = |at: hanmadi_client_core::Instant| at.saturating_since(now).as_secs_f64().ceil() as u64;
    match status {
        Status::Reconnecting { attempt, next_try: Some(at) } => lang().reconnect_in(seconds_until(*at), *attempt),
        Status::Reconnecting { attempt, next_try: None } => lang().attempt(*attempt),
        Status::Suspended { next_try } => lang().next_try_in(seconds_until(*next_try)),
        Status::Offline => t().waiting_for_network.to_owned(),
        Status::Failed { reason: FailReason::Forbidden { reason } } => lang().refused(reason),
        Status::Failed { reason: FailReason::UnsupportedProtocol } => t().reload_to_update.to_owned(),
        Status::Failed { reason: FailReason::Unauthorized } => t().sign_in_again.to_owned(),
        Status::Connecting | Status::Connected | Status::Closed => String::new(),
    }
}
