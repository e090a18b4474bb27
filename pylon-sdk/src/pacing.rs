//! Adaptive pacing: after a 429, every clone of the client slows down on
//! that endpoint instead of each task retrying on its own.
//!
//! Pylon refills each endpoint's allowance continuously, and its
//! `Retry-After` says when the next request will be accepted. When an
//! endpoint answers 429, it is paused for that long, and its requests are
//! then released one at a time, first in first out, with a spacing learnt
//! the way TCP learns a rate: each paced success halves the spacing (so a
//! one-off 429 costs about two `Retry-After`s and pacing then ends); a paced
//! request that meets a 429 doubles it, and when it came sooner after the
//! previous one than a request that succeeded, that gap that worked becomes
//! the floor, so a queue of tasks settles at the rate Pylon refills
//! instead of meeting a 429 each. A server whose window resets all at once
//! costs a few doubling probes, not one per second. Requests that were
//! already in flight when pacing began do not count against it. The floor
//! is forgotten once the endpoint has seen no 429 for a minute and nobody
//! is waiting.
//!
//! It is on by default; [`ClientBuilder::adaptive_pacing`](crate::ClientBuilder::adaptive_pacing)
//! turns it off, and then each 429 is retried after its own `Retry-After`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::retry::later;

/// The spacing used when a 429 carries no `Retry-After`.
const DEFAULT_SPACING: Duration = Duration::from_secs(1);
/// The widest spacing pacing grows to.
const MAX_SPACING: Duration = Duration::from_secs(60);
/// Pacing without a floor ends once its spacing shrinks below this.
const END_SPACING: Duration = Duration::from_millis(5);
/// The shortest pause after a 429, whatever `Retry-After` says, so that
/// `Retry-After: 0` cannot make a tight loop.
const MIN_PAUSE: Duration = Duration::from_millis(10);
/// Pacing ends after this long without a 429, once nobody waits.
const QUIET_PERIOD: Duration = Duration::from_secs(60);

/// Pacing state shared by every clone of a client, per endpoint.
#[derive(Debug, Default)]
pub(crate) struct Pacing {
    endpoints: Mutex<HashMap<&'static str, Arc<Endpoint>>>,
    /// Whether any endpoint has ever met a 429: until then every call skips
    /// the bookkeeping.
    throttled_once: AtomicBool,
}

#[derive(Debug, Default)]
struct Endpoint {
    state: Mutex<PaceState>,
    /// Waiters take turns in arrival order (tokio's mutex is fair).
    queue: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct PaceState {
    /// Set from the first 429 until the endpoint is quiet again.
    paced_since: Option<Instant>,
    spacing: Duration,
    /// The last gap that worked before a faster paced request met a 429:
    /// the spacing never shrinks below it.
    floor: Duration,
    /// When the last paced request was let through.
    last_admitted: Option<Instant>,
    /// The gap before the last paced request that succeeded.
    worked_gap: Option<Duration>,
    next_free: Option<Instant>,
    last_throttle: Option<Instant>,
    /// Bumped whenever the spacing grows, so a 429 for a request sent under
    /// older, faster pacing does not grow it again.
    epoch: u64,
}

/// What a request was sent under, to judge its answer fairly.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    epoch: u64,
    paced: bool,
    /// For a paced request, the time since the paced request before it.
    gap: Duration,
}

impl Ticket {
    /// A ticket for a client without pacing.
    pub(crate) fn unpaced() -> Self {
        Ticket {
            epoch: 0,
            paced: false,
            gap: Duration::ZERO,
        }
    }
}

impl Pacing {
    fn endpoint(&self, operation: &'static str) -> Arc<Endpoint> {
        let mut endpoints = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
        endpoints.entry(operation).or_default().clone()
    }

    /// Waits for the endpoint's next free moment, when it is being paced;
    /// `None`, at once, when that moment is after `deadline`.
    pub(crate) async fn admit(&self, operation: &'static str, deadline: Instant) -> Option<Ticket> {
        if !self.throttled_once.load(Ordering::Acquire) {
            return Some(Ticket::unpaced());
        }
        let endpoint = self.endpoint(operation);
        if let Some(ticket) = endpoint.try_unpaced() {
            return Some(ticket);
        }
        let _turn = endpoint.queue.lock().await;
        loop {
            let wait_until = {
                let mut state = endpoint.lock();
                let now = Instant::now();
                match state.next_free {
                    None => {
                        return Some(Ticket {
                            epoch: state.epoch,
                            paced: false,
                            gap: Duration::ZERO,
                        });
                    }
                    Some(free) if free <= now => {
                        let gap = state
                            .last_admitted
                            .map_or(state.spacing, |at| now.saturating_duration_since(at));
                        state.last_admitted = Some(now);
                        state.next_free = Some(later(now, state.spacing));
                        return Some(Ticket {
                            epoch: state.epoch,
                            paced: true,
                            gap,
                        });
                    }
                    Some(free) if free > deadline => return None,
                    Some(free) => free,
                }
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Records an attempt's answer: a 429 starts or slows pacing, a paced
    /// success speeds it up again.
    pub(crate) fn record(
        &self,
        operation: &'static str,
        ticket: &Ticket,
        throttled: bool,
        retry_after: Option<Duration>,
    ) {
        if !throttled && !ticket.paced {
            return;
        }
        self.throttled_once.store(true, Ordering::Release);
        let endpoint = self.endpoint(operation);
        let mut state = endpoint.lock();
        let now = Instant::now();
        if throttled {
            let wait = retry_after
                .unwrap_or(DEFAULT_SPACING)
                .clamp(MIN_PAUSE, MAX_SPACING);
            if state.paced_since.is_none() {
                state.paced_since = Some(now);
                state.spacing = wait;
                state.epoch += 1;
            } else if ticket.paced && ticket.epoch == state.epoch {
                // Refused after a shorter gap than one that worked: that gap
                // is the floor. A refusal after a gap that had worked before
                // (Pylon's allowance shared with another client, a blip)
                // only widens the spacing for a while.
                if let Some(worked) = state.worked_gap.filter(|worked| ticket.gap < *worked) {
                    state.floor = worked.min(MAX_SPACING);
                }
                state.spacing = state.spacing.saturating_mul(2).clamp(wait, MAX_SPACING);
                state.epoch += 1;
            }
            let resume = later(now, wait.max(state.spacing));
            state.next_free = Some(state.next_free.map_or(resume, |free| free.max(resume)));
            state.last_throttle = Some(now);
            tracing::debug!(
                operation,
                spacing_ms = u64::try_from(state.spacing.as_millis()).unwrap_or(u64::MAX),
                "pacing after 429"
            );
        } else if ticket.paced && state.paced_since.is_some() {
            state.worked_gap = Some(ticket.gap);
            state.spacing = (state.spacing / 2).max(state.floor);
            if state.spacing < END_SPACING {
                *state = PaceState {
                    epoch: state.epoch + 1,
                    ..PaceState::default()
                };
            }
        }
    }
}

impl Endpoint {
    fn lock(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A ticket without waiting when the endpoint is not paced (or has been
    /// quiet long enough to stop), else `None`.
    fn try_unpaced(&self) -> Option<Ticket> {
        let mut state = self.lock();
        let now = Instant::now();
        if state.paced_since.is_some() {
            let quiet = state
                .last_throttle
                .is_none_or(|at| now.saturating_duration_since(at) >= QUIET_PERIOD);
            let idle = state.next_free.is_none_or(|free| free <= now);
            if quiet && idle && self.queue.try_lock().is_ok() {
                *state = PaceState {
                    epoch: state.epoch,
                    ..PaceState::default()
                };
            }
        }
        state.paced_since.is_none().then_some(Ticket {
            epoch: state.epoch,
            paced: false,
            gap: Duration::ZERO,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(86_400)
    }

    fn spacing(pacing: &Pacing) -> Duration {
        pacing.endpoint("create_tag").lock().spacing
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_the_endpoint_then_successes_speed_it_up_until_pacing_ends() {
        let pacing = Pacing::default();
        let first = pacing.admit("create_tag", far()).await.unwrap();
        assert!(!first.paced);
        pacing.record("create_tag", &first, true, Some(Duration::from_secs(2)));
        let start = Instant::now();
        let mut admitted = Vec::new();
        for _ in 0..12 {
            let ticket = pacing.admit("create_tag", far()).await.unwrap();
            admitted.push(start.elapsed().as_millis());
            pacing.record("create_tag", &ticket, false, None);
        }
        // Paused for the 2 s Retry-After, then 2 s, 1 s, 0.5 s ... apart
        // until the spacing is negligible and pacing ends (the timer rounds
        // each wait up to the millisecond).
        assert_eq!(
            &admitted[..9],
            [2000, 4000, 5000, 5500, 5750, 5875, 5938, 5970, 5986]
        );
        assert_eq!(admitted[9..], [admitted[8]; 3]);
        // Other endpoints are not held up.
        let other = Instant::now();
        pacing.admit("get_tag", far()).await.unwrap();
        assert_eq!(other.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_paced_429_sets_a_floor_at_the_last_spacing_that_worked() {
        let pacing = Pacing::default();
        // Ten requests in flight when the budget ran out: one pause, no more.
        for _ in 0..10 {
            pacing.record(
                "create_tag",
                &Ticket::unpaced(),
                true,
                Some(Duration::from_secs(1)),
            );
        }
        assert_eq!(spacing(&pacing), Duration::from_secs(1));
        for _ in 0..2 {
            let ok = pacing.admit("create_tag", far()).await.unwrap();
            pacing.record("create_tag", &ok, false, None);
        }
        // One second apart worked; half a second does not.
        assert_eq!(spacing(&pacing), Duration::from_millis(250));
        let too_fast = pacing.admit("create_tag", far()).await.unwrap();
        assert_eq!(too_fast.gap, Duration::from_millis(500));
        pacing.record("create_tag", &too_fast, true, Some(Duration::from_secs(1)));
        assert_eq!(spacing(&pacing), Duration::from_secs(1));
        let start = Instant::now();
        for _ in 0..5 {
            let ticket = pacing.admit("create_tag", far()).await.unwrap();
            pacing.record("create_tag", &ticket, false, None);
        }
        // Steady at one a second: the rate Pylon refills.
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        assert_eq!(spacing(&pacing), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_after_a_gap_that_worked_does_not_raise_the_floor() {
        let pacing = Pacing::default();
        let first = Ticket::unpaced();
        pacing.record("create_tag", &first, true, Some(Duration::from_secs(1)));
        let ok = pacing.admit("create_tag", far()).await.unwrap();
        pacing.record("create_tag", &ok, false, None);
        // The next comes as long after as the one that worked, and is refused.
        let blip = pacing.admit("create_tag", far()).await.unwrap();
        assert_eq!(blip.gap, ok.gap);
        pacing.record("create_tag", &blip, true, Some(Duration::from_secs(1)));
        assert_eq!(pacing.endpoint("create_tag").lock().floor, Duration::ZERO);
        // Successes then shrink the spacing until pacing ends.
        for _ in 0..12 {
            let ticket = pacing.admit("create_tag", far()).await.unwrap();
            pacing.record("create_tag", &ticket, false, None);
        }
        assert!(!pacing.admit("create_tag", far()).await.unwrap().paced);
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_ends_after_a_quiet_minute() {
        let pacing = Pacing::default();
        pacing.record(
            "get_tag",
            &Ticket::unpaced(),
            true,
            Some(Duration::from_secs(1)),
        );
        assert!(pacing.admit("get_tag", far()).await.unwrap().paced);
        tokio::time::advance(QUIET_PERIOD).await;
        assert!(!pacing.admit("get_tag", far()).await.unwrap().paced);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_after_the_deadline_is_refused_at_once() {
        let pacing = Pacing::default();
        pacing.record(
            "get_tag",
            &Ticket::unpaced(),
            true,
            Some(Duration::from_secs(30)),
        );
        let start = Instant::now();
        let soon = start + Duration::from_secs(10);
        assert!(pacing.admit("get_tag", soon).await.is_none());
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn extreme_retry_after_values_neither_panic_nor_stall_forever() {
        let pacing = Pacing::default();
        pacing.record("get_tag", &Ticket::unpaced(), true, Some(Duration::MAX));
        let start = Instant::now();
        pacing.admit("get_tag", far()).await.unwrap();
        assert_eq!(start.elapsed(), MAX_SPACING);
    }
}
