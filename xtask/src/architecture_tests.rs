//! The shape pylon-sdk's hand-written code keeps: no rule keyed by an
//! operation's name (the rules are the operations' facts, generated from
//! the overlays) and no circle of imports among its modules.

use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// The hand-written modules of pylon-sdk, by module path (`runtime::retry`),
/// with their code outside tests and comments. `lib.rs`, which declares
/// and re-exports everything, and `generated/` are left out.
fn hand_written_modules() -> BTreeMap<String, String> {
    let src = workspace_root().join("pylon-sdk/src");
    let mut modules = BTreeMap::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if relative.starts_with("generated") || relative == "lib.rs" {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let name = relative
                .trim_end_matches(".rs")
                .trim_end_matches("/mod")
                .replace('/', "::");
            modules.insert(
                name,
                code_outside_tests(&fs::read_to_string(&path).unwrap()),
            );
        }
    }
    modules
}

/// `text` without its test module and without comment lines.
fn code_outside_tests(text: &str) -> String {
    let code = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn operation_ids() -> BTreeSet<String> {
    let (spec, _) = corrected_spec(&workspace_root()).unwrap();
    let doc = serde_json::to_value(&spec).unwrap();
    operations::rows(&doc)
        .unwrap()
        .into_iter()
        .map(|row| row.id)
        .collect()
}

#[test]
fn hand_written_code_names_no_operation() {
    let ids = operation_ids();
    let mut found = Vec::new();
    for (module, code) in hand_written_modules() {
        for literal in code.split('"').skip(1).step_by(2) {
            let named = literal.split(':').next().unwrap_or_default();
            if ids.contains(literal) || ids.contains(named) {
                found.push(format!("{module}: \"{literal}\""));
            }
        }
    }
    assert!(
        found.is_empty(),
        "operation ids in hand-written code: {found:#?}"
    );
}

/// The modules `code` (of `module`) refers to: `crate::a::b` and `super::b`
/// paths, resolved to the longest module prefix, and through the
/// re-exports of `lib.rs` and of each `mod.rs`.
fn references(
    module: &str,
    code: &str,
    modules: &BTreeMap<String, String>,
    reexports: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let parent = module.rsplit_once("::").map_or("", |(parent, _)| parent);
    let mut found = BTreeSet::new();
    for (prefix, base) in [("crate::", ""), ("$crate::", ""), ("super::", parent)] {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().last();
            if prefix == "crate::" && before == Some('$') {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            let path: Vec<&str> = rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or_default()
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            let mut segments: Vec<&str> = base.split("::").filter(|s| !s.is_empty()).collect();
            segments.extend(path);
            // The longest prefix that is a module, then a re-export in it.
            let mut target = None;
            for end in (0..=segments.len()).rev() {
                let candidate = segments[..end].join("::");
                let item = segments.get(end).copied().unwrap_or_default();
                let reexport = reexports.get(&format!("{candidate}|{item}"));
                if let Some(source) = reexport {
                    target = Some(source.clone());
                    break;
                }
                if modules.contains_key(&candidate) {
                    target = Some(candidate);
                    break;
                }
            }
            if let Some(target) = target.filter(|t| t != module) {
                found.insert(target);
            }
        }
    }
    found
}

/// `use x::{A, B}` and `pub use x::y::A;` lines of `code` (a module at
/// `at`): each name with the module it comes from.
fn reexports_of(at: &str, code: &str, into: &mut BTreeMap<String, String>) {
    for statement in code.split(';') {
        let statement = statement.trim();
        let Some(used) = statement
            .strip_prefix("pub use ")
            .or_else(|| statement.strip_prefix("pub(crate) use "))
        else {
            continue;
        };
        let used = used
            .trim_start_matches("crate::")
            .trim_start_matches("self::");
        let (source, names) = match used.split_once("::{") {
            Some((source, names)) => (source.to_string(), names.trim_end_matches('}').to_string()),
            None => match used.rsplit_once("::") {
                Some((source, name)) => (source.to_string(), name.to_string()),
                None => continue,
            },
        };
        let source = if at.is_empty() || used.starts_with("crate::") {
            source
        } else {
            format!("{at}::{source}")
        };
        for name in names.split(',') {
            let name = name.split(" as ").last().unwrap_or_default().trim();
            if !name.is_empty() {
                into.insert(format!("{at}|{name}"), source.clone());
            }
        }
    }
}

#[test]
fn hand_written_modules_import_no_circle() {
    let modules = hand_written_modules();
    let mut reexports = BTreeMap::new();
    let lib = fs::read_to_string(workspace_root().join("pylon-sdk/src/lib.rs")).unwrap();
    reexports_of("", &code_outside_tests(&lib), &mut reexports);
    for (module, code) in &modules {
        reexports_of(module, code, &mut reexports);
    }
    let graph: BTreeMap<&str, BTreeSet<String>> = modules
        .iter()
        .map(|(module, code)| {
            (
                module.as_str(),
                references(module, code, &modules, &reexports),
            )
        })
        .collect();
    // The modules a pipeline call passes through refer to each other in
    // one direction.
    assert!(
        graph["operations"].contains("runtime::pipeline"),
        "{graph:#?}"
    );
    assert!(
        graph["runtime::pipeline"].contains("runtime::retry"),
        "{graph:#?}"
    );
    // Depth-first search for a path back to a module still on the path;
    // a module fully explored once has no circle through it.
    fn circle<'a>(
        graph: &'a BTreeMap<&str, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        let last = *path.last()?;
        for next in graph.get(last).into_iter().flatten() {
            if let Some(at) = path.iter().position(|m| m == next) {
                let mut found: Vec<String> = path[at..].iter().map(|m| m.to_string()).collect();
                found.push(next.clone());
                return Some(found);
            }
            let Some((next, _)) = graph.get_key_value(next.as_str()) else {
                continue;
            };
            if done.contains(next) {
                continue;
            }
            path.push(next);
            if let Some(found) = circle(graph, path, done) {
                return Some(found);
            }
            path.pop();
        }
        done.insert(last);
        None
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        let found = circle(&graph, &mut vec![module], &mut done);
        assert!(
            found.is_none(),
            "an import circle: {}",
            found.unwrap().join(" -> ")
        );
    }
}
