//! The connection badge: the socket's state in a word, with a countdown and
//! "Retry now" while it is reconnecting.

use std::time::Duration;

use hanmadi_client_core::{FailReason, Status};
use leptos::prelude::*;

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

    let state = Memo::new(move |_| status.with(|status| state_label(status)));
    let kind = Memo::new(move |_| status.with(|status| state_kind(status)));
    let detail = Memo::new(move |_| {
        tick.track();
        status.with(|status| detail_text(status, socket.now()))
    });
    let can_retry =
        Memo::new(move |_| status.with(|status| matches!(status, Status::Reconnecting { .. } | Status::Suspended { .. } | Status::Offline | Status::Failed { .. })));

    view! {
        <div class="connection" data-state=kind>
            // Only the state word is live: a countdown changing every second would
            // keep interrupting screen reader users.
            <span class="connection-state" role="status">{state}</span>
            <span class="connection-detail">{detail}</span>
            <Show when=move || can_retry.get()>
                <button type="button" class="connection-retry" on:click=move |_| socket.retry_now()>
                    "Retry now"
                </button>
            </Show>
        </div>
    }
}

fn state_label(status: &Status) -> &'static str {
    match status {
        Status::Connecting => "Connecting…",
        Status::Connected => "Connected",
        Status::Reconnecting { .. } => "Reconnecting…",
        Status::Offline => "Offline",
        Status::Suspended { .. } => "Suspended",
        Status::Failed { .. } => "Failed",
        Status::Closed => "Disconnected",
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
        Status::Reconnecting { attempt, next_try: Some(at) } => {
            format!("in {} s · attempt {attempt}", seconds_until(*at))
        }
        Status::Reconnecting { attempt, next_try: None } => format!("attempt {attempt}"),
        Status::Suspended { next_try } => format!("next try in {} s", seconds_until(*next_try)),
        Status::Offline => "waiting for the network".to_owned(),
        Status::Failed { reason: FailReason::Forbidden { reason } } => format!("refused: {reason}"),
        Status::Failed { reason: FailReason::UnsupportedProtocol } => "reload the page to update".to_owned(),
        Status::Failed { reason: FailReason::Unauthorized } => "sign in again".to_owned(),
        Status::Connecting | Status::Connected | Status::Closed => String::new(),
    }
}
