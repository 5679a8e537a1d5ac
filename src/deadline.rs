//! A time limit for an HTTP exchange. The browser's `fetch` has none of its
//! own: on a dying network (a proxy that stopped answering, a connection the
//! phone has moved off) a request can wait for minutes with nothing said, and
//! whatever waits on it waits too: a gap in a room (its newer messages are
//! held back until the gap is filled), the members panel, a search, the first
//! screen's Continue. Given up, the request fails like any unreachable one,
//! and its caller's own rule applies (the engine asks a gap again after a
//! pause; a panel says it failed).

use gloo_net::http::RequestBuilder;
use gloo_timers::callback::Timeout;
use web_sys::AbortController;

/// How long an exchange with the API may take, its whole answer read: on the
/// slowest network we design for (400 kbit/s, 400 ms round trips) the largest
/// answer, a page of events, comes in a few seconds.
pub const ANSWER_TIMEOUT_MS: u32 = 20_000;

/// Aborts the requests it is put on once its time has passed, unless dropped
/// first. Where a browser has no `AbortController`, nothing is aborted.
pub struct Deadline {
    abort: Option<AbortController>,
    _timer: Option<Timeout>,
}

impl Deadline {
    pub fn after(ms: u32) -> Self {
        let abort = AbortController::new().ok();
        let timer = abort.clone().map(|abort| Timeout::new(ms, move || abort.abort()));
        Deadline { abort, _timer: timer }
    }

    /// `request`, aborted when this deadline passes (its body's reading too).
    pub fn on(&self, request: RequestBuilder) -> RequestBuilder {
        request.abort_signal(self.abort.as_ref().map(AbortController::signal).as_ref())
    }
}
