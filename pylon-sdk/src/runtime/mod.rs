//! The runtime every request goes through, whichever way it comes in: the
//! [`pipeline`] (check, admit, attempt, record, decide, decode) and what it
//! reads: the client's shared [`state`], the [`rate_limit`]er, the adaptive
//! [`pacing`], the [`retry`] policy, the input checks ([`validate`]), the
//! URL builder ([`paths`]) and the body decoder ([`decode`]).

mod attempt;
pub(crate) mod clock;
pub(crate) mod decode;
pub mod pacing;
pub(crate) mod paths;
mod pipeline;
pub mod rate_limit;
pub mod retry;
mod state;
mod validate;

pub(crate) use paths::url;
pub(crate) use pipeline::send;
pub(crate) use state::ClientState;
