//! A small picture of an image still in the browser (a chip in the composer,
//! before or without its upload), so the person sees which photo goes with
//! the message. Drawn on a canvas: the page's CSP (`img-src 'self' data:`)
//! leaves out `blob:` URLs on purpose (see the server's `files_cookie.rs`),
//! and a data URL would copy the whole file into a string.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, File, HtmlCanvasElement, ImageBitmap};

use super::reactive::effect;

/// The picture's side, in CSS pixels (as `main.css` sizes `.file-preview`).
const SIDE: f64 = 40.0;

/// `file`'s picture, its middle square as a thumbnail crops it; nothing at
/// all for a file the browser cannot read as a picture.
#[component]
pub fn ImagePreview(file: File) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let drawn = RwSignal::new(false);
    effect(move || {
        if let Some(canvas) = canvas.get() {
            let file = file.clone();
            spawn_local(async move {
                if draw(&canvas, &file).await.is_some() {
                    let _ = drawn.try_set(true);
                }
            });
        }
    });
    view! { <canvas class="file-preview" aria-hidden="true" hidden=move || !drawn.get() node_ref=canvas></canvas> }
}

async fn draw(canvas: &HtmlCanvasElement, file: &File) -> Option<()> {
    let bitmap: ImageBitmap =
        JsFuture::from(window().create_image_bitmap_with_blob(file).ok()?).await.ok()?.unchecked_into();
    let side = (SIDE * window().device_pixel_ratio()).round();
    canvas.set_width(side as u32);
    canvas.set_height(side as u32);
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.unchecked_into();
    let (width, height) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let crop = width.min(height);
    let drawn = context.draw_image_with_image_bitmap_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
        &bitmap,
        (width - crop) / 2.0,
        (height - crop) / 2.0,
        crop,
        crop,
        0.0,
        0.0,
        side,
        side,
    );
    bitmap.close();
    drawn.ok()
}
