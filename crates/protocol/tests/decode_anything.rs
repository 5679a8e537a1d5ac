//! The decoders never panic, whatever they are fed; a quick, always-on cousin of
//! the cargo-fuzz target in `crates/protocol/fuzz`.

use hanmadi_protocol::{decode_client, decode_server, encode};
use proptest::prelude::*;

/// JSON-ish text built from the protocol's own words, so that inputs get past the
/// JSON parser and into the frame types far more often than random bytes do.
fn jsonish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\"type\"".to_owned()),
        Just("\"kind\"".to_owned()),
        Just("\"action\"".to_owned()),
        Just("\"send_message\"".to_owned()),
        Just("\"event\"".to_owned()),
        Just("\"room\"".to_owned()),
        Just("\"text\"".to_owned()),
        Just("\"key\"".to_owned()),
        Just("\"ticker\"".to_owned()),
        Just("\"updates\"".to_owned()),
        Just("null".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        "\"[a-z_\\-0-9]{0,8}\"",
    ];
    proptest::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

proptest! {
    #[test]
    fn random_bytes_are_an_error_or_a_frame_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_client(&bytes);
        let _ = decode_server(&bytes);
    }

    #[test]
    fn whatever_decodes_survives_a_round_trip(text in jsonish()) {
        if let Ok(frame) = decode_client(&text) {
            prop_assert_eq!(decode_client(encode(&frame)), Ok(frame));
        }
        if let Ok(frame) = decode_server(&text) {
            prop_assert_eq!(decode_server(encode(&frame)), Ok(frame));
        }
    }
}
