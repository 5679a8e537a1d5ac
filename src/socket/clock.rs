//! The monotonic clock the engine runs on.

use hanmadi_client_core::Instant;

/// `performance.now()`, in whole milliseconds. Monotonic, unlike `Date.now()`,
/// which jumps when the user or NTP sets the wall clock.
pub fn now() -> Instant {
    let millis = web_sys::window().and_then(|window| window.performance()).map_or(0.0, |p| p.now());
    Instant::from_millis(millis as u64)
}

/// A sleep beyond this, unseen by `performance.now()`, is worth a check.
const SLEEP_NOTICED_AFTER_MS: f64 = 5_000.0;

/// Notices a sleep the monotonic clock did not count: `performance.now()`
/// stops while the machine sleeps in some browsers, so no timer looks late,
/// but `Date.now()` keeps the wall's time. A wall clock set forward by hand
/// looks the same, and costs one extra ping.
pub struct SleepWatch {
    monotonic: Instant,
    wall: f64,
}

impl SleepWatch {
    pub fn new() -> Self {
        Self { monotonic: now(), wall: js_sys::Date::now() }
    }

    /// Whether the wall clock ran ahead of `monotonic` since the last call.
    pub fn slept(&mut self, monotonic: Instant) -> bool {
        let wall = js_sys::Date::now();
        let wall_passed = wall - self.wall;
        let monotonic_passed = monotonic.saturating_since(self.monotonic).as_millis() as f64;
        (self.monotonic, self.wall) = (monotonic, wall);
        wall_passed - monotonic_passed > SLEEP_NOTICED_AFTER_MS
    }
}
