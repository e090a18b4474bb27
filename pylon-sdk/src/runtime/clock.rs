//! Time arithmetic that cannot overflow: every wait and deadline the
//! runtime computes goes through here.

use std::time::Duration;

use tokio::time::Instant;

/// The longest duration any setting takes (a year); longer ones are clamped.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// `now + wait`, saturating instead of overflowing the clock.
pub(crate) fn later(now: Instant, wait: Duration) -> Instant {
    now.checked_add(wait.min(MAX_DURATION))
        .unwrap_or_else(|| now + Duration::from_secs(86_400))
}
