//! Installs the tools the build needs, at pinned versions, only when they are missing.

use crate::command::{cmd, output_line, project_root, run_step, target_dir};
use anyhow::Context as _;
use std::path::Path;

/// trunk 0.22 needs a newer rustc than these machines have.
const TRUNK_VERSION: &str = "0.21.14";
/// binaryen from the npm registry: its `wasm-opt` (binaryen compiled to wasm, run by Node.js)
/// installs in seconds, where building binaryen from source takes about ten minutes on two
/// cores. Debian's binaryen 108 corrupts the reference-types tables that current wasm-bindgen
/// emits (the app fails to start); 116 and later do not.
const BINARYEN_NPM_VERSION: &str = "132.0.0";
/// What that `wasm-opt` reports as its version, as Trunk.toml names it.
const WASM_OPT_VERSION: &str = "version_132";
/// esbuild from the npm registry minifies wasm-bindgen's JS glue, which trunk's minifier cannot
/// parse: 8.4 KB brotli becomes 6.6 KB.
const ESBUILD_NPM_VERSION: &str = "0.24.2";

/// Everything `cargo xtask run` needs to build the web app.
pub fn ensure_build_tools() -> anyhow::Result<()> {
    ensure_rust_components()?;
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_wasm_opt()?;
    ensure_esbuild()?;
    Ok(())
}

/// PostgreSQL's server binaries, for the storage tests (each test starts its own cluster).
pub fn ensure_postgres() -> anyhow::Result<()> {
    let installed = std::fs::read_dir("/usr/lib/postgresql")
        .map(|versions| versions.flatten().any(|v| v.path().join("bin/initdb").exists()))
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    apt_install(&["postgresql"], "the storage tests")
}

/// The musl target and Debian's musl-gcc, for the static server of `cargo xtask dist`.
pub fn ensure_musl() -> anyhow::Result<()> {
    let output = cmd("rustup", &["target", "list", "--installed"]).output().context("rustup is needed")?;
    if !String::from_utf8_lossy(&output.stdout).lines().any(|l| l.trim() == "x86_64-unknown-linux-musl") {
        run_step(
            "adding the x86_64-unknown-linux-musl target",
            cmd("rustup", &["target", "add", "x86_64-unknown-linux-musl"]),
        )?;
    }
    if Path::new("/usr/bin/musl-gcc").exists() {
        return Ok(());
    }
    apt_install(&["musl-tools"], "the static server (SQLite and ring are C, built with musl-gcc)")
}

/// Debian's podman (with runc, which works on these machines' cgroups where crun does not):
/// whether it is there, installing it as root where it is missing.
pub fn ensure_podman() -> anyhow::Result<bool> {
    if Path::new("/usr/bin/podman").exists() && Path::new("/usr/bin/runc").exists() {
        return Ok(true);
    }
    if !is_root() {
        return Ok(false);
    }
    apt_install(&["podman", "runc"], "the image")?;
    Ok(true)
}

/// Debian's Prometheus and promtool, for the metrics test.
pub fn ensure_prometheus() -> anyhow::Result<()> {
    if Path::new("/usr/bin/prometheus").exists() && Path::new("/usr/bin/promtool").exists() {
        return Ok(());
    }
    apt_install(&["prometheus"], "the metrics test (a real Prometheus scrapes the server)")
}

/// The axe-core release whose rules check every page (WCAG 2.2 AA) in the browser tests.
const AXE_CORE_VERSION: &str = "4.14.1";

/// axe-core's script in `target/axe/axe.min.js`, from the npm registry, for the accessibility test.
pub fn ensure_axe() -> anyhow::Result<()> {
    let dir = target_dir().join("axe");
    let script = dir.join("axe.min.js");
    let stamp = dir.join("VERSION");
    if script.exists() && std::fs::read_to_string(&stamp).is_ok_and(|v| v.trim() == AXE_CORE_VERSION) {
        return Ok(());
    }
    if cmd("npm", &["--version"]).output().is_err() {
        apt_install(&["npm"], "the accessibility test (axe-core comes from the npm registry)")?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let package = format!("axe-core@{AXE_CORE_VERSION}");
    let dir_text = dir.display().to_string();
    run_step(
        &format!("fetching {package} for the accessibility test"),
        cmd("npm", &["pack", &package, "--pack-destination", &dir_text]),
    )?;
    let tarball = format!("{dir_text}/axe-core-{AXE_CORE_VERSION}.tgz");
    run_step("unpacking axe-core", cmd("tar", &["-xzf", &tarball, "-C", &dir_text, "package/axe.min.js"]))?;
    std::fs::rename(dir.join("package").join("axe.min.js"), &script).context("cannot place axe.min.js")?;
    std::fs::write(&stamp, AXE_CORE_VERSION).with_context(|| format!("cannot write {}", stamp.display()))
}

/// Headless Chromium and its WebDriver, for the browser tests.
pub fn ensure_browser() -> anyhow::Result<()> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"], "the browser tests")
}

fn ensure_rust_components() -> anyhow::Result<()> {
    let installed = output_line("rustup", &["component", "list", "--installed"]).is_some()
        && cmd("cargo", &["fmt", "--version"]).output().is_ok_and(|o| o.status.success())
        && cmd("cargo", &["clippy", "--version"]).output().is_ok_and(|o| o.status.success());
    if installed {
        return Ok(());
    }
    run_step("installing rustfmt and clippy", cmd("rustup", &["component", "add", "rustfmt", "clippy"]))
}

fn ensure_wasm_target() -> anyhow::Result<()> {
    let output = cmd("rustup", &["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm32 target")?;
    if String::from_utf8_lossy(&output.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    run_step(
        "adding the wasm32-unknown-unknown target",
        cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]),
    )
}

fn ensure_trunk() -> anyhow::Result<()> {
    if output_line("trunk", &["--version"]).is_some_and(|v| v == format!("trunk {TRUNK_VERSION}")) {
        return Ok(());
    }
    // `trunk build --offline` needs neither TLS (it downloads nothing) nor the update check.
    let mut install =
        cmd("cargo", &["install", "--locked", "trunk", "--version", TRUNK_VERSION, "--no-default-features"]);
    fast_release_build(&mut install);
    run_step(
        &format!("installing trunk {TRUNK_VERSION} (first run only; several minutes on two cores)"),
        install,
    )
}

fn ensure_wasm_bindgen() -> anyhow::Result<()> {
    let version = locked_version("wasm-bindgen")?;
    if output_line("wasm-bindgen", &["--version"]).is_some_and(|v| v == format!("wasm-bindgen {version}")) {
        return Ok(());
    }
    // Not --locked: wasm-bindgen-cli's own lockfile names a yanked crate.
    let mut install = cmd("cargo", &["install", "wasm-bindgen-cli", "--version", &version]);
    fast_release_build(&mut install);
    run_step(
        &format!("installing wasm-bindgen-cli {version} (the version in Cargo.lock; first run only)"),
        install,
    )
}

/// binaryen's `wasm-opt` in `<target>/tools/binaryen` (on the `PATH` of every command xtask runs),
/// from the npm registry with the machine's Node.js; npm itself from Debian where it is missing.
fn ensure_wasm_opt() -> anyhow::Result<()> {
    if output_line("wasm-opt", &["--version"]).is_some_and(|v| v.contains(&format!("({WASM_OPT_VERSION})"))) {
        return Ok(());
    }
    if cmd("npm", &["--version"]).output().is_err() {
        apt_install(&["npm"], "the wasm optimiser (binaryen comes from the npm registry)")?;
    }
    let prefix = binaryen_dir();
    std::fs::create_dir_all(&prefix).with_context(|| format!("cannot create {}", prefix.display()))?;
    let prefix = prefix.display().to_string();
    let package = format!("binaryen@{BINARYEN_NPM_VERSION}");
    run_step(
        &format!("installing {package}'s wasm-opt from the npm registry (first run only, seconds)"),
        cmd("npm", &["install", "--prefix", &prefix, "--no-save", "--no-audit", "--no-fund", &package]),
    )
}

/// esbuild's npm package in `<target>/tools/esbuild`, at its pinned version.
fn ensure_esbuild() -> anyhow::Result<()> {
    let manifest = esbuild_package().join("package.json");
    let installed = std::fs::read_to_string(&manifest)
        .is_ok_and(|text| text.contains(&format!("\"version\": \"{ESBUILD_NPM_VERSION}\"")));
    if installed {
        return Ok(());
    }
    if cmd("npm", &["--version"]).output().is_err() {
        apt_install(&["npm"], "the JS minifier (esbuild comes from the npm registry)")?;
    }
    let prefix = target_dir().join("tools").join("esbuild");
    std::fs::create_dir_all(&prefix).with_context(|| format!("cannot create {}", prefix.display()))?;
    let prefix = prefix.display().to_string();
    let package = format!("esbuild@{ESBUILD_NPM_VERSION}");
    run_step(
        &format!("installing {package} from the npm registry (first run only, seconds)"),
        cmd("npm", &["install", "--prefix", &prefix, "--no-save", "--no-audit", "--no-fund", &package]),
    )
}

/// The installed esbuild package, which `xtask/scripts/minify_js.cjs` loads.
pub fn esbuild_package() -> std::path::PathBuf {
    target_dir().join("tools").join("esbuild").join("node_modules").join("esbuild")
}

/// Where binaryen's npm package is installed; its `node_modules/.bin` holds `wasm-opt`.
pub fn binaryen_dir() -> std::path::PathBuf {
    target_dir().join("tools").join("binaryen")
}

/// Tool installs need no link-time optimisation (without it they build several times faster),
/// and little optimisation: at `opt-level = 1` trunk builds in 446 s instead of 501 s here, and
/// neither tool's speed matters on this app's few small files.
fn fast_release_build(command: &mut std::process::Command) {
    command
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1");
}

/// The version of `package` the workspace resolves to (Cargo.lock's), as `cargo metadata` says.
pub fn locked_version(package: &str) -> anyhow::Result<String> {
    let output = std::process::Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(project_root())
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot run cargo metadata")?;
    anyhow::ensure!(output.status.success(), "cargo metadata failed ({})", output.status);
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("unreadable cargo metadata")?;
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|found| found["name"] == package)
        .and_then(|found| found["version"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("{package} is not among the workspace's dependencies"))
}

fn is_root() -> bool {
    output_line("id", &["-u"]).is_some_and(|uid| uid == "0")
}

fn apt_install(packages: &[&str], purpose: &str) -> anyhow::Result<()> {
    if !is_root() {
        anyhow::bail!(
            "{purpose} need Debian's {list}; install them with `sudo apt-get install {list}` and run again",
            list = packages.join(" ")
        );
    }
    run_step("updating Debian's package lists", cmd("apt-get", &["update", "-q"]))?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend_from_slice(packages);
    let mut install = cmd("apt-get", &args);
    install.env("DEBIAN_FRONTEND", "noninteractive");
    run_step(&format!("installing {} for {purpose}", packages.join(" ")), install)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locked_wasm_bindgen_matches_trunk_toml() {
        let version = locked_version("wasm-bindgen").unwrap();
        let trunk_toml = std::fs::read_to_string(project_root().join("Trunk.toml")).unwrap();
        assert!(
            trunk_toml.contains(&format!("wasm_bindgen = \"{version}\"")),
            "Trunk.toml must name wasm-bindgen {version}, the version in Cargo.lock"
        );
    }

    #[test]
    fn trunk_toml_names_the_wasm_opt_that_is_installed() {
        let trunk_toml = std::fs::read_to_string(project_root().join("Trunk.toml")).unwrap();
        assert!(trunk_toml.contains(&format!("wasm_opt = \"{WASM_OPT_VERSION}\"")));
    }
}
