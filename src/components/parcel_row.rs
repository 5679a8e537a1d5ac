//! A message of yours whose files wait for the connection (`crate::parcels`),
//! at the foot of its room: its text and files as they will go, "Sending…"
//! with the upload's progress, or "Not sent", why, and Retry or Delete.

use hanmadi_protocol::RoomId;
use leptos::prelude::*;

use super::composer::return_focus_to_room;
use super::reactive::{handler, redrawn};
use super::MessageText;
use crate::i18n::{lang, t};
use crate::parcels::{use_parcels, ParcelState, ParcelView};

#[component]
pub fn ParcelRow(room: RoomId, parcel: ReadSignal<ParcelView>) -> impl IntoView {
    let parcels = use_parcels();
    let (key, text, files) =
        parcel.with_untracked(|parcel| (parcel.key.clone(), parcel.text.clone(), parcel.files.clone()));
    let state = redrawn(move || {
        parcel.with(|parcel| match &parcel.state {
            ParcelState::Waiting => view! { <span>{t().sending}</span> }.into_any(),
            ParcelState::Uploading { name, sent, size } => view! {
                <span>{t().sending}</span>
                <progress max=size.max(&1).to_string() value=sent.to_string() aria-label=lang().uploading(name)></progress>
            }
            .into_any(),
            ParcelState::NotSent(failure) => {
                let (again, delete) = (parcel.key.clone(), parcel.key.clone());
                view! {
                    <span>{t().not_sent}</span>
                    <span class="pending-reason">{lang().upload_failure(failure)}</span>
                    {failure.may_pass_on_retry().then(|| {
                        view! {
                            <button type="button" on:click=handler(move |_| {
                                parcels.retry(&again);
                                return_focus_to_room();
                            })>{t().retry}</button>
                        }
                    })}
                    <button type="button" on:click=handler(move |_| {
                        parcels.delete(delete.clone());
                        return_focus_to_room();
                    })>{t().delete}</button>
                }
                .into_any()
            }
        })
        .into_any()
    });
    view! {
        <article class="message pending" aria-label=t().your_message data-parcel=key.to_string()>
            <div class="message-text"><MessageText room text /></div>
            <div class="attachments">
                {files
                    .into_iter()
                    .map(|(name, size)| {
                        view! {
                            <div class="file-card">
                                <span class="file-icon" aria-hidden="true"></span>
                                <span class="file-about">
                                    <span class="file-name">{name}</span>
                                    <span class="file-size">{lang().file_size(size)}</span>
                                </span>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="pending-state">{state}</p>
        </article>
    }
}
