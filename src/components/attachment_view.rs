//! A message's files, under its text: each image inline as the server's
//! thumbnail, which opens full size in the "Image viewer"; any other file as a
//! card with its name and size and a "Download {name}" link.
//!
//! Every box is sized from the message's description of the file before a
//! byte of it arrives (width and height on the `<img>`), so rows never grow
//! under the reader and the list's scroll anchor holds; thumbnails load only
//! as they near the view (`loading="lazy"`).

use hanmadi_protocol::attachments::Attachment;
use leptos::prelude::*;

use super::image_viewer::use_viewer;
use super::reactive::handler;
use crate::api;
use crate::i18n::{lang, t};

/// The server's thumbnails fit in a square of this side (a smaller image is
/// its own thumbnail).
const THUMBNAIL_MAX: u32 = 320;

#[component]
pub fn AttachmentList(attachments: Vec<Attachment>) -> impl IntoView {
    (!attachments.is_empty()).then(|| {
        let files = attachments
            .into_iter()
            .map(|file| {
                if file.is_image() {
                    view! { <Thumbnail file /> }.into_any()
                } else {
                    view! { <FileCard file /> }.into_any()
                }
            })
            .collect_view();
        view! { <div class="attachments">{files}</div> }
    })
}

/// An image, as a button that opens it full size.
#[component]
fn Thumbnail(file: Attachment) -> impl IntoView {
    let viewer = use_viewer();
    let (width, height) = fitted(file.width.unwrap_or(1), file.height.unwrap_or(1), THUMBNAIL_MAX);
    let (src, alt) = (api::thumbnail_url(file.id), file.name.clone());
    let file = StoredValue::new(file);
    view! {
        <button
            type="button"
            class="thumbnail"
            aria-haspopup="dialog"
            on:click=handler(move |event| viewer.open(file.get_value(), &event))
        >
            <img src=src alt=alt width=width height=height loading="lazy" />
        </button>
    }
}

/// A file that is not shown inline: an icon, its name and size, and a link
/// that downloads it (the server serves it as an attachment, never as a page).
#[component]
pub fn FileCard(file: Attachment) -> impl IntoView {
    view! {
        <div class="file-card">
            <span class="file-icon" aria-hidden="true"></span>
            <span class="file-about">
                <span class="file-name">{file.name.clone()}</span>
                <span class="file-size">{lang().file_size(file.size)}</span>
            </span>
            <a
                class="file-download"
                href=api::attachment_url(file.id)
                download=file.name.clone()
                aria-label=lang().download_file(&file.name)
            >
                {t().download}
            </a>
        </div>
    }
}

/// `width` × `height` scaled down, keeping its shape, to fit a square of side
/// `max`; never scaled up, never below a pixel.
pub fn fitted(width: u32, height: u32, max: u32) -> (u32, u32) {
    let longer = width.max(height);
    if longer <= max {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u32| ((u64::from(side) * u64::from(max) + u64::from(longer) / 2) / u64::from(longer)) as u32;
    (scale(width).max(1), scale(height).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_box_keeps_its_shape_within_the_thumbnail_square() {
        assert_eq!(fitted(4000, 3000, 320), (320, 240));
        assert_eq!(fitted(3000, 4000, 320), (240, 320));
        assert_eq!(fitted(1000, 333, 320), (320, 107), "rounded to the nearest pixel");
        assert_eq!(fitted(200, 100, 320), (200, 100), "a small image is not scaled up");
        assert_eq!(fitted(320, 320, 320), (320, 320));
        assert_eq!(fitted(12_000, 1, 320), (320, 1), "never below a pixel");
        assert_eq!(fitted(0, 0, 320), (1, 1));
    }
}
