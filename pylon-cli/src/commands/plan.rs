//! `plan`: the changes that would make the organization's tags and custom
//! fields match a file.

use std::io::Write;
use std::path::PathBuf;

use pylon_sdk::Client;

use crate::Global;
use crate::commands::print;
use crate::config::Config;
use crate::failure::{Result, code};
use crate::plan::{self, Plan};

/// `pylon plan`'s arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
With --detailed-exitcode: 0 = no changes, 2 = changes, 1 = any failure (as terraform does).")]
pub struct Args {
    /// The file declaring tags and custom fields.
    file: PathBuf,
    /// Also delete tags and select options that FILE does not declare.
    #[arg(long)]
    prune: bool,
    /// Exit 0 when nothing would change, 2 when something would, 1 on failure.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

/// Runs `pylon plan`; the exit code tells whether anything would change
/// when `--detailed-exitcode` asks for it.
pub async fn run(global: &Global, args: Args, out: &mut impl Write) -> Result<u8> {
    let config = Config::load(&args.file)?;
    let client = global.client()?;
    let plan = make_plan(&client, &config, args.prune).await?;
    print(out, &plan.render(&args.file.display().to_string()))?;
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        code::CHANGES
    } else {
        code::SUCCESS
    })
}

/// The plan for `config`: the organization's tags, and the custom fields
/// of the object types the file names. `apply` makes the same plan, so the
/// two cannot disagree about what would change.
pub async fn make_plan(client: &Client, config: &Config, prune: bool) -> Result<Plan> {
    let state = plan::State::read(client, &config.field_object_types()).await?;
    let plan = plan::plan(config, &state, prune)?;
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    Ok(plan)
}
