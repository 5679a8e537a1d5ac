//! The WebSocket endpoint: upgrade with limits and an origin check, then one task
//! per connection speaking `hanmadi-protocol`.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::StreamExt;
use hanmadi_protocol::{
    close_code, decode_client, encode, ClientFrame, DecodeError, ErrorCode, ServerFrame, MAX_FRAME_BYTES,
    PROTOCOL_VERSION,
};

use crate::{origin, AppState};

/// tungstenite's own hard limit. Twice our protocol limit, so that a frame a little
/// too large gets a polite error frame from the decoder, and only an absurd one
/// costs the connection.
const TRANSPORT_LIMIT: usize = 2 * MAX_FRAME_BYTES;

pub async fn upgrade(State(state): State<AppState>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let origin_allowed = origin::is_allowed(&headers, &state.allowed_origins);
    ws.max_frame_size(TRANSPORT_LIMIT).max_message_size(TRANSPORT_LIMIT).on_upgrade(move |socket| {
        let tracker = state.tracker.clone();
        tracker.track_future(async move {
            if origin_allowed {
                Session::new(socket, state).run().await;
            } else {
                // Accept, then close with a code the app understands: a refused
                // upgrade only shows up in the browser as an anonymous 1006, and the
                // app would retry forever instead of saying why.
                tracing::warn!("refused a socket from a disallowed origin");
                close(socket, close_code::FORBIDDEN, "origin not allowed").await;
            }
        })
    })
}

async fn close(mut socket: WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
    // The peer may already be gone; there is no one left to tell then.
    let _ = socket.send(Message::Close(Some(frame))).await;
}

struct Session {
    socket: WebSocket,
    state: AppState,
    welcomed: bool,
}

/// What the session should do after handling one incoming frame.
enum Next {
    Continue,
    Close(u16, &'static str),
    /// The socket is broken; there is no one to send a close frame to.
    Stop,
}

impl Session {
    fn new(socket: WebSocket, state: AppState) -> Self {
        Self { socket, state, welcomed: false }
    }

    async fn run(mut self) {
        let shutdown = self.state.shutdown.clone();
        loop {
            let incoming = tokio::select! {
                () = shutdown.cancelled() => {
                    close(self.socket, close_code::SERVICE_RESTART, "server restarting").await;
                    return;
                }
                incoming = self.socket.next() => incoming,
            };
            let next = match incoming {
                None | Some(Ok(Message::Close(_))) => return,
                Some(Err(error)) => {
                    tracing::debug!(%error, "socket error");
                    Next::Close(close_code::MESSAGE_TOO_BIG, "frame too large or broken")
                }
                Some(Ok(Message::Text(text))) => self.on_text(text.as_bytes()).await,
                Some(Ok(Message::Binary(_))) => {
                    self.error(ErrorCode::BinaryNotSupported, "only text frames are spoken here").await
                }
                // tungstenite answers pings itself.
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => Next::Continue,
            };
            match next {
                Next::Continue => {}
                Next::Close(code, reason) => return close(self.socket, code, reason).await,
                Next::Stop => return,
            }
        }
    }

    async fn on_text(&mut self, text: &[u8]) -> Next {
        let frame = match decode_client(text) {
            Ok(frame) => frame,
            Err(error) => {
                let code = match error {
                    DecodeError::TooLarge { .. } => ErrorCode::TooLarge,
                    DecodeError::UnknownType(_) => ErrorCode::UnknownType,
                    DecodeError::InvalidUtf8 | DecodeError::Malformed(_) => ErrorCode::Malformed,
                };
                return self.error(code, &error.to_string()).await;
            }
        };
        match frame {
            ClientFrame::Hello { protocol, .. } if protocol != PROTOCOL_VERSION => {
                Next::Close(close_code::UNSUPPORTED_PROTOCOL, "unsupported protocol version")
            }
            ClientFrame::Hello { .. } => {
                self.welcomed = true;
                self.send(&ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: None }).await
            }
            _ if !self.welcomed => self.error(ErrorCode::HandshakeRequired, "send hello first").await,
            ClientFrame::Ping { nonce } => self.send(&ServerFrame::Pong { nonce }).await,
            ClientFrame::Resume { .. } | ClientFrame::Action { .. } | ClientFrame::Typing { .. } => {
                self.error(ErrorCode::NotSupported, "rooms and messages are not served yet").await
            }
        }
    }

    async fn error(&mut self, code: ErrorCode, message: &str) -> Next {
        self.send(&ServerFrame::Error { code, message: message.to_owned() }).await
    }

    async fn send(&mut self, frame: &ServerFrame) -> Next {
        match self.socket.send(Message::Text(encode(frame).into())).await {
            Ok(()) => Next::Continue,
            Err(_) => Next::Stop,
        }
    }
}
