//! `pylon`: a command-line tool for the Pylon REST API, built on pylon-sdk.
//!
//! - `plan` / `apply` / `export-config`: tags and custom fields as code.
//! - `issues export`: issues over any range to JSON Lines or CSV,
//!   resumable after an interruption.
//! - `sync`: a local SQLite copy of the organization, kept current
//!   incrementally.
//! - `api` / `operations`: every API operation by name.
//! - `webhook verify`: checks a webhook delivery's signature.

mod api;
mod columns;
mod config;
mod export;
mod failure;
mod plan;
mod progress;
mod sync;
mod webhook;
mod when;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pylon_sdk::{Client, Region, RetryPolicy};

use crate::config::{Config, Format};
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
    #[command(after_help = "\
With --detailed-exitcode: 0 = no changes, 2 = changes, 1 = any failure (as terraform does).")]
    Plan {
        /// The file declaring tags and custom fields.
        file: PathBuf,
        /// Also delete tags and select options that FILE does not declare.
        #[arg(long)]
        prune: bool,
        /// Exit 0 when nothing would change, 2 when something would, 1 on failure.
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Make the changes `plan` shows, one API call each. Running it again
    /// changes nothing.
    Apply {
        /// The file declaring tags and custom fields.
        file: PathBuf,
        /// Also delete tags and select options that FILE does not declare.
        #[arg(long)]
        prune: bool,
    },
    /// Write the organization's tags and custom fields as a file that
    /// `plan` and `apply` take.
    ExportConfig {
        /// The file format (default: from --output's extension, else yaml).
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Write here instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The object types whose custom fields are read.
        #[arg(long, value_delimiter = ',', default_value = "account,issue,contact")]
        object_types: Vec<String>,
    },
    /// Issues.
    Issues {
        #[command(subcommand)]
        command: IssuesCommand,
    },
    /// Call any API operation by its id and print the JSON response.
    #[command(after_help = "\
Examples:
  pylon api get_tag --param id=tag_123
  pylon api create_tag --body '{\"value\": \"vip\", \"object_type\": \"account\"}'
  pylon api search_issues --body @filter.json --all > issues.jsonl
`pylon operations` lists every operation with its parameters.")]
    Api {
        /// The operation id, e.g. get_tag, list_accounts, search_issues.
        operation: String,
        /// A path or query parameter, NAME=VALUE; repeat for several (and for list values).
        #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// The JSON body: the JSON itself, @FILE, or - for stdin.
        #[arg(long, value_name = "JSON|@FILE|-")]
        body: Option<String>,
        /// Fetch every page of a cursor-paginated list; print one item per line (JSON Lines).
        #[arg(long)]
        all: bool,
        /// Items per page with --all.
        #[arg(long, value_name = "N")]
        page_size: Option<u32>,
    },
    /// List every API operation `pylon api` can call.
    Operations {
        /// Print the catalogue as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Keep a local SQLite copy of the organization current.
    ///
    /// The first run copies every issue (by creation windows) and every
    /// account, contact, user, team, tag and custom field; later runs read
    /// only the issues updated since the last run, and re-read the other
    /// resources whole, removing rows Pylon no longer returns. Each page is
    /// committed with the run's position, so a run that stops or is killed
    /// continues where it stopped when run again.
    Sync(sync::SyncArgs),
    /// Webhook deliveries.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Check a delivery's signature: the raw body on stdin, the
    /// X-Pylon-Signature header's value in --signature. Prints "signature
    /// valid" and exits 0, or exits 6 with the reason.
    #[command(after_help = "\
Example:
  PYLON_WEBHOOK_SECRET=... pylon webhook verify --secret-env PYLON_WEBHOOK_SECRET \\
      --signature \"$SIGNATURE\" < body.json")]
    Verify {
        /// The environment variable holding the webhook's secret (never an
        /// argument, so it stays out of shell history and process lists).
        #[arg(long, value_name = "VAR")]
        secret_env: String,
        /// The X-Pylon-Signature header's value: 64 hex digits.
        #[arg(long, value_name = "SIG")]
        signature: String,
    },
}

#[derive(Debug, Subcommand)]
enum IssuesCommand {
    /// Export the issues created in a range, window by window, to JSON Lines or CSV.
    ///
    /// After every window the output is flushed and a checkpoint saved next
    /// to it (OUTPUT.checkpoint.json). If the export stops (Ctrl-C, Pylon
    /// unreachable for longer than --patience, the process killed), run the
    /// same command with --resume: the file ends with every issue exactly once.
    Export(ExportCommand),
}

#[derive(Debug, Args)]
struct ExportCommand {
    /// Issues created at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME", conflicts_with = "since")]
    from: Option<String>,
    /// Issues created before this time (default: now).
    #[arg(long, value_name = "TIME")]
    to: Option<String>,
    /// Issues created in the last DURATION (90d, 12h, 2w) or since a date.
    #[arg(long, value_name = "DURATION|DATE")]
    since: Option<String>,
    /// How many windows are fetched at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    concurrency: u16,
    /// The output format (default jsonl).
    #[arg(long, value_enum)]
    format: Option<export::ExportFormat>,
    /// The values written, comma-separated: issue fields (id, title, state,
    /// account.id, ...) and custom_fields.SLUG. Default: every field for
    /// jsonl; a standard set for csv.
    #[arg(long, value_name = "COLUMNS")]
    columns: Option<String>,
    /// Write here (default stdout, which cannot be resumed).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Continue an export that stopped, from OUTPUT.checkpoint.json.
    #[arg(long)]
    resume: bool,
    /// How long a window that keeps failing is retried before the export
    /// stops with a checkpoint (e.g. 10m, 30s, 0s).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    patience: Duration,
    /// The longest window sent to Pylon, in days (30 in older API versions, 365 now).
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
    max_window_days: u32,
    /// Issues per page.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    page_size: u32,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    when::parse_duration(text)
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
    let detailed = matches!(
        cli.command,
        Command::Plan {
            detailed_exitcode: true,
            ..
        }
    );
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
        Command::Plan {
            file,
            prune,
            detailed_exitcode,
        } => {
            let config = Config::load(&file)?;
            let client = client(&global)?;
            let plan = make_plan(&client, &config, prune).await?;
            print(&mut stdout, &plan.render(&file.display().to_string()))?;
            Ok(if detailed_exitcode && !plan.is_empty() {
                code::CHANGES
            } else {
                code::SUCCESS
            })
        }
        Command::Apply { file, prune } => {
            let config = Config::load(&file)?;
            let client = client(&global)?;
            let plan = make_plan(&client, &config, prune).await?;
            if plan.is_empty() {
                print(&mut stdout, &plan.render(&file.display().to_string()))?;
                return Ok(code::SUCCESS);
            }
            let (created, updated, deleted) = plan::apply(&client, &plan, &mut stdout).await?;
            print(
                &mut stdout,
                &format!(
                    "\nApply complete: {created} created, {updated} updated, {deleted} deleted.\n"
                ),
            )?;
            Ok(code::SUCCESS)
        }
        Command::ExportConfig {
            format,
            output,
            object_types,
        } => {
            let format = match (format, &output) {
                (Some(format), _) => format,
                (None, Some(path)) => Format::of(path)?,
                (None, None) => Format::Yaml,
            };
            let object_types = checked_object_types(object_types)?;
            let client = client(&global)?;
            let state = plan::State::read(&client, &object_types).await?;
            let text = state
                .to_config()
                .render(format)
                .map_err(|e| Failure::other(format!("the config could not be written: {e}")))?;
            match output {
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| Failure::io(path.display(), e))?
                }
                None => print(&mut stdout, &text)?,
            }
            Ok(code::SUCCESS)
        }
        Command::Issues {
            command: IssuesCommand::Export(command),
        } => {
            let client = client(&global)?;
            export::run(
                &client,
                export::ExportArgs {
                    from: command.from,
                    to: command.to,
                    since: command.since,
                    concurrency: usize::from(command.concurrency),
                    format: command.format,
                    columns: command.columns,
                    output: command.output,
                    resume: command.resume,
                    patience: command.patience,
                    max_window_days: command.max_window_days,
                    page_size: command.page_size,
                    progress: !command.quiet,
                },
            )
            .await?;
            Ok(code::SUCCESS)
        }
        Command::Api {
            operation,
            params,
            body,
            all,
            page_size,
        } => {
            let client = client(&global)?;
            let args = api::ApiArgs {
                operation,
                params,
                body,
                all,
                page_size,
            };
            api::run(&client, args, &mut stdout.lock()).await?;
            Ok(code::SUCCESS)
        }
        Command::Sync(args) => {
            let client = client(&global)?;
            sync::run(&client, args, &mut stdout.lock()).await?;
            Ok(code::SUCCESS)
        }
        Command::Operations { json } => {
            api::list(json, &mut stdout.lock())?;
            Ok(code::SUCCESS)
        }
        Command::Webhook {
            command:
                WebhookCommand::Verify {
                    secret_env,
                    signature,
                },
        } => {
            webhook::verify(&secret_env, &signature, &mut std::io::stdin().lock())?;
            print(&mut stdout, "signature valid\n")?;
            Ok(code::SUCCESS)
        }
    }
}

fn print(out: &mut impl Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", e))
}

/// The plan for `config`: the organization's tags, and the custom fields
/// of the object types the file names.
async fn make_plan(client: &Client, config: &Config, prune: bool) -> Result<plan::Plan> {
    let state = plan::State::read(client, &config.field_object_types()).await?;
    let plan = plan::plan(config, &state, prune)?;
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    Ok(plan)
}

fn checked_object_types(types: Vec<String>) -> Result<Vec<String>> {
    let types: Vec<String> = types
        .into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if types.is_empty() {
        return Err(Failure::usage("--object-types names no object type"));
    }
    Ok(types)
}

/// The client for the global options: the token from `--token-file` or
/// `PYLON_API_TOKEN`, the region, the base URL.
fn client(global: &Global) -> Result<Client> {
    let token = match &global.token_file {
        Some(path) => read_token(path)?,
        None => std::env::var("PYLON_API_TOKEN").map_err(|_| {
            Failure::usage("no API token: set PYLON_API_TOKEN or pass --token-file PATH")
        })?,
    };
    let mut builder = Client::builder(token.trim())
        .retry_policy(RetryPolicy::standard().with_max_attempts(global.max_attempts));
    if let Some(region) = global.region {
        builder = builder.region(match region {
            RegionArg::Us => Region::Us,
            RegionArg::Eu => Region::Eu,
        });
    }
    if let Some(base_url) = &global.base_url {
        builder = builder.base_url(base_url);
    }
    Ok(builder.build()?)
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
