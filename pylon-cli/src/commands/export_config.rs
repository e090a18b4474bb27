//! `export-config`: the organization's tags and custom fields as a file
//! that `plan` and `apply` take.

use std::io::Write;
use std::path::PathBuf;

use crate::Global;
use crate::commands::print;
use crate::config::Format;
use crate::failure::{Failure, Result};
use crate::plan;

/// `pylon export-config`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file format (default: from --output's extension, else yaml).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The object types whose custom fields are read.
    #[arg(long, value_delimiter = ',', default_value = "account,issue,contact")]
    object_types: Vec<String>,
}

/// Runs `pylon export-config`.
pub async fn run(global: &Global, args: Args, out: &mut impl Write) -> Result<()> {
    let format = match (args.format, &args.output) {
        (Some(format), _) => format,
        (None, Some(path)) => Format::of(path)?,
        (None, None) => Format::Yaml,
    };
    let object_types = checked_object_types(args.object_types)?;
    let client = global.client()?;
    let state = plan::State::read(&client, &object_types).await?;
    let text = state
        .to_config()
        .render(format)
        .map_err(|e| Failure::other(format!("the config could not be written: {e}")))?;
    match args.output {
        Some(path) => std::fs::write(&path, text).map_err(|e| Failure::io(path.display(), e)),
        None => print(out, &text),
    }
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
