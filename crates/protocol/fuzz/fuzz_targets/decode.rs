//! Any bytes at all: the decoders must answer with a frame or an error, never
//! panic, and whatever they accept must survive a round trip unchanged.

#![no_main]

use hanmadi_protocol::{decode_client, decode_server, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(frame) = decode_client(bytes) {
        assert_eq!(decode_client(encode(&frame)).as_ref(), Ok(&frame));
    }
    if let Ok(frame) = decode_server(bytes) {
        // Ticker prices are floats: NaN never decodes from JSON, so equality holds.
        assert_eq!(decode_server(encode(&frame)).as_ref(), Ok(&frame));
    }
});
