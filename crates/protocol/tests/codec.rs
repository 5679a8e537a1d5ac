//! Every frame survives a round trip, and every kind of bad input is a clear error.

use hanmadi_protocol::*;

fn all_client_frames() -> Vec<ClientFrame> {
    vec![ClientFrame::Hello { protocol: PROTOCOL_VERSION }, ClientFrame::Ping { nonce: u64::MAX }]
}

fn all_server_frames() -> Vec<ServerFrame> {
    vec![
        ServerFrame::Welcome { protocol: PROTOCOL_VERSION },
        ServerFrame::Pong { nonce: 7 },
        ServerFrame::Error { code: ErrorCode::Malformed, message: "bad \"quote\" 한마디".into() },
    ]
}

#[test]
fn every_client_frame_round_trips() {
    for frame in all_client_frames() {
        assert_eq!(decode_client(encode(&frame)), Ok(frame));
    }
}

#[test]
fn every_server_frame_round_trips() {
    for frame in all_server_frames() {
        assert_eq!(decode_server(encode(&frame)), Ok(frame));
    }
}

#[test]
fn frames_are_tagged_by_type_in_snake_case() {
    assert_eq!(encode(&ClientFrame::Ping { nonce: 3 }), r#"{"type":"ping","nonce":3}"#);
}

#[test]
fn an_unknown_type_is_reported_as_such() {
    assert_eq!(
        decode_client(r#"{"type":"teleport","to":"mars"}"#),
        Err(DecodeError::UnknownType("teleport".into()))
    );
}

#[test]
fn a_known_type_with_bad_fields_is_malformed_not_unknown() {
    for bad in [
        r#"{"type":"ping"}"#,
        r#"{"type":"ping","nonce":"seven"}"#,
        r#"{"type":"ping","nonce":-1}"#,
        r#"{"type":"ping","nonce":1,"extra":true}"#,
    ] {
        let err = decode_client(bad).unwrap_err();
        assert!(matches!(err, DecodeError::Malformed(_)), "{bad}: {err}");
    }
}

#[test]
fn non_json_and_non_objects_are_malformed() {
    for bad in ["", "{", "null", "[1,2]", "\"hello\"", r#"{"nonce":1}"#, r#"{"type":5}"#] {
        let err = decode_server(bad).unwrap_err();
        assert!(matches!(err, DecodeError::Malformed(_)), "{bad:?}: {err}");
    }
}

#[test]
fn invalid_utf8_is_rejected() {
    assert_eq!(decode_client(b"{\"type\":\"ping\",\xff}"), Err(DecodeError::InvalidUtf8));
}

#[test]
fn oversized_frames_are_rejected_before_parsing() {
    let huge = format!(r#"{{"type":"ping","nonce":1,"pad":"{}"}}"#, "x".repeat(MAX_FRAME_BYTES));
    let err = decode_client(&huge).unwrap_err();
    assert_eq!(err, DecodeError::TooLarge { len: huge.len(), max: MAX_FRAME_BYTES });
    assert!(err.to_string().contains("larger than the limit"));
}
