//! Adaptive pacing: after a 429, every clone of the client slows down on
//! that endpoint instead of each task retrying on its own.
//!
//! Pylon refills each endpoint's allowance continuously, and its
//! `Retry-After` says when the next request will be accepted. When an
//! endpoint answers 429, it is paused for that long, and its requests are
//! then released one at a time, first in first out. What holds them apart
//! is learnt from the answers:
//!
//! - **A floor**: when a paced request meets a 429 sooner after the one
//!   before it than a request that succeeded, that gap that worked becomes
//!   the floor, so a queue of tasks settles at the rate Pylon refills instead
//!   of meeting a 429 each.
//! - **The floor is kept while requests queue** for the endpoint: it is what
//!   shares Pylon's allowance among them. A queue's spacing starts at
//!   `Retry-After` and halves with each paced success down to the floor.
//! - **A lone caller's floor decays** (nobody waiting behind its request): it
//!   halves with each success, so a stray 429 costs about one `Retry-After`
//!   and a floor learnt by chance is gone within a few requests. A 429 within
//!   two halvings of the floor as learnt confirms it: it goes back to what it
//!   was and holds for twice as many successes before decaying again, so a
//!   lone caller against a sustained limit probes it less and less often.
//! - **A 429 after a gap the floor allowed** drops the floor: it was not
//!   keeping 429s away (Pylon's allowance shared with another client, a
//!   blip), and it is learnt again if the rate is the cause.
//! - **Refusals in a row**: from the third paced request refused without a
//!   success between, each doubles the spacing (one or two in a row are what
//!   a server refusing now and then does too), so a server whose window
//!   resets all at once costs a few doubling probes, not one per second.
//!
//! Requests that were already in flight when pacing began do not count
//! against it. What was learnt is forgotten once the endpoint has seen no
//! 429 for a minute and nobody is waiting.
//!
//! It is on by default; [`ClientBuilder::adaptive_pacing`](crate::ClientBuilder::adaptive_pacing)
//! turns it off, and then each 429 is retried after its own `Retry-After`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::clock::later;

/// The spacing used when a 429 carries no `Retry-After`.
const DEFAULT_SPACING: Duration = Duration::from_secs(1);
/// The widest spacing pacing grows to.
const MAX_SPACING: Duration = Duration::from_secs(60);
/// Spacing and floor below this count as none.
const END_SPACING: Duration = Duration::from_millis(5);
/// The shortest pause after a 429, whatever `Retry-After` says, so that
/// `Retry-After: 0` cannot make a tight loop.
const MIN_PAUSE: Duration = Duration::from_millis(10);
/// Pacing ends after this long without a 429, once nobody waits.
const QUIET_PERIOD: Duration = Duration::from_secs(60);
/// The most doublings of how long a confirmed floor holds.
const MAX_CONFIRMATIONS: u32 = 16;
/// Paced requests refused in a row before the spacing doubles: one or two
/// in a row are what a server refusing now and then does too.
const REFUSALS_BEFORE_DOUBLING: u32 = 3;

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
    /// Requests waiting for their turn, the one being admitted included.
    waiting: AtomicUsize,
}

#[derive(Debug, Default)]
struct PaceState {
    /// Set from the first 429 until pacing ends.
    paced_since: Option<Instant>,
    spacing: Duration,
    /// The last gap that worked before a faster paced request met a 429:
    /// the spacing does not shrink below it while it lasts.
    floor: Duration,
    /// The floor as last learnt, before any decay: a decayed floor that
    /// meets a 429 goes back to it.
    learnt_floor: Duration,
    /// How many times in a row a decayed floor met a 429 below it.
    confirmations: u32,
    /// Successes of lone requests since the floor was learnt or confirmed.
    held: u32,
    /// Paced requests refused since the last paced success.
    refused_in_a_row: u32,
    /// When the last paced request was let through.
    last_admitted: Option<Instant>,
    /// The gap before the last paced request that succeeded.
    worked_gap: Option<Duration>,
    /// Until when nothing is sent, after a 429.
    paused_until: Option<Instant>,
    last_throttle: Option<Instant>,
    /// Bumped whenever the spacing grows, so a 429 for a request sent under
    /// older, faster pacing does not grow it again.
    epoch: u64,
}

impl PaceState {
    /// When the next paced request may go: after the pause, and a spacing
    /// after the one before it.
    fn next_free(&self) -> Option<Instant> {
        let paused_until = self.paused_until?;
        Some(
            self.last_admitted
                .map_or(paused_until, |at| paused_until.max(later(at, self.spacing))),
        )
    }

    fn forget_floor(&mut self) {
        self.floor = Duration::ZERO;
        self.learnt_floor = Duration::ZERO;
        self.confirmations = 0;
        self.held = 0;
    }

    fn ended(epoch: u64) -> Self {
        PaceState {
            epoch,
            ..PaceState::default()
        }
    }
}

/// What a request was sent under, to judge its answer fairly.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    epoch: u64,
    paced: bool,
    /// For a paced request, the time since the paced request before it.
    gap: Duration,
    /// For a paced request, whether others were waiting behind it.
    queued_behind: bool,
}

impl Ticket {
    /// A ticket for a client without pacing.
    pub(crate) fn unpaced() -> Self {
        Ticket {
            epoch: 0,
            paced: false,
            gap: Duration::ZERO,
            queued_behind: false,
        }
    }
}

/// Counts a request among an endpoint's waiters until it is dropped, so a
/// cancelled wait is uncounted too.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
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
        let _waiting = Waiting::enter(&endpoint.waiting);
        let _turn = endpoint.queue.lock().await;
        loop {
            let wait_until = {
                let mut state = endpoint.lock();
                let now = Instant::now();
                match state.next_free() {
                    None => {
                        return Some(Ticket {
                            epoch: state.epoch,
                            ..Ticket::unpaced()
                        });
                    }
                    Some(free) if free <= now => {
                        let previous = state.last_admitted.or(state.last_throttle);
                        let gap =
                            previous.map_or(state.spacing, |at| now.saturating_duration_since(at));
                        state.last_admitted = Some(now);
                        return Some(Ticket {
                            epoch: state.epoch,
                            paced: true,
                            gap,
                            queued_behind: endpoint.waiting.load(Ordering::Acquire) > 1,
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
                match state.worked_gap {
                    // Refused after a shorter gap than one that worked: that
                    // gap is the floor. When it came within two halvings of
                    // the floor as learnt (the first probe below it may pass
                    // on allowance left over from the pause), the floor is
                    // confirmed and goes back to what it was.
                    Some(worked) if ticket.gap < worked => {
                        let learnt = state.learnt_floor;
                        if learnt > Duration::ZERO && worked >= learnt / 2 {
                            state.confirmations = (state.confirmations + 1).min(MAX_CONFIRMATIONS);
                        } else {
                            state.learnt_floor = worked.min(MAX_SPACING);
                            state.confirmations = 0;
                        }
                        state.floor = state.learnt_floor;
                        state.held = 0;
                    }
                    // Refused after a gap the floor allowed: the floor does
                    // not keep 429s away (Pylon's allowance shared with
                    // another client, a blip), so it is dropped, to be
                    // learnt again if the rate is the cause.
                    _ if ticket.gap >= state.floor => state.forget_floor(),
                    _ => {}
                }
                state.refused_in_a_row += 1;
                let grown = if state.refused_in_a_row >= REFUSALS_BEFORE_DOUBLING {
                    state.spacing.saturating_mul(2)
                } else {
                    state.spacing
                };
                state.spacing = grown.clamp(wait, MAX_SPACING).max(state.floor);
                state.epoch += 1;
            }
            let resume = later(now, wait.max(state.spacing));
            state.paused_until = Some(state.paused_until.map_or(resume, |until| until.max(resume)));
            state.last_throttle = Some(now);
            tracing::debug!(
                operation,
                spacing_ms = u64::try_from(state.spacing.as_millis()).unwrap_or(u64::MAX),
                floor_ms = u64::try_from(state.floor.as_millis()).unwrap_or(u64::MAX),
                "pacing after 429"
            );
        } else if ticket.paced && state.paced_since.is_some() {
            state.worked_gap = Some(ticket.gap);
            state.refused_in_a_row = 0;
            if ticket.queued_behind {
                // Requests queue for the endpoint: the spacing is what
                // shares Pylon's allowance among them, and the floor holds.
                state.spacing = (state.spacing / 2).max(state.floor);
            } else {
                // A lone request has nobody to be spaced from but the floor,
                // and the floor decays once it has held for a while: a
                // wrong floor slows every request, while a probe below a
                // right one costs one 429. Each confirmation doubles how
                // long the floor holds.
                if state.held >= (1 << state.confirmations) - 1 {
                    state.floor /= 2;
                }
                state.held = state.held.saturating_add(1);
                if state.floor < END_SPACING {
                    state.forget_floor();
                }
                state.spacing = state.floor;
            }
            if state.spacing < END_SPACING {
                state.spacing = Duration::ZERO;
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
            let idle = state.next_free().is_none_or(|free| free <= now);
            if quiet && idle && self.queue.try_lock().is_ok() {
                *state = PaceState::ended(state.epoch);
            }
        }
        state.paced_since.is_none().then_some(Ticket {
            epoch: state.epoch,
            ..Ticket::unpaced()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(86_400)
    }

    fn state(pacing: &Pacing) -> (Duration, Duration) {
        let endpoint = pacing.endpoint("create_tag");
        let state = endpoint.lock();
        (state.spacing, state.floor)
    }

    /// Admits one lone request and records its answer; returns when it was
    /// admitted, counted from `start`, in milliseconds.
    async fn lone(pacing: &Pacing, start: Instant, refused: bool) -> u128 {
        let ticket = pacing.admit("create_tag", far()).await.unwrap();
        assert!(!ticket.queued_behind);
        let at = start.elapsed().as_millis();
        let retry_after = refused.then_some(Duration::from_secs(1));
        pacing.record("create_tag", &ticket, refused, retry_after);
        at
    }

    /// A 429 for a lone request at 0 s, a success after the pause, and a 429
    /// for the request right after it: the one-second gap that worked is
    /// the floor.
    async fn lone_floor_of_one_second(pacing: &Pacing, start: Instant) {
        pacing.record(
            "create_tag",
            &Ticket::unpaced(),
            true,
            Some(Duration::from_secs(1)),
        );
        assert_eq!(lone(pacing, start, false).await, 1000);
        assert_eq!(lone(pacing, start, true).await, 1000);
        assert_eq!(state(pacing).1, Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_stray_429_costs_a_lone_caller_one_retry_after() {
        let pacing = Pacing::default();
        let first = pacing.admit("create_tag", far()).await.unwrap();
        assert!(!first.paced);
        pacing.record("create_tag", &first, true, Some(Duration::from_secs(2)));
        let start = Instant::now();
        let mut admitted = Vec::new();
        for _ in 0..5 {
            let ticket = pacing.admit("create_tag", far()).await.unwrap();
            admitted.push(start.elapsed().as_millis());
            pacing.record("create_tag", &ticket, false, None);
        }
        // Paused for the 2 s Retry-After, then nothing holds it back.
        assert_eq!(admitted, [2000; 5]);
        assert_eq!(state(&pacing), (Duration::ZERO, Duration::ZERO));
        // Other endpoints are not held up.
        let other = Instant::now();
        pacing.admit("get_tag", far()).await.unwrap();
        assert_eq!(other.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_callers_floor_decays_as_its_requests_succeed() {
        let pacing = Pacing::default();
        let start = Instant::now();
        lone_floor_of_one_second(&pacing, start).await;
        let mut admitted = Vec::new();
        let mut floors = Vec::new();
        for _ in 0..9 {
            admitted.push(lone(&pacing, start, false).await);
            floors.push(state(&pacing).1.as_micros());
        }
        // The pause, then the floor halves with each success until it is
        // negligible and forgotten (the timer rounds up to the millisecond).
        assert_eq!(
            admitted,
            [2000, 2500, 2750, 2875, 2938, 2970, 2986, 2994, 2994]
        );
        assert_eq!(
            floors,
            [
                500_000, 250_000, 125_000, 62_500, 31_250, 15_625, 7_812, 0, 0
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_floor_confirmed_by_a_429_below_it_holds_twice_as_long_each_time() {
        let pacing = Pacing::default();
        let start = Instant::now();
        lone_floor_of_one_second(&pacing, start).await;
        assert_eq!(lone(&pacing, start, false).await, 2000);
        assert_eq!(state(&pacing).1, Duration::from_millis(500));
        // Half a second is too soon: the floor is back at one second, and
        // holds for one success before it decays again.
        assert_eq!(lone(&pacing, start, true).await, 2500);
        assert_eq!(state(&pacing).1, Duration::from_secs(1));
        assert_eq!(lone(&pacing, start, false).await, 3500);
        assert_eq!(state(&pacing).1, Duration::from_secs(1));
        assert_eq!(lone(&pacing, start, false).await, 4500);
        assert_eq!(state(&pacing).1, Duration::from_millis(500));
        // Confirmed again: it now holds for three successes.
        assert_eq!(lone(&pacing, start, true).await, 5000);
        for at in [6000, 7000, 8000] {
            assert_eq!(lone(&pacing, start, false).await, at);
            assert_eq!(state(&pacing).1, Duration::from_secs(1));
        }
        assert_eq!(lone(&pacing, start, false).await, 9000);
        assert_eq!(state(&pacing).1, Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_at_a_gap_the_floor_allowed_drops_the_floor() {
        let pacing = Pacing::default();
        let start = Instant::now();
        lone_floor_of_one_second(&pacing, start).await;
        // One second apart, as the floor asks, and still refused: the floor
        // is not what keeps 429s away.
        assert_eq!(lone(&pacing, start, true).await, 2000);
        assert_eq!(state(&pacing).1, Duration::ZERO);
        assert_eq!(lone(&pacing, start, false).await, 3000);
        assert_eq!(lone(&pacing, start, false).await, 3000);
    }

    #[tokio::test(start_paused = true)]
    async fn queued_requests_are_released_one_at_a_time_and_keep_the_floor() {
        let pacing = Pacing::default();
        let start = Instant::now();
        lone_floor_of_one_second(&pacing, start).await;
        // Two requests wait: the first goes with another behind it, and its
        // success leaves the floor as it is.
        let (first, second) = tokio::join!(
            pacing.admit("create_tag", far()),
            pacing.admit("create_tag", far())
        );
        let (first, second) = (first.unwrap(), second.unwrap());
        assert!(first.queued_behind);
        assert!(!second.queued_behind);
        assert_eq!(second.gap, Duration::from_secs(1));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        pacing.record("create_tag", &first, false, None);
        assert_eq!(state(&pacing).1, Duration::from_secs(1));
        pacing.record("create_tag", &second, false, None);
        assert_eq!(state(&pacing).1, Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn refusals_in_a_row_double_the_spacing_from_the_third() {
        let pacing = Pacing::default();
        let start = Instant::now();
        pacing.record(
            "create_tag",
            &Ticket::unpaced(),
            true,
            Some(Duration::from_secs(1)),
        );
        let mut admitted = Vec::new();
        for _ in 0..6 {
            admitted.push(lone(&pacing, start, true).await);
        }
        assert_eq!(admitted, [1000, 2000, 3000, 5000, 9000, 17_000]);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_when_pacing_began_pause_it_once() {
        let pacing = Pacing::default();
        for _ in 0..10 {
            pacing.record(
                "create_tag",
                &Ticket::unpaced(),
                true,
                Some(Duration::from_secs(1)),
            );
        }
        let start = Instant::now();
        assert_eq!(lone(&pacing, start, false).await, 1000);
        assert_eq!(state(&pacing), (Duration::ZERO, Duration::ZERO));
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
