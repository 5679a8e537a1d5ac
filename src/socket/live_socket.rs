//! One browser `WebSocket` and its event handlers, detached before it is closed or
//! dropped so that nothing a replaced socket does can reach the engine.

use hanmadi_client_core::SocketId;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// What a socket reports, tagged with its id by [`LiveSocket`].
pub enum SocketEvent {
    Opened,
    Frame(String),
    Closed { code: u16, reason: String },
}

pub struct LiveSocket {
    pub id: SocketId,
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl LiveSocket {
    /// Opens a socket and routes its events to `report`. Fails only if the browser
    /// refuses the URL outright (malformed, or blocked by the page's policy).
    pub fn open(id: SocketId, url: &str, report: impl Fn(SocketEvent) + Clone + 'static) -> Result<Self, JsValue> {
        let ws = WebSocket::new(url)?;
        let on_open = {
            let report = report.clone();
            Closure::<dyn FnMut()>::new(move || report(SocketEvent::Opened))
        };
        let on_message = {
            let report = report.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                // The protocol is text only; the server answers binary with an error,
                // and so would we, so a binary frame is simply not ours to read.
                if let Some(text) = event.data().as_string() {
                    report(SocketEvent::Frame(text));
                }
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            report(SocketEvent::Closed { code: event.code(), reason: event.reason() })
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self { id, ws, _on_open: on_open, _on_message: on_message, _on_close: on_close })
    }

    pub fn send(&self, text: &str) {
        // A send on a socket that is closing fails; the engine learns of the close
        // from the close event and resends what matters after reconnecting.
        let _ = self.ws.send_with_str(text);
    }

    /// Detaches the handlers, then closes with `code` (1000, or 3000–4999).
    pub fn close(self, code: u16, reason: &str) {
        self.detach();
        let _ = self.ws.close_with_code_and_reason(code, reason);
    }

    fn detach(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
    }
}

impl Drop for LiveSocket {
    fn drop(&mut self) {
        self.detach();
        if self.ws.ready_state() <= WebSocket::OPEN {
            let _ = self.ws.close();
        }
    }
}
