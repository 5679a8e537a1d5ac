//! The connection policy, told as stories, on a virtual clock. No sleeps: time only
//! moves when a test moves it.

use std::time::Duration;

use hanmadi_client_core::{Config, Connection, ConnectionOutput, FailReason, Instant, SocketId, Status};
use hanmadi_protocol::{close_code, decode_client, encode, ClientFrame, ServerFrame, PROTOCOL_VERSION};

/// Drives a [`Connection`] the way the browser adapter does, with a clock the test
/// owns, and records what the engine asked for.
struct Browser {
    conn: Connection,
    now: Instant,
    /// Sockets the engine opened and has not closed, in order.
    open_sockets: Vec<SocketId>,
    sent: Vec<(SocketId, ClientFrame)>,
    statuses: Vec<Status>,
    max_live_sockets: usize,
    token_refreshes_asked: usize,
}

impl Browser {
    fn new() -> Self {
        let mut browser = Self {
            conn: Connection::new(Config::new("ws://test/ws", 1)),
            now: Instant::from_millis(0),
            open_sockets: Vec::new(),
            sent: Vec::new(),
            statuses: Vec::new(),
            max_live_sockets: 0,
            token_refreshes_asked: 0,
        };
        browser.conn.connect(browser.now);
        browser.drain();
        browser
    }

    fn drain(&mut self) {
        while let Some(output) = self.conn.poll_output() {
            match output {
                ConnectionOutput::Open { socket, .. } => self.open_sockets.push(socket),
                ConnectionOutput::Close { socket, .. } => self.open_sockets.retain(|s| *s != socket),
                ConnectionOutput::Send { socket, text } => {
                    self.sent.push((socket, decode_client(&text).expect("engine sends valid frames")))
                }
                ConnectionOutput::Status(status) => self.statuses.push(status),
                ConnectionOutput::Received(_)
                | ConnectionOutput::BadFrame { .. }
                | ConnectionOutput::Ready
                | ConnectionOutput::Lost => {}
                ConnectionOutput::RefreshToken => self.token_refreshes_asked += 1,
            }
            self.max_live_sockets = self.max_live_sockets.max(self.open_sockets.len());
        }
    }

    fn socket(&self) -> SocketId {
        *self.open_sockets.last().expect("a socket is open")
    }

    /// The server accepts the newest socket and welcomes us.
    fn server_accepts(&mut self) {
        let socket = self.socket();
        self.conn.on_socket_open(self.now, socket);
        self.drain();
        let welcome = encode(&ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: None });
        self.conn.on_frame(self.now, socket, &welcome);
        self.drain();
    }

    fn socket_closes(&mut self, code: u16, reason: &str) {
        let socket = self.socket();
        self.open_sockets.retain(|s| *s != socket);
        self.conn.on_socket_closed(self.now, socket, code, reason);
        self.drain();
    }

    /// Waits (in small steps) until the engine opens its next attempt, and fails it.
    fn fail_next_attempt(&mut self) {
        while self.open_sockets.is_empty() {
            self.wait(Duration::from_millis(100));
        }
        self.socket_closes(close_code::ABNORMAL, "");
    }

    /// Moves the clock forward, firing every timer the engine asks for on the way,
    /// each exactly on time.
    fn wait(&mut self, duration: Duration) {
        let end = self.now + duration;
        while let Some(wake) = self.conn.poll_timeout().filter(|wake| *wake <= end) {
            self.now = wake.max(self.now);
            self.conn.on_timeout(self.now);
            self.drain();
        }
        self.now = end;
    }

    /// Moves the clock with no timer firing at all (the machine slept), then wakes.
    fn sleep(&mut self, duration: Duration) {
        self.now = self.now + duration;
        self.conn.on_timeout(self.now);
        self.drain();
    }

    fn status(&self) -> Status {
        self.conn.status().clone()
    }

    fn pings_sent(&self) -> usize {
        self.sent.iter().filter(|(_, f)| matches!(f, ClientFrame::Ping { .. })).count()
    }
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn a_new_tab_connects_and_says_hello() {
    let mut browser = Browser::new();
    assert_eq!(browser.status(), Status::Connecting);
    browser.server_accepts();
    assert_eq!(browser.status(), Status::Connected);
    assert_eq!(browser.sent[0].1, ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: None });
}

#[test]
fn a_quick_server_restart_never_flashes_the_badge() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.socket_closes(close_code::SERVICE_RESTART, "restarting");
    // The first retry comes within the first backoff ceiling (1.5 s), inside
    // the badge's 2 s grace.
    browser.wait(Duration::from_millis(1_500));
    assert_eq!(browser.open_sockets.len(), 1, "retried within 1.5 s");
    browser.server_accepts();
    assert_eq!(browser.statuses, [Status::Connecting, Status::Connected]);
}

#[test]
fn a_long_outage_shows_reconnecting_with_growing_waits_then_suspends() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.socket_closes(close_code::ABNORMAL, "");
    browser.wait(secs(3));
    assert!(matches!(browser.status(), Status::Reconnecting { .. }), "{:?}", browser.status());

    // Every attempt fails at once; count them over the first two minutes.
    let mut attempts = 0;
    let start = browser.now;
    while browser.now.saturating_since(start) < secs(110) {
        browser.fail_next_attempt();
        attempts += 1;
    }
    // Full jitter keeps attempts frequent at first and capped at 30 s later.
    assert!((5..40).contains(&attempts), "{attempts} attempts in two minutes");
    while browser.now.saturating_since(start) < secs(125) {
        browser.fail_next_attempt();
    }
    assert!(matches!(browser.status(), Status::Suspended { .. }), "{:?}", browser.status());
    assert_eq!(browser.max_live_sockets, 1, "never two sockets at once");
}

#[test]
fn a_server_that_welcomes_then_closes_every_socket_is_not_hammered_and_the_badge_says_so() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.wait(secs(60));
    // From now on the server welcomes each socket, then fails it at once.
    let start = browser.now;
    browser.socket_closes(close_code::INTERNAL_ERROR, "");
    let mut attempts = 0;
    while browser.now.saturating_since(start) < secs(110) {
        while browser.open_sockets.is_empty() {
            browser.wait(Duration::from_millis(100));
        }
        browser.server_accepts();
        browser.socket_closes(close_code::INTERNAL_ERROR, "");
        attempts += 1;
    }
    // Each welcome does not start the backoff over: the outage goes on.
    assert!((5..40).contains(&attempts), "{attempts} attempts in two minutes");
    assert!(
        browser.statuses.iter().any(|status| matches!(status, Status::Reconnecting { .. })),
        "the badge told the truth: {:?}",
        browser.statuses
    );
    while browser.now.saturating_since(start) < secs(125) {
        while browser.open_sockets.is_empty() {
            browser.wait(Duration::from_millis(100));
        }
        browser.server_accepts();
        browser.socket_closes(close_code::INTERNAL_ERROR, "");
    }
    assert!(matches!(browser.status(), Status::Suspended { .. }), "{:?}", browser.status());

    // Once the server is well, a connection that stays up ends the outage:
    // its next loss is a blip again, hidden, and retried at once.
    while browser.open_sockets.is_empty() {
        browser.wait(Duration::from_millis(100));
    }
    browser.server_accepts();
    browser.wait(secs(12));
    let shown = browser.statuses.len();
    browser.socket_closes(close_code::SERVICE_RESTART, "restarting");
    browser.wait(Duration::from_millis(1_500));
    browser.server_accepts();
    assert_eq!(browser.statuses[shown..], [], "nothing flashed");
}

#[test]
fn a_connection_up_for_minutes_after_an_outage_is_proven_though_no_timer_said_so() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.socket_closes(close_code::ABNORMAL, "");
    browser.fail_next_attempt();
    while browser.open_sockets.is_empty() {
        browser.wait(Duration::from_millis(100));
    }
    browser.server_accepts();
    // The laptop sleeps; on waking, the socket's close is the first thing heard.
    browser.now = browser.now + secs(300);
    let shown = browser.statuses.len();
    browser.socket_closes(close_code::ABNORMAL, "");
    assert_eq!(browser.statuses[shown..], [], "a proven connection's loss is a blip, not a suspension");
    browser.wait(Duration::from_millis(1_500));
    assert_eq!(browser.open_sockets.len(), 1, "retried within the first backoff ceiling");
}

#[test]
fn retry_now_tries_at_once_and_starts_the_backoff_over() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.socket_closes(close_code::ABNORMAL, "");
    for _ in 0..6 {
        browser.fail_next_attempt();
    }
    let Status::Reconnecting { next_try: Some(_), attempt } = browser.status() else {
        panic!("expected a countdown, got {:?}", browser.status())
    };
    assert_eq!(attempt, 7);
    browser.conn.retry_now(browser.now);
    browser.drain();
    assert_eq!(browser.open_sockets.len(), 1, "retry now opens a socket at once");
    browser.socket_closes(close_code::ABNORMAL, "");
    // The backoff starts over: the next wait is the second one's (3 s at
    // most), not the 30 s it had reached.
    let Status::Reconnecting { next_try: Some(at), attempt: 2 } = browser.status() else {
        panic!("backoff did not start over: {:?}", browser.status())
    };
    assert!(at.saturating_since(browser.now) <= Duration::from_secs(3));
}

#[test]
fn an_idle_connection_is_pinged_and_a_silent_one_is_declared_dead() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.wait(secs(14));
    assert_eq!(browser.pings_sent(), 0, "no ping before 15 s of silence");
    browser.wait(secs(1));
    assert_eq!(browser.pings_sent(), 1);
    let dead = browser.socket();
    browser.wait(secs(10));
    assert!(!browser.open_sockets.contains(&dead), "silent socket closed");
    browser.wait(secs(1));
    assert_eq!(browser.open_sockets.len(), 1, "and replaced");
    assert_eq!(browser.max_live_sockets, 1);
}

#[test]
fn any_frame_counts_as_proof_of_life() {
    let mut browser = Browser::new();
    browser.server_accepts();
    for _ in 0..10 {
        browser.wait(secs(10));
        let socket = browser.socket();
        browser.conn.on_frame(browser.now, socket, &encode(&ServerFrame::Pong { nonce: 0 }));
        browser.drain();
    }
    assert_eq!(browser.pings_sent(), 0);
    assert_eq!(browser.status(), Status::Connected);
}

#[test]
fn a_laptop_that_slept_ten_minutes_checks_its_socket_on_wake() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.wait(secs(5)); // idle, no ping outstanding, as the lid closes
    browser.sleep(secs(600));
    assert_eq!(browser.pings_sent(), 1, "checked at once on wake");
    assert_eq!(browser.status(), Status::Connected);
    let socket = browser.socket();
    browser.conn.on_frame(browser.now, socket, &encode(&ServerFrame::Pong { nonce: 1 }));
    browser.drain();
    browser.wait(secs(10));
    assert_eq!(browser.status(), Status::Connected);
    assert_eq!(browser.open_sockets, [socket]);
}

#[test]
fn a_ping_outstanding_when_the_lid_closed_is_judged_on_wake() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.wait(secs(15)); // a ping is outstanding as the lid closes
    assert_eq!(browser.pings_sent(), 1);
    let before = browser.socket();
    browser.sleep(secs(600));
    assert_eq!(browser.pings_sent(), 1, "no fresh ping replaces it");
    assert_ne!(browser.open_sockets.last(), Some(&before), "its time is up: a new connection is opened at once");
}

#[test]
fn a_hidden_tab_whose_timers_fire_once_a_minute_still_notices_a_dead_socket() {
    let mut browser = Browser::new();
    browser.server_accepts();
    let dead = browser.socket();
    // The server is gone without a goodbye; Chrome wakes the hidden tab's
    // timers about once a minute, each one late.
    for _ in 0..3 {
        browser.sleep(secs(60));
    }
    assert!(!browser.open_sockets.contains(&dead), "the dead socket was given up on");
    assert!(browser.pings_sent() <= 2, "one ping, judged; not a fresh one at every late timer");
}

#[test]
fn a_sleep_the_monotonic_clock_did_not_see_is_checked_on_wake() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.wait(secs(5));
    let socket = browser.socket();
    // The adapter saw the wall clock jump ten minutes past performance.now().
    browser.conn.on_wake(browser.now);
    browser.drain();
    assert_eq!(browser.pings_sent(), 1);
    browser.wait(secs(10));
    assert!(!browser.open_sockets.contains(&socket), "no answer within the timeout: the socket is given up");
}

#[test]
fn going_offline_pauses_attempts_and_coming_online_resumes_at_once() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.conn.on_offline(browser.now);
    browser.drain();
    browser.socket_closes(close_code::ABNORMAL, "");
    assert_eq!(browser.status(), Status::Offline, "offline is shown at once");
    browser.wait(secs(600));
    assert!(browser.open_sockets.is_empty(), "no attempts while offline");
    browser.conn.on_online(browser.now);
    browser.drain();
    assert_eq!(browser.open_sockets.len(), 1);
    browser.server_accepts();
    assert_eq!(browser.status(), Status::Connected);
}

#[test]
fn a_closed_connection_stays_closed() {
    let mut browser = Browser::new();
    browser.server_accepts();
    browser.conn.disconnect(browser.now);
    browser.drain();
    assert!(browser.open_sockets.is_empty());
    browser.wait(secs(3600));
    assert!(browser.open_sockets.is_empty());
    assert_eq!(browser.status(), Status::Closed);
}

#[test]
fn a_forbidden_origin_stops_with_the_reason() {
    let mut browser = Browser::new();
    browser.socket_closes(close_code::FORBIDDEN, "origin not allowed");
    browser.wait(secs(3600));
    assert!(browser.open_sockets.is_empty());
    let reason = FailReason::Forbidden { reason: "origin not allowed".into() };
    assert_eq!(browser.status(), Status::Failed { reason });
}

#[test]
fn a_server_speaking_another_protocol_is_not_retried() {
    let mut browser = Browser::new();
    let socket = browser.socket();
    browser.conn.on_socket_open(browser.now, socket);
    browser.conn.on_frame(browser.now, socket, &encode(&ServerFrame::Welcome { protocol: 99, user: None }));
    browser.drain();
    browser.wait(secs(3600));
    assert!(browser.open_sockets.is_empty());
    assert_eq!(browser.status(), Status::Failed { reason: FailReason::UnsupportedProtocol });
}

#[test]
fn events_from_a_replaced_socket_are_ignored() {
    let mut browser = Browser::new();
    let stale = browser.socket();
    browser.wait(secs(10)); // connect timeout: the attempt is abandoned and retried
    browser.wait(secs(1));
    assert_ne!(browser.socket(), stale);
    browser.conn.on_socket_open(browser.now, stale);
    browser.conn.on_socket_closed(browser.now, stale, close_code::FORBIDDEN, "late");
    browser.drain();
    browser.server_accepts();
    assert_eq!(browser.status(), Status::Connected);
    assert_eq!(browser.max_live_sockets, 1);
}

#[test]
fn a_garbled_server_frame_is_reported_and_skipped() {
    let mut browser = Browser::new();
    browser.server_accepts();
    let socket = browser.socket();
    browser.conn.on_frame(browser.now, socket, "{not json");
    let outputs: Vec<ConnectionOutput> = std::iter::from_fn(|| browser.conn.poll_output()).collect();
    assert!(matches!(outputs.as_slice(), [ConnectionOutput::BadFrame { .. }]), "{outputs:?}");
    assert_eq!(browser.status(), Status::Connected);
}

#[test]
fn a_token_that_expired_during_an_outage_is_refreshed_once_then_used() {
    let mut browser = Browser::new();
    browser.conn.set_token(Some("old".into()));
    browser.server_accepts();
    browser.socket_closes(close_code::ABNORMAL, "");
    browser.wait(secs(5));
    // The server is back, but the token expired meanwhile.
    browser.socket_closes(close_code::UNAUTHORIZED, "token expired");
    assert_eq!(browser.token_refreshes_asked, 1);
    browser.wait(secs(60));
    assert!(browser.open_sockets.is_empty(), "nothing is retried with a dead token");
    browser.conn.on_token_refreshed(browser.now, Some("fresh".into()));
    browser.drain();
    browser.server_accepts();
    assert_eq!(browser.status(), Status::Connected);
    let hellos: Vec<&ClientFrame> =
        browser.sent.iter().map(|(_, f)| f).filter(|f| matches!(f, ClientFrame::Hello { .. })).collect();
    assert_eq!(hellos.last(), Some(&&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some("fresh".into()) }));
}

#[test]
fn fresh_tokens_that_are_refused_too_stop_after_three_instead_of_looping() {
    let mut browser = Browser::new();
    browser.socket_closes(close_code::UNAUTHORIZED, "token expired");
    // A fresh token can be replaced before it is used (another tab refreshed
    // it): it is refreshed again, a few times, then the session is given up.
    for refused in 1..=3 {
        browser.conn.on_token_refreshed(browser.now, Some(format!("fresh {refused}")));
        browser.drain();
        browser.socket_closes(close_code::UNAUTHORIZED, "signed out");
    }
    assert_eq!(browser.token_refreshes_asked, 3);
    browser.wait(secs(3600));
    assert!(browser.open_sockets.is_empty());
    assert_eq!(browser.status(), Status::Failed { reason: FailReason::Unauthorized });
}

#[test]
fn a_refresh_that_cannot_reach_the_server_keeps_the_session_and_tries_again() {
    let mut browser = Browser::new();
    browser.socket_closes(close_code::UNAUTHORIZED, "token expired");
    // The phone is in a tunnel: the refresh request itself fails.
    browser.conn.on_token_refresh_unreachable(browser.now);
    browser.drain();
    assert_ne!(browser.status(), Status::Failed { reason: FailReason::Unauthorized }, "not signed out");
    while browser.open_sockets.is_empty() {
        browser.wait(Duration::from_millis(100));
    }
    browser.socket_closes(close_code::UNAUTHORIZED, "token expired");
    assert_eq!(browser.token_refreshes_asked, 2, "asked again after a backoff");
    browser.conn.on_token_refreshed(browser.now, Some("fresh".into()));
    browser.drain();
    browser.server_accepts();
    assert_eq!(browser.status(), Status::Connected);
}

#[test]
fn a_refresh_that_fails_asks_the_user_to_sign_in() {
    let mut browser = Browser::new();
    browser.socket_closes(close_code::UNAUTHORIZED, "token expired");
    browser.conn.on_token_refreshed(browser.now, None);
    browser.drain();
    assert_eq!(browser.status(), Status::Failed { reason: FailReason::Unauthorized });
}
