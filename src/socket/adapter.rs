//! Drives `hanmadi_client_core::Connection` with the browser: performs its outputs
//! (sockets, frames, status) and feeds it socket events and timer wake-ups.
//!
//! Every browser callback defers its work to a microtask (`spawn_local`) instead
//! of calling the engine directly. That keeps two hazards away: re-entering the
//! adapter while it is borrowed, and dropping a Rust closure (a socket's handler,
//! a timer's callback) while that very closure is running.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use hanmadi_client_core::{Config, Connection, Instant, Output, Status};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::clock;
use super::live_socket::{LiveSocket, SocketEvent};
use crate::deploy_config;

pub struct Adapter {
    conn: Connection,
    socket: Option<LiveSocket>,
    timer: Option<Timeout>,
    set_status: WriteSignal<Status>,
}

type Shared = Rc<RefCell<Adapter>>;

impl Adapter {
    /// Creates the engine and starts the first connection.
    pub fn start(set_status: WriteSignal<Status>) -> Shared {
        let seed = (js_sys::Math::random() * (1u64 << 53) as f64) as u64;
        let conn = Connection::new(Config::new(deploy_config::socket_url(), seed));
        let shared = Rc::new(RefCell::new(Adapter { conn, socket: None, timer: None, set_status }));
        drive(&shared, |conn, now| conn.connect(now));
        shared
    }
}

/// Feeds one input to the engine, then performs everything it asks for.
pub fn drive(shared: &Shared, input: impl FnOnce(&mut Connection, Instant)) {
    let now = clock::now();
    let mut new_statuses = Vec::new();
    let set_status = {
        let mut adapter = shared.borrow_mut();
        input(&mut adapter.conn, now);
        while let Some(output) = adapter.conn.poll_output() {
            match output {
                Output::Status(status) => new_statuses.push(status),
                output => adapter.perform(Rc::downgrade(shared), output),
            }
        }
        adapter.arm_timer(Rc::downgrade(shared), now);
        adapter.set_status
    };
    // Signals are set with the adapter released, so that whatever they trigger may
    // call back into it.
    for status in new_statuses {
        set_status.set(status);
    }
}

/// Runs `input` on the engine soon, from a fresh microtask (see the module docs).
pub fn drive_later(weak: Weak<RefCell<Adapter>>, input: impl FnOnce(&mut Connection, Instant) + 'static) {
    spawn_local(async move {
        if let Some(shared) = weak.upgrade() {
            drive(&shared, input);
        }
    });
}

impl Adapter {
    fn perform(&mut self, weak: Weak<RefCell<Adapter>>, output: Output) {
        match output {
            Output::Open { socket: id, url } => {
                let report = {
                    let weak = weak.clone();
                    move |event: SocketEvent| {
                        drive_later(weak.clone(), move |conn, now| match event {
                            SocketEvent::Opened => conn.on_socket_open(now, id),
                            SocketEvent::Frame(text) => conn.on_frame(now, id, &text),
                            SocketEvent::Closed { code, reason } => conn.on_socket_closed(now, id, code, &reason),
                        })
                    }
                };
                match LiveSocket::open(id, &url, report) {
                    Ok(socket) => self.socket = Some(socket),
                    Err(error) => {
                        web_sys::console::error_2(&"cannot open the socket to".into(), &url.into());
                        web_sys::console::error_1(&error);
                        // Treated like a connection that died: retried with backoff.
                        drive_later(weak, move |conn, now| conn.on_socket_closed(now, id, 1006, "cannot open"));
                    }
                }
            }
            Output::Send { socket, text } => {
                if let Some(live) = self.socket.as_ref().filter(|live| live.id == socket) {
                    live.send(&text);
                }
            }
            Output::Close { socket, code, reason } => {
                if self.socket.as_ref().is_some_and(|live| live.id == socket) {
                    if let Some(live) = self.socket.take() {
                        live.close(code, &reason);
                    }
                }
            }
            Output::BadFrame(error) => {
                web_sys::console::warn_1(&format!("Hanmadi: skipped a frame from the server: {error}").into());
            }
            Output::Received(_) => {}
            Output::Status(_) => unreachable!("statuses are set by `drive`"),
        }
    }

    /// One browser timer, always for the engine's next deadline.
    fn arm_timer(&mut self, weak: Weak<RefCell<Adapter>>, now: Instant) {
        self.timer = self.conn.poll_timeout().map(|wake| {
            let delay = wake.saturating_since(now).as_millis().min(u128::from(u32::MAX)) as u32;
            Timeout::new(delay, move || drive_later(weak, |conn, now| conn.on_timeout(now)))
        });
    }
}
