//! Why a command failed, as one line for stderr and an exit code.

use std::fmt;
use std::process::ExitCode;

/// Exit codes: each failure class has its own, so scripts can tell them apart.
pub mod code {
    /// Success; `plan --detailed-exitcode`: no changes.
    pub const SUCCESS: u8 = 0;
    /// Any other failure (a local file that cannot be written, an answer
    /// from Pylon that cannot be understood, ...); also every failure of
    /// `plan --detailed-exitcode`, as terraform does.
    pub const FAILURE: u8 = 1;
    /// `plan --detailed-exitcode`: there are changes to apply.
    pub const CHANGES: u8 = 2;
    /// Pylon answered with an error status (4xx or 5xx).
    pub const API: u8 = 3;
    /// No answer from Pylon: could not connect, timed out, connection lost.
    pub const NETWORK: u8 = 4;
    /// An issue export stopped; its checkpoint is saved, `--resume` continues
    /// it. A sync stopped; its progress is saved, running it again continues it.
    pub const INTERRUPTED: u8 = 5;
    /// `webhook verify`: the signature does not match the body (or is
    /// malformed).
    pub const SIGNATURE: u8 = 6;
    /// Bad arguments or input (refused before anything was sent).
    pub const USAGE: u8 = 64;
}

/// The exit-code table, as `--help` shows it.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
   0  success (plan --detailed-exitcode: no changes)
   1  any other failure (also every failure of plan --detailed-exitcode)
   2  plan --detailed-exitcode: there are changes
   3  Pylon answered with an error (4xx or 5xx)
   4  network: no answer from Pylon (could not connect, timed out)
   5  interrupted: issue export (run again with --resume) or sync (run again)
   6  webhook verify: the signature does not match the body
  64  usage: bad arguments or input, refused before anything was sent";

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// Bad arguments or input.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: code::USAGE,
            message: message.into(),
        }
    }

    /// Any other failure.
    pub fn other(message: impl Into<String>) -> Self {
        Failure {
            code: code::FAILURE,
            message: message.into(),
        }
    }

    /// A failure with a specific code.
    pub fn with_code(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// A local file could not be read or written.
    pub fn io(what: impl fmt::Display, error: std::io::Error) -> Self {
        Failure::other(format!("{what}: {error}"))
    }

    /// The exit code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// The exit code as the process's.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, whatever the message held.
        let one_line: String = self
            .message
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        f.write_str(&one_line)
    }
}

/// The exit code an SDK error maps to.
pub fn sdk_code(error: &pylon_sdk::Error) -> u8 {
    use pylon_sdk::Error;
    match error {
        Error::Api(_) => code::API,
        Error::Transport { .. } | Error::DeadlineExceeded { .. } => code::NETWORK,
        Error::InvalidRequest(_) => code::USAGE,
        Error::Interrupted { source, .. } => sdk_code(source),
        _ => code::FAILURE,
    }
}

impl From<pylon_sdk::Error> for Failure {
    fn from(error: pylon_sdk::Error) -> Self {
        Failure {
            code: sdk_code(&error),
            message: with_causes(&error),
        }
    }
}

/// An error's message followed by each of its causes that the message does
/// not already say (`…: could not connect: tcp connect error: Connection
/// refused`), so what went wrong is on the one line printed.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        let text = next.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = next.source();
    }
    message
}

/// `Result` with a [`Failure`].
pub type Result<T, E = Failure> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_errors_map_to_their_class() {
        let refused = pylon_sdk::Error::InvalidRequest("no".into());
        assert_eq!(Failure::from(refused).code(), code::USAGE);
        let cursor = pylon_sdk::Error::RepeatedCursor("c".into());
        assert_eq!(Failure::from(cursor).code(), code::FAILURE);
    }

    #[test]
    fn causes_follow_the_message_once() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl fmt::Display for Layer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|l| l as _)
            }
        }
        let error = Layer(
            "get_tag: could not connect",
            Some(Box::new(Layer(
                "could not connect",
                Some(Box::new(Layer("connection refused", None))),
            ))),
        );
        assert_eq!(
            with_causes(&error),
            "get_tag: could not connect: connection refused"
        );
    }

    #[test]
    fn messages_are_one_line() {
        let failure = Failure::other("a\nb\r\nc");
        assert_eq!(failure.to_string(), "a b  c");
    }
}
