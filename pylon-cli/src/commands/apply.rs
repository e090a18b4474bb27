//! `apply`: makes the changes `plan` shows.

use std::io::Write;
use std::path::PathBuf;

use crate::Global;
use crate::commands::plan::make_plan;
use crate::commands::print;
use crate::config::Config;
use crate::failure::Result;
use crate::plan;

/// `pylon apply`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file declaring tags and custom fields.
    file: PathBuf,
    /// Also delete tags and select options that FILE does not declare.
    #[arg(long)]
    prune: bool,
}

/// Runs `pylon apply`: one API call per change, a line printed for each.
pub async fn run(global: &Global, args: Args, out: &mut impl Write) -> Result<()> {
    let config = Config::load(&args.file)?;
    let client = global.client()?;
    let plan = make_plan(&client, &config, args.prune).await?;
    if plan.is_empty() {
        return print(out, &plan.render(&args.file.display().to_string()));
    }
    let (created, updated, deleted) = plan::apply(&client, &plan, out).await?;
    print(
        out,
        &format!("\nApply complete: {created} created, {updated} updated, {deleted} deleted.\n"),
    )
}
