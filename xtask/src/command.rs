//! Running commands from the project root with progress shown, and the paths they need.

use anyhow::Context as _;
use std::{
    env,
    ffi::OsString,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// The repository root (where the workspace `Cargo.toml` is).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned()
}

/// Where cargo puts build outputs (`target_directory` of `cargo metadata`: `CARGO_TARGET_DIR`,
/// a config's `build.target-dir`, else `target/`). The tests and benchmarks find the same
/// directory from `CARGO_TARGET_TMPDIR`, which cargo sets to its `tmp/`.
pub fn target_dir() -> PathBuf {
    static TARGET_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    TARGET_DIR.get_or_init(ask_cargo_for_target_dir).clone()
}

fn ask_cargo_for_target_dir() -> PathBuf {
    // Not `cmd`: its `PATH` names a directory under the target directory.
    let metadata = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(project_root())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned());
    let from_metadata = metadata.as_deref().and_then(|json| {
        let start = json.find("\"target_directory\":\"")? + "\"target_directory\":\"".len();
        let end = start + json[start..].find('"')?;
        Some(PathBuf::from(json[start..end].replace("\\\\", "\\")))
    });
    from_metadata.unwrap_or_else(|| project_root().join("target"))
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin_dir() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// `PATH` with cargo's bin directory and binaryen's first, so freshly installed tools are found.
fn path_with_cargo_bin() -> OsString {
    let binaryen = crate::tools::binaryen_dir().join("node_modules").join(".bin");
    let mut paths = vec![binaryen, cargo_bin_dir()];
    if let Some(path) = env::var_os("PATH") {
        paths.extend(env::split_paths(&path));
    }
    env::join_paths(paths).unwrap_or_default()
}

/// A command run in the project root with cargo's bin directory on `PATH`.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(project_root()).env("PATH", path_with_cargo_bin());
    command
}

/// Runs a command with its output shown; an error names the step that failed.
pub fn run_step(title: &str, mut command: Command) -> anyhow::Result<()> {
    println!("\n==> {title}");
    let status = command.status().with_context(|| format!("{title}: could not start"))?;
    if status.success() {
        Ok(())
    } else {
        Err(anyhow::anyhow!("{title} failed ({status})"))
    }
}

/// The first line a command prints, if it runs and succeeds.
pub fn output_line(program: &str, args: &[&str]) -> Option<String> {
    let output = cmd(program, args).stderr(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout).lines().next().map(|l| l.trim().to_owned())
}
