//! What an uploaded file is, found from its bytes and never from what the
//! client said: a raster image the server can read (PNG, JPEG, GIF, WebP), with
//! its size as shown and a small copy for the timeline, or anything else,
//! which is only ever a download.
//!
//! The `image` crate decides, with only those four decoders built in: its
//! magic-byte check names the format, and the file counts as an image only if
//! it then decodes whole, within the limits below. A file that merely starts
//! like a PNG, an SVG, or an HTML page claimed as `image/png` is not an image
//! here, so it is never served inline (see docs/ARCHITECTURE.md, Attachments).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The type of every file that is not one of the images below.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// The longest side of a thumbnail, in pixels: a timeline row on a large screen.
const THUMBNAIL_SIDE: u32 = 320;

/// Images larger than this on either side are kept as downloads: decoding one
/// would take more memory than a chat server should spend on a picture (a
/// 16,384-pixel square is 1 GiB of pixels).
const MAX_SIDE: u32 = 12_000;

/// Memory one decoder may take, whatever the header says.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// What [`describe`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// `image/…` for a readable image, else [`OCTET_STREAM`].
    pub mime: &'static str,
    pub picture: Option<Picture>,
}

/// A readable image: its size as shown (its EXIF orientation applied, as
/// browsers do), and a thumbnail if it is larger than one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub thumbnail: Option<Thumbnail>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// Reads the bytes as an image if they are one. CPU-bound (a large photo
/// takes a good fraction of a second): call it off the async threads.
pub fn describe(bytes: &[u8]) -> Described {
    match picture(bytes) {
        Some((mime, picture)) => Described { mime, picture: Some(picture) },
        None => Described { mime: OCTET_STREAM, picture: None },
    }
}

fn picture(bytes: &[u8]) -> Option<(&'static str, Picture)> {
    let format = image::guess_format(bytes).ok()?;
    let mime = match format {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Gif => "image/gif",
        ImageFormat::WebP => "image/webp",
        _ => return None,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).ok()?;
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    let thumbnail = if width.max(height) > THUMBNAIL_SIDE { Some(thumbnail(&image, format)?) } else { None };
    Some((mime, Picture { width, height, thumbnail }))
}

/// A photo's thumbnail is a JPEG (a PNG of one is several times larger); any
/// other image's is a PNG, which keeps transparency.
fn thumbnail(image: &DynamicImage, format: ImageFormat) -> Option<Thumbnail> {
    let small = image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    let mut bytes = Vec::new();
    let mime = if format == ImageFormat::Jpeg {
        small.to_rgb8().write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 80)).ok()?;
        "image/jpeg"
    } else {
        small.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).ok()?;
        "image/png"
    };
    Some(Thumbnail { bytes, mime })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = DynamicImage::ImageRgba8(RgbaImage::from_pixel(width, height, Rgba([200, 30, 30, 255])));
        let image = if format == ImageFormat::Jpeg { DynamicImage::ImageRgb8(image.to_rgb8()) } else { image };
        let mut bytes = Vec::new();
        image.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
        bytes
    }

    #[test]
    fn images_are_known_by_their_bytes_with_their_size() {
        for (format, mime) in [
            (ImageFormat::Png, "image/png"),
            (ImageFormat::Jpeg, "image/jpeg"),
            (ImageFormat::Gif, "image/gif"),
            (ImageFormat::WebP, "image/webp"),
        ] {
            let described = describe(&encoded(640, 480, format));
            assert_eq!(described.mime, mime);
            let picture = described.picture.unwrap();
            assert_eq!((picture.width, picture.height), (640, 480), "{mime}");
            let thumbnail = picture.thumbnail.expect("a large image has a thumbnail");
            let small = image::load_from_memory(&thumbnail.bytes).unwrap();
            assert_eq!((small.width(), small.height()), (320, 240), "{mime}");
        }
    }

    #[test]
    fn a_small_image_is_its_own_thumbnail() {
        let picture = describe(&encoded(32, 16, ImageFormat::Png)).picture.unwrap();
        assert_eq!((picture.width, picture.height, picture.thumbnail), (32, 16, None));
    }

    #[test]
    fn what_only_looks_like_an_image_is_a_download() {
        let mut truncated = encoded(640, 480, ImageFormat::Png);
        truncated.truncate(100);
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        for bytes in [&truncated[..], svg, b"<!doctype html><script>alert(1)</script>", b""] {
            assert_eq!(describe(bytes), Described { mime: OCTET_STREAM, picture: None });
        }
    }
}
