//! `pylon api`: any API operation by its id.

use std::io::{Read, Write};

use futures::TryStreamExt;
use pylon_sdk::Client;
use pylon_sdk::operations::OperationCall;
use serde_json::Value;

use crate::commands::print_line;
use crate::failure::{Failure, Result};

/// `pylon api`'s arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Examples:
  pylon api get_tag --param id=tag_123
  pylon api create_tag --body '{\"value\": \"vip\", \"object_type\": \"account\"}'
  pylon api search_issues --body @filter.json --all > issues.jsonl
`pylon operations` lists every operation with its parameters.")]
pub struct Args {
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
}

/// The call the arguments describe.
fn call(args: &Args) -> Result<OperationCall> {
    let mut call = OperationCall::new();
    for param in &args.params {
        let Some((name, value)) = param.split_once('=') else {
            return Err(Failure::usage(format!(
                "--param {param:?} must be NAME=VALUE"
            )));
        };
        call = call.param(name.trim(), value);
    }
    if let Some(body) = &args.body {
        call = call.body(read_body(body)?);
    }
    Ok(call)
}

/// `--body`: JSON text, `@FILE`, or `-` for stdin.
fn read_body(argument: &str) -> Result<Value> {
    let (text, source) = if argument == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("--body -: stdin: {e}")))?;
        (text, "stdin".to_string())
    } else if let Some(path) = argument.strip_prefix('@') {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("--body @{path}: {e}")))?;
        (text, path.to_string())
    } else {
        (argument.to_string(), "--body".to_string())
    };
    serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("{source} is not valid JSON: {e}")))
}

/// Runs `pylon api`: the response as pretty JSON, or with `--all` every
/// item of every page as one JSON line each.
pub async fn run(client: &Client, args: Args, out: &mut impl Write) -> Result<()> {
    let call = call(&args)?;
    if !args.all {
        if args.page_size.is_some() {
            return Err(Failure::usage("--page-size goes with --all"));
        }
        let response = client.call(&args.operation, call).await?.into_inner();
        let text = serde_json::to_string_pretty(&response)
            .map_err(|e| Failure::other(format!("the response could not be printed: {e}")))?;
        return print_line(out, &text);
    }
    let mut pages = client.paginate_call(&args.operation, call)?;
    if let Some(size) = args.page_size {
        pages = pages.page_size(size);
    }
    let mut items = pages.items();
    while let Some(item) = items.try_next().await? {
        print_line(out, &(*item).to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(params: &[&str], body: Option<&str>) -> Args {
        Args {
            operation: "get_tag".into(),
            params: params.iter().map(|p| p.to_string()).collect(),
            body: body.map(str::to_string),
            all: false,
            page_size: None,
        }
    }

    #[test]
    fn params_are_name_value_pairs_and_bodies_json() {
        assert!(call(&args(&["id=tag_1", "x=a=b"], None)).is_ok());
        let error = call(&args(&["id"], None)).unwrap_err();
        assert_eq!(error.code(), crate::failure::code::USAGE);
        let bad_json = call(&args(&[], Some("{nope"))).unwrap_err();
        assert!(
            bad_json.to_string().contains("not valid JSON"),
            "{bad_json}"
        );
        let missing = call(&args(&[], Some("@/no/such/file.json"))).unwrap_err();
        assert!(missing.to_string().contains("/no/such/file.json"));
    }
}
