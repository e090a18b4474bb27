//! The subcommands, one module each: its arguments (`Args`) and its `run`.

pub mod api;
pub mod apply;
pub mod export_config;
pub mod issues_export;
pub mod operations;
pub mod plan;
pub mod sync;
pub mod webhook_verify;

use std::io::Write;

use crate::failure::{Failure, Result};

/// Writes `text` to stdout and flushes it, so that a reader at the other
/// end of a pipe sees each part as soon as it is made.
pub fn print(out: &mut impl Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", e))
}

/// [`print()`] for one line.
pub fn print_line(out: &mut impl Write, line: &str) -> Result<()> {
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", e))
}
