//! The project's rules as tests, read off the source tree (as rust-analyzer's `tidy.rs` does):
//! short files, no import circles, page paths named in one place, every error code worded,
//! states compared as types, one dark palette. `cargo xtask test` runs them with the workspace's tests.

mod circles;

use crate::command::project_root;
use std::path::{Path, PathBuf};

/// The most lines a source file has before it is split.
const MAX_LINES: usize = 300;

/// Files allowed past [`MAX_LINES`], each with why it stays whole. A file that shrinks under the
/// limit must leave this list, so it stays true.
const LONG_FILES: &[(&str, &str)] = &[
    (
        "crates/proxy/tests/integration/api.rs",
        "the JSON API's contract, one test per answer; split by subject later",
    ),
    (
        "crates/proxy/tests/integration/lender.rs",
        "the lender's API and events end to end, sharing one fixture",
    ),
    ("crates/e2e/tests/embedding.rs", "embedded use in a host page, sharing the host page's fixture"),
    ("crates/proxy/src/config.rs", "every setting with its flag, variable and check, read in one pass"),
    ("crates/codat/src/models.rs", "Codat's models as the spec gives them, one after another"),
    ("crates/proxy/tests/integration/security.rs", "each defence with the attack it stops"),
    (
        "crates/proxy/tests/integration/crash.rs",
        "a process killed between each two statements of each change",
    ),
    ("crates/codat/src/client.rs", "one method per Codat operation the product calls"),
    ("crates/api/src/message_keys.rs", "every string the page shows, each with what it is, in one list"),
    ("crates/proxy/src/webhooks.rs", "receiving, verifying and acting on Codat's webhooks in order"),
    ("crates/emulator/src/lib.rs", "the emulator's routes and their state, as the spec lists them"),
    ("crates/proxy/tests/integration/databases.rs", "the same storage tests on SQLite and PostgreSQL"),
    ("crates/proxy/src/facts.rs", "the one writer of a merchant's facts, each change with what follows"),
    ("crates/proxy/src/db/lender_events.rs", "the outbox: events, deliveries and their retries"),
    ("crates/proxy/src/metrics.rs", "every metric's name, help and labels in one registry"),
    ("crates/emulator/src/state.rs", "the emulator's companies, connections and reads"),
    ("crates/e2e/tests/support/mod.rs", "the browser harness: proxy, chromedriver, screenshots, axe"),
    ("crates/proxy/src/watcher.rs", "the watcher's lease, polling and backoff"),
];

/// Every `.rs` file the project keeps under `dirs` (relative to the root), sorted.
fn rust_files(dirs: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        dirs.iter().flat_map(|dir| rust_files_under(&project_root().join(dir))).collect();
    files.sort();
    files
}

/// Every `.rs` file under `dir`, build outputs and hidden directories aside, sorted.
fn rust_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut pending = vec![dir.to_owned()];
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for path in entries.flatten().map(|entry| entry.path()) {
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
            if path.is_dir() && name != "target" && !name.starts_with('.') {
                pending.push(path);
            } else if name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(project_root()).unwrap_or(path).display().to_string()
}

/// The source without its unit tests (by convention the `#[cfg(test)]` module closes a file).
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

#[test]
fn no_source_file_is_long_but_the_listed_few() {
    let mut offenders = Vec::new();
    let mut listed_but_short = Vec::new();
    for path in rust_files(&["src", "crates", "xtask"]) {
        let name = relative(&path);
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        let listed = LONG_FILES.iter().any(|(file, _)| *file == name);
        if lines > MAX_LINES && !listed {
            offenders.push(format!("{name}: {lines} lines"));
        }
        if lines <= MAX_LINES && listed {
            listed_but_short.push(name);
        }
    }
    assert!(offenders.is_empty(), "split these, or list them with a reason: {offenders:#?}");
    assert!(listed_but_short.is_empty(), "no longer long, take them off LONG_FILES: {listed_but_short:#?}");
    for (file, _) in LONG_FILES {
        assert!(project_root().join(file).exists(), "{file} is listed but gone");
    }
}

/// Views link with `Page::href`, so a page moves in one place: `src/routes.rs` alone names paths.
#[test]
fn no_view_spells_out_a_page_path() {
    let mut offenders = Vec::new();
    for path in rust_files(&["src"]) {
        if path.ends_with("src/routes.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for needle in ["href=\"/", "navigate(\"/", "(\"/connect", "(\"/callback"] {
            if text.contains(needle) {
                offenders.push(format!("{} has {needle}", relative(&path)));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// Each catalogue words the proxy's error codes in an exhaustive `match`, so a new code without
/// words is a compile error; a catch-all arm would silently word it as something else.
#[test]
fn every_error_code_is_worded_by_name_in_each_catalogue() {
    let catalogues = rust_files(&["src/i18n"]);
    assert!(catalogues.len() >= 2, "the catalogues moved: {catalogues:?}");
    for path in catalogues {
        let text = std::fs::read_to_string(&path).unwrap();
        let start =
            text.find("fn server_error").unwrap_or_else(|| panic!("{} has no server_error", path.display()));
        let body = &text[start..];
        let body = &body[..body.find("\n}\n").unwrap_or(body.len())];
        assert!(!catch_all_arm(body), "{} words error codes with a catch-all arm", relative(&path));
    }
}

fn catch_all_arm(body: &str) -> bool {
    body.lines().any(|line| line.trim_start().starts_with("_ =>") || line.contains("| _ =>"))
}

/// States are enums compared as enums: a status or a read's state written as a string and
/// compared outside the code that parses it is a state the compiler cannot follow.
const STATE_NAMES: &[&str] = &[
    "PendingAuth",
    "Linked",
    "Unlinked",
    "Deauthorized",
    "Queued",
    "Fetching",
    "Complete",
    "Failed",
    "NotSupported",
    "pending",
    "delivered",
    "failed",
    "required",
    "optional",
    "hidden",
];

fn compares_a_state_as_text(line: &str) -> Option<&'static str> {
    if !(line.contains("==") || line.contains("!=")) {
        return None;
    }
    STATE_NAMES.iter().copied().find(|name| line.contains(&format!("\"{name}\"")))
}

#[test]
fn no_state_is_compared_as_a_string() {
    let mut offenders = Vec::new();
    for path in
        rust_files(&["src", "crates/api/src", "crates/proxy/src", "crates/codat/src", "crates/emulator/src"])
    {
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in without_tests(&text).lines().enumerate() {
            if let Some(name) = compares_a_state_as_text(line) {
                offenders.push(format!("{}:{}: \"{name}\"", relative(&path), number + 1));
            }
        }
    }
    assert!(offenders.is_empty(), "compare the enum, not its spelling: {offenders:#?}");
}

/// Modules that import each other in a loop cannot be understood, tested or moved one at a
/// time.
#[test]
fn no_module_imports_another_in_a_circle() {
    for src in ["src", "crates/api/src", "crates/proxy/src", "crates/codat/src", "crates/emulator/src"] {
        let found = circles::circles(&circles::graph_of(&project_root().join(src)));
        assert!(found.is_empty(), "{src} has import circles: {found:#?}");
    }
}

/// The declarations of the first block in `css` that follows `opening`, trimmed, in order.
fn block_after<'a>(css: &'a str, opening: &str) -> Vec<&'a str> {
    let start = css.find(opening).unwrap_or_else(|| panic!("no `{opening}` block")) + opening.len();
    let body = &css[start..];
    let body = &body[..body.find('}').expect("an open block")];
    body.lines().map(str::trim).filter(|line| !line.is_empty()).collect()
}

/// The dark palette is written twice in `style/tokens.css`: once for a system that prefers dark
/// (unless the host chose light) and once for a host that chose dark. CSS cannot join a media
/// query and a selector in one rule, and `light-dark()` (which could) is Baseline 2024 only: on an
/// older phone every colour would go. The two stay the same, line for line.
#[test]
fn the_dark_palette_is_the_same_in_both_places() {
    let tokens = std::fs::read_to_string(project_root().join("style/tokens.css")).unwrap();
    let for_the_system = block_after(&tokens, ":root:not([data-theme=\"light\"]) {");
    let for_the_host = block_after(&tokens, ":root[data-theme=\"dark\"] {");
    assert!(for_the_system.len() > 10, "the dark palette was not found: {for_the_system:?}");
    assert_eq!(for_the_system, for_the_host, "the two dark palettes in style/tokens.css differ");
}

#[test]
fn the_rules_catch_what_they_name() {
    assert_eq!(compares_a_state_as_text(r#"if status == "Linked" {"#), Some("Linked"));
    assert_eq!(compares_a_state_as_text(r#"c.status.as_deref() != Some("failed")"#), Some("failed"));
    assert_eq!(compares_a_state_as_text(r#"Self::Linked => "Linked","#), None);
    assert!(catch_all_arm("    Some(match code {\n        _ => \"x\",\n"));
    assert!(!catch_all_arm("        AdminTokenRequired | Unknown => return None,\n"));
    assert_eq!(without_tests("a\n#[cfg(test)]\nmod tests {}"), "a\n");
}
