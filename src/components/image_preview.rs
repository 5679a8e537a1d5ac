//! A small picture of an image still in the browser (a chip in the composer,
//! before or without its upload), so the person sees which photo goes with
//! the message: its middle square, as chat apps show a photo waiting to be
//! sent (the message shows it whole). Drawn on a canvas: the page's CSP
//! (`img-src 'self' data:`) leaves out `blob:` URLs on purpose (see the
//! server's `files_cookie.rs`), and a data URL would copy the whole file into
//! a string.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, File, HtmlCanvasElement, ImageBitmap, ImageBitmapOptions, ImageOrientation, ResizeQuality,
};

use super::reactive::effect;

/// The picture's side, in CSS pixels (`.file-preview` in `main.css`).
const SIDE: f64 = 40.0;

/// The picture is decoded this many times as tall as the square it fills
/// (its width following), never at full size: a 48-megapixel photo would
/// take some 190 MB. A picture up to this much taller than wide still fills
/// the square sharp.
const DECODED_HEIGHT: f64 = 2.5;

/// `file`'s picture; nothing at all for a file the browser cannot read as one.
#[component]
pub fn ImagePreview(file: File) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let drawn = RwSignal::new(false);
    effect(move || {
        if let Some(canvas) = canvas.get() {
            let file = file.clone();
            spawn_local(async move {
                if draw(&canvas, &file).await.is_some() {
                    // Not if the chip was removed meanwhile.
                    let _ = drawn.try_set(true);
                }
            });
        }
    });
    view! { <canvas class="file-preview" aria-hidden="true" hidden=move || !drawn.get() node_ref=canvas></canvas> }
}

async fn draw(canvas: &HtmlCanvasElement, file: &File) -> Option<()> {
    let side = (SIDE * window().device_pixel_ratio()).round();
    let options = ImageBitmapOptions::new();
    options.set_resize_height((side * DECODED_HEIGHT) as u32);
    options.set_resize_quality(ResizeQuality::Medium);
    // Turned as the camera held it, as the server's thumbnail is.
    options.set_image_orientation(ImageOrientation::FromImage);
    let decoding = window().create_image_bitmap_with_blob_and_image_bitmap_options(file, &options).ok()?;
    let bitmap: ImageBitmap = JsFuture::from(decoding).await.ok()?.unchecked_into();
    let painted = paint(canvas, &bitmap, side);
    bitmap.close();
    painted
}

/// The middle square of `bitmap`, on `canvas`, `side` pixels wide.
fn paint(canvas: &HtmlCanvasElement, bitmap: &ImageBitmap, side: f64) -> Option<()> {
    canvas.set_width(side as u32);
    canvas.set_height(side as u32);
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.unchecked_into();
    let (width, height) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let crop = width.min(height);
    context
        .draw_image_with_image_bitmap_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            bitmap,
            (width - crop) / 2.0,
            (height - crop) / 2.0,
            crop,
            crop,
            0.0,
            0.0,
            side,
            side,
        )
        .ok()
}
