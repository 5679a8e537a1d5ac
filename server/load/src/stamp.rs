//! The text of every message the load sends: `t=<micros>:<client>`, when it was
//! sent (microseconds since the run's start, on this process's monotonic clock)
//! and by whom. Both targets carry the text unchanged, so latency is measured the
//! same way against each.
//!
//! Finding a stamp is the hot path: a saturated room delivers hundreds of
//! thousands of frames a second to this one process, on the same two cores as
//! the server. So a frame is never decoded as JSON to read its stamp; the stamp
//! is found by a substring search and its digits parsed in place.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// A stamp as it appears inside a JSON frame: the `text` field's value begins
/// with it. Neither target puts this string anywhere else (names and keys are ours).
static IN_FRAME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"text\":\"t="));

/// One message's stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Microseconds since the run's start.
    pub sent_at: u64,
    /// The sending client's index.
    pub from: usize,
}

impl Stamp {
    /// The message text that carries this stamp.
    pub fn text(self) -> String {
        format!("t={}:{}", self.sent_at, self.from)
    }

    /// The stamp in a frame that delivers a stamped message, if it is one.
    pub fn find(frame: &str) -> Option<Self> {
        let bytes = frame.as_bytes();
        let rest = &bytes[IN_FRAME.find(bytes)? + IN_FRAME.needle().len()..];
        let (sent_at, rest) = digits(rest)?;
        let (from, _) = digits(rest.strip_prefix(b":")?)?;
        Some(Self { sent_at, from: usize::try_from(from).ok()? })
    }
}

/// A decimal number at the start of `bytes`, and what follows it.
fn digits(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let end = bytes.iter().position(|b| !b.is_ascii_digit()).unwrap_or(bytes.len());
    if end == 0 {
        return None;
    }
    let value = bytes[..end].iter().try_fold(0u64, |n, b| n.checked_mul(10)?.checked_add(u64::from(b - b'0')))?;
    Some((value, &bytes[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_found_in_either_targets_frame() {
        let stamp = Stamp { sent_at: 1_234_567, from: 42 };
        let hanmadi = format!(
            r#"{{"type":"event","room":1,"seq":9,"at":5,"event":{{"kind":"message","id":3,"author":7,"author_name":"load 42","text":"{}"}}}}"#,
            stamp.text()
        );
        let relay = format!(r#"{{"type":"message","text":"{}"}}"#, stamp.text());
        assert_eq!(Stamp::find(&hanmadi), Some(stamp));
        assert_eq!(Stamp::find(&relay), Some(stamp));
    }

    #[test]
    fn frames_without_a_whole_stamp_have_none() {
        assert_eq!(Stamp::find(r#"{"type":"ack","key":"k","outcome":{"status":"applied","room":1}}"#), None);
        assert_eq!(Stamp::find(r#"{"type":"message","text":"t=12"}"#), None);
        assert_eq!(Stamp::find(r#"{"type":"message","text":"t=:3"}"#), None);
        assert_eq!(Stamp::find(r#"{"type":"message","text":"t=99999999999999999999:1"}"#), None);
    }
}
