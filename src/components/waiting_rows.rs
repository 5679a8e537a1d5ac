//! Her messages in a room that the server has not taken yet, below the
//! room's own: those in the outbox ("Sending…", or "Not sent" with Retry and
//! Delete), then those whose files wait for the connection. A room's page
//! shows them, and so does its preview: a message written for a room she
//! left on another screen meanwhile is refused, and stays in sight there, to
//! send once she joins again or to delete.

use hanmadi_client_core::PendingAction;
use hanmadi_protocol::RoomId;
use leptos::prelude::*;

use super::keyed::live_rows;
use super::message_row::Pending;
use super::parcel_row::ParcelRow;
use super::reactive::memo;
use crate::parcels::use_parcels;
use crate::store::Store;

/// Her messages for `room` in the outbox, as [`WaitingRows`] draws them (the
/// message list follows them too, to keep its bottom in view as they come).
pub fn waiting_in(room: RoomId) -> Memo<Vec<PendingAction>> {
    let store = expect_context::<Store>();
    memo(move || store.messages_shown_waiting(room))
}

/// `looked_into`: drawn in a room's preview, where a reply's quote leads
/// nowhere and is left out.
#[component]
pub fn WaitingRows(room: RoomId, pending: Memo<Vec<PendingAction>>, looked_into: bool) -> impl IntoView {
    let waiting_files = {
        let parcels = use_parcels();
        memo(move || parcels.in_room(room))
    };
    view! {
        {live_rows(pending, |pending| pending.key.clone(), move |action| view! { <Pending action looked_into /> }.into_any())}
        {live_rows(waiting_files, |parcel| parcel.key.clone(), move |parcel| view! { <ParcelRow room parcel /> }.into_any())}
    }
}
