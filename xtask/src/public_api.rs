//! `cargo xtask public-api`: fails when pylon-sdk's public API names a type
//! of a crate it keeps private (progenitor-client, reqwest, hyper).
//!
//! rustdoc renders every public item, signature, field, trait impl and
//! `Deref` target of the crate, and links each type it names to the page
//! of the crate that defines it. Documenting pylon-sdk with its
//! dependencies and scanning its pages for links into a private crate's
//! docs therefore lists every place such a type reaches users.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Crates whose types must not appear in pylon-sdk's public API.
pub const PRIVATE_CRATES: &[&str] = &["progenitor_client", "reqwest", "hyper", "hyper_util"];

/// One link from a public page into a private crate.
#[derive(Debug, PartialEq)]
pub struct Leak {
    pub page: String,
    pub target: String,
}

/// Documents pylon-sdk (all features, dependencies included) and scans it.
pub fn check(root: &Path) -> Result<(usize, Vec<Leak>), String> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "doc",
            "--locked",
            "--quiet",
            "-p",
            "pylon-sdk",
            "--all-features",
        ])
        .status()
        .map_err(|e| format!("could not run cargo doc: {e}"))?;
    if !status.success() {
        return Err("cargo doc failed".into());
    }
    // Where cargo put the docs: `CARGO_TARGET_DIR` (relative to the
    // workspace when relative) or the workspace's `target/`.
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| root.join(dir))
        .unwrap_or_else(|| root.join("target"));
    let docs = target_dir.join("doc/pylon_sdk");
    let mut pages = Vec::new();
    collect_pages(&docs, &mut pages)?;
    let mut leaks = Vec::new();
    for page in &pages {
        let html = fs::read_to_string(page).map_err(|e| format!("{}: {e}", page.display()))?;
        let name = page
            .strip_prefix(&docs)
            .unwrap_or(page)
            .display()
            .to_string();
        leaks.extend(leaks_in(&name, &html));
    }
    Ok((pages.len(), leaks))
}

fn collect_pages(dir: &Path, pages: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_pages(&path, pages)?;
        } else if path.extension().is_some_and(|ext| ext == "html") {
            pages.push(path);
        }
    }
    pages.sort();
    Ok(())
}

/// The links of one page that lead into a private crate's docs.
pub fn leaks_in(page: &str, html: &str) -> Vec<Leak> {
    let mut found = Vec::new();
    for link in html.split("href=\"").skip(1) {
        let target = &link[..link.find('"').unwrap_or(link.len())];
        let leaks = target
            .split('/')
            .any(|segment| PRIVATE_CRATES.contains(&segment));
        if leaks && !found.iter().any(|l: &Leak| l.target == target) {
            found.push(Leak {
                page: page.to_string(),
                target: target.to_string(),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_into_private_crates_are_leaks_others_are_not() {
        let html = r#"<a href="../../reqwest/struct.Error.html">Error</a>
            <a href="../serde/trait.Serialize.html">Serialize</a>
            <a href="../../progenitor_client/enum.Error.html">E</a>
            <a href="struct.Client.html">Client</a>"#;
        let leaks = leaks_in("client.html", html);
        assert_eq!(
            leaks.iter().map(|l| l.target.as_str()).collect::<Vec<_>>(),
            [
                "../../reqwest/struct.Error.html",
                "../../progenitor_client/enum.Error.html"
            ]
        );
    }
}
