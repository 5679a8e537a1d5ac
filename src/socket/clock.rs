//! The monotonic clock the engine runs on.

use hanmadi_client_core::Instant;

/// `performance.now()`, in whole milliseconds. Monotonic, unlike `Date.now()`,
/// which jumps when the user or NTP sets the wall clock.
pub fn now() -> Instant {
    let millis = web_sys::window().and_then(|window| window.performance()).map_or(0.0, |p| p.now());
    Instant::from_millis(millis as u64)
}
