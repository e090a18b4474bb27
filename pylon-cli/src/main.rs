//! `pylon`: a command-line tool for the Pylon REST API, built on pylon-sdk.
//!
//! - `plan` / `apply` / `export-config`: tags and custom fields as code.
//! - `issues export`: issues over any range to JSON Lines or CSV,
//!   resumable after an interruption.
//! - `sync`: a local SQLite copy of the organization, kept current
//!   incrementally.
//! - `api` / `operations`: every API operation by name.
//! - `webhook verify`: checks a webhook delivery's signature.

mod columns;
mod commands;
mod config;
mod failure;
mod plan;
mod progress;
mod when;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pylon_sdk::{Client, Region, RetryPolicy};

use crate::failure::{EXIT_CODES_HELP, Failure, Result, code};

/// A command-line tool for the Pylon REST API.
///
/// The API token comes from PYLON_API_TOKEN or --token-file; it is never
/// printed, logged or shown in errors.
#[derive(Debug, Parser)]
#[command(name = "pylon", version, after_help = EXIT_CODES_HELP, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// The options every command takes.
#[derive(Debug, Args)]
struct Global {
    /// Read the API token from this file instead of PYLON_API_TOKEN.
    #[arg(long, global = true, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// The region to talk to (default: the token's).
    #[arg(long, global = true, value_enum)]
    region: Option<RegionArg>,
    /// Send requests here instead of the region's host (https, or http to loopback).
    #[arg(long, global = true, env = "PYLON_BASE_URL", value_name = "URL")]
    base_url: Option<String>,
    /// How many times a failed request is tried in all (429s do not count:
    /// they are waited out).
    #[arg(long, global = true, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    max_attempts: u32,
    /// Log what the SDK does to stderr: -v requests and retries, -vv each attempt, -vvv everything.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RegionArg {
    Us,
    Eu,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the changes that would make the organization's tags and custom
    /// fields match FILE (YAML or TOML, by extension).
    Plan(commands::plan::Args),
    /// Make the changes `plan` shows, one API call each. Running it again
    /// changes nothing.
    Apply(commands::apply::Args),
    /// Write the organization's tags and custom fields as a file that
    /// `plan` and `apply` take.
    ExportConfig(commands::export_config::Args),
    /// Issues.
    #[command(subcommand)]
    Issues(IssuesCommand),
    /// Call any API operation by its id and print the JSON response.
    Api(commands::api::Args),
    /// List every API operation `pylon api` can call.
    Operations(commands::operations::Args),
    /// Keep a local SQLite copy of the organization current.
    ///
    /// The first run copies every issue (by creation windows) and every
    /// account, contact, user, team, tag and custom field; later runs read
    /// only the issues updated since the last run, and re-read the other
    /// resources whole, removing rows Pylon no longer returns. Each page is
    /// committed with the run's position, so a run that stops or is killed
    /// continues where it stopped when run again.
    Sync(commands::sync::Args),
    /// Webhook deliveries.
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

#[derive(Debug, Subcommand)]
enum IssuesCommand {
    /// Export the issues created in a range, window by window, to JSON Lines or CSV.
    ///
    /// After every window the output is flushed and a checkpoint saved next
    /// to it (OUTPUT.checkpoint.json). If the export stops (Ctrl-C, Pylon
    /// unreachable for longer than --patience, the process killed), run the
    /// same command with --resume: the file ends with every issue exactly once.
    Export(commands::issues_export::Args),
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Check a delivery's signature: the raw body on stdin, the
    /// X-Pylon-Signature header's value in --signature. Prints "signature
    /// valid" and exits 0, or exits 6 with the reason.
    Verify(commands::webhook_verify::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // Usage errors must not look like `plan --detailed-exitcode`'s 2.
            return ExitCode::from(if error.use_stderr() {
                code::USAGE
            } else {
                code::SUCCESS
            });
        }
    };
    init_tracing(cli.global.verbose);
    let detailed = matches!(&cli.command, Command::Plan(args) if args.detailed_exitcode);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: the async runtime could not start: {e}");
            return ExitCode::from(code::FAILURE);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {failure}");
            if detailed {
                ExitCode::from(code::FAILURE)
            } else {
                failure.exit_code()
            }
        }
    }
}

/// `-v`: the SDK's requests and retries; `-vv`: every attempt; `-vvv`:
/// everything, the HTTP stack included. The token is never logged (the SDK
/// marks its header sensitive and redacts it everywhere).
fn init_tracing(verbose: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let filter = match verbose {
        0 => return,
        1 => Targets::new()
            .with_target("pylon_sdk", LevelFilter::INFO)
            .with_target("pylon", LevelFilter::INFO),
        2 => Targets::new()
            .with_target("pylon_sdk", LevelFilter::DEBUG)
            .with_target("pylon", LevelFilter::DEBUG),
        _ => Targets::new().with_default(LevelFilter::TRACE),
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}

async fn run(cli: Cli) -> Result<u8> {
    let global = cli.global;
    let mut stdout = std::io::stdout();
    match cli.command {
        // The one command whose exit code says more than success or failure.
        Command::Plan(args) => return commands::plan::run(&global, args, &mut stdout).await,
        Command::Apply(args) => commands::apply::run(&global, args, &mut stdout).await?,
        Command::ExportConfig(args) => {
            commands::export_config::run(&global, args, &mut stdout).await?
        }
        Command::Issues(IssuesCommand::Export(args)) => {
            commands::issues_export::run(&global.client()?, args).await?
        }
        Command::Api(args) => {
            commands::api::run(&global.client()?, args, &mut stdout.lock()).await?
        }
        Command::Operations(args) => commands::operations::run(&args, &mut stdout.lock())?,
        Command::Sync(args) => {
            commands::sync::run(&global.client()?, args, &mut stdout.lock()).await?
        }
        Command::Webhook(WebhookCommand::Verify(args)) => {
            commands::webhook_verify::run(args, &mut std::io::stdin().lock(), &mut stdout)?
        }
    }
    Ok(code::SUCCESS)
}

impl Global {
    /// The client for the global options: the token from `--token-file` or
    /// `PYLON_API_TOKEN`, the region, the base URL. `plan`, `apply` and
    /// `export-config` build it themselves, after checking their file and
    /// arguments, so that a mistake there is reported before a missing token.
    fn client(&self) -> Result<Client> {
        let token = match &self.token_file {
            Some(path) => read_token(path)?,
            None => std::env::var("PYLON_API_TOKEN").map_err(|_| {
                Failure::usage("no API token: set PYLON_API_TOKEN or pass --token-file PATH")
            })?,
        };
        let mut builder = Client::builder(token.trim())
            .retry_policy(RetryPolicy::standard().with_max_attempts(self.max_attempts));
        if let Some(region) = self.region {
            builder = builder.region(match region {
                RegionArg::Us => Region::Us,
                RegionArg::Eu => Region::Eu,
            });
        }
        if let Some(base_url) = &self.base_url {
            builder = builder.base_url(base_url);
        }
        Ok(builder.build()?)
    }
}

fn read_token(path: &Path) -> Result<String> {
    let token = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("--token-file {}: {e}", path.display())))?;
    if token.trim().is_empty() {
        return Err(Failure::usage(format!(
            "--token-file {} is empty",
            path.display()
        )));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_shows_the_exit_codes() {
        let help = Cli::command().render_help().to_string();
        assert!(help.contains("64  usage"), "{help}");
    }
}
