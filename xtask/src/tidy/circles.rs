//! Import circles: files of one crate that reach each other through `crate::` and `super::`
//! paths in a loop. A module and its own parent or children are one subject and do not count;
//! unit tests (the closing `#[cfg(test)]` module) and comments are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`a::b`, the crate root `""`) to the modules it names outside its own subtree.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The import graph of the crate whose sources are under `src`.
pub fn graph_of(src: &Path) -> Graph {
    let files = super::rust_files_under(src);
    let modules: BTreeMap<String, String> = files
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> =
                relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                parts.pop();
            }
            (parts.join("::"), std::fs::read_to_string(path).unwrap())
        })
        .collect();
    let names: BTreeSet<&str> = modules.keys().map(String::as_str).collect();
    modules
        .iter()
        .map(|(module, text)| {
            let targets = referenced_paths(module, code_of(text))
                .into_iter()
                .filter_map(|path| longest_module(&names, &path))
                .filter(|target| !related(module, target))
                .collect();
            (module.clone(), targets)
        })
        .collect()
}

/// The loops in `graph`, each as the modules on it, in order.
pub fn circles(graph: &Graph) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for start in graph.keys() {
        let mut path = vec![start.clone()];
        walk(graph, start, &mut path, &mut found, &mut seen);
    }
    found
}

fn walk(
    graph: &Graph,
    at: &str,
    path: &mut Vec<String>,
    found: &mut Vec<Vec<String>>,
    seen: &mut BTreeSet<Vec<String>>,
) {
    for next in graph.get(at).into_iter().flatten() {
        if let Some(from) = path.iter().position(|module| module == next) {
            let mut circle = path[from..].to_vec();
            let mut key = circle.clone();
            key.sort();
            if seen.insert(key) {
                circle.push(next.clone());
                found.push(circle);
            }
        } else if path.len() < 12 {
            path.push(next.clone());
            walk(graph, next, path, found, seen);
            path.pop();
        }
    }
}

/// The source without its unit tests and comments.
fn code_of(text: &str) -> String {
    super::without_tests(text)
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path named from `crate::` or `super::`, with `{a, b::{c}}` groups spread out, as a
/// module path from the crate root.
pub fn referenced_paths(module: &str, code: String) -> Vec<String> {
    let mut paths = Vec::new();
    for (prefix, base) in [("crate::", String::new()), ("super::", parent_of(module))] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut spread = Vec::new();
            read_tree(&mut rest.chars().peekable(), String::new(), &mut spread);
            paths.extend(spread.into_iter().map(|path| join(&base, &path)));
        }
    }
    paths
}

/// Reads `a::b::{c, d::e}` (or a group alone, `{a, b}`) into `a::b::c`, `a::b::d::e`.
fn read_tree(chars: &mut std::iter::Peekable<std::str::Chars>, prefix: String, out: &mut Vec<String>) {
    let mut path = prefix;
    loop {
        if chars.peek() == Some(&'{') {
            chars.next();
            loop {
                while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}') | None) {
                    chars.next();
                    return;
                }
                read_tree(chars, path.clone(), out);
                // Skip what follows a name in a group (`as x`), up to the next item.
                while chars.peek().is_some_and(|c| *c != ',' && *c != '}') {
                    chars.next();
                }
            }
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek().filter(|c| c.is_alphanumeric() || **c == '_') {
            name.push(c);
            chars.next();
        }
        path = join(&path, &name);
        let mut lookahead = chars.clone();
        if !name.is_empty() && lookahead.next() == Some(':') && lookahead.next() == Some(':') {
            chars.next();
            chars.next();
            continue;
        }
        out.push(path);
        return;
    }
}

fn join(base: &str, name: &str) -> String {
    match (base.is_empty(), name) {
        (_, "") | (false, "self") => base.to_owned(),
        (true, _) => name.to_owned(),
        (false, _) => format!("{base}::{name}"),
    }
}

fn parent_of(module: &str) -> String {
    module.rsplit_once("::").map_or(String::new(), |(parent, _)| parent.to_owned())
}

/// The deepest module `path` lies in (`a::b::Item` lies in `a::b` when that is a file).
fn longest_module(names: &BTreeSet<&str>, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|candidate| names.contains(candidate.as_str()))
}

/// One module is the other, or holds it.
fn related(a: &str, b: &str) -> bool {
    a.is_empty()
        || b.is_empty()
        || a == b
        || a.starts_with(&format!("{b}::"))
        || b.starts_with(&format!("{a}::"))
}

#[test]
fn paths_are_read_with_their_groups_spread() {
    let code = "use crate::{db::{self, Tx}, error::AppError, AppState};\nlet x = super::wire::simplify(s);"
        .to_owned();
    let paths = referenced_paths("flow::sync", code);
    assert_eq!(paths, ["db", "db::Tx", "error::AppError", "AppState", "flow::wire::simplify"]);
}

#[test]
fn a_loop_through_other_modules_is_a_circle_and_a_parent_is_not() {
    let graph: Graph =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["e"]), ("e", vec![])]
            .into_iter()
            .map(|(from, to)| (from.to_owned(), to.into_iter().map(str::to_owned).collect()))
            .collect();
    assert_eq!(circles(&graph), vec![vec!["a", "b", "c", "a"]]);
    assert!(related("embed", "embed::theme") && !related("embed", "embedded"));
}
