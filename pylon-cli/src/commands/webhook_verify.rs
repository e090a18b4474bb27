//! `webhook verify`: checks a delivery's `X-Pylon-Signature` against its
//! body, read from stdin byte for byte.

use std::io::{Read, Write};

use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};

use crate::commands::print;
use crate::failure::{Failure, Result, code};

/// `pylon webhook verify`'s arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  PYLON_WEBHOOK_SECRET=... pylon webhook verify --secret-env PYLON_WEBHOOK_SECRET \\
      --signature \"$SIGNATURE\" < body.json")]
pub struct Args {
    /// The environment variable holding the webhook's secret (never an
    /// argument, so it stays out of shell history and process lists).
    #[arg(long, value_name = "VAR")]
    secret_env: String,
    /// The X-Pylon-Signature header's value: 64 hex digits.
    #[arg(long, value_name = "SIG")]
    signature: String,
}

/// Runs `pylon webhook verify` on the body read from `input`.
pub fn run(args: Args, input: &mut impl Read, out: &mut impl Write) -> Result<()> {
    verify(&args.secret_env, &args.signature, input)?;
    print(out, "signature valid\n")
}

/// Verifies the body on `input` against `signature` with the secret held
/// in the environment variable `secret_env`.
pub fn verify(secret_env: &str, signature: &str, input: &mut impl Read) -> Result<()> {
    let secret = std::env::var_os(secret_env).ok_or_else(|| {
        Failure::usage(format!(
            "the environment variable {secret_env} (--secret-env) is not set"
        ))
    })?;
    let secret = WebhookSecret::new(secret.into_encoded_bytes());
    let mut body = Vec::new();
    input
        .read_to_end(&mut body)
        .map_err(|e| Failure::io("stdin", e))?;
    webhook::verify(&secret, &body, Some(signature)).map_err(|error| match error {
        WebhookError::EmptySecret => Failure::usage(format!(
            "the environment variable {secret_env} is empty; nothing is verified with it"
        )),
        other => Failure::with_code(code::SIGNATURE, format!("signature invalid: {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_secret_variable_is_a_usage_error() {
        let error = verify("PYLON_CLI_TEST_NO_SUCH_VARIABLE", "00", &mut &b"{}"[..]).unwrap_err();
        assert_eq!(error.code(), code::USAGE);
        assert!(
            error
                .to_string()
                .contains("PYLON_CLI_TEST_NO_SUCH_VARIABLE")
        );
    }
}
