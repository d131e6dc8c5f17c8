//! One warning per interval for input any sender can repeat at will.
//!
//! A malformed datagram costs its sender nothing, so a warning for each one would let any
//! sender on the port fill the log. [`WarnThrottle`] admits the first warning and then at most
//! one per interval, each reporting how many were suppressed since the last.

use std::time::{Duration, Instant};

#[cfg(test)]
mod tests;

/// How often a warning about malformed datagrams may be logged.
pub(super) const MALFORMED_WARN_INTERVAL: Duration = Duration::from_secs(10);

/// Admits one warning per interval and counts the others.
#[derive(Debug)]
pub(super) struct WarnThrottle {
    interval: Duration,
    next_allowed: Option<Instant>,
    suppressed: u64,
}

impl WarnThrottle {
    /// A throttle admitting one warning per `interval`.
    pub(super) fn new(interval: Duration) -> Self {
        Self { interval, next_allowed: None, suppressed: 0 }
    }

    /// `Some(suppressed)` when the warning due at `now` is to be logged, with the number of
    /// warnings suppressed since the last one logged; `None` when it is suppressed.
    pub(super) fn admit(&mut self, now: Instant) -> Option<u64> {
        if self.next_allowed.is_some_and(|next| now < next) {
            self.suppressed += 1;
            return None;
        }
        self.next_allowed = Some(now + self.interval);
        Some(std::mem::take(&mut self.suppressed))
    }
}
